import { CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EncryptedLedgerTable, EnvironmentProfile, LedgerBilling, PaymentApi, Profiles } from '../src';
import { grantedActions } from './setup/iam';
import { newStack } from './setup/stacks';

const synth = (profile?: EnvironmentProfile) => {
  const stack = newStack(profile);
  const api = new PaymentApi(stack, 'Payments', { profile });
  return { stack, api, template: Template.fromStack(stack) };
};
const roleOf = (stack: Stack, fn: { role?: unknown }) =>
  stack.getLogicalId((fn.role as { node: { defaultChild: CfnElement } }).node.defaultChild);

describe('PaymentApi with default props', () => {
  let stack: Stack;
  let api: PaymentApi;
  let template: Template;
  beforeAll(() => {
    ({ stack, api, template } = synth());
  });

  test('is a regional REST API with POST /payments and GET /payments/{transactionId}', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'payments' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{transactionId}' });
    template.resourceCountIs('AWS::ApiGateway::Method', 2);
    for (const method of ['POST', 'GET']) {
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: method,
        Integration: Match.objectLike({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' }),
      });
    }
  });

  test('every method needs an API key and, by default, IAM authorization', () => {
    template.allResourcesProperties('AWS::ApiGateway::Method', { ApiKeyRequired: true, AuthorizationType: 'AWS_IAM' });
    expect(api.iamAuthorization).toBe(true);
  });

  test('leaves every check of a request to the handler, in the contract\'s order: no request validator or model', () => {
    template.resourceCountIs('AWS::ApiGateway::RequestValidator', 0);
    template.resourceCountIs('AWS::ApiGateway::Model', 0);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestParameters: { 'method.request.header.Idempotency-Key': true },
      RequestValidatorId: Match.absent(),
      RequestModels: Match.absent(),
    });
  });

  test('the stage traces with X-Ray and logs executions without bodies', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      MethodSettings: [Match.objectLike({ LoggingLevel: 'INFO', DataTraceEnabled: false, MetricsEnabled: true, HttpMethod: '*', ResourcePath: '/*' })],
    });
  });

  test('access logs go to an Infrequent Access log group; STANDARD is one prop away', () => {
    const accessLogGroup = (t: Template, a: PaymentApi, s: Stack) =>
      t.toJSON().Resources[s.getLogicalId(a.accessLogGroup.node.defaultChild as CfnElement)].Properties;
    expect(accessLogGroup(template, api, stack).LogGroupClass).toBe('INFREQUENT_ACCESS');
    const standardStack = newStack();
    const standard = new PaymentApi(standardStack, 'Payments', { accessLogGroupClass: logs.LogGroupClass.STANDARD });
    expect(accessLogGroup(Template.fromStack(standardStack), standard, standardStack).LogGroupClass).toBe('STANDARD');
  });

  test('execution logs go to an encrypted log group of the stack, kept for a year, which the stage waits for', () => {
    const [id] = Object.entries(template.findResources('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: Match.stringLikeRegexp('PaymentsApi') }, '/v1']] } },
    })).map(([logicalId]) => logicalId);
    expect(id).toBeDefined();
    const logGroup = template.toJSON().Resources[id];
    expect(logGroup.Properties).toMatchObject({ KmsKeyId: { 'Fn::GetAtt': [expect.any(String), 'Arn'] }, RetentionInDays: 365 });
    template.hasResource('AWS::ApiGateway::Stage', { DependsOn: Match.arrayWith([id]) });
  });

  test('access logs are JSON lines in an encrypted log group kept for a year', () => {
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0];
    const format = JSON.parse(stage.Properties.AccessLogSetting.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status', apiKeyId: '$context.identity.apiKeyId' });
    expect(JSON.stringify(format)).not.toMatch(/body|\$input/i);
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 365,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('PaymentsKey'), 'Arn'] },
    });
    expect(stage.Properties.AccessLogSetting.DestinationArn).toEqual({
      'Fn::GetAtt': [stack.getLogicalId(api.accessLogGroup.node.defaultChild as CfnElement), 'Arn'],
    });
  });

  test('answers API Gateway\'s own errors with the contract\'s error body', () => {
    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')).map((r) => r.Properties);
    const byType = Object.fromEntries(responses.map((r) => [r.ResponseType, r]));
    expect(JSON.parse(byType.BAD_REQUEST_BODY.ResponseTemplates['application/json']).error).toEqual({
      code: 'invalid_json', message: 'The request body must be a JSON object.', requestId: '$context.requestId',
    });
    expect(byType.BAD_REQUEST_BODY.StatusCode).toBe('400');
    expect(JSON.parse(byType.BAD_REQUEST_PARAMETERS.ResponseTemplates['application/json']).error.code).toBe('missing_idempotency_key');
    expect(byType.UNSUPPORTED_MEDIA_TYPE.StatusCode).toBe('415');
    expect(byType.REQUEST_TOO_LARGE.StatusCode).toBe('413');
    expect(byType.THROTTLED).toMatchObject({ StatusCode: '429', ResponseParameters: { 'gatewayresponse.header.Retry-After': "'1'" } });
    expect(byType.INTEGRATION_TIMEOUT.StatusCode).toBe('504');
    expect(JSON.parse(byType.INTEGRATION_TIMEOUT.ResponseTemplates['application/json']).error.message).toContain('Retry with the same Idempotency-Key');
    for (const response of responses) {
      expect(response.ResponseParameters['gatewayresponse.header.Content-Type']).toBe("'application/json'");
      expect(response.ResponseParameters['gatewayresponse.header.X-Content-Type-Options']).toBe("'nosniff'");
    }
  });

  test('the payment handler: 512 MB, 30 s, arm64, Node.js 24, traced, in the private subnets with its own security group, no dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Accepts and reads payments for the payments API',
      MemorySize: 512,
      Timeout: 30,
      Architectures: ['arm64'],
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('PaymentsKey'), 'Arn'] },
      // API Gateway invokes it synchronously, where a DeadLetterConfig never applies.
      DeadLetterConfig: Match.absent(),
      VpcConfig: {
        SubnetIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('PrivateSubnet1') }]),
        SecurityGroupIds: [{ 'Fn::GetAtt': [stack.getLogicalId(api.handlerSecurityGroup.node.defaultChild as CfnElement), 'GroupId'] }],
      },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('PaymentsHandlerLogs') } },
    });
    const fn = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: 'Accepts and reads payments for the payments API' } }))[0];
    expect(fn.Properties.VpcConfig.SubnetIds).toHaveLength(3);
  });

  test('each function\'s security group allows no inbound traffic, and HTTPS out to the prefix lists of DynamoDB and S3 only', () => {
    const groups = template.findResources('AWS::EC2::SecurityGroup');
    expect(Object.values(groups).map((group) => group.Properties.GroupDescription).sort()).toEqual([
      'The audit writer: no inbound traffic, HTTPS out to AWS APIs only',
      'The payment handler: no inbound traffic, HTTPS out to AWS APIs only',
    ]);
    const lookups = template.findResources('Custom::AWS');
    const lookupOf = (service: string) => Object.keys(lookups).find((id) => JSON.stringify(lookups[id].Properties.Create).includes(`.${service}\\"]}]}`));
    for (const id of Object.keys(groups)) {
      expect(groups[id].Properties.SecurityGroupIngress).toBeUndefined();
      // No inline rule: 0.0.0.0/0 would be one.
      expect(groups[id].Properties.SecurityGroupEgress).toBeUndefined();
      const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress'))
        .filter((rule) => rule.Properties.GroupId['Fn::GetAtt'][0] === id).map((rule) => rule.Properties);
      expect(egress).toEqual([
        expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, DestinationPrefixListId: { 'Fn::GetAtt': [lookupOf('dynamodb'), 'PrefixLists.0.PrefixListId'] } }),
        expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, DestinationPrefixListId: { 'Fn::GetAtt': [lookupOf('s3'), 'PrefixLists.0.PrefixListId'] } }),
      ]);
    }
  });

  test('the prefix lists are read at deploy time by a role that may describe prefix lists and write its own log group only', () => {
    // The stack has no concrete Region, so each call is joined with the Region at deploy time.
    const calls = Object.values(template.findResources('Custom::AWS')).map((lookup) => JSON.stringify(lookup.Properties.Create));
    expect(calls).toEqual([
      expect.stringMatching(/"service\\":\\"EC2\\",\\"action\\":\\"describeManagedPrefixLists\\".*prefix-list-name.*com\.amazonaws\.".*"\.dynamodb\\"\]/),
      expect.stringMatching(/"service\\":\\"EC2\\",\\"action\\":\\"describeManagedPrefixLists\\".*prefix-list-name.*com\.amazonaws\.".*"\.s3\\"\]/),
    ]);
    const role = Object.entries(template.findResources('AWS::IAM::Role')).find(([id]) => id.includes('ServicePrefixListsLookupRole'))![1];
    const actions = role.Properties.Policies.flatMap((policy: { PolicyDocument: { Statement: Array<{ Action: string | string[] }> } }) =>
      policy.PolicyDocument.Statement.flatMap((statement) => [statement.Action].flat()));
    expect(actions.sort()).toEqual(['ec2:DescribeManagedPrefixLists', 'logs:CreateLogStream', 'logs:PutLogEvents']);
  });

  test('the handler is configured by environment variables that the construct sets', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Accepts and reads payments for the payments API',
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: 'payments-api',
          POWERTOOLS_METRICS_NAMESPACE: 'PaymentPlatform',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          PAYMENTS_ENVIRONMENT: 'production',
          LEDGER_TABLE_NAME: { Ref: Match.stringLikeRegexp('PaymentsLedgerTable') },
          IDEMPOTENCY_TABLE_NAME: { Ref: Match.stringLikeRegexp('PaymentsIdempotencyTable') },
          IDEMPOTENCY_TTL_SECONDS: '86400',
          IAM_AUTHORIZATION: 'true',
        },
      },
    });
  });

  test('function log groups are encrypted and kept for a year', () => {
    for (const id of ['PaymentsHandlerLogs', 'PaymentsAuditWriterLogs']) {
      const groups = template.findResources('AWS::Logs::LogGroup');
      const [group] = Object.entries(groups).filter(([logicalId]) => logicalId.startsWith(id)).map(([, g]) => g);
      expect(group.Properties).toMatchObject({ RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^PaymentsKey/), 'Arn'] } });
    }
  });

  test('the idempotency table: key `id`, TTL on `expires_at`, on demand, point-in-time recovery, encrypted with the platform key', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('PaymentsKey'), 'Arn'] } },
    });
  });

  test('the dead-letter queue is encrypted with the platform key, TLS only, and keeps messages for the profile\'s days', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('PaymentsKey'), 'Arn'] },
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('the audit writer reads every change on the ledger stream in batches, retries from the change that failed, bisects, and sends the rest to the DLQ', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('PaymentsLedgerTable'), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 20,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 10,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('PaymentsDeadLetterQueue'), 'Arn'] } } },
      // Inserts, edits and deletes alike.
      FilterCriteria: Match.absent(),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Writes every change of a ledger item to the audit bucket, one object per change',
      Architectures: ['arm64'],
      // The stream invokes it synchronously, where a DeadLetterConfig never applies.
      DeadLetterConfig: Match.absent(),
      Runtime: 'nodejs24.x',
      TracingConfig: { Mode: 'Active' },
      Environment: { Variables: Match.objectLike({ AUDIT_PREFIX: 'audit/', AUDIT_BUCKET_NAME: { Ref: Match.stringLikeRegexp('PaymentsAuditBucket') } }) },
    });
  });

  test('the handler may append and read payments and use idempotency records, and nothing more', () => {
    const actions = grantedActions(template, roleOf(stack, api.handler));
    expect([...new Set(actions)].sort()).toEqual([
      'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem',
      'kms:Decrypt', 'kms:GenerateDataKey*',
      'xray:PutTelemetryRecords', 'xray:PutTraceSegments',
    ]);
  });

  test('the audit writer may put objects under audit/ only, and read the stream', () => {
    const actions = grantedActions(template, roleOf(stack, api.auditWriter));
    expect(actions.filter((a) => a.startsWith('s3:'))).toEqual(['s3:PutObject']);
    expect(actions).not.toContain('dynamodb:PutItem');
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleOf(stack, api.auditWriter) }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 's3:PutObject',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('PaymentsAuditBucket'), 'Arn'] }, '/audit/*']] },
        })]),
      },
    });
  });

  test('one key serves the ledger, the audit bucket, the flow logs and everything else', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('without a profile, the production profile\'s settings apply', () => {
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { Throttle: { RateLimit: 5000, BurstLimit: 2500 } });
  });

  test('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('PaymentApi per profile', () => {
  test.each([
    ['dev', Profiles.dev, 100, 200, 50, 100, 3, 'NONE'],
    ['staging', Profiles.staging, 1000, 2000, 500, 1000, 7, 'AWS_IAM'],
    // Twice the rate would be 20,000, four times the account's default burst of 5,000, which every API shares.
    ['production', Profiles.production, 10000, 5000, 5000, 2500, 14, 'AWS_IAM'],
  ])('%s: the stage takes %d req/s (burst %d), each client %d req/s (burst %d), DLQ kept %d days, authorization %s', (_name, profile, rate, burst, clientRate, clientBurst, days, auth) => {
    const { template } = synth(profile);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: clientRate, BurstLimit: clientBurst },
      Quota: Match.absent(),
      ApiStages: [Match.objectLike({ Stage: { Ref: Match.stringLikeRegexp('PaymentsApiDeploymentStage') } })],
    });
    expect(clientRate).toBeLessThan(rate);
    expect(clientBurst).toBeLessThan(burst);
    expect(burst).toBeLessThanOrEqual(5000);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: rate, ThrottlingBurstLimit: burst })],
    });
    template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: days * 24 * 3600 });
    template.allResourcesProperties('AWS::ApiGateway::Method', { ApiKeyRequired: true, AuthorizationType: auth });
  });

  test('a rate or burst above API Gateway\'s default account quota is flagged at synthesis, naming the quota', () => {
    const warning = Match.stringLikeRegexp('above API Gateway\'s default account-level throttling quota');
    // A profile that asks for a burst of 20,000 against the default 5,000.
    const production = synth({ ...Profiles.production, apiBurstLimit: 20_000 });
    Annotations.fromStack(production.stack).hasWarning('*', Match.stringLikeRegexp('a burst of 20000 requests \\(quota 5000\\).*Service Quotas'));
    Annotations.fromStack(synth({ ...Profiles.production, apiRateLimit: 12_000, apiBurstLimit: 4000 }).stack)
      .hasWarning('*', Match.stringLikeRegexp('a rate of 12000 requests per second \\(quota 10000\\)'));
    for (const profile of [Profiles.dev, Profiles.staging, Profiles.production]) {
      Annotations.fromStack(synth(profile).stack).hasNoWarning('*', warning);
    }
  });

  test('production puts AWS WAF in front of the API and logs it; dev and staging do not', () => {
    const { template } = synth(Profiles.production);
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({
          Name: 'AWSManagedRulesCommonRuleSet',
          Statement: {
            ManagedRuleGroupStatement: {
              VendorName: 'AWS',
              Name: 'AWSManagedRulesCommonRuleSet',
              // The common rule set blocks bodies over 8 KB; the API accepts up to 16 KiB.
              RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }],
            },
          },
        }),
        Match.objectLike({ Name: 'AWSManagedRulesKnownBadInputsRuleSet' }),
        Match.objectLike({ Name: 'AWSManagedRulesAmazonIpReputationList' }),
      ],
    });
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('/stages/')])]) }),
      WebACLArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('PaymentsWebAcl'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      ResourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('PaymentsWebAcl'), 'Arn'] },
      // Credentials in request headers never reach the WAF logs.
      RedactedFields: [
        { SingleHeader: { Name: 'x-api-key' } },
        { SingleHeader: { Name: 'authorization' } },
        { SingleHeader: { Name: 'x-amz-security-token' } },
      ],
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      // Named anew for each creation of the stack (test/recreation.test.ts).
      LogGroupName: { 'Fn::Join': ['', [Match.stringLikeRegexp('^aws-waf-logs-'), Match.anyValue()]] },
      KmsKeyId: Match.anyValue(),
      RetentionInDays: 365,
    });
    for (const profile of [Profiles.dev, Profiles.staging]) {
      synth(profile).template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    }
  });

  test('dev destroys its idempotency table, queue and logs with the stack; production keeps them', () => {
    const dev = synth(Profiles.dev).template;
    const production = synth(Profiles.production).template;
    for (const type of ['AWS::DynamoDB::Table', 'AWS::SQS::Queue', 'AWS::Logs::LogGroup']) {
      dev.allResources(type, { DeletionPolicy: 'Delete' });
      production.allResources(type, { DeletionPolicy: 'Retain' });
    }
  });

  test('an explicit burst limit in the profile is used by the stage, and halved for each client', () => {
    const { template } = synth({ ...Profiles.staging, apiBurstLimit: 1500 });
    template.hasResourceProperties('AWS::ApiGateway::Stage', { MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 1500 })] });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { Throttle: { RateLimit: 500, BurstLimit: 750 } });
  });

  test('clientLimits set each client\'s rate, burst and quota', () => {
    const stack = newStack(Profiles.staging);
    new PaymentApi(stack, 'Payments', {
      profile: Profiles.staging,
      clientLimits: { rateLimit: 200, burstLimit: 400, quota: { limit: 1_000_000, period: apigateway.Period.MONTH } },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 200, BurstLimit: 400 },
      Quota: { Limit: 1_000_000, Period: 'MONTH' },
    });
  });

  test('refuses client limits above the stage\'s, naming both', () => {
    expect(() => new PaymentApi(newStack(Profiles.staging), 'Payments', { profile: Profiles.staging, clientLimits: { rateLimit: 1500, burstLimit: 2001 } })).toThrow(
      'Invalid PaymentApi props:\n'
      + '  - `clientLimits.rateLimit` is 1500; it must be greater than 0 and at most the stage\'s rate, `rateLimit` (the profile\'s `apiRateLimit`, 1000).\n'
      + '  - `clientLimits.burstLimit` is 2001; it must be a whole number from 1 to the stage\'s burst (2000).');
    expect(() => new PaymentApi(newStack(Profiles.staging), 'Payments', { profile: Profiles.staging, clientLimits: { rateLimit: 0, burstLimit: 1.5 } })).toThrow(
      '`clientLimits.rateLimit` is 0; it must be greater than 0');
  });
});

describe('PaymentApi with an adopted idempotency table', () => {
  const adopted = (stack: Stack, key: kms.IKey) => dynamodb.Table.fromTableAttributes(stack, 'Claims', { tableName: 'claims', encryptionKey: key });

  test('creates no table of its own, and sweeps expired claims from the adopted one every 15 minutes', () => {
    const stack = newStack(Profiles.staging);
    const key = new kms.Key(stack, 'Key');
    const api = new PaymentApi(stack, 'Payments', { profile: Profiles.staging, encryptionKey: key, idempotencyTable: adopted(stack, key) });
    const template = Template.fromStack(stack);
    // Only the ledger that the API creates here.
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    expect(api.idempotencyTable.tableName).toBe('claims');
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
    expect(grantedActions(template, roleOf(stack, api.claimSweeper!))).toEqual(expect.arrayContaining(['dynamodb:Scan', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem']));
    // A single-Region platform stamps no Region on its payments and audits every change.
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FilterCriteria: Match.absent() });
  });

  test('creates its own table, with TTL and no sweeper, when none is adopted', () => {
    const stack = newStack(Profiles.staging);
    const api = new PaymentApi(stack, 'Payments', { profile: Profiles.staging });
    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', { TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true } });
    expect(api.claimSweeper).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::Events::Rule', 0);
  });

  test('multiRegion needs both shared tables and a stack with a concrete Region', () => {
    expect(() => new PaymentApi(newStack(Profiles.staging), 'Payments', { profile: Profiles.staging, multiRegion: true })).toThrow(
      'Invalid PaymentApi props:\n  - `multiRegion` is true without `ledgerTable`; the Regions of a multi-Region platform share both tables, so pass the multi-Region ones.');
    const agnostic = newStack();
    const key = new kms.Key(agnostic, 'Key');
    const ledger = new EncryptedLedgerTable(agnostic, 'Ledger', { encryptionKey: key });
    expect(() => new PaymentApi(agnostic, 'Payments', { encryptionKey: key, ledgerTable: ledger.table, multiRegion: true })).toThrow(
      '`multiRegion` is true without `idempotencyTable`;');
    expect(() => new PaymentApi(agnostic, 'Payments2', { encryptionKey: key, ledgerTable: ledger.table, idempotencyTable: adopted(agnostic, key), multiRegion: true })).toThrow(
      '`multiRegion` is true in a stack without a concrete Region; each payment is stamped with the Region that accepted it, so give the stack an `env.region`.');
  });
});

describe('PaymentApi options', () => {
  test('handlerMemorySize sets the handler\'s memory, within Lambda\'s range', () => {
    const stack = newStack(Profiles.staging);
    const api = new PaymentApi(stack, 'Payments', { profile: Profiles.staging, handlerMemorySize: 1024 });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Role: { 'Fn::GetAtt': [roleOf(stack, api.handler), 'Arn'] }, MemorySize: 1024,
    });
    expect(() => new PaymentApi(newStack(Profiles.staging), 'Payments', { profile: Profiles.staging, handlerMemorySize: 64 })).toThrow(
      'Invalid PaymentApi props:\n  - `handlerMemorySize` is 64; Lambda takes a whole number of MiB from 128 to 10240.');
  });

  test('a custom domain always has the TLS 1.2 security policy, and keeps the execute-api endpoint without mutual TLS', () => {
    const stack = newStack(Profiles.staging);
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-2:111111111111:certificate/abc');
    const api = new PaymentApi(stack, 'Payments', { profile: Profiles.staging, customDomain: { domainName: 'payments.example.com', certificate } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'payments.example.com', SecurityPolicy: 'TLS_1_2', EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', { DomainName: Match.anyValue(), RestApiId: Match.anyValue() });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: Match.absent() });
    expect(api.domain).toBeDefined();
  });

  test('a private API with a custom domain is refused, saying to use one of them', () => {
    const stack = newStack(Profiles.staging);
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const endpoint = vpc.addInterfaceEndpoint('ExecuteApi', { service: ec2.InterfaceVpcEndpointAwsService.APIGATEWAY });
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-2:111111111111:certificate/abc');
    expect(() => new PaymentApi(stack, 'Payments', {
      profile: Profiles.staging, vpc, privateEndpoints: [endpoint], customDomain: { domainName: 'payments.example.com', certificate },
    })).toThrow('`customDomain` and `privateEndpoints` are both set; a private API takes a private custom domain, which this construct does not create. Use one of them.');
  });

  test('mutual TLS asks clients for a certificate from the trust store and turns the execute-api endpoint off', () => {
    const stack = newStack(Profiles.staging);
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-2:111111111111:certificate/abc');
    const bucket = s3.Bucket.fromBucketName(stack, 'TrustStore', 'payments-truststore');
    new PaymentApi(stack, 'Payments', {
      profile: Profiles.staging,
      customDomain: { domainName: 'payments.example.com', certificate, mutualTlsTrustStore: { bucket, key: 'truststore.pem', version: 'v1' } },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      SecurityPolicy: 'TLS_1_2',
      MutualTlsAuthentication: { TruststoreUri: 's3://payments-truststore/truststore.pem', TruststoreVersion: 'v1' },
    });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
  });

  test('is connectable: a resource of the app can let both functions in on its port, and nothing else', () => {
    const stack = newStack(Profiles.staging);
    const api = new PaymentApi(stack, 'Payments', { profile: Profiles.staging });
    const database = new ec2.SecurityGroup(stack, 'Database', { vpc: api.vpc });
    database.connections.allowFrom(api, ec2.Port.tcp(5432), 'payments to the database');
    const ingress = Template.fromStack(stack).findResources('AWS::EC2::SecurityGroupIngress');
    const sources = Object.values(ingress).map((rule) => rule.Properties.SourceSecurityGroupId['Fn::GetAtt'][0]).sort();
    expect(sources).toEqual([
      stack.getLogicalId(api.handlerSecurityGroup.node.defaultChild as CfnElement),
      stack.getLogicalId(api.connections.securityGroups[1].node.defaultChild as CfnElement),
    ].sort());
    expect(Object.values(ingress).every((rule) => rule.Properties.FromPort === 5432 && rule.Properties.ToPort === 5432)).toBe(true);
  });

  test('uses an existing VPC, ledger table, audit bucket and key, and creates none of them', () => {
    const stack = newStack(Profiles.staging);
    const key = new kms.Key(stack, 'PlatformKey', { enableKeyRotation: true });
    const vpc = new ec2.Vpc(stack, 'ExistingVpc', { maxAzs: 2, natGateways: 1 });
    const ledger = new EncryptedLedgerTable(stack, 'ExistingLedger', { profile: Profiles.staging, encryptionKey: key });
    const bucket = new s3.Bucket(stack, 'ExistingAudit', { encryptionKey: key, enforceSSL: true });
    const api = new PaymentApi(stack, 'Payments', { profile: Profiles.staging, vpc, ledgerTable: ledger.table, auditBucket: bucket, encryptionKey: key });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    expect(api.vpc).toBe(vpc);
    expect(api.ledgerTable).toBe(ledger.table);
    expect(api.auditBucket).toBe(bucket);
  });

  test('iamAuthorization overrides the profile', () => {
    const stack = newStack(Profiles.dev);
    new PaymentApi(stack, 'Payments', { profile: Profiles.dev, iamAuthorization: true });
    Template.fromStack(stack).allResourcesProperties('AWS::ApiGateway::Method', { AuthorizationType: 'AWS_IAM' });
  });

  test('addApiKey creates a key in the usage plan', () => {
    const stack = newStack();
    const api = new PaymentApi(stack, 'Payments');
    api.addApiKey('MerchantA', { apiKeyName: 'merchant-a' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::ApiKey', { Name: 'merchant-a', Enabled: true });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', {
      KeyType: 'API_KEY', UsagePlanId: { Ref: Match.stringLikeRegexp('PaymentsApiUsagePlan') },
    });
  });

  test('log retention, idempotency TTL, stage name and handler concurrency are configurable', () => {
    const stack = newStack();
    new PaymentApi(stack, 'Payments', {
      logRetention: 2557, idempotencyRecordTtl: Duration.days(7), stageName: 'live', handlerReservedConcurrency: 50, cloudWatchRole: false,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 2557 });
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'live' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 50,
      Environment: { Variables: Match.objectLike({ IDEMPOTENCY_TTL_SECONDS: String(7 * 24 * 3600) }) },
    });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  test('without provisioned concurrency, the API invokes the function itself and no version or alias exists', () => {
    const stack = newStack();
    new PaymentApi(stack, 'Payments');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Alias', 0);
    template.resourceCountIs('AWS::Lambda::Version', 0);
  });

  describe('with provisioned concurrency', () => {
    const stack = newStack();
    const api = new PaymentApi(stack, 'Payments', { handlerProvisionedConcurrency: 5, handlerReservedConcurrency: 20 });
    const template = Template.fromStack(stack);
    const aliasId = stack.getLogicalId(api.handlerAlias!.node.defaultChild as CfnElement);

    test('keeps that many environments initialised on the alias live', () => {
      template.hasResourceProperties('AWS::Lambda::Alias', {
        Name: 'live',
        FunctionName: { Ref: stack.getLogicalId(api.handler.node.defaultChild as CfnElement) },
        ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 5 },
      });
    });

    test('both methods invoke the alias, not the unqualified function', () => {
      const uris = Object.values(template.findResources('AWS::ApiGateway::Method'))
        .map((method) => JSON.stringify(method.Properties.Integration?.Uri));
      expect(uris).toHaveLength(2);
      for (const uri of uris) {
        expect(uri).toContain(`{"Ref":"${aliasId}"}`);
      }
    });

    test('old versions are deleted once the alias has moved on', () => {
      template.hasResource('AWS::Lambda::Version', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    });
  });

  test('the idempotency table gets the profile\'s warm throughput, as the ledger does', () => {
    const stack = newStack();
    new PaymentApi(stack, 'Payments', { profile: Profiles.derive(Profiles.production, { ledgerBilling: LedgerBilling.onDemand({ warmThroughput: 12_000 }) }) });
    const tables = Template.fromStack(stack).findResources('AWS::DynamoDB::Table');
    expect(Object.values(tables).map((table) => table.Properties.WarmThroughput)).toEqual([
      { WriteUnitsPerSecond: 12_000 }, { WriteUnitsPerSecond: 12_000 },
    ]);
  });

  test('refuses a table without a stream', () => {
    const stack = newStack();
    const table = dynamodb.Table.fromTableName(stack, 'Imported', 'payments-ledger');
    expect(() => new PaymentApi(stack, 'Payments', { ledgerTable: table })).toThrow(
      'Invalid PaymentApi props:\n  - `ledgerTable` has no stream; the audit pipeline reads every ledger change from it. '
      + 'Enable a NEW_AND_OLD_IMAGES stream, or import the table with `tableStreamArn`.',
    );
  });

  test('refuses bad props, listing every problem', () => {
    expect(() => new PaymentApi(newStack(), 'Payments', {
      idempotencyRecordTtl: Duration.hours(1), handlerReservedConcurrency: 0, stageName: 'v 1', handlerProvisionedConcurrency: 2.5,
    })).toThrow(
      'Invalid PaymentApi props:\n'
      + '  - `idempotencyRecordTtl` is 1 hour; the contract keeps idempotency records for at least 24 hours.\n'
      + '  - `handlerReservedConcurrency` is 0; it must be a whole number of at least 1.\n'
      + '  - `handlerProvisionedConcurrency` is 2.5; it must be a whole number of at least 1.\n'
      + "  - `stageName` is 'v 1'; it must be 1 to 128 letters, digits or underscores.",
    );
  });

  test('refuses more provisioned concurrency than is reserved', () => {
    expect(() => new PaymentApi(newStack(), 'Payments', { handlerProvisionedConcurrency: 30, handlerReservedConcurrency: 20 })).toThrow(
      'Invalid PaymentApi props:\n  - `handlerProvisionedConcurrency` is 30, above `handlerReservedConcurrency` (20); Lambda provisions at most the reserved concurrency.',
    );
  });

  test('refuses an invalid profile', () => {
    expect(() => new PaymentApi(newStack(), 'Payments', { profile: { ...Profiles.dev, apiRateLimit: 0 } })).toThrow(
      '`apiRateLimit` is 0; it must be a number of requests per second greater than 0.',
    );
  });
});
