import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { handler, ProcessorRequest } from '../../examples/stripe-processor';
import { readProcessorAnswer } from '../../src/handlers/processor-protocol';

/**
 * The Stripe adapter of docs/processor.md against a server on 127.0.0.1 that answers as Stripe's
 * PaymentIntents API does, honouring `Idempotency-Key` like Stripe: the same key gets the same
 * answer, and creates one PaymentIntent. Every answer the adapter gives is read by the platform's
 * own strict reader.
 */
let server: Server;
let created: Array<{ key: string; form: URLSearchParams; authorization?: string; version?: string }>;
const answers = new Map<string, { status: number; body: unknown }>();
/** How the fake Stripe answers a new key, by the payment method. */
const byPaymentMethod: Record<string, { status: number; body: (id: string) => unknown }> = {
  pm_card_visa: { status: 200, body: (id) => ({ id, object: 'payment_intent', status: 'requires_capture', amount: 1999 }) },
  pm_card_chargeDeclinedInsufficientFunds: {
    status: 402,
    body: (id) => ({ error: { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds', payment_intent: { id, status: 'requires_payment_method' } } }),
  },
  pm_card_expired: { status: 402, body: (id) => ({ error: { type: 'card_error', code: 'expired_card', payment_intent: { id } } }) },
  pm_rate_limited: { status: 429, body: () => ({ error: { type: 'invalid_request_error', code: 'rate_limit' } }) },
};

function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => resolve(new URLSearchParams(text)));
  });
}

beforeAll(async () => {
  created = [];
  server = createServer(async (request, response) => {
    const form = await readForm(request);
    const key = String(request.headers['idempotency-key']);
    if (!answers.has(key)) {
      created.push({ key, form, authorization: request.headers.authorization, version: String(request.headers['stripe-version']) });
      const kind = byPaymentMethod[form.get('payment_method') ?? ''];
      answers.set(key, { status: kind.status, body: kind.body(`pi_${created.length}`) });
    }
    const answer = answers.get(key)!;
    response.writeHead(answer.status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.env.STRIPE_API_BASE = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.STRIPE_SECRET_KEY = 'sk_test_loopback';
});

afterAll(async () => {
  delete process.env.STRIPE_API_BASE;
  delete process.env.STRIPE_SECRET_KEY;
  await new Promise((resolve) => server.close(resolve));
});

const request = (transactionId: string, paymentMethodToken: string): ProcessorRequest => ({
  transactionId, idempotencyKey: transactionId, amount: 1999, currency: 'USD', merchantId: 'm_1', paymentMethodToken, description: 'Order 42',
});

test('an authorization: a manual-capture PaymentIntent, sent with the platform\'s key, answered as the contract\'s outcome', async () => {
  const answer = await handler(request('tx-1', 'pm_card_visa'));
  expect(readProcessorAnswer(answer)).toEqual({ outcome: 'authorized', processorReference: 'pi_1' });
  const [sent] = created.filter((c) => c.key === 'tx-1');
  expect(sent.authorization).toBe('Bearer sk_test_loopback');
  expect(Object.fromEntries(sent.form)).toMatchObject({
    'amount': '1999',
    'currency': 'usd',
    'payment_method': 'pm_card_visa',
    'confirm': 'true',
    'capture_method': 'manual',
    'metadata[transaction_id]': 'tx-1',
    'description': 'Order 42',
  });
});

test('the same key again is the same PaymentIntent: one created, the same answer', async () => {
  const first = await handler(request('tx-2', 'pm_card_visa'));
  const again = await handler(request('tx-2', 'pm_card_visa'));
  expect(again).toEqual(first);
  expect(created.filter((c) => c.key === 'tx-2')).toHaveLength(1);
});

test.each([
  ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
  ['pm_card_expired', 'expired_card'],
])('a card error (%s) is a decline with a code the contract allows', async (paymentMethod, declineCode) => {
  const answer = await handler(request(`tx-${paymentMethod}`, paymentMethod));
  expect(readProcessorAnswer(answer)).toEqual({ outcome: 'declined', declineCode, processorReference: expect.stringMatching(/^pi_\d+$/) });
});

test('anything else throws, without the payment method in the message: the platform retries with the same key', async () => {
  const failure = await handler(request('tx-limited', 'pm_rate_limited')).catch((error: Error) => error);
  expect(failure).toBeInstanceOf(Error);
  expect((failure as Error).message).toBe('Stripe did not settle the payment: HTTP 429, invalid_request_error');
});
