import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SimulatedProcessor } from '../src';

/** The simulated processor: a function that answers by token, its table of keys, and the processor settings it hands on. */
describe('SimulatedProcessor', () => {
  const stack = new Stack(new App(), 'S', { env: { region: 'us-east-1' } });
  const simulated = new SimulatedProcessor(stack, 'Processor', { timeout: Duration.seconds(8) });
  const template = Template.fromStack(stack);

  test('its processor has the timeout it answers tok_timeout after, and a 24-hour key retention', () => {
    expect(simulated.processor.timeout.toSeconds()).toBe(8);
    expect(simulated.processor.keyRetention.toHours()).toBe(24);
    expect(simulated.processor.bind().processorFunction).toBe(simulated.processorFunction);
  });

  test('the function answers late after the timeout and outlives it, and knows its table', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 13,
      Architectures: ['arm64'],
      Environment: {
        Variables: {
          SIMULATED_PROCESSOR_TABLE_NAME: { Ref: Match.stringLikeRegexp('^ProcessorKeys') },
          SIMULATED_LATE_MS: '9000',
          SIMULATED_KEY_RETENTION_SECONDS: '86400',
        },
      },
    });
  });

  test('its table keeps each key with an expiry, and goes with the stack', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: { KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }], TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true } },
      DeletionPolicy: 'Delete',
    });
  });

  test('its role may write its table and its own logs, nothing else', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements.map((s: { Action: unknown }) => s.Action)).toEqual(['dynamodb:PutItem']);
  });
});
