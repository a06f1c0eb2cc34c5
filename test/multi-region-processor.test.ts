import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { MultiRegionPaymentPlatform, MultiRegionPaymentPlatformProps, MultiRegionProcessor, PaymentProcessor, Profiles } from '../src';
import { unacknowledgedFindings, unusedAcknowledgements } from './setup/nag';
import { decide, PolicyModel } from './setup/policy-evaluation';

/**
 * A multi-Region platform with a processor: each Region invokes its own function, the shared
 * idempotency table carries the index of pending payments, and the paths AWS must allow are decided
 * by evaluating the synthesized policies of each Region.
 */
const ACCOUNT = '123456789012';
const US = ['us-east-1', 'us-east-2', 'us-west-2'];
const TLS = { 'aws:SecureTransport': 'true' };
const arnIn = (region: string) => `arn:aws:lambda:${region}:${ACCOUNT}:function:card-processor-${region}`;
const ARNS = Object.fromEntries(US.map((region) => [region, arnIn(region)]));

function build(props: Partial<MultiRegionPaymentPlatformProps> = {}) {
  const app = new App();
  const platform = new MultiRegionPaymentPlatform(app, 'Payments', {
    profile: Profiles.production, regions: US, account: ACCOUNT, processor: MultiRegionProcessor.fromFunctionArns(ARNS), ...props,
  });
  return { app, platform };
}

function refusal(props: Partial<MultiRegionPaymentPlatformProps>): string {
  try {
    build(props);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the props were accepted');
}

describe('MultiRegionProcessor.fromFunctionArns', () => {
  const { platform } = build();

  test('the shared idempotency table carries the index of pending payments', () => {
    Template.fromStack(platform.dataStack).hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      MultiRegionConsistency: 'STRONG',
      GlobalSecondaryIndexes: [{
        IndexName: 'pending-payments',
        KeySchema: [{ AttributeName: 'pending_shard', KeyType: 'HASH' }, { AttributeName: 'retry_at', KeyType: 'RANGE' }],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['transaction_id', 'created_at'] },
      }],
    });
  });

  describe.each(US)('in %s', (region) => {
    const stack = platform.regionStacks[region];
    const template = Template.fromStack(stack);
    const keys = platform.keyStacks[region];
    const model = new PolicyModel(stack, template.toJSON() as never, [new PolicyModel(keys, Template.fromStack(keys).toJSON() as never)]);
    const api = platform.platforms[region].api;
    const role = (fn: lambda.IFunction) => {
      const id = model.logicalId(fn.role as never);
      return { principal: model.arn(id), identityPolicies: model.identityPolicies(id) };
    };

    test('the handler and the completer are told the Region\'s own processor', () => {
      for (const description of ['Takes payments through the processor, and reads them, for the payments API', 'Completes the pending payments that no client retries']) {
        template.hasResourceProperties('AWS::Lambda::Function', {
          Description: description,
          Environment: { Variables: Match.objectLike({ PROCESSOR_FUNCTION_NAME: `card-processor-${region}`, PAYMENTS_ORIGIN_REGION: region }) },
        });
      }
    });

    test('the handler and the completer may invoke the Region\'s processor, not another Region\'s', async () => {
      const other = arnIn(US.find((candidate) => candidate !== region)!);
      for (const caller of [role(api.handler), role(api.completer!)]) {
        const invoke = (resource: string) => decide({ ...caller, action: 'lambda:InvokeFunction', resource, resourceAccount: ACCOUNT, context: TLS });
        expect(await invoke(arnIn(region))).toBe('Allowed');
        expect(await invoke(other)).toBe('ImplicitlyDenied');
      }
    });

    test('the completer may query the index of the shared table in its Region, and nothing else of it', async () => {
      const table = `arn:aws:dynamodb:${region}:${ACCOUNT}:table/payments-production-idempotency`;
      const query = (resource: string) => decide({ ...role(api.completer!), action: 'dynamodb:Query', resource, resourceAccount: ACCOUNT, context: TLS });
      expect(await query(`${table}/index/pending-payments`)).toBe('Allowed');
      expect(await query(table)).toBe('ImplicitlyDenied');
    });

    test('the Region\'s Lambda interface endpoint lets through its own processor only', async () => {
      const endpointPolicy = model.resolve(template.toJSON().Resources[model.logicalId(api.processorEndpoint!)].Properties.PolicyDocument);
      const principal = role(api.handler).principal;
      const through = (resource: string) => decide({
        principal, action: 'lambda:InvokeFunction', resource, resourceAccount: ACCOUNT, resourcePolicy: endpointPolicy, context: { ...TLS, 'aws:PrincipalAccount': ACCOUNT },
      });
      expect(await through(arnIn(region))).toBe('Allowed');
      expect(await through(arnIn(US.find((candidate) => candidate !== region)!))).toBe('ImplicitlyDenied');
    });
  });
});

test('no unacknowledged cdk-nag finding in any stack, and no acknowledgement without one', () => {
  const { platform } = build();
  for (const stack of [platform.dataStack, ...Object.values(platform.regionStacks)]) {
    expect(unacknowledgedFindings(stack)).toEqual([]);
    expect(unusedAcknowledgements(stack)).toEqual([]);
  }
});

test('a processor class of the team\'s own creates each Region\'s function in that Region\'s stack', () => {
  class PerRegion extends MultiRegionProcessor {
    public processorIn(scope: Construct, region: string): PaymentProcessor {
      const adapter = new lambda.Function(scope, 'Adapter', {
        runtime: lambda.Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline(`exports.handler = async () => ({ region: '${region}' });`),
      });
      return PaymentProcessor.fromFunction(adapter);
    }
  }
  const { platform } = build({ processor: new PerRegion() });
  for (const region of US) {
    const stack = platform.regionStacks[region];
    const adapter = stack.node.findChild('Adapter') as lambda.Function;
    expect(Stack.of(adapter)).toBe(stack);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Takes payments through the processor, and reads them, for the payments API',
      Environment: { Variables: Match.objectLike({ PROCESSOR_FUNCTION_NAME: { Ref: stack.getLogicalId(adapter.node.defaultChild as never) } }) },
    });
  }
});

test('without a processor, the shared idempotency table has no index', () => {
  const { platform } = build({ processor: undefined });
  Template.fromStack(platform.dataStack).hasResourceProperties('AWS::DynamoDB::GlobalTable', {
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: Match.absent(),
  });
});

describe('refusals, naming what is allowed', () => {
  test('a serving Region without a function', () => {
    const { 'us-west-2': _, ...two } = ARNS;
    expect(refusal({ processor: MultiRegionProcessor.fromFunctionArns(two) })).toContain(
      '`processor` has no function for us-west-2; MultiRegionProcessor.fromFunctionArns needs one for every serving Region (us-east-1, us-east-2, us-west-2).');
  });

  test('a function for a Region that does not serve, such as the witness', () => {
    expect(refusal({ regions: ['us-east-1', 'us-east-2'], witnessRegion: 'us-west-2' })).toContain(
      '`processor` has a function for us-west-2, which is not a serving Region (us-east-1, us-east-2).');
  });

  test('a function in another Region than the one it serves', () => {
    expect(refusal({ processor: MultiRegionProcessor.fromFunctionArns({ ...ARNS, 'us-east-2': arnIn('us-east-1') }) })).toContain(
      '`processor`\'s function for us-east-2 is in us-east-1; each Region invokes a function of its own Region, through its own interface endpoint.');
  });

  test('something that is not a Lambda function ARN', () => {
    expect(refusal({ processor: MultiRegionProcessor.fromFunctionArns({ ...ARNS, 'us-east-1': 'card-processor' }) })).toContain(
      '`processor`\'s function for us-east-1 is \'card-processor\'; it must be a Lambda function ARN (arn:aws:lambda:us-east-1:<account>:function:<name>).');
    expect(refusal({ processor: MultiRegionProcessor.fromFunctionArns({ ...ARNS, 'us-east-1': `arn:aws:lambda:us-east-1:${ACCOUNT}:layer:card` }) })).toContain(
      'it must be a Lambda function ARN');
  });

  test('a single Region\'s processor in `api`', () => {
    const app = new App();
    const processor = PaymentProcessor.fromFunction(lambda.Function.fromFunctionName(new Stack(app, 'X'), 'P', 'processor'));
    expect(refusal({ processor: undefined, api: { processor } })).toContain(
      '`api.processor` is set; a processor function belongs to one Region, and each Region of a multi-Region platform invokes its own. '
      + 'Give `processor` instead (MultiRegionProcessor.fromFunctionArns, one function per Region).');
  });
});
