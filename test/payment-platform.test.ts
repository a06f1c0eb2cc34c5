import { App, CfnElement, Duration, NestedStack, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AuditBucket, EncryptedLedgerTable, EnvironmentProfile, MandatoryTags, PaymentApi, PaymentPlatform, Profiles, SecureVpc } from '../src';
import { newStack } from './setup/stacks';
import * as profileValidation from '../src/private/profile-validation';

const synth = (profile: EnvironmentProfile) => {
  const stack = newStack(profile);
  const platform = new PaymentPlatform(stack, 'Payments', profile);
  return { stack, platform, template: Template.fromStack(stack) };
};

describe.each([
  ['dev', Profiles.dev],
  ['staging', Profiles.staging],
  ['production', Profiles.production],
])('PaymentPlatform for %s', (name, profile) => {
  let stack: Stack;
  let platform: PaymentPlatform;
  let template: Template;
  beforeAll(() => {
    ({ stack, platform, template } = synth(profile));
  });

  test('builds the whole system around one key', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.resourceCountIs('AWS::SQS::Queue', 1);
    const keyRef = { 'Fn::GetAtt': [stack.getLogicalId(platform.key.node.defaultChild as CfnElement), 'Arn'] };
    template.allResourcesProperties('AWS::Logs::LogGroup', { KmsKeyId: keyRef });
    template.allResourcesProperties('AWS::DynamoDB::Table', { SSESpecification: Match.objectLike({ KMSMasterKeyId: keyRef }) });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: keyRef });
  });

  test('every child is a typed public field', () => {
    expect(platform.profile).toBe(profile);
    expect(platform.network?.vpc).toBe(platform.vpc);
    expect(platform.api.ledgerTable).toBe(platform.ledger.table);
    expect(platform.api.auditBucket).toBe(platform.auditBucket.bucket);
    expect(platform.api.key).toBe(platform.key);
    expect(platform.tags).toBeInstanceOf(MandatoryTags);
    expect(platform.alarms !== undefined).toBe(profile.enableAlarms);
  });

  test(`alarms ${profile.enableAlarms ? 'for every signal' : 'are not created'}`, () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', profile.enableAlarms ? 7 : 0);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', profile.enableAlarms ? 1 : 0);
    template.resourceCountIs('AWS::SNS::Topic', profile.enableAlarms ? 1 : 0);
  });

  test('every taggable resource carries the four mandatory tags with the profile\'s values', () => {
    const expected = {
      Environment: profile.envName, CostCenter: profile.costCenter, Owner: profile.owner, DataClassification: profile.dataClassification,
    };
    const resources = Object.entries(template.toJSON().Resources as Record<string, { Type: string; Properties?: { Tags?: unknown } }>);
    const tagged = resources.filter(([, r]) => Array.isArray(r.Properties?.Tags));
    expect(tagged.length).toBeGreaterThan(40);
    for (const [logicalId, resource] of tagged) {
      const tags = Object.fromEntries((resource.Properties!.Tags as Array<{ Key: string; Value: string }>).map((t) => [t.Key, t.Value]));
      expect({ logicalId, ...Object.fromEntries(Object.keys(expected).map((k) => [k, tags[k]])) }).toEqual({ logicalId, ...expected });
    }
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });

  test('every role and function is tagged, including the custom resource providers aws-cdk-lib puts at the stack root', () => {
    const resources = Object.entries(template.toJSON().Resources as Record<string, { Type: string; Properties?: { Tags?: unknown } }>);
    const rolesAndFunctions = resources.filter(([, r]) => ['AWS::IAM::Role', 'AWS::Lambda::Function'].includes(r.Type));
    expect(rolesAndFunctions.some(([logicalId]) => logicalId.startsWith('CustomVpcRestrictDefaultSGCustomResourceProvider'))).toBe(true);
    const untagged = rolesAndFunctions.filter(([, r]) => !Array.isArray(r.Properties?.Tags)).map(([logicalId]) => logicalId);
    expect(untagged).toEqual([]);
  });

  test(`the ledger and the audit buckets are ${profile.removalPolicy === RemovalPolicy.RETAIN ? 'retained' : 'destroyed'} with the stack`, () => {
    const policy = profile.removalPolicy === RemovalPolicy.RETAIN ? 'Retain' : 'Delete';
    template.allResources('AWS::S3::Bucket', { DeletionPolicy: policy });
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: policy,
      Properties: Match.objectLike({ KeySchema: Match.arrayWith([{ AttributeName: 'transaction_id', KeyType: 'HASH' }]) }),
    });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: policy });
    expect(name).toBe(profile.envName);
  });
});

describe('PaymentPlatform options', () => {
  test('uses an existing VPC and key', () => {
    const stack = newStack(Profiles.production);
    const vpc = new ec2.Vpc(stack, 'Shared', { maxAzs: 3, natGateways: 1 });
    const key = new kms.Key(stack, 'SharedKey', { enableKeyRotation: true });
    const platform = new PaymentPlatform(stack, 'Payments', Profiles.production, { vpc, encryptionKey: key });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(platform.network).toBeUndefined();
    expect(platform.vpc).toBe(vpc);
    expect(platform.key).toBe(key);
  });

  test('passes alarm options, authorization and log retention through', () => {
    const stack = newStack(Profiles.staging);
    new PaymentPlatform(stack, 'Payments', Profiles.staging, {
      alarms: { alarmEmail: 'oncall@example.com', serverErrorRatePercent: 2 },
      iamAuthorization: false,
      logRetention: 3653,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 2 });
    template.allResourcesProperties('AWS::ApiGateway::Method', { AuthorizationType: 'NONE' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 3653 });
  });

  test('a derived profile changes only what it says', () => {
    const custom = Profiles.derive(Profiles.staging, { region: 'eu-west-1', apiRateLimit: 250, enableAlarms: false });
    const { template } = synth(custom);
    template.hasResourceProperties('AWS::ApiGateway::Stage', { MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 250, ThrottlingBurstLimit: 500 })] });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { Throttle: { RateLimit: 125, BurstLimit: 250 } });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('refuses a second platform in the same stack, naming both; one per stack in one app is fine', () => {
    const stack = newStack(Profiles.dev);
    new PaymentPlatform(stack, 'Dev', Profiles.dev);
    expect(() => new PaymentPlatform(stack, 'Prod', Profiles.production)).toThrow(
      "A stack holds one PaymentPlatform: 'TestStack/Dev' is already in stack 'TestStack', so 'TestStack/Prod' cannot be added. Put each platform in a stack of its own.");
    const other = new Stack(stack.node.root, 'Other', { env: { region: Profiles.production.region } });
    expect(() => new PaymentPlatform(other, 'Prod', Profiles.production)).not.toThrow();
  });

  test('passes the handler\'s memory, reserved and provisioned concurrency and the custom domain to its API', () => {
    const stack = newStack(Profiles.staging);
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-2:111111111111:certificate/abc');
    const platform = new PaymentPlatform(stack, 'Payments', Profiles.staging, {
      handlerMemorySize: 2048,
      handlerReservedConcurrency: 40,
      handlerProvisionedConcurrency: 10,
      customDomain: { domainName: 'payments.example.com', certificate },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 2048, ReservedConcurrentExecutions: 40 });
    template.hasResourceProperties('AWS::Lambda::Alias', { Name: 'live', ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 10 } });
    expect(platform.api.handlerAlias).toBeDefined();
    template.hasResourceProperties('AWS::ApiGateway::DomainName', { DomainName: 'payments.example.com', SecurityPolicy: 'TLS_1_2' });
    expect(platform.api.domain).toBeDefined();
  });

  test('places the VPC in the availability zones it is given', () => {
    const stack = newStack(Profiles.dev);
    new PaymentPlatform(stack, 'Payments', Profiles.dev, { availabilityZones: ['us-east-1b', 'us-east-1c', 'us-east-1d'] });
    const zones = Object.values(Template.fromStack(stack).findResources('AWS::EC2::Subnet')).map((subnet) => subnet.Properties.AvailabilityZone);
    expect([...new Set(zones)]).toEqual(['us-east-1b', 'us-east-1c', 'us-east-1d']);
  });

  test('refuses a stack bound for another region or account than the profile\'s, saying how to fix it', () => {
    const app = new App();
    const east2 = new Stack(app, 'East2', { env: { region: 'us-east-2' } });
    expect(() => new PaymentPlatform(east2, 'Payments', Profiles.production)).toThrow(
      "Invalid EnvironmentProfile 'production':\n  - `region` is 'us-east-1', but stack 'East2' deploys to us-east-2; "
      + "give the stack env: { region: 'us-east-1' }, or derive a profile for us-east-2.");
    const other = new Stack(app, 'OtherAccount', { env: { region: 'us-east-1', account: '222222222222' } });
    expect(() => new PaymentPlatform(other, 'Payments', Profiles.derive(Profiles.production, { account: '111111111111' }))).toThrow(
      "Invalid EnvironmentProfile 'production':\n  - `account` is '111111111111', but stack 'OtherAccount' deploys to account 222222222222; "
      + "give the stack env: { account: '111111111111' }, or derive a profile for account 222222222222.");
    const agnostic = new Stack(app, 'Agnostic');
    expect(() => new PaymentPlatform(agnostic, 'Payments', Profiles.production)).not.toThrow();
  });

  test('each construct that takes a profile refuses a stack of another region', () => {
    const app = new App();
    const east2 = new Stack(app, 'East2', { env: { region: 'us-east-2' } });
    const profile = Profiles.dev;
    for (const make of [
      () => new SecureVpc(east2, 'Vpc', { profile }),
      () => new EncryptedLedgerTable(east2, 'Ledger', { profile }),
      () => new AuditBucket(east2, 'Audit', { profile }),
      () => new PaymentApi(east2, 'Api', { profile }),
    ]) {
      expect(make).toThrow("`region` is 'us-east-1', but stack 'East2' deploys to us-east-2");
    }
  });

  test('a platform in a nested stack is in a stack of its own', () => {
    const stack = newStack(Profiles.dev);
    const nested = new NestedStack(stack, 'Nested');
    new PaymentPlatform(nested, 'Production', Profiles.production);
    expect(() => new PaymentPlatform(stack, 'Dev', Profiles.dev)).not.toThrow();
  });

  test('refuses an invalid profile before building anything', () => {
    const stack = newStack();
    expect(() => new PaymentPlatform(stack, 'Payments', { ...Profiles.staging, deadLetterRetention: Duration.days(17) })).toThrow(
      "Invalid EnvironmentProfile 'staging':\n  - `deadLetterRetention` is '17 days'; SQS keeps messages from 1 minute to 14 days.",
    );
    expect(stack.node.tryFindChild('Payments')?.node.children).toEqual([]);
  });
});

describe('PaymentPlatform adopting data stores of another stack', () => {
  const app = new App();
  const env = { region: Profiles.production.region };
  const data = new Stack(app, 'Data', { env });
  const key = new kms.Key(data, 'Key', { enableKeyRotation: true });
  const ledger = new EncryptedLedgerTable(data, 'Ledger', { profile: Profiles.production, encryptionKey: key });
  const audit = new AuditBucket(data, 'Audit', { profile: Profiles.production, encryptionKey: key });
  const api = new Stack(app, 'Api', { env });
  const platform = new PaymentPlatform(api, 'Payments', Profiles.production, { ledger, auditBucket: audit });
  const template = Template.fromStack(api);

  test('creates neither a ledger nor an audit bucket, and uses the adopted ones', () => {
    expect(platform.ledger).toBe(ledger);
    expect(platform.auditBucket).toBe(audit);
    const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));
    expect(tables).toHaveLength(1); // the idempotency table
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ LEDGER_TABLE_NAME: { 'Fn::ImportValue': Match.anyValue() } }) },
    });
  });

  test('the handler may use the adopted ledger\'s key, and the audit writer is told its bucket cannot name it', () => {
    const json = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(json).toContain('Fn::ImportValue');
    Annotations.fromStack(api).hasWarning('*', Match.stringLikeRegexp('is in another stack, so its policy cannot refuse writes under audit/'));
  });

  test('both stacks synthesize without a cycle of references', () => {
    expect(() => app.synth()).not.toThrow();
  });
});

describe('PaymentPlatform adopting imported data stores', () => {
  test('fromTableAttributes and fromBucketAttributes keep the grants, on the given ARNs', () => {
    const stack = newStack(Profiles.staging);
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-2:111111111111:key/11111111-2222-3333-4444-555555555555');
    const ledger = EncryptedLedgerTable.fromTableAttributes(stack, 'Ledger', {
      tableArn: 'arn:aws:dynamodb:us-east-2:111111111111:table/ledger',
      tableStreamArn: 'arn:aws:dynamodb:us-east-2:111111111111:table/ledger/stream/2026-01-01T00:00:00.000',
      encryptionKey: key,
    });
    const audit = AuditBucket.fromBucketAttributes(stack, 'Audit', { bucketArn: 'arn:aws:s3:::audit-records', encryptionKey: key });
    new PaymentPlatform(stack, 'Payments', Profiles.staging, { ledger, auditBucket: audit });
    const policies = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    for (const arn of ['arn:aws:dynamodb:us-east-2:111111111111:table/ledger', 'table/ledger/stream/2026-01-01T00:00:00.000',
      'arn:aws:s3:::audit-records/audit/*', 'key/11111111-2222-3333-4444-555555555555']) {
      expect(policies).toContain(arn);
    }
  });
});

describe('one mapping from the profile', () => {
  test('the platform checks its profile once, whatever it builds from it', () => {
    const checks = jest.spyOn(profileValidation, 'assertValidProfile');
    try {
      new PaymentPlatform(newStack(Profiles.production), 'Payments', Profiles.production);
      expect(checks).toHaveBeenCalledTimes(1);
    } finally {
      checks.mockRestore();
    }
  });

  test('a construct with a profile of its own goes through the same mapping as the platform\'s', () => {
    const profile = Profiles.derive(Profiles.staging, { auditGlacierTransitionDays: 45, natGateways: 2 });
    const platform = synth(profile).template;
    const stack = newStack(profile);
    new SecureVpc(stack, 'Network', { profile });
    new AuditBucket(stack, 'Audit', { profile });
    const standalone = Template.fromStack(stack);
    const transitions = (template: Template) => Object.values(template.findResources('AWS::S3::Bucket'))
      .map((bucket) => bucket.Properties.LifecycleConfiguration?.Rules?.[0]?.Transitions);
    expect(transitions(standalone)).toEqual(transitions(platform));
    expect(Object.keys(standalone.findResources('AWS::EC2::NatGateway'))).toHaveLength(2);
    expect(Object.keys(platform.findResources('AWS::EC2::NatGateway'))).toHaveLength(2);
  });
});
