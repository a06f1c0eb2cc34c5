import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as fc from 'fast-check';
import { lambdaContext, loadModule, OutputCapture, postPayment } from './events';
import { MotoServer } from './moto';
import { passesLuhn } from '../../src/handlers/card-guard';

/**
 * Property-based tests through the real handler against moto_server: thousands of generated
 * requests never give a 5xx, and every generated card number is refused and never echoed.
 */
const CONTRACT_CODES = new Set([
  'missing_idempotency_key', 'invalid_idempotency_key', 'invalid_json', 'validation_error', 'card_data_rejected',
  'payload_too_large', 'unsupported_media_type', 'idempotency_key_reused', 'idempotency_in_progress',
]);

let moto: MotoServer;
let handler: (event: APIGatewayProxyEvent, context: unknown) => Promise<APIGatewayProxyResult>;
const output = new OutputCapture();

beforeAll(async () => {
  moto = await MotoServer.start();
  moto.useAsAwsEndpoint();
  await moto.createLedgerTable('ledger');
  await moto.createIdempotencyTable('idempotency');
  Object.assign(process.env, {
    LEDGER_TABLE_NAME: 'ledger',
    IDEMPOTENCY_TABLE_NAME: 'idempotency',
    IDEMPOTENCY_TTL_SECONDS: '86400',
    IAM_AUTHORIZATION: 'false',
    POWERTOOLS_SERVICE_NAME: 'payments-api',
  });
  handler = loadModule<{ handler: typeof handler }>('../../src/handlers/payment-handler.lambda').handler;
  output.start();
});

afterAll(async () => {
  output.stop();
  await moto?.stop();
});

const letters = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz _'.split('')), maxLength: 20 });

/** A payment body that is often valid and often wrong in one or more fields. */
const paymentLike = fc.record({
  amount: fc.oneof(fc.integer({ min: -10, max: 100_000_010 }), fc.double(), fc.string(), fc.constant(null)),
  currency: fc.oneof(fc.constantFrom('USD', 'EUR', 'JPY', 'usd', 'XXX', 'ANG', ''), fc.string({ maxLength: 4 })),
  merchantId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), fc.string({ maxLength: 70 })),
  paymentMethodToken: fc.oneof(fc.string({ minLength: 1, maxLength: 128 }), fc.string({ maxLength: 140 })),
  description: fc.string({ maxLength: 520 }),
  metadata: fc.oneof(
    fc.dictionary(fc.string({ maxLength: 45 }), fc.string({ maxLength: 510 }), { maxKeys: 22 }),
    fc.jsonValue(),
  ),
  extra: fc.jsonValue(),
}, { requiredKeys: [] });

const validPayment = fc.record({
  amount: fc.integer({ min: 1, max: 99_999_999 }),
  currency: fc.constantFrom('USD', 'EUR', 'JPY', 'GBP'),
  merchantId: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
  paymentMethodToken: fc.stringMatching(/^tok_[a-z]{1,20}$/),
});

const anyBody = fc.oneof(
  validPayment.map((body) => JSON.stringify(body)),
  paymentLike.map((body) => JSON.stringify(body)),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 200 }),
);

const headersArb = fc.record({
  contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', undefined),
  key: fc.oneof(fc.string({ maxLength: 260 }), fc.stringMatching(/^[\x21-\x7e]{1,255}$/), fc.constant(undefined)),
});

/** A Luhn-valid card number of 13 to 19 digits. */
const cardNumber = fc.integer({ min: 12, max: 18 }).chain((length) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: length, maxLength: length }).map((digits) => {
    const partial = [1 + (digits[0] % 9), ...digits.slice(1)].join('');
    for (let d = 0; d <= 9; d++) {
      if (passesLuhn(partial + d)) {
        return partial + d;
      }
    }
    throw new Error('unreachable');
  }));

const formatted = fc.tuple(cardNumber, fc.constantFrom('', ' ', '-')).map(([pan, separator]) => ({
  pan,
  text: separator === '' ? pan : pan.match(/.{1,4}/g)!.join(separator),
}));

type Placement = 'description' | 'metadataValue' | 'metadataKey' | 'token' | 'merchantId' | 'unknownField' | 'nested';
const placement = fc.constantFrom<Placement>('description', 'metadataValue', 'metadataKey', 'token', 'merchantId', 'unknownField', 'nested');

function bodyWithCard(text: string, where: Placement, before: string, after: string): string {
  const value = `${before}${text}${after}`;
  const body: Record<string, unknown> = { amount: 1999, currency: 'USD', merchantId: 'm_1', paymentMethodToken: 'tok_1' };
  switch (where) {
    case 'description': body.description = value; break;
    case 'metadataValue': body.metadata = { note: value }; break;
    case 'metadataKey': body.metadata = { [value.slice(0, 40)]: 'x' }; break;
    case 'token': body.paymentMethodToken = value; break;
    case 'merchantId': body.merchantId = value; break;
    case 'unknownField': body.cardNumber = value; break;
    case 'nested': body.metadata = { list: [[value]] }; break;
  }
  return JSON.stringify(body);
}

let counter = 0;

test('no generated request gets a 5xx, and every error is a contract error', async () => {
  const statuses = new Set<number>();
  await fc.assert(fc.asyncProperty(anyBody, headersArb, async (body, { contentType, key }) => {
    const headers: Record<string, string> = {};
    if (contentType !== undefined) headers['Content-Type'] = contentType;
    if (key !== undefined) headers['Idempotency-Key'] = key;
    const response = await handler(postPayment({ headers, body }), lambdaContext());
    statuses.add(response.statusCode);
    expect(response.statusCode).toBeLessThan(500);
    const parsed = JSON.parse(response.body);
    if (response.statusCode !== 201) {
      expect(CONTRACT_CODES.has(parsed.error.code)).toBe(true);
    }
  }), { numRuns: 2000 });
  expect([...statuses]).toEqual(expect.arrayContaining([201, 400, 415]));
});

test('every generated card number is refused and appears in no response, log line or ledger item', async () => {
  const seen: string[] = [];
  await fc.assert(fc.asyncProperty(formatted, placement, letters, letters, async ({ pan, text }, where, before, after) => {
    seen.push(pan, text);
    const response = await handler(postPayment({
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `card-${++counter}` },
      body: bodyWithCard(text, where, before, after),
    }), lambdaContext());
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).error.code).toBe('card_data_rejected');
    expect(response.body).not.toContain(pan);
    expect(response.body).not.toContain(text);
  }), { numRuns: 1000 });
  const logs = output.text();
  expect(logs).toContain('card_data_rejected');
  const ledger = JSON.stringify(await moto.scan('ledger'));
  for (const value of seen) {
    expect(logs.includes(value)).toBe(false);
    expect(ledger.includes(value)).toBe(false);
  }
});
