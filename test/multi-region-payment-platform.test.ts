import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import {
  LedgerBilling,
  MultiRegionPaymentPlatform,
  MultiRegionPaymentPlatformProps,
  MultiRegionPaymentStage,
  Profiles,
  SecurityControl,
} from '../src';

const ACCOUNT = '123456789012';
const US = ['us-east-1', 'us-east-2', 'us-west-2'];
const DOMAIN = { domainName: 'payments.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' };

function build(props: Partial<MultiRegionPaymentPlatformProps> = {}) {
  const app = new App();
  const platform = new MultiRegionPaymentPlatform(app, 'Payments', { profile: Profiles.production, regions: US, account: ACCOUNT, ...props });
  return { app, platform };
}

/** The message of the error that building with `props` throws. */
function refusal(props: Partial<MultiRegionPaymentPlatformProps>): string {
  try {
    build(props);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the props were accepted');
}

describe('three Regions of the US set, production, with one domain and two clients', () => {
  let platform: MultiRegionPaymentPlatform;
  let data: Template;
  const regional: Record<string, Template> = {};
  beforeAll(() => {
    ({ platform } = build({ domain: DOMAIN, apiClients: ['checkout', 'refunds'] }));
    data = Template.fromStack(platform.dataStack);
    for (const region of US) {
      regional[region] = Template.fromStack(platform.regionStacks[region]);
    }
  });

  test('a key stack per Region, the data stack in the primary Region, a platform stack per Region, in that order', () => {
    const stacks = (Object.values(platform.keyStacks) as Stack[]).concat(platform.dataStack, ...Object.values(platform.regionStacks));
    expect(stacks.map((stack) => `${stack.stackName}@${stack.region}`)).toEqual([
      'payments-production-keys-us-east-1@us-east-1',
      'payments-production-keys-us-east-2@us-east-2',
      'payments-production-keys-us-west-2@us-west-2',
      'payments-production-data@us-east-1',
      'payments-production-us-east-1@us-east-1',
      'payments-production-us-east-2@us-east-2',
      'payments-production-us-west-2@us-west-2',
    ]);
    expect(stacks.every((stack) => stack.account === ACCOUNT)).toBe(true);
    expect(platform.dataStack.dependencies.map((s) => s.stackName).sort()).toEqual(US.map((r) => `payments-production-keys-${r}`));
    for (const region of US) {
      expect(platform.regionStacks[region].dependencies).toContain(platform.dataStack);
      const keys = Template.fromStack(platform.keyStacks[region]);
      keys.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      keys.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/payments-production' });
    }
  });

  test.each([
    ['Ledger', 'payments-production-ledger'],
    ['IdempotencyClaims', 'payments-production-idempotency'],
  ])('%s is an MRSC global table with a replica in each Region, each under that Region\'s key, without TTL', (id, tableName) => {
    const table = platform.dataStack.node.findChild(id) as dynamodb.TableV2;
    const cfn = data.toJSON().Resources[platform.dataStack.getLogicalId(table.node.defaultChild as dynamodb.CfnGlobalTable)];
    expect(cfn.Type).toBe('AWS::DynamoDB::GlobalTable');
    expect(cfn.Properties).toMatchObject({ TableName: tableName, MultiRegionConsistency: 'STRONG', BillingMode: 'PAY_PER_REQUEST' });
    expect(cfn.Properties.TimeToLiveSpecification).toBeUndefined();
    expect(cfn.Properties.LocalSecondaryIndexes).toBeUndefined();
    expect(cfn.Properties.GlobalTableWitnesses).toBeUndefined();
    expect(cfn.DeletionPolicy).toBe('Retain');
    type Replica = { Region: string; SSESpecification: { KMSMasterKeyId: unknown }; DeletionProtectionEnabled: boolean };
    const replicas = cfn.Properties.Replicas as Replica[];
    expect(replicas.map((replica) => replica.Region).sort()).toEqual(US);
    for (const replica of replicas) {
      expect(replica.DeletionProtectionEnabled).toBe(true);
      expect(replica).toMatchObject({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
      const key = JSON.stringify(platform.dataStack.resolve(replica.SSESpecification.KMSMasterKeyId));
      if (replica.Region === 'us-east-1') {
        // The primary's key, from the key stack of the same Region.
        expect(key).toContain('Fn::ImportValue');
      } else {
        expect(key).toContain(`:kms:${replica.Region}:`);
        expect(key).toContain('alias/payments-production');
      }
    }
  });

  test('the ledger streams every change with new and old images, and AWS Backup backs it up as the profile asks', () => {
    data.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'payments-production-ledger',
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    data.resourceCountIs('AWS::Backup::BackupPlan', 1);
    data.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({ Resources: [Match.objectLike({ 'Fn::GetAtt': [Match.stringLikeRegexp('^Ledger'), 'Arn'] })] }),
    });
  });

  test('each client\'s API key value is generated into a secret replicated to the other Regions under their keys', () => {
    data.resourceCountIs('AWS::SecretsManager::Secret', 2);
    data.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'payments-production/api-keys/checkout',
      GenerateSecretString: Match.objectLike({ PasswordLength: 40, ExcludePunctuation: true }),
      ReplicaRegions: [
        { Region: 'us-east-2', KmsKeyId: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:us-east-2:', { Ref: 'AWS::AccountId' }, ':alias/payments-production']] } },
        { Region: 'us-west-2', KmsKeyId: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:us-west-2:', { Ref: 'AWS::AccountId' }, ':alias/payments-production']] } },
      ],
    });
  });

  test.each(US)('%s: the API keys hold a reference to the secret, never a value', (region) => {
    const keys = regional[region].findResources('AWS::ApiGateway::ApiKey');
    expect(Object.values(keys).map((key) => key.Properties.Value).sort()).toEqual([
      '{{resolve:secretsmanager:payments-production/api-keys/checkout:SecretString:::}}',
      '{{resolve:secretsmanager:payments-production/api-keys/refunds:SecretString:::}}',
    ]);
    expect(Object.values(keys).map((key) => key.Properties.Name).sort()).toEqual(['payments-production-checkout', 'payments-production-refunds']);
  });

  test.each(US)('%s: the handler stamps its Region and uses the shared tables of its Region', (region) => {
    const template = regional[region];
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          PAYMENTS_ORIGIN_REGION: region,
          LEDGER_TABLE_NAME: 'payments-production-ledger',
          IDEMPOTENCY_TABLE_NAME: 'payments-production-idempotency',
        }),
      },
    });
    // No table of its own: the Region's stack only refers to the replicas.
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
  });

  test.each(US)('%s: the audit writer reads the replica\'s own stream and takes every change of the payments accepted in its Region, deletes too', (region) => {
    const template = regional[region];
    template.hasResourceProperties('Custom::AWS', {
      Create: Match.stringLikeRegexp('"action":"describeTable".*"TableName":"payments-production-ledger"'),
    });
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(1);
    expect(JSON.stringify(mappings[0].Properties.EventSourceArn)).toContain('Table.LatestStreamArn');
    expect(mappings[0].Properties.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern))).toEqual([
      { dynamodb: { NewImage: { origin_region: { S: [region] } } } },
      { dynamodb: { OldImage: { origin_region: { S: [region] } } } },
    ]);
  });

  test.each(US)('%s: a sweeper every 15 minutes deletes expired claims, allowed to scan and delete on the claims table, and to keep its place there only', (region) => {
    const template = regional[region];
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 300,
      ReservedConcurrentExecutions: 1,
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'payments-claim-sweeper', IDEMPOTENCY_TABLE_NAME: 'payments-production-idempotency' }) },
    });
    const sweeperPolicies = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes('ClaimSweeperRole'));
    const dynamodbStatements = sweeperPolicies.flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((statement: { Action: string | string[] }) => [statement.Action].flat().some((action) => action.startsWith('dynamodb:')));
    expect(dynamodbStatements).toHaveLength(2);
    expect(dynamodbStatements[0].Action).toEqual(['dynamodb:Scan', 'dynamodb:DeleteItem']);
    expect(JSON.stringify(dynamodbStatements[0].Resource)).toContain(`:dynamodb:${region}:${ACCOUNT}:table/payments-production-idempotency`);
    expect(dynamodbStatements[1]).toMatchObject({
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['sweep-position#*'] }, 'Null': { 'dynamodb:LeadingKeys': 'false' } },
    });
    expect(JSON.stringify(dynamodbStatements[1].Resource)).toContain(`:dynamodb:${region}:${ACCOUNT}:table/payments-production-idempotency`);
  });

  test.each(US)('%s: an alarm says when the claim sweeps fall behind or stop reporting', (region) => {
    regional[region].hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'SweepPassAge',
      Namespace: 'PaymentPlatform',
      Dimensions: Match.arrayWith([{ Name: 'service', Value: 'payments-claim-sweeper' }]),
      Statistic: 'Maximum',
      Period: 3600,
      Threshold: 21_600,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  test('the data stack owns the domain\'s DNS validation record, once for every Region; the other Regions\' certificates write none', () => {
    data.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'payments.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'payments.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
    });
    regional['us-east-1'].resourceCountIs('AWS::CertificateManager::Certificate', 0);
    for (const region of ['us-east-2', 'us-west-2']) {
      regional[region].resourceCountIs('AWS::CertificateManager::Certificate', 1);
      regional[region].hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: 'payments.example.com', ValidationMethod: 'DNS', DomainValidationOptions: Match.absent(),
      });
    }
    // The primary Region's custom domain takes the data stack's certificate.
    regional['us-east-1'].hasResourceProperties('AWS::ApiGateway::DomainName', { RegionalCertificateArn: { 'Fn::ImportValue': Match.anyValue() } });
  });

  test.each(US)('%s: the Region leaves DNS when more than half its answers are server errors for three minutes, or its API stops answering GET /health', (region) => {
    const template = regional[region];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '5XXError',
      Namespace: 'AWS/ApiGateway',
      Statistic: 'Average',
      Threshold: 0.5,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      ComparisonOperator: 'GreaterThanThreshold',
      Period: 60,
    });
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({
        Type: 'HTTPS',
        Port: 443,
        EnableSNI: true,
        ResourcePath: { 'Fn::Join': ['', ['/', { Ref: Match.stringLikeRegexp('PaymentsApiDeploymentStage') }, '/health']] },
        FullyQualifiedDomainName: { 'Fn::Join': ['', [{ Ref: Match.stringLikeRegexp('PaymentsApi') }, `.execute-api.${region}.`, { Ref: 'AWS::URLSuffix' }]] },
      }),
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      ApiKeyRequired: false,
      AuthorizationType: 'NONE',
      Integration: Match.objectLike({ Type: 'MOCK' }),
    });
  });

  test.each(US)('%s: one domain, with this Region\'s latency record and health checks', (region) => {
    const template = regional[region];
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'payments.example.com',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'payments.example.com.',
      Type: 'A',
      Region: region,
      SetIdentifier: region,
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      HealthCheckId: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: Match.objectLike({ Type: 'CALCULATED', HealthThreshold: 2 }) });
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: Match.objectLike({ Region: region }) }),
    });
  });

  test.each(US)('%s: Object Lock on the Region\'s audit bucket, as production asks', (region) => {
    regional[region].hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: Match.objectLike({ Rule: { DefaultRetention: Match.objectLike({ Days: 365 }) } }),
    });
  });
});

test('the alarm subscribers reach every Region\'s alarm topic, and without any each Region warns that its alarms notify no one', () => {
  const { platform } = build({
    alarms: { alarmEmail: 'oncall@example.com', alarmSubscriptions: [new subscriptions.UrlSubscription('https://events.pagerduty.com/integration/abc/enqueue')] },
  });
  for (const region of US) {
    const template = Template.fromStack(platform.regionStacks[region]);
    const topic = Object.keys(template.findResources('AWS::SNS::Topic', { Properties: { DisplayName: 'Payments alarms (production)' } }));
    expect(topic).toHaveLength(1);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: { Ref: topic[0] } });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'https', Endpoint: 'https://events.pagerduty.com/integration/abc/enqueue', TopicArn: { Ref: topic[0] },
    });
    expect(Annotations.fromStack(platform.regionStacks[region]).findWarning('*', Match.stringLikeRegexp('alarmsNotifyNoOne'))).toHaveLength(0);
  }
  const { platform: silent } = build();
  for (const region of US) {
    expect(Annotations.fromStack(silent.regionStacks[region]).findWarning('*', Match.stringLikeRegexp('production alarms notify a new topic that nobody subscribes to'))).toHaveLength(1);
  }
});

test('two Regions and a witness: two replicas, and the witness holds none', () => {
  const { platform } = build({ profile: Profiles.staging, regions: ['us-east-2', 'us-west-2'], witnessRegion: 'us-east-1' });
  expect(Object.keys(platform.regionStacks)).toEqual(['us-east-2', 'us-west-2']);
  expect(platform.primaryRegion).toBe('us-east-2');
  const data = Template.fromStack(platform.dataStack);
  for (const table of Object.values(data.findResources('AWS::DynamoDB::GlobalTable'))) {
    expect(table.Properties.GlobalTableWitnesses).toEqual([{ Region: 'us-east-1' }]);
    expect(table.Properties.Replicas.map((r: { Region: string }) => r.Region).sort()).toEqual(['us-east-2', 'us-west-2']);
  }
  expect(Object.keys(platform.keyStacks)).toEqual(['us-east-2', 'us-west-2']);
});

test('a MultiRegionPaymentStage holds the whole platform, with stack names of the stage', () => {
  const app = new App();
  const stage = new MultiRegionPaymentStage(app, 'Prod', { platform: { profile: Profiles.dev, regions: US, witnessRegion: undefined } });
  const assembly = stage.synth();
  expect(assembly.stacks.map((stack) => stack.stackName).sort()).toEqual([
    'Prod-payments-dev-data',
    'Prod-payments-dev-keys-us-east-1',
    'Prod-payments-dev-keys-us-east-2',
    'Prod-payments-dev-keys-us-west-2',
    'Prod-payments-dev-us-east-1',
    'Prod-payments-dev-us-east-2',
    'Prod-payments-dev-us-west-2',
  ]);
  const data = assembly.stacks.find((stack) => stack.stackName === 'Prod-payments-dev-data')!;
  expect(data.dependencies.map((d) => d.id).filter((id) => id.includes('Keys'))).toHaveLength(3);
});

describe('what MRSC cannot do is refused, naming the field', () => {
  test.each<[string, Partial<MultiRegionPaymentPlatformProps>, string]>([
    ['a Region outside every set', { regions: ['us-east-1', 'us-east-2', 'ca-central-1'] },
      "`regions` and `witnessRegion` name 'ca-central-1', outside every Region set of multi-Region strong consistency; choose the Regions of one set (US: us-east-1, us-east-2, us-west-2; EU: eu-west-1, eu-west-2, eu-west-3, eu-central-1; AP: ap-northeast-1, ap-northeast-2, ap-northeast-3)."],
    ['Regions of two sets', { regions: ['us-east-1', 'us-east-2', 'eu-west-1'] },
      '`regions` and `witnessRegion` span the Region sets US and EU; an MRSC table cannot span sets'],
    ['a Region named twice', { regions: ['us-east-1', 'us-east-1', 'us-west-2'] },
      '`regions` is [us-east-1, us-east-1, us-west-2], which names a Region twice; name each serving Region once.'],
    ['a witness beside three Regions', { witnessRegion: 'us-west-2' },
      "`witnessRegion` is 'us-west-2' beside three `regions`; an MRSC table spans exactly three Regions"],
    ['two Regions without a witness', { regions: ['us-east-1', 'us-west-2'] },
      '`regions` is [us-east-1, us-west-2] without `witnessRegion`; an MRSC table spans exactly three Regions, so add a third Region or name the third of the set as the witness.'],
    ['one Region', { regions: ['us-east-1'] },
      '`regions` has 1 Region; an MRSC table spans exactly three Regions: give three serving Regions, or two and a `witnessRegion`.'],
    ['four Regions', { regions: ['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1'], profile: { ...Profiles.production, region: 'eu-west-1' } },
      '`regions` has 4 Regions; an MRSC table spans exactly three Regions'],
    ['a witness that also serves', { regions: ['us-east-1', 'us-west-2'], witnessRegion: 'us-west-2' },
      "`witnessRegion` is 'us-west-2', which is also in `regions`; the witness is the set's third Region and serves no payments."],
    ['a primary Region that does not serve', { profile: { ...Profiles.production, region: 'us-east-2' }, regions: ['us-east-1', 'us-west-2'], witnessRegion: 'us-east-2' },
      "`profile.region` is 'us-east-2', not one of `regions` [us-east-1, us-west-2]; the profile's Region is the primary Region, where the tables are defined."],
    ['provisioned billing', { profile: { ...Profiles.production, ledgerBilling: LedgerBilling.provisioned({ read: 5, write: 5 }) } },
      '`profile.ledgerBilling` is provisioned; the multi-Region tables are on-demand'],
    ['a bad name prefix', { namePrefix: 'Payments_Prod' },
      "`namePrefix` is 'Payments_Prod'; it must be 1 to 40 lower-case letters, digits and hyphens, starting with a letter."],
    ['a bad account', { account: '1234' }, "`account` is '1234'; it must be a 12-digit AWS account id."],
    ['clients named twice', { apiClients: ['checkout', 'checkout'] },
      '`apiClients` is [checkout, checkout]; give one or more distinct names of 1 to 64 characters of A-Z, a-z, 0-9, _ and -.'],
    ['no clients', { apiClients: [] }, '`apiClients` is []; give one or more distinct names'],
    ['a domain outside its zone', { domain: { ...DOMAIN, domainName: 'payments.example.org' } },
      "`domain.domainName` is 'payments.example.org', outside the hosted zone 'example.com' (`domain.zoneName`)"],
    ['a bad hosted zone id', { domain: { ...DOMAIN, hostedZoneId: 'example.com' } },
      "`domain.hostedZoneId` is 'example.com'; it must be a Route 53 hosted zone id"],
    ['a bad profile', { profile: { ...Profiles.production, apiRateLimit: -1 } }, 'profile: `apiRateLimit` is -1;'],
    ['an alarm topic, which can notify one Region only', { alarms: { alarmTopic: sns.Topic.fromTopicArn(new Stack(), 'T', 'arn:aws:sns:us-east-1:123456789012:oncall') } },
      '`alarms.alarmTopic` is given; a CloudWatch alarm notifies a topic of its own Region only, so each Region\'s alarms notify a topic of their own. Subscribe to them with `alarms.alarmEmail` or `alarms.alarmSubscriptions`'],
  ])('%s', (_case, props, message) => {
    const error = refusal(props);
    expect(error).toMatch(/^Invalid MultiRegionPaymentPlatform props:\n {2}- /);
    expect(error).toContain(message);
  });

  test('every problem at once, one per line', () => {
    const error = refusal({ regions: ['us-east-1'], namePrefix: 'X', account: '1' });
    expect(error.split('\n')).toHaveLength(4);
  });

  test('inside a stack', () => {
    const app = new App();
    const stack = new Stack(app, 'Outer');
    expect(() => new MultiRegionPaymentPlatform(stack, 'Payments', { profile: Profiles.production, regions: US }))
      .toThrow("MultiRegionPaymentPlatform 'Outer/Payments' creates a stack per Region, so it belongs in an App or a Stage, not in stack 'Outer'.");
  });

  test.each<[string, (platform: MultiRegionPaymentPlatform) => void, string]>([
    ['TTL added through the L1 table', (p) => ((p.idempotencyTable.node.defaultChild as dynamodb.CfnGlobalTable).timeToLiveSpecification = { attributeName: 'expires_at', enabled: true }),
      "`idempotencyTable` has TTL on 'expires_at'; tables with multi-Region strong consistency have no TTL"],
    ['a local secondary index', (p) => p.ledgerTable.addLocalSecondaryIndex({ indexName: 'byMerchant', sortKey: { name: 'merchant_id', type: dynamodb.AttributeType.STRING } }),
      "`ledgerTable` has the local secondary index 'byMerchant'; tables with multi-Region strong consistency have none"],
    ['eventual consistency', (p) => ((p.idempotencyTable.node.defaultChild as dynamodb.CfnGlobalTable).multiRegionConsistency = 'EVENTUAL'),
      "`idempotencyTable` has multi-Region consistency 'EVENTUAL'; an idempotency claim on eventually consistent replicas can be won in two Regions at once and pay twice, so it must be STRONG."],
  ])('%s, at synthesis', (_case, change, message) => {
    const { app, platform } = build();
    change(platform);
    expect(() => app.synth()).toThrow(message);
  });
});

test('every role, function and other taggable resource of every stack carries the four mandatory tags', () => {
  const { platform } = build({ domain: DOMAIN });
  const stacks = [...Object.values(platform.keyStacks), platform.dataStack, ...Object.values(platform.regionStacks)];
  const untagged = stacks.flatMap((stack) => {
    type Resource = { Type: string; Properties?: { Tags?: unknown } };
    const resources = Object.entries(Template.fromStack(stack).toJSON().Resources as Record<string, Resource>);
    const mustBeTagged = resources.filter(([, r]) => Array.isArray(r.Properties?.Tags) || ['AWS::IAM::Role', 'AWS::Lambda::Function'].includes(r.Type));
    return mustBeTagged.filter(([, r]) => {
      const tags = Object.fromEntries(((r.Properties?.Tags ?? []) as Array<{ Key: string; Value: string }>).map((t) => [t.Key, t.Value]));
      return tags.Environment !== 'production' || tags.CostCenter !== 'Finance' || tags.Owner !== 'payments-platform' || tags.DataClassification !== 'Restricted';
    }).map(([logicalId]) => `${stack.stackName}/${logicalId}`);
  });
  expect(untagged).toEqual([]);
});

describe('the multi-Region ledger has the guardrails of a ledger in one Region', () => {
  test('a profile that weakens recovery, backups or retention warns on the multi-Region ledger, naming the field', () => {
    // A profile of the app's own (no stock profile is named qa), so every weakening is the app's choice.
    const weakened = Profiles.derive(Profiles.staging, { envName: 'qa', region: 'us-east-1', pointInTimeRecovery: false, removalPolicy: RemovalPolicy.DESTROY });
    const { platform } = build({ profile: weakened });
    const warnings = Annotations.fromStack(platform.dataStack).findWarning('*', Match.anyValue())
      .map((warning) => `${warning.id} ${String(warning.entry.data)}`);
    expect(warnings).toEqual(expect.arrayContaining([
      expect.stringMatching(/^\/Payments\/Data\/Ledger .*Point-in-time recovery of the ledger is off, set by the profile's `pointInTimeRecovery`/),
      expect.stringMatching(/^\/Payments\/Data\/Ledger .*The ledger is in no AWS Backup plan, set by the profile's `ledgerBackups`/),
      expect.stringMatching(/^\/Payments\/Data\/Ledger .*The ledger \(and its key, if created here\) is deleted with the stack, set by the profile's `removalPolicy`/),
    ]));
  });

  test('with Restricted data, a weakened recovery stops synthesis unless the profile states the exception', () => {
    expect(refusal({ profile: Profiles.derive(Profiles.production, { pointInTimeRecovery: false }) })).toMatch(
      /^Payments\/Data\/Ledger: Point-in-time recovery of the ledger is off, set by the profile's `pointInTimeRecovery`, in the production environment, whose data is Restricted/);
    const stated = Profiles.derive(Profiles.production, {
      pointInTimeRecovery: false,
      securityExceptions: [{ control: SecurityControl.POINT_IN_TIME_RECOVERY, reason: 'Restored from the AWS Backup plan instead, tested quarterly.' }],
    });
    const { platform } = build({ profile: stated });
    Template.fromStack(platform.dataStack).hasResource('AWS::DynamoDB::GlobalTable', {
      Metadata: Match.objectLike({ PaymentPlatformSecurityExceptions: [Match.objectLike({ control: 'point-in-time-recovery' })] }),
    });
  });
});
