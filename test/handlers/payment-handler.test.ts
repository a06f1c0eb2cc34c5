import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { getPayment, jsonHeaders, lambdaContext, loadModule, OutputCapture, postPayment, validBody } from './events';
import { MotoServer } from './moto';
import { HANDLER_ENVIRONMENT, IDEMPOTENCY, LEDGER } from './payment-harness';
import { IdempotencyStore, requestHash } from '../../src/handlers/idempotency';
import { paymentBody } from '../../src/handlers/ledger';
import { clientIdOf } from '../../src/handlers/payment-routes';

/**
 * The payment handler (the bundled entry point, as Lambda runs it) against DynamoDB on a local
 * moto_server: one test per row of the payments API contract.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let moto: MotoServer;
let handler: (event: APIGatewayProxyEvent, context: unknown) => Promise<APIGatewayProxyResult>;
const output = new OutputCapture();
let keyCounter = 0;
const newKey = () => `key-${Date.now()}-${++keyCounter}`;

beforeAll(async () => {
  moto = await MotoServer.start();
  moto.useAsAwsEndpoint();
  await moto.createLedgerTable(LEDGER);
  await moto.createIdempotencyTable(IDEMPOTENCY);
  Object.assign(process.env, HANDLER_ENVIRONMENT);
  handler = loadModule<{ handler: typeof handler }>(
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    () => require('../../src/handlers/payment-handler.lambda'),
  ).handler;
  output.start();
});

afterAll(async () => {
  output.stop();
  await moto?.stop();
});

const invoke = (event: APIGatewayProxyEvent) => handler(event, lambdaContext());
const post = (key: string, body: string = validBody(), apiKeyId?: string) =>
  invoke(postPayment({ headers: jsonHeaders(key), body, apiKeyId }));
const errorOf = (response: APIGatewayProxyResult) => JSON.parse(response.body).error;
const ledgerItems = async (transactionId?: string) =>
  (await moto.scan(LEDGER)).filter((item) => !transactionId || item.transaction_id.S === transactionId);

describe('accepted', () => {
  let response: APIGatewayProxyResult;
  // Each test makes its own payment, so that a mutation run counts the code it reaches as reached
  // by that test (code run in a beforeAll belongs to no test, and its mutants would run every test).
  beforeEach(async () => {
    response = await post(newKey(), validBody());
  });

  test('201 with the payment, a Location header and a JSON content type', () => {
    expect(response.statusCode).toBe(201);
    const body = JSON.parse(response.body);
    expect(Object.keys(body)).toEqual(['transactionId', 'status', 'amount', 'currency', 'merchantId', 'createdAt']);
    expect(body).toMatchObject({ status: 'accepted', amount: 1999, currency: 'USD', merchantId: 'm_1' });
    expect(body.transactionId).toMatch(UUID);
    expect(body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/json', 'Location': `/payments/${body.transactionId}` });
    expect(response.headers?.['Idempotent-Replayed']).toBeUndefined();
  });

  test('one ledger item with amount, currency, merchant and client id, keyed by id and time', async () => {
    const body = JSON.parse(response.body);
    const items = await ledgerItems(body.transactionId);
    expect(items).toHaveLength(1);
    expect(items[0]).toEqual({
      transaction_id: { S: body.transactionId },
      timestamp: { S: body.createdAt },
      status: { S: 'accepted' },
      amount: { N: '1999' },
      currency: { S: 'USD' },
      merchant_id: { S: 'm_1' },
      client_id: { S: 'key:key-client-a' },
    });
  });

  test('description and metadata are kept in the ledger; the token is not', async () => {
    const created = await post(newKey(), validBody({ description: 'Order 1', metadata: { orderId: 'o-1' } }));
    const [item] = await ledgerItems(JSON.parse(created.body).transactionId);
    expect(item.description).toEqual({ S: 'Order 1' });
    expect(item.metadata).toEqual({ M: { orderId: { S: 'o-1' } } });
    expect(JSON.stringify(item)).not.toContain('tok_visa_4242');
  });
});

describe('idempotency', () => {
  test('same client, same key, same body: the first response byte for byte, marked as replayed', async () => {
    const key = newKey();
    const first = await post(key);
    const again = await post(key);
    const third = await post(key, JSON.stringify(JSON.parse(validBody())));
    expect(again.statusCode).toBe(first.statusCode);
    expect(again.body).toBe(first.body);
    expect(again.headers).toEqual({ ...first.headers, 'Idempotent-Replayed': 'true' });
    expect(third.body).toBe(first.body);
    expect(await ledgerItems(JSON.parse(first.body).transactionId)).toHaveLength(1);
  });

  test('the same fields in another order or spacing are the same body', async () => {
    const key = newKey();
    const first = await post(key, '{"amount":500,"currency":"EUR","merchantId":"m_2","paymentMethodToken":"tok_1"}');
    const again = await post(key, '{ "paymentMethodToken": "tok_1", "merchantId": "m_2", "currency": "EUR", "amount": 500 }');
    expect(again.body).toBe(first.body);
    expect(again.headers?.['Idempotent-Replayed']).toBe('true');
  });

  test('same client, same key, different body: 422 idempotency_key_reused, nothing written', async () => {
    const key = newKey();
    const first = await post(key, validBody({ amount: 100 }));
    const before = (await ledgerItems()).length;
    const reused = await post(key, validBody({ amount: 200 }));
    expect(reused.statusCode).toBe(422);
    expect(errorOf(reused)).toMatchObject({ code: 'idempotency_key_reused', requestId: expect.stringMatching(/^api-request-/) });
    expect((await ledgerItems()).length).toBe(before);
    expect(first.statusCode).toBe(201);
  });

  test('same client, same key, first request still running: 409 idempotency_in_progress with Retry-After', async () => {
    const key = newKey();
    // An attempt that claimed the key a moment ago and has not written the ledger yet.
    await claimDirectly('key:key-client-a', key, validBody(), Date.now() + 10_000);
    const response = await post(key);
    expect(response.statusCode).toBe(409);
    expect(errorOf(response).code).toBe('idempotency_in_progress');
    expect(Number(response.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
  });

  test('an attempt that died before writing the ledger is taken over once its lease runs out', async () => {
    const key = newKey();
    const stuck = await claimDirectly('key:key-client-a', key, validBody(), Date.now() - 1);
    const response = await post(key);
    expect(response.statusCode).toBe(201);
    expect(response.body).toBe(stuck.response);
    expect(await ledgerItems(stuck.transactionId)).toHaveLength(1);
  });

  test('50 concurrent requests with one key write exactly one payment', async () => {
    const key = newKey();
    const body = validBody({ merchantId: 'm_concurrent' });
    const responses = await Promise.all(Array.from({ length: 50 }, () => post(key, body)));
    const created = responses.filter((r) => r.statusCode === 201);
    const inProgress = responses.filter((r) => r.statusCode === 409);
    expect(created.length + inProgress.length).toBe(50);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body)).size).toBe(1);
    expect(created.filter((r) => r.headers?.['Idempotent-Replayed'] === undefined)).toHaveLength(1);
    expect(await ledgerItems(JSON.parse(created[0].body).transactionId)).toHaveLength(1);
    const clientItems = (await ledgerItems()).filter((item) => item.merchant_id.S === 'm_concurrent');
    expect(clientItems).toHaveLength(1);
  });

  test('two clients may use the same key independently', async () => {
    const key = newKey();
    const a = await post(key, validBody(), 'key-client-a');
    const b = await post(key, validBody(), 'key-client-b');
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(JSON.parse(a.body).transactionId).not.toBe(JSON.parse(b.body).transactionId);
    expect(b.headers?.['Idempotent-Replayed']).toBeUndefined();
  });

  test('records are kept for at least 24 hours', async () => {
    const key = newKey();
    const before = Math.floor(Date.now() / 1000);
    await post(key);
    const id = IdempotencyStore.recordId('key:key-client-a', key);
    const [record] = (await moto.scan(IDEMPOTENCY)).filter((item) => item.id.S === id);
    expect(Number(record.expires_at.N) - before).toBeGreaterThanOrEqual(24 * 3600);
  });

  test('the idempotency key is stored only as a hash', async () => {
    const key = newKey();
    await post(key);
    expect(JSON.stringify(await moto.scan(IDEMPOTENCY))).not.toContain(key);
  });
});

describe('refused requests', () => {
  test.each([
    ['missing', 'missing_idempotency_key', {}],
    ['empty', 'invalid_idempotency_key', { 'Idempotency-Key': '' }],
    ['of 256 characters', 'invalid_idempotency_key', { 'Idempotency-Key': 'k'.repeat(256) }],
    ['with a space', 'invalid_idempotency_key', { 'Idempotency-Key': 'has space' }],
    ['with non-ASCII', 'invalid_idempotency_key', { 'Idempotency-Key': 'clé' }],
    ['sent twice', 'invalid_idempotency_key', { 'Idempotency-Key': ['a', 'b'] }],
  ])('Idempotency-Key %s: 400 %s', async (_case, code, keyHeader) => {
    const response = await invoke(postPayment({ headers: { 'Content-Type': 'application/json', ...keyHeader } }));
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).code).toBe(code);
  });

  test('Idempotency-Key of 255 visible characters, in any header case, is accepted', async () => {
    const key = `${newKey()}!~`.padEnd(255, 'x');
    const response = await invoke(postPayment({ headers: { 'content-type': 'application/json', 'IDEMPOTENCY-KEY': key } }));
    expect(response.statusCode).toBe(201);
  });

  test.each([
    ['not JSON', '{"amount": 1999,'],
    ['an array', '[1,2]'],
    ['a string', '"payment"'],
    ['null', 'null'],
    ['empty', ''],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]).toString('base64')],
  ])('a body that is %s: 400 invalid_json', async (name, body) => {
    const response = await invoke(postPayment({ headers: jsonHeaders(newKey()), body, isBase64Encoded: name === 'invalid UTF-8' }));
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).code).toBe('invalid_json');
  });

  test('every bad field is named in one validation_error', async () => {
    const response = await post(newKey(), JSON.stringify({
      amount: 19.99, currency: 'usd', merchantId: 'm 1', description: 'x'.repeat(501), metadata: [], extra: true,
    }));
    expect(response.statusCode).toBe(400);
    const error = errorOf(response);
    expect(error.code).toBe('validation_error');
    expect(error.details.map((d: { field: string }) => d.field)).toEqual([
      'amount', 'currency', 'merchantId', 'paymentMethodToken', 'description', 'metadata', 'extra',
    ]);
    for (const detail of error.details) {
      expect(detail.issue).toEqual(expect.any(String));
    }
  });

  test('a card number is refused with card_data_rejected and echoed nowhere', async () => {
    const card = '4111 1111 1111 1111';
    const response = await post(newKey(), validBody({ description: `card ${card} exp 12/29` }));
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).code).toBe('card_data_rejected');
    for (const form of [card, card.replace(/ /g, '')]) {
      expect(response.body).not.toContain(form);
      expect(output.text()).not.toContain(form);
      expect(JSON.stringify(await moto.scan(LEDGER))).not.toContain(form);
    }
  });

  test('a body over 16 KiB: 413 payload_too_large', async () => {
    const response = await post(newKey(), validBody({ description: 'x'.repeat(17_000) }));
    expect(response.statusCode).toBe(413);
    expect(errorOf(response).code).toBe('payload_too_large');
  });

  test.each([
    ['missing', {}],
    ['text/plain', { 'Content-Type': 'text/plain' }],
    ['application/json-seq', { 'Content-Type': 'application/json-seq' }],
    ['application/x-www-form-urlencoded', { 'Content-Type': 'application/x-www-form-urlencoded' }],
  ])('Content-Type %s: 415 unsupported_media_type', async (_case, contentType) => {
    const response = await invoke(postPayment({ headers: { 'Idempotency-Key': newKey(), ...contentType } }));
    expect(response.statusCode).toBe(415);
    expect(errorOf(response).code).toBe('unsupported_media_type');
  });

  test('application/json with a charset is accepted', async () => {
    const response = await invoke(postPayment({ headers: { 'Content-Type': 'application/json; charset=UTF-8', 'Idempotency-Key': newKey() } }));
    expect(response.statusCode).toBe(201);
  });

  test('error bodies carry code, message and request id, and details only where there are some', async () => {
    const response = await post(newKey(), '[]');
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 'invalid_json', message: 'The request body must be a JSON object.', requestId: expect.stringMatching(/^api-request-/) },
    });
    expect(response.headers?.['Content-Type']).toBe('application/json');
  });

  test('nothing is written for refused requests', async () => {
    const before = await moto.scan(LEDGER);
    await post(newKey(), validBody({ amount: -1 }));
    await post(newKey(), validBody({ description: '4111111111111111' }));
    expect(await moto.scan(LEDGER)).toHaveLength(before.length);
  });
});

describe('GET /payments/{transactionId}', () => {
  let created: APIGatewayProxyResult;
  beforeEach(async () => {
    created = await post(newKey(), validBody({ amount: 4200 }), 'key-owner');
  });

  test('200 with the same body as the 201, for the client that created it', async () => {
    const id = JSON.parse(created.body).transactionId;
    const response = await invoke(getPayment(id, { apiKeyId: 'key-owner' }));
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(created.body);
  });

  test('another client\'s payment and an unknown id give the same 404', async () => {
    const id = JSON.parse(created.body).transactionId;
    const other = await invoke(getPayment(id, { apiKeyId: 'key-other' }));
    const unknown = await invoke(getPayment('00000000-0000-4000-8000-000000000000', { apiKeyId: 'key-owner' }));
    const malformed = await invoke(getPayment('not-a-uuid', { apiKeyId: 'key-owner' }));
    // Without path parameters (a route that API Gateway would not deliver): no id, so no payment.
    const withoutId = await invoke({ ...getPayment('x', { apiKeyId: 'key-owner' }), pathParameters: null });
    for (const response of [other, unknown, malformed, withoutId]) {
      expect(response.statusCode).toBe(404);
      const { requestId, ...rest } = errorOf(response);
      expect(rest).toEqual({ code: 'not_found', message: 'No payment with this id exists.' });
      expect(requestId).toEqual(expect.any(String));
    }
  });
});

describe('caller identity', () => {
  test('with IAM authorization, the IAM principal owns the key and the payment', async () => {
    const event = postPayment({ apiKeyId: 'shared-key', userArn: 'arn:aws:iam::123456789012:user/alice' });
    expect(clientIdOf(event, true)).toBe('iam:arn:aws:iam::123456789012:user/alice');
    expect(clientIdOf(event, false)).toBe('key:shared-key');
    expect(clientIdOf(postPayment({ apiKeyId: 'k' }), true)).toBeUndefined();
  });

  test('an assumed role is one client, whatever the session name', () => {
    const session = (name: string) => postPayment({ userArn: `arn:aws:sts::123456789012:assumed-role/checkout-service/${name}` });
    expect(clientIdOf(session('i-0abc'), true)).toBe('iam:arn:aws:sts::123456789012:assumed-role/checkout-service');
    expect(clientIdOf(session('i-0def'), true)).toBe(clientIdOf(session('i-0abc'), true));
  });

  test('only a whole STS assumed-role ARN loses its session name; any other principal is compared whole', () => {
    const role = 'arn:aws:sts::123456789012:assumed-role/checkout-service';
    for (const userArn of [`x${role}/session`, `${role}/session\nmore`, 'arn:aws:iam::123456789012:user/alice/session', `${role}/`]) {
      expect(clientIdOf(postPayment({ userArn }), true)).toBe(`iam:${userArn}`);
    }
    // Without IAM authorization, or without a principal, the API key decides.
    expect(clientIdOf({ ...postPayment({ apiKeyId: 'k' }), requestContext: { identity: {} } } as never, false)).toBeUndefined();
    expect(clientIdOf({ ...postPayment(), requestContext: undefined } as never, true)).toBeUndefined();
    expect(clientIdOf({ ...postPayment(), requestContext: undefined } as never, false)).toBeUndefined();
  });
});

describe('logs and metrics', () => {
  test('one JSON line per request, with the request id as correlation id, and no body, token, key or card data', async () => {
    const key = newKey();
    const response = await post(key, validBody({ paymentMethodToken: 'tok_secret_777', description: 'private note' }));
    expect(response.statusCode).toBe(201);
    const text = output.text();
    for (const secret of ['tok_secret_777', 'private note', key, 'tok_visa_4242', 'key-client-a']) {
      expect(text).not.toContain(secret);
    }
    const body = JSON.parse(response.body);
    const lines = output.lines().filter((line) => JSON.stringify(line).includes(body.transactionId));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      service: 'payments-api',
      correlation_id: expect.stringMatching(/^api-request-/),
      function_request_id: expect.stringMatching(/^lambda-request-/),
      method: 'POST',
      route: '/payments',
      status: '201',
      result: 'accepted',
      transactionId: body.transactionId,
      PaymentsAccepted: 1,
    });
  });

  test('an unexpected failure also writes an ERROR line that names it, without the request', async () => {
    const before = output.lines().length;
    const response = await invoke(postPayment({ headers: jsonHeaders(newKey()), body: validBody(), apiKeyId: '' }));
    expect(response.statusCode).toBe(500);
    const errors = output.lines().slice(before).filter((line) => line.level === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      message: 'request failed',
      correlation_id: expect.stringMatching(/^api-request-/),
      status: 500,
      result: 'internal_error',
      error: { name: 'Error', message: 'request has no caller identity' },
    });
    expect(JSON.stringify(errors[0])).not.toContain('tok_visa_4242');
  });

  test('metrics in embedded metric format: one count for each accepted, replayed and refused request, by error code, and latency', async () => {
    type Line = Record<string, unknown>;
    const metricNames = (line: Line) => (line._aws as { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> })
      .CloudWatchMetrics.flatMap((m) => m.Metrics.map((x) => x.Name)).sort();
    /** The metrics lines that one request writes, and how long its invocation took. */
    const linesOf = async (event: APIGatewayProxyEvent) => {
      const before = output.lines().length;
      const started = performance.now();
      await invoke(event);
      const tookMs = performance.now() - started;
      // Powertools writes the cold start of the first invocation on a line of its own.
      const lines = output.lines().slice(before).filter((line) => line._aws !== undefined && !('ColdStart' in line)) as Line[];
      return { lines, tookMs };
    };
    const key = newKey();
    const body = validBody();

    const accepted = await linesOf(postPayment({ headers: jsonHeaders(key), body }));
    expect(accepted.lines.map(metricNames)).toEqual([['HandlerLatency', 'PaymentsAccepted']]);
    const [acceptedLine] = accepted.lines;
    expect(acceptedLine).toMatchObject({ PaymentsAccepted: 1, status: '201', result: 'accepted' });
    const latency = acceptedLine.HandlerLatency as number;
    // The handler's own time is most of what the call took from outside (three DynamoDB round trips).
    expect(latency).toBeGreaterThanOrEqual(accepted.tookMs / 5);
    expect(latency).toBeLessThanOrEqual(accepted.tookMs);
    expect(Math.round(latency * 10)).toBeCloseTo(latency * 10, 6);

    const replayed = await linesOf(postPayment({ headers: jsonHeaders(key), body }));
    expect(replayed.lines.map(metricNames)).toEqual([['HandlerLatency', 'IdempotentReplays']]);
    expect(replayed.lines[0]).toMatchObject({ IdempotentReplays: 1, result: 'replayed' });

    const refused = await linesOf(postPayment({ headers: jsonHeaders(newKey()), body: validBody({ amount: 0 }) }));
    expect(refused.lines.map(metricNames)).toEqual([['PaymentsRefused'], ['HandlerLatency']]);
    expect(refused.lines[0]).toMatchObject({ PaymentsRefused: 1, errorCode: 'validation_error' });
    expect(refused.lines[1]).not.toHaveProperty('transactionId');

    const found = await linesOf(getPayment(JSON.parse((await post(newKey())).body).transactionId, { apiKeyId: 'key-client-a' }));
    expect(found.lines.map(metricNames)).toEqual([['HandlerLatency']]);
    expect(found.lines[0]).toMatchObject({ status: '200', result: 'found' });

    for (const line of [...accepted.lines, ...replayed.lines, ...refused.lines, ...found.lines]) {
      expect(line).toMatchObject({ service: 'payments-api', environment: 'test', platform: 'test-platform' });
    }
  });

  test('a request without a request context is logged under the correlation id "unknown"', async () => {
    const before = output.lines().length;
    await invoke({ ...getPayment('00000000-0000-4000-8000-000000000000'), requestContext: undefined } as never);
    const summary = output.lines().slice(before).find((line) => 'HandlerLatency' in line);
    expect(summary).toMatchObject({ correlation_id: 'unknown' });
  });
});

/** Claims a key as a concurrent attempt would have, with its lease ending at `lockedUntil`. */
async function claimDirectly(clientId: string, key: string, body: string, lockedUntil: number) {
  const request = JSON.parse(body);
  const transactionId = '11111111-2222-4333-8444-' + String(Date.now()).padStart(12, '0').slice(-12);
  const createdAt = new Date().toISOString();
  const record = {
    requestHash: requestHash(request),
    transactionId,
    createdAt,
    response: paymentBody({ transactionId, status: 'accepted', amount: request.amount, currency: request.currency, merchantId: request.merchantId, createdAt }),
    attempt: 'stuck-attempt',
    lockedUntil,
  };
  const store = new IdempotencyStore(moto.dynamodb(), IDEMPOTENCY, 86400);
  const claim = await store.claim(IdempotencyStore.recordId(clientId, key), record, Date.now());
  expect(claim.kind).toBe('claimed');
  return record;
}
