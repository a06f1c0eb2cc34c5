import { LambdaClient } from '@aws-sdk/client-lambda';
import { LambdaStandIn } from './lambda-stand-in';
import { LambdaProcessor, processorFromEnvironment } from '../../src/handlers/lambda-processor';
import { ProcessorCallError, ProcessorFailure } from '../../src/handlers/processor-client';
import { processorRequest } from '../../src/handlers/processor-protocol';

/**
 * The processor behind a Lambda function, called through the SDK's Lambda client against a loopback
 * server that speaks the Lambda Invoke API: what counts as an outcome, and which kind of failure
 * everything else is.
 */
let standIn: LambdaStandIn;
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const client = (endpoint: string) => new LambdaClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
const request = processorRequest('5f0c8f4e-93c1-4a57-9a59-0d7c2b8e7a10', { amount: 1, currency: 'EUR', merchantId: 'm', paymentMethodToken: 'tok_1' });

beforeAll(async () => {
  standIn = await LambdaStandIn.start();
});

afterEach(() => standIn.simulate());

afterAll(() => standIn?.stop());

const failureOf = async (processor: LambdaProcessor) => {
  const error = await processor.charge(request).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ProcessorCallError);
  return (error as ProcessorCallError).reason;
};

test('an outcome: sent as the event to the named function, read strictly', async () => {
  standIn.answer = async () => ({ kind: 'result', payload: { outcome: 'authorized', processorReference: 'ref_1', card: '4111111111111111' } });
  expect(await new LambdaProcessor(client(standIn.endpoint), 'my-processor', 1_000).charge(request)).toEqual({ outcome: 'authorized', processorReference: 'ref_1' });
  expect(standIn.calls[standIn.calls.length - 1]).toEqual({ functionName: 'my-processor', request });
});

test.each([
  ['a function error', { kind: 'error' } as const, ProcessorFailure.ERROR],
  ['an answer that is not JSON', { kind: 'raw', body: 'OK' } as const, ProcessorFailure.INVALID_ANSWER],
  ['an answer the contract does not allow', { kind: 'result', payload: { outcome: 'authorized' } } as const, ProcessorFailure.INVALID_ANSWER],
  ['no answer within the timeout', { kind: 'result', payload: { outcome: 'authorized', processorReference: 'r' }, delayMs: 3_000 } as const, ProcessorFailure.TIMEOUT],
])('%s is a failure of its kind', async (_case, answer, reason) => {
  standIn.answer = async () => answer;
  // A timeout that a busy machine's loopback answer stays well inside, and an answer that outlasts it.
  expect(await failureOf(new LambdaProcessor(client(standIn.endpoint), 'p', 1_000))).toBe(reason);
});

test('a processor that cannot be reached is unreachable, named by the SDK error only', async () => {
  const processor = new LambdaProcessor(client('http://127.0.0.1:9'), 'p', 1_000);
  const error = await processor.charge(request).catch((e: ProcessorCallError) => e);
  expect(error).toMatchObject({ reason: ProcessorFailure.UNREACHABLE });
  expect((error as Error).message).toMatch(/^The processor call failed: unreachable \(\w+\)\.$/);
});

test('from the environment: none without PROCESSOR_FUNCTION_NAME; otherwise its timeout and key retention', () => {
  expect(processorFromEnvironment({})).toBeUndefined();
  const settings = processorFromEnvironment({ PROCESSOR_FUNCTION_NAME: 'p', PROCESSOR_TIMEOUT_MS: '10000', PROCESSOR_KEY_RETENTION_SECONDS: '86400', AWS_REGION: 'us-east-1' });
  expect(settings).toMatchObject({ timeoutMs: 10_000, keyRetentionMs: 86_400_000 });
  expect(settings?.processor).toBeInstanceOf(LambdaProcessor);
});
