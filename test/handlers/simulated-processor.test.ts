import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { coldStartSuite } from './cold-start-suite';
import { coldStart } from './events';
import { processorRequest, readProcessorAnswer } from '../../src/handlers/processor-protocol';
import { keysSeenInMemory, simulate, simulatedReference } from '../../src/handlers/simulated-processor';

/**
 * The simulated processor: its answers by token, the same reference for the same key, and its
 * Lambda entry point, which remembers keys in its own table (moto_server here) across containers.
 */
const TABLE = 'simulated-processor';
const LATE_MS = 300;
const suite = coldStartSuite(async (moto) => {
  await moto.dynamodb().send(new CreateTableCommand({
    TableName: TABLE,
    KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
});

const request = (transactionId: string, paymentMethodToken: string) =>
  processorRequest(transactionId, { amount: 1999, currency: 'USD', merchantId: 'm_1', paymentMethodToken });

describe('simulate', () => {
  test.each([
    ['tok_visa', { kind: 'outcome', outcome: { outcome: 'authorized', processorReference: simulatedReference('t-1') } }],
    ['tok_decline_insufficient_funds', { kind: 'outcome', outcome: { outcome: 'declined', processorReference: simulatedReference('t-1'), declineCode: 'insufficient_funds' } }],
    ['tok_decline_Not_A_Code', { kind: 'outcome', outcome: { outcome: 'authorized', processorReference: simulatedReference('t-1') } }],
    [`tok_decline_${'x'.repeat(65)}`, { kind: 'outcome', outcome: { outcome: 'authorized', processorReference: simulatedReference('t-1') } }],
    ['tok_timeout', { kind: 'late', outcome: { outcome: 'authorized', processorReference: simulatedReference('t-1') } }],
    ['tok_error', { kind: 'error' }],
  ])('%s', async (token, expected) => {
    expect(await simulate(request('t-1', token), keysSeenInMemory())).toEqual(expected);
  });

  test('tok_flaky fails the first call for a key and authorizes every later one; another key fails first again', async () => {
    const seen = keysSeenInMemory();
    expect(await simulate(request('t-1', 'tok_flaky'), seen)).toEqual({ kind: 'error' });
    expect(await simulate(request('t-1', 'tok_flaky'), seen)).toMatchObject({ kind: 'outcome', outcome: { outcome: 'authorized' } });
    expect(await simulate(request('t-1', 'tok_flaky'), seen)).toMatchObject({ kind: 'outcome' });
    expect(await simulate(request('t-2', 'tok_flaky'), seen)).toEqual({ kind: 'error' });
  });

  test('the reference is the same for the same key, different for another, and one the contract allows', () => {
    expect(simulatedReference('t-1')).toBe(simulatedReference('t-1'));
    expect(simulatedReference('t-1')).not.toBe(simulatedReference('t-2'));
    expect(readProcessorAnswer({ outcome: 'authorized', processorReference: simulatedReference('t-1') })).toBeDefined();
  });
});

describe('the Lambda entry point', () => {
  type Handler = (event: unknown) => Promise<unknown>;
  const start = () => coldStart<{ handler: Handler }>({
    SIMULATED_PROCESSOR_TABLE_NAME: TABLE,
    SIMULATED_LATE_MS: String(LATE_MS),
    SIMULATED_KEY_RETENTION_SECONDS: '86400',
    // eslint-disable-next-line @typescript-eslint/no-require-imports
  }, () => require('../../src/handlers/simulated-processor.lambda')).handler;

  test('answers the outcome, and fails as a function error', async () => {
    const handler = start();
    expect(await handler(request('e-1', 'tok_visa'))).toEqual({ outcome: 'authorized', processorReference: simulatedReference('e-1') });
    await expect(handler(request('e-1', 'tok_error'))).rejects.toThrow('The simulated processor failed, as the payment\'s token asks.');
  });

  test('tok_flaky: the first call for a key fails in one container, the next succeeds in another; the key is kept with an expiry', async () => {
    await expect(start()(request('e-2', 'tok_flaky'))).rejects.toThrow();
    expect(await start()(request('e-2', 'tok_flaky'))).toEqual({ outcome: 'authorized', processorReference: simulatedReference('e-2') });
    const [item] = (await suite.moto().scan(TABLE)).filter((i) => i.key.S === 'e-2');
    expect(Number(item.expires_at.N)).toBeGreaterThan(Date.now() / 1000 + 86_000);
  });

  test('tok_timeout answers only after SIMULATED_LATE_MS', async () => {
    const started = performance.now();
    expect(await start()(request('e-3', 'tok_timeout'))).toMatchObject({ outcome: 'authorized' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(LATE_MS - 5);
  });
});
