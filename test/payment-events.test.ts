import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { MultiRegionPaymentPlatform, PaymentEventsOptions, PaymentPlatform, Profiles } from '../src';
import { unacknowledgedFindings, unusedAcknowledgements } from './setup/nag';
import { decide, PolicyModel } from './setup/policy-evaluation';
import { paymentEventEntries, paymentEventFilters } from '../src/private/payment-event-shape';

const ACCOUNT = '111111111111';
const TLS = { 'aws:SecureTransport': 'true' };
const REGIONS = ['us-east-1', 'us-west-2', 'us-east-2'] as const;

function build(options?: PaymentEventsOptions, configure?: (stack: Stack) => PaymentEventsOptions) {
  const app = new App();
  const stack = new Stack(app, 'Payments', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const given = configure?.(stack) ?? {};
  const platform = new PaymentPlatform(stack, 'P', Profiles.production, { events: options && { ...options, ...given } });
  return { stack, platform, template: Template.fromStack(stack) };
}

test('off by default: no pipe, bus or workflow in any stock profile', () => {
  for (const name of Profiles.names) {
    const app = new App();
    const stack = new Stack(app, 'Payments', { env: { account: ACCOUNT, region: Profiles.named(name).region } });
    const platform = new PaymentPlatform(stack, 'P', Profiles.named(name));
    const template = Template.fromStack(stack);
    for (const type of ['AWS::Pipes::Pipe', 'AWS::Events::EventBus', 'AWS::StepFunctions::StateMachine']) {
      template.resourceCountIs(type, 0);
    }
    expect(platform.api.eventBus).toBeUndefined();
  }
});

describe('with events', () => {
  const { stack, platform, template } = build({});
  const model = new PolicyModel(stack, template.toJSON() as never);
  const api = platform.api;
  const pipeId = model.logicalId(api.eventPipe!);
  const busId = model.logicalId(api.eventBus!);
  const bus = model.arn(busId);
  const publisherId = model.idsOfType('AWS::StepFunctions::StateMachine')[0];
  const publisher = model.arn(publisherId);
  const keyId = model.logicalId(platform.key);
  const key = { resource: model.arn(keyId), resourceAccount: ACCOUNT, resourcePolicy: model.keyPolicy(keyId) };
  const ledgerId = model.logicalId(platform.ledger.table);
  const stream = String((model.properties(pipeId) as { Source: string }).Source);
  const roleOf = (id: string) => ({ principal: model.arn(id), identityPolicies: model.identityPolicies(id) });
  const pipeRole = roleOf(model.logicalId(stack.node.findAll().find((c) => c.node.path.endsWith('Events/PipeRole'))!));
  const publisherRole = roleOf(model.logicalId(stack.node.findAll().find((c) => c.node.path.endsWith('Events/Publisher/Role'))!));
  const busPolicy = { resourceAccount: ACCOUNT, resourcePolicy: { Version: '2012-10-17', Statement: [model.resolve(model.properties(model.idsOfType('AWS::Events::EventBusPolicy')[0]).Statement)] } };
  const queueId = model.logicalId(api.deadLetterQueue);
  /** What every request carries: TLS, and the caller's own ARN (which the bus's policy checks). */
  const as = (caller: { principal: string }) => ({ ...TLS, 'aws:PrincipalArn': caller.principal });

  test('the pipe reads the ledger\'s stream from its oldest record, filtered to final changes, in batches of 10 with bounded retries', () => {
    const properties = model.properties(pipeId) as Record<string, any>;
    expect(stream.startsWith(`${model.arn(ledgerId)}/stream/`)).toBe(true);
    expect(properties.Target).toBe(publisher);
    expect(properties.SourceParameters).toEqual({
      FilterCriteria: { Filters: paymentEventFilters().map((Pattern) => ({ Pattern })) },
      DynamoDBStreamParameters: {
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: 1,
        MaximumRetryAttempts: 10,
        OnPartialBatchItemFailure: 'AUTOMATIC_BISECT',
        DeadLetterConfig: { Arn: model.arn(queueId) },
      },
    });
    expect(properties.TargetParameters).toEqual({ StepFunctionStateMachineParameters: { InvocationType: 'REQUEST_RESPONSE' } });
  });

  test('the workflow is an Express one, traced, logging every run without its data, putting the entries built for this bus and source', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'EXPRESS',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
    });
    const definition = JSON.parse(String(model.properties(publisherId).DefinitionString));
    expect(definition.States.PutEvents.Resource).toBe('arn:aws:states:::events:putEvents');
    expect(definition.States.PutEvents.Arguments.Entries).toBe(`{% ${paymentEventEntries(bus, 'payment-platform')} %}`);
  });

  test('the bus is encrypted with the platform\'s key; a dead letter reaches the queue that the platform\'s alarm watches', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { KmsKeyIdentifier: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    expect(platform.alarms?.deadLetterAlarm).toBeDefined();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Dimensions: Match.arrayWith([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }]),
    });
  });

  describe('policies, as IAM evaluates them', () => {
    test('the pipe reads this ledger\'s stream and no other table\'s', async () => {
      const onStream = { resourceAccount: ACCOUNT, context: TLS };
      for (const action of ['dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:DescribeStream']) {
        expect(await decide({ ...pipeRole, ...onStream, action, resource: stream })).toBe('Allowed');
      }
      const other = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/other/stream/2026-12-07T00:00:00.000`;
      expect(await decide({ ...pipeRole, ...onStream, action: 'dynamodb:GetRecords', resource: other })).toBe('ImplicitlyDenied');
      expect(await decide({ ...pipeRole, ...onStream, action: 'dynamodb:PutItem', resource: model.arn(ledgerId) })).toBe('ImplicitlyDenied');
    });

    test('the pipe decrypts the stream with the ledger\'s key', async () => {
      expect(await decide({ ...pipeRole, ...key, action: 'kms:Decrypt', context: TLS })).toBe('Allowed');
    });

    test('the pipe starts this workflow synchronously and no other; it puts no events itself', async () => {
      const onAccount = { resourceAccount: ACCOUNT, context: TLS };
      expect(await decide({ ...pipeRole, ...onAccount, action: 'states:StartSyncExecution', resource: publisher })).toBe('Allowed');
      expect(await decide({ ...pipeRole, ...onAccount, action: 'states:StartSyncExecution', resource: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:other` }))
        .toBe('ImplicitlyDenied');
      expect(await decide({ ...pipeRole, ...busPolicy, action: 'events:PutEvents', resource: bus, context: as(pipeRole) })).not.toBe('Allowed');
    });

    test('the pipe records a failed batch in the dead-letter queue, encrypting it with the platform\'s key', async () => {
      const queue = { resource: model.arn(queueId), resourceAccount: ACCOUNT, resourcePolicy: model.resourcePolicy('AWS::SQS::QueuePolicy', 'Queues', queueId) };
      expect(await decide({ ...pipeRole, ...queue, action: 'sqs:SendMessage', context: TLS })).toBe('Allowed');
      expect(await decide({ ...pipeRole, ...key, action: 'kms:GenerateDataKey', context: TLS })).toBe('Allowed');
    });

    test('the workflow puts events on this bus and no other', async () => {
      expect(await decide({ ...publisherRole, ...busPolicy, action: 'events:PutEvents', resource: bus, context: as(publisherRole) })).toBe('Allowed');
      const defaultBus = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`;
      expect(await decide({ ...publisherRole, resourceAccount: ACCOUNT, action: 'events:PutEvents', resource: defaultBus, context: as(publisherRole) }))
        .toBe('ImplicitlyDenied');
    });

    test('nobody else puts events on the bus, an administrator included: no forged payment event', async () => {
      const admin = {
        principal: `arn:aws:iam::${ACCOUNT}:role/administrator`,
        identityPolicies: [{ name: 'admin', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
      };
      expect(await decide({ ...admin, ...busPolicy, action: 'events:PutEvents', resource: bus, context: as(admin) })).toBe('ExplicitlyDenied');
    });

    test('EventBridge uses the key for this bus only', async () => {
      const forBus = (arn: string) => ({ 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': arn, 'kms:EncryptionContext:aws:events:event-bus:arn': arn });
      expect(await decide({ principal: 'events.amazonaws.com', ...key, action: 'kms:GenerateDataKey', context: { ...TLS, ...forBus(bus) } })).toBe('Allowed');
      const other = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/other`;
      expect(await decide({ principal: 'events.amazonaws.com', ...key, action: 'kms:GenerateDataKey', context: { ...TLS, ...forBus(other) } })).toBe('ImplicitlyDenied');
    });
  });

  test('no unacknowledged cdk-nag finding, and no acknowledgement without one', () => {
    expect(unacknowledgedFindings(stack)).toEqual([]);
    expect(unusedAcknowledgements(stack)).toEqual([]);
  });
});

describe('with a bus of the team\'s own', () => {
  const { stack, template } = build({}, (scope) => ({ eventBus: events.EventBus.fromEventBusName(scope, 'Theirs', 'orders') }));
  test('the workflow may put events on it; no bus or bus policy is created, and its policy is left alone', () => {
    template.resourceCountIs('AWS::Events::EventBus', 0);
    template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
    const model = new PolicyModel(stack, template.toJSON() as never);
    const role = model.logicalId(stack.node.findAll().find((c) => c.node.path.endsWith('Events/Publisher/Role'))!);
    const theirs = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/orders`;
    return decide({ principal: model.arn(role), identityPolicies: model.identityPolicies(role), resourceAccount: ACCOUNT, action: 'events:PutEvents', resource: theirs, context: TLS })
      .then((decision) => expect(decision).toBe('Allowed'));
  });
});

test('a source that EventBridge refuses is refused at synthesis, naming the rule', () => {
  expect(() => build({ source: 'aws.payments' })).toThrow('events.source must be 1 to 256 characters and must not start with "aws."');
  expect(() => build({ source: '' })).toThrow('got ""');
  expect(() => build({ source: 'x'.repeat(257) })).toThrow('events.source must be 1 to 256 characters');
});

test('the configured source is the events\' source', () => {
  const { template } = build({ source: 'acme.payments' });
  const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0];
  expect(JSON.stringify(machine.Properties.DefinitionString)).toContain('acme.payments');
});

describe('in a multi-Region platform', () => {
  const build3 = (options: PaymentEventsOptions, scopeBus = false) => {
    const app = new App();
    const busStack = new Stack(app, 'Buses', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const eventBus = scopeBus ? new events.EventBus(busStack, 'Bus') : undefined;
    return new MultiRegionPaymentPlatform(app, 'Payments', {
      profile: Profiles.production, regions: [...REGIONS], account: ACCOUNT, api: { events: { ...options, eventBus } },
    });
  };

  test('each Region publishes, from its own replica\'s stream, only the payments that it recorded, on a bus of its own', () => {
    const platform = build3({});
    for (const region of REGIONS) {
      const template = Template.fromStack(platform.regionStacks[region]);
      const [pipe] = Object.values(template.findResources('AWS::Pipes::Pipe'));
      expect(pipe.Properties.SourceParameters.FilterCriteria.Filters).toEqual(paymentEventFilters(region).map((Pattern) => ({ Pattern })));
      // The replica's stream in this Region, which only a lookup at deploy time knows.
      expect(JSON.stringify(pipe.Properties.Source)).toContain('Table.LatestStreamArn');
      template.resourceCountIs('AWS::Events::EventBus', 1);
      expect(platform.platforms[region].api.eventBus).toBeDefined();
    }
  });

  test('a bus of the team\'s own is refused: a bus belongs to one Region', () => {
    expect(() => build3({}, true)).toThrow('`api.events.eventBus` is set; an event bus belongs to one Region');
  });

  test('`events` of the platform itself publishes in every Region as `api.events` does', () => {
    const app = new App();
    const platform = new MultiRegionPaymentPlatform(app, 'Payments', { profile: Profiles.production, regions: [...REGIONS], account: ACCOUNT, events: { source: 'acme.payments' } });
    for (const region of REGIONS) {
      Template.fromStack(platform.regionStacks[region]).resourceCountIs('AWS::Pipes::Pipe', 1);
    }
    const busStack = new Stack(new App(), 'Buses', { env: { account: ACCOUNT, region: 'us-east-1' } });
    expect(() => new MultiRegionPaymentPlatform(new App(), 'Payments', {
      profile: Profiles.production, regions: [...REGIONS], account: ACCOUNT, events: { eventBus: new events.EventBus(busStack, 'Bus') },
    })).toThrow('`events.eventBus` is set');
  });
});
