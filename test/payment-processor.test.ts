import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { PaymentApi, PaymentPlatform, PaymentProcessor, Profiles, SimulatedProcessor } from '../src';
import { unacknowledgedFindings, unusedAcknowledgements } from './setup/nag';
import { decide, PolicyModel } from './setup/policy-evaluation';

/**
 * A payment API with a processor: the processor's settings and their limits, what the API adds
 * for it (the handler's bundle and environment, the pending index, the completer, the Lambda
 * interface endpoint), and the paths that AWS must allow, decided by evaluating the synthesized
 * policies.
 */
const ACCOUNT = '111111111111';
const TLS = { 'aws:SecureTransport': 'true' };

function platformWithProcessor(options: { timeout?: Duration } = {}) {
  const app = new App();
  const stack = new Stack(app, 'Payments', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const simulated = new SimulatedProcessor(stack, 'Processor', options);
  const other = new lambda.Function(stack, 'OtherFunction', {
    runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;'),
  });
  const platform = new PaymentPlatform(stack, 'P', { ...Profiles.dev, enableAlarms: true }, { processor: simulated.processor, alarms: { alarmEmail: 'oncall@example.com' } });
  return { stack, simulated, other, platform, template: Template.fromStack(stack) };
}

describe('PaymentProcessor', () => {
  const fn = () => lambda.Function.fromFunctionName(new Stack(), 'P', 'processor');

  test('defaults: a 10-second timeout and a 24-hour key retention', () => {
    const processor = PaymentProcessor.fromFunction(fn());
    expect(processor.timeout.toSeconds()).toBe(10);
    expect(processor.keyRetention.toHours()).toBe(24);
  });

  test.each([
    [Duration.seconds(16), '`timeout` is 16 seconds; it must be from 1 second to 15 seconds: an attempt also takes up to 10 seconds to claim the key, write ahead and record the outcome, and the handler answers within 25 seconds, before API Gateway gives up at 29.'],
    [Duration.millis(999), '`timeout` is 999 millis; it must be from 1 second to 15 seconds'],
  ])('a timeout of %s is refused, naming the numbers', (timeout, message) => {
    expect(() => PaymentProcessor.fromFunction(fn(), { timeout })).toThrow(message);
  });

  test('the limits themselves are allowed', () => {
    expect(() => PaymentProcessor.fromFunction(fn(), { timeout: Duration.seconds(15), keyRetention: Duration.hours(1) })).not.toThrow();
    expect(() => PaymentProcessor.fromFunction(fn(), { timeout: Duration.seconds(1) })).not.toThrow();
  });

  test('every problem at once', () => {
    expect(() => PaymentProcessor.fromFunction(fn(), { timeout: Duration.seconds(30), keyRetention: Duration.minutes(59) })).toThrow(
      /Invalid PaymentProcessor options:\n {2}- `timeout` is 30 seconds;.*\n {2}- `keyRetention` is 59 minutes; it must be at least 1 hour, so that the completer has time to finish a pending payment\.$/);
  });
});

describe('PaymentPlatform with a processor', () => {
  const { stack, simulated, other, platform, template } = platformWithProcessor();
  const api = platform.api;
  const model = new PolicyModel(stack, template.toJSON() as never);
  const processorArn = model.arn(model.logicalId(simulated.processorFunction));
  const otherArn = model.arn(model.logicalId(other));
  const role = (fn: lambda.IFunction) => {
    const id = model.logicalId(fn.role as never);
    return { principal: model.arn(id), identityPolicies: model.identityPolicies(id) };
  };

  test('the handler is the processor bundle, told the processor, its timeout and its key retention', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Takes payments through the processor, and reads them, for the payments API',
      Environment: {
        Variables: Match.objectLike({
          PROCESSOR_FUNCTION_NAME: { Ref: model.logicalId(simulated.processorFunction) },
          PROCESSOR_TIMEOUT_MS: '10000',
          PROCESSOR_KEY_RETENTION_SECONDS: '86400',
        }),
      },
    });
    expect(api.processor).toBe(simulated.processor);
  });

  test('the idempotency table gets the sparse index of pending payments', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [{
        IndexName: 'pending-payments',
        KeySchema: [{ AttributeName: 'pending_shard', KeyType: 'HASH' }, { AttributeName: 'retry_at', KeyType: 'RANGE' }],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['transaction_id', 'created_at'] },
      }],
    });
  });

  test('the completer runs every minute in the VPC, with the dead-letter queue, told the tables and the processor', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Completes the pending payments that no client retries',
      VpcConfig: Match.anyValue(),
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [model.logicalId(api.deadLetterQueue), 'Arn'] } },
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'payments-completer',
          PROCESSOR_TIMEOUT_MS: '10000',
          IDEMPOTENCY_TTL_SECONDS: '86400',
        }),
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [model.logicalId(api.completer!), 'Arn'] } })],
    });
  });

  test('a Lambda interface endpoint with private DNS, open to the handler and the completer only', () => {
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: 'com.amazonaws.us-east-1.lambda',
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
    });
    const endpointGroup = model.logicalId(api.processorEndpoint!.connections.securityGroups[0]);
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .filter((r) => JSON.stringify(r.Properties.GroupId).includes(endpointGroup))
      .map((r) => r.Properties.SourceSecurityGroupId['Fn::GetAtt'][0]);
    expect(ingress.sort()).toEqual([model.logicalId(api.completer!.connections.securityGroups[0]), model.logicalId(api.handlerSecurityGroup)].sort());
    const group = template.toJSON().Resources[endpointGroup].Properties;
    expect(group.SecurityGroupIngress).toBeUndefined();
  });

  test('the endpoint\'s policy allows invoking the processor (any version or alias), nothing else', async () => {
    // An endpoint policy filters what passes the endpoint; evaluated here as the one policy that must allow the request.
    const endpointPolicy = model.resolve(template.toJSON().Resources[model.logicalId(api.processorEndpoint!)].Properties.PolicyDocument);
    const through = (action: string, resource: string, principal = role(api.handler).principal) => decide({
      principal, action, resource, resourceAccount: ACCOUNT, resourcePolicy: endpointPolicy, context: { ...TLS, 'aws:PrincipalAccount': principal.split(':')[4] },
    });
    expect(await through('lambda:InvokeFunction', processorArn)).toBe('Allowed');
    expect(await through('lambda:InvokeFunction', processorArn, 'arn:aws:iam::222222222222:role/stranger')).toBe('ImplicitlyDenied');
    expect(await through('lambda:InvokeFunction', `${processorArn}:live`)).toBe('Allowed');
    expect(await through('lambda:InvokeFunction', otherArn)).toBe('ImplicitlyDenied');
    expect(await through('lambda:GetFunction', processorArn)).toBe('ImplicitlyDenied');
  });

  test('the handler and the completer may invoke the processor and no other function', async () => {
    for (const caller of [role(api.handler), role(api.completer!)]) {
      const invoke = (resource: string) => decide({ ...caller, action: 'lambda:InvokeFunction', resource, resourceAccount: ACCOUNT, context: TLS });
      expect(await invoke(processorArn)).toBe('Allowed');
      expect(await invoke(otherArn)).toBe('ImplicitlyDenied');
      expect(await invoke(model.arn(model.logicalId(api.handler)))).toBe('ImplicitlyDenied');
    }
  });

  test('the handler records outcomes in the ledger; the completer writes ahead, records, and finds pending payments on the index only', async () => {
    const ledger = model.arn(model.logicalId(platform.ledger.table));
    const table = model.arn(model.logicalId(api.idempotencyTable));
    const on = (resource: string) => ({ resource, resourceAccount: ACCOUNT, context: TLS });
    expect(await decide({ ...role(api.handler), ...on(ledger), action: 'dynamodb:UpdateItem' })).toBe('Allowed');
    expect(await decide({ ...role(api.handler), ...on(ledger), action: 'dynamodb:DeleteItem' })).toBe('ImplicitlyDenied');
    const completer = role(api.completer!);
    for (const action of ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem']) {
      expect(await decide({ ...completer, ...on(ledger), action })).toBe('Allowed');
    }
    expect(await decide({ ...completer, ...on(ledger), action: 'dynamodb:DeleteItem' })).toBe('ImplicitlyDenied');
    expect(await decide({ ...completer, ...on(`${table}/index/pending-payments`), action: 'dynamodb:Query' })).toBe('Allowed');
    expect(await decide({ ...completer, ...on(table), action: 'dynamodb:Query' })).toBe('ImplicitlyDenied');
    expect(await decide({ ...completer, ...on(table), action: 'dynamodb:Scan' })).toBe('ImplicitlyDenied');
    expect(await decide({ ...completer, ...on(table), action: 'dynamodb:DeleteItem' })).toBe('ImplicitlyDenied');
    expect(await decide({ ...completer, ...on(table), action: 'dynamodb:UpdateItem' })).toBe('Allowed');
  });

  test('the processor gets nothing from the platform: its role holds its own grants only', () => {
    const actions = model.identityPolicies(model.logicalId(simulated.processorFunction.role as never))
      .flatMap(({ policy }) => (policy as { Statement: Array<{ Action: string | string[] }> }).Statement.flatMap((s) => [s.Action].flat()));
    expect(actions.sort()).toEqual(['dynamodb:PutItem', 'logs:CreateLogStream', 'logs:PutLogEvents'].sort());
  });

  test('alarms: the processor failure rate above 5%, a payment pending over 15 minutes (or past the key retention, or no completer report), completer errors', () => {
    const alarms = platform.alarms!;
    expect(alarms.alarms).toEqual(expect.arrayContaining([alarms.processorFailureRateAlarm, alarms.pendingPaymentAlarm, alarms.completerErrorAlarm]));
    const props = (alarm: unknown) => template.toJSON().Resources[model.logicalId(alarm as never)].Properties;
    expect(props(alarms.processorFailureRateAlarm)).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanThreshold' });
    expect(props(alarms.pendingPaymentAlarm)).toMatchObject({
      Threshold: 900,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 1,
      TreatMissingData: 'breaching',
      Metrics: expect.arrayContaining([expect.objectContaining({ Expression: 'IF(abandoned > 0, 901, age)' })]),
    });
    expect(JSON.stringify(props(alarms.pendingPaymentAlarm).Metrics)).toContain('OldestPendingPaymentAge');
    expect(props(alarms.completerErrorAlarm)).toMatchObject({ Threshold: 0, TreatMissingData: 'notBreaching' });
    expect(JSON.stringify(props(alarms.completerErrorAlarm).Metrics)).toContain('CompletionErrors');
  });

  test('no unacknowledged cdk-nag finding, and no acknowledgement without one (the test\'s other function aside)', () => {
    expect(unacknowledgedFindings(stack).filter((finding) => !finding.includes('/OtherFunction/'))).toEqual([]);
    expect(unusedAcknowledgements(stack)).toEqual([]);
  });
});

describe('refusals', () => {
  test.each([
    [{ processorFailureRatePercent: 0 }, '`processorFailureRatePercent` is 0; it must be a percentage greater than 0 and less than 100.'],
    [{ pendingPaymentAgeThreshold: Duration.seconds(90) }, '`pendingPaymentAgeThreshold` is 1 minute 30 seconds; it must be a whole number of minutes, at least 2, since the completer reports once a minute.'],
  ])('alarm option %o', (alarms, message) => {
    const stack = new Stack(new App(), 'S', { env: { region: 'us-east-1' } });
    const simulated = new SimulatedProcessor(stack, 'Processor');
    expect(() => new PaymentPlatform(stack, 'P', { ...Profiles.dev, enableAlarms: true }, { processor: simulated.processor, alarms })).toThrow(message);
  });

  test('an adopted idempotency table with a processor', () => {
    const stack = new Stack(new App(), 'S', { env: { region: 'us-east-1' } });
    const processor = PaymentProcessor.fromFunction(lambda.Function.fromFunctionName(stack, 'P', 'processor'));
    const adopted = new dynamodb.Table(stack, 'T', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
    expect(() => new PaymentApi(stack, 'Api', { processor, idempotencyTable: adopted })).toThrow(
      '`processor` is set with an adopted `idempotencyTable`; the completer reads pending payments from an index that only a table the API creates '
      + '(or the multi-Region table of a MultiRegionPaymentPlatform) is given. Leave `idempotencyTable` unset.');
  });
});

test('without a processor, nothing of the processor step is created', () => {
  const stack = new Stack(new App(), 'S', { env: { region: 'us-east-1' } });
  const api = new PaymentApi(stack, 'Api', { profile: Profiles.dev });
  const template = Template.fromStack(stack);
  expect(api.completer).toBeUndefined();
  expect(api.processorEndpoint).toBeUndefined();
  template.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 0);
  template.hasResourceProperties('AWS::DynamoDB::Table', { KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], GlobalSecondaryIndexes: Match.absent() });
  template.hasResourceProperties('AWS::Lambda::Function', {
    Description: 'Accepts and reads payments for the payments API',
    Environment: { Variables: Match.objectLike({ PROCESSOR_FUNCTION_NAME: Match.absent() }) },
  });
});
