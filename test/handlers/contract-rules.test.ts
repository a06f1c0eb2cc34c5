import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { getPayment, postPayment, validBody } from './events';
import { IDEMPOTENCY, LEDGER, PaymentHarness, startPaymentHandler } from './payment-harness';
import { IdempotencyStore, requestHash } from '../../src/handlers/idempotency';
import { Ledger } from '../../src/handlers/ledger';
import { validatePayment } from '../../src/handlers/payment-request';

/**
 * The payments API contract rule by rule, at its boundaries: each test is named after the rule it
 * holds and sends requests to the real handler against moto_server. Together with the mutation run
 * (`npx projen test:mutation`), these are what make a handler that breaks a rule fail a test.
 */
let harness: PaymentHarness;
let keyCounter = 0;
const newKey = () => `rule-${Date.now()}-${++keyCounter}`;

beforeAll(async () => {
  harness = await startPaymentHandler();
});

afterAll(async () => {
  await harness?.stop();
});

const JSON_TYPE = { 'Content-Type': 'application/json' };
const post = (body: string, headers: Record<string, string | string[]> = {}) =>
  harness.invoke(postPayment({ headers: { ...JSON_TYPE, 'Idempotency-Key': newKey(), ...headers }, body }));
const errorOf = (response: APIGatewayProxyResult) => JSON.parse(response.body).error;

/** Sends `body`, expects a 400 validation_error and returns its details. */
async function fieldIssues(body: string): Promise<Array<{ field: string; issue: string }>> {
  const before = await harness.counts();
  const response = await post(body);
  expect({ status: response.statusCode, code: errorOf(response).code }).toEqual({ status: 400, code: 'validation_error' });
  expect(await harness.counts()).toEqual(before);
  return errorOf(response).details;
}

async function expectAccepted(body: string, headers: Record<string, string | string[]> = {}): Promise<APIGatewayProxyResult> {
  const response = await post(body, headers);
  expect({ status: response.statusCode, body: response.body }).toEqual({ status: 201, body: expect.stringContaining('"status":"accepted"') });
  return response;
}

describe('amount', () => {
  test('amount: 1 and 99,999,999 are accepted, 0 and 100,000,000 are refused naming the range', async () => {
    await expectAccepted(validBody({ amount: 1 }));
    await expectAccepted(validBody({ amount: 99_999_999 }));
    for (const amount of [0, 100_000_000]) {
      expect(await fieldIssues(validBody({ amount }))).toEqual([{ field: 'amount', issue: 'must be from 1 to 99999999' }]);
    }
  });
});

describe('required fields', () => {
  test('required fields: a body without amount, currency, merchantId and paymentMethodToken names each as required', async () => {
    expect(await fieldIssues('{}')).toEqual([
      { field: 'amount', issue: 'is required' },
      { field: 'currency', issue: 'is required' },
      { field: 'merchantId', issue: 'is required' },
      { field: 'paymentMethodToken', issue: 'is required' },
    ]);
  });

  test('required fields: null is a value of the wrong type, not an absent field', async () => {
    const issues = await fieldIssues(JSON.stringify({ amount: null, currency: null, merchantId: null, paymentMethodToken: null }));
    expect(issues.map((issue) => issue.field)).toEqual(['amount', 'currency', 'merchantId', 'paymentMethodToken']);
    expect(issues.some((issue) => issue.issue === 'is required')).toBe(false);
  });
});

describe('amount and merchantId types', () => {
  test('amount: a decimal, an exponent or a string is refused as not an integer of minor units', async () => {
    for (const body of [validBody().replace('"amount":1999', '"amount":1999.0'), validBody().replace('"amount":1999', '"amount":1.999e3'), validBody({ amount: '1999' })]) {
      expect(await fieldIssues(body)).toEqual([
        { field: 'amount', issue: 'must be an integer number of minor units (cents), written without quotes, a decimal point or an exponent' },
      ]);
    }
  });

  test('merchantId and currency: a number or an array holding a valid value is refused', async () => {
    for (const [field, value] of [['merchantId', 42], ['merchantId', ['m_1']], ['currency', ['USD']], ['currency', 840]] as const) {
      const issues = await fieldIssues(validBody({ [field]: value }));
      expect(issues.map((issue) => issue.field)).toEqual([field]);
    }
  });

  test('merchantId: 1 to 64 characters of A-Z, a-z, 0-9, _ and -; anything else is refused, saying so', async () => {
    await expectAccepted(validBody({ merchantId: 'M-' + 'a_9'.repeat(20) + '12' }));
    for (const merchantId of ['', 'm'.repeat(65), 'm.1', 'm 1', 'mé']) {
      expect(await fieldIssues(validBody({ merchantId }))).toEqual([
        { field: 'merchantId', issue: 'must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -' },
      ]);
    }
  });
});

describe('paymentMethodToken', () => {
  test('paymentMethodToken: 1 to 128 characters; empty, 129 characters or not a string is refused', async () => {
    await expectAccepted(validBody({ paymentMethodToken: 't' }));
    await expectAccepted(validBody({ paymentMethodToken: 't'.repeat(128) }));
    for (const paymentMethodToken of ['', 't'.repeat(129), 4242]) {
      expect(await fieldIssues(validBody({ paymentMethodToken }))).toEqual([
        { field: 'paymentMethodToken', issue: 'must be a token of 1 to 128 characters from your card vault' },
      ]);
    }
  });

  test('paymentMethodToken: counted in characters (code points), not UTF-16 units, at both ends', async () => {
    // U+1F600 and U+10348 are outside the Basic Multilingual Plane: two UTF-16 units each.
    await expectAccepted(validBody({ paymentMethodToken: '\u{1F600}' }));
    await expectAccepted(validBody({ paymentMethodToken: '\u{1F600}'.repeat(128) }));
    await expectAccepted(validBody({ paymentMethodToken: `tok_${'\u{10348}'.repeat(124)}` }));
    for (const paymentMethodToken of ['\u{1F600}'.repeat(129), `tok_${'\u{10348}'.repeat(125)}`]) {
      expect(await fieldIssues(validBody({ paymentMethodToken }))).toEqual([
        { field: 'paymentMethodToken', issue: 'must be a token of 1 to 128 characters from your card vault' },
      ]);
    }
  });
});

describe('description', () => {
  test('description: at most 500 characters, counted as characters, not UTF-16 units', async () => {
    await expectAccepted(validBody({ description: 'd'.repeat(500) }));
    await expectAccepted(validBody({ description: '\u{1F600}'.repeat(500) }));
    await expectAccepted(validBody({ description: `${'d'.repeat(250)}${'\u{10348}'.repeat(250)}` }));
    for (const description of ['d'.repeat(501), 12, '\u{1F600}'.repeat(501), `${'d'.repeat(251)}${'\u{10348}'.repeat(250)}`]) {
      expect(await fieldIssues(validBody({ description }))).toEqual([{ field: 'description', issue: 'must be a string of at most 500 characters' }]);
    }
  });
});

describe('metadata', () => {
  const entries = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, 'v']));

  test('metadata: at most 20 entries', async () => {
    await expectAccepted(validBody({ metadata: entries(20) }));
    expect(await fieldIssues(validBody({ metadata: entries(21) }))).toEqual([{ field: 'metadata', issue: 'must have at most 20 entries' }]);
  });

  test('metadata: keys of 1 to 40 characters', async () => {
    await expectAccepted(validBody({ metadata: { k: 'v' } }));
    await expectAccepted(validBody({ metadata: { ['k'.repeat(40)]: 'v' } }));
    await expectAccepted(validBody({ metadata: { ['\u{1F600}'.repeat(40)]: 'v' } }));
    await expectAccepted(validBody({ metadata: { ['\u{1F600}']: 'v' } }));
    for (const key of ['', 'k'.repeat(41), '\u{1F600}'.repeat(41), `k${'\u{10348}'.repeat(40)}`]) {
      expect(await fieldIssues(validBody({ metadata: { [key]: 'v' } }))).toEqual([{ field: 'metadata', issue: 'keys must be 1 to 40 characters' }]);
    }
  });

  test('metadata: string values of at most 500 characters', async () => {
    await expectAccepted(validBody({ metadata: { note: 'v'.repeat(500) } }));
    await expectAccepted(validBody({ metadata: { note: '\u{1F600}'.repeat(500) } }));
    await expectAccepted(validBody({ metadata: { note: '' } }));
    for (const value of ['v'.repeat(501), 7, null, { nested: 'v' }, '\u{1F600}'.repeat(501), `v${'\u{10348}'.repeat(500)}`]) {
      expect(await fieldIssues(validBody({ metadata: { note: value } }))).toEqual([{ field: 'metadata.note', issue: 'must be a string of at most 500 characters' }]);
    }
  });

  test('metadata: an object, not an array, a string or null', async () => {
    for (const metadata of [['v'], 'v', null]) {
      expect(await fieldIssues(validBody({ metadata }))).toEqual([{ field: 'metadata', issue: 'must be an object of string values' }]);
    }
  });
});

describe('body size', () => {
  test('body size: exactly 16 KiB is read, one byte more is 413 payload_too_large', async () => {
    // JSON allows white space before the object: the same valid body padded to the limit.
    const padded = (bytes: number) => `${' '.repeat(bytes - Buffer.byteLength(validBody()))}${validBody()}`;
    await expectAccepted(padded(16 * 1024));
    const before = await harness.counts();
    const response = await post(padded(16 * 1024 + 1));
    expect({ status: response.statusCode, code: errorOf(response).code }).toEqual({ status: 413, code: 'payload_too_large' });
    expect(await harness.counts()).toEqual(before);
  });

  test('body size: counted in bytes as sent, after base64 decoding', async () => {
    const body = `${' '.repeat(16 * 1024 - Buffer.byteLength(validBody()))}${validBody()}`;
    const response = await harness.invoke(postPayment({
      headers: { ...JSON_TYPE, 'Idempotency-Key': newKey() },
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
    }));
    expect(response.statusCode).toBe(201);
  });
});

describe('Content-Type', () => {
  test.each([
    'application/json',
    'APPLICATION/JSON',
    'Application/Json; charset=utf-8',
    'application/json;charset="utf-8"',
    'application/json;',
    'application/json ; charset=utf-8 ; q=1',
    ' application/json ',
    'application/json; profile="a\\"quoted\\" \\\\name"',
  ])('Content-Type: %j is application/json', async (contentType) => {
    await expectAccepted(validBody(), { 'Content-Type': contentType });
  });

  test.each([
    'xapplication/json',
    'application/jsonx',
    'application/json x',
    'application/json, text/plain',
    'application/json; charset',
    'application/json; charset="utf-8',
    'text/json',
    'application/*',
  ])('Content-Type: %j is anything else, 415', async (contentType) => {
    const response = await post(validBody(), { 'Content-Type': contentType });
    expect({ status: response.statusCode, code: errorOf(response).code }).toEqual({ status: 415, code: 'unsupported_media_type' });
  });

  test('Content-Type: sent twice is 415, even if both say application/json', async () => {
    const response = await post(validBody(), { 'Content-Type': ['application/json', 'application/json'] });
    expect(response.statusCode).toBe(415);
  });
});

describe('headers', () => {
  test('headers: names are case-insensitive, in multiValueHeaders and in the single-value headers alike', async () => {
    const key = newKey();
    const event = postPayment({ headers: {} });
    // What API Gateway sends when it fills only the single-value map.
    const singleValueOnly: APIGatewayProxyEvent = {
      ...event,
      headers: { 'content-type': 'application/json', 'IDEMPOTENCY-KEY': key },
      multiValueHeaders: {},
    };
    const first = await harness.invoke(singleValueOnly);
    expect(first.statusCode).toBe(201);
    const again = await harness.invoke({ ...singleValueOnly, multiValueHeaders: undefined as never });
    expect({ status: again.statusCode, replayed: again.headers?.['Idempotent-Replayed'] }).toEqual({ status: 201, replayed: 'true' });
  });

  test('headers: a header without a value counts as absent', async () => {
    const response = await harness.invoke({
      ...postPayment({ headers: {} }),
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': undefined },
      multiValueHeaders: {},
    });
    expect({ status: response.statusCode, code: errorOf(response).code }).toEqual({ status: 400, code: 'missing_idempotency_key' });
  });

  test('headers: a request with no headers at all is 415, not a failure', async () => {
    const response = await harness.invoke({ ...postPayment(), headers: null as never, multiValueHeaders: null as never });
    expect({ status: response.statusCode, code: errorOf(response).code }).toEqual({ status: 415, code: 'unsupported_media_type' });
  });
});

describe('JSON', () => {
  test('JSON: a body that is not valid UTF-8 is 400 invalid_json, never read with replacement characters', async () => {
    // A valid body but for one byte (0xFF) inside the description, which no UTF-8 text holds.
    const [head, tail] = validBody({ description: 'a|b' }).split('|');
    const json = Buffer.concat([Buffer.from(head), Buffer.from([0xff]), Buffer.from(tail)]);
    const response = await harness.invoke(postPayment({
      headers: { ...JSON_TYPE, 'Idempotency-Key': newKey() },
      body: json.toString('base64'),
      isBase64Encoded: true,
    }));
    expect({ status: response.statusCode, code: errorOf(response).code }).toEqual({ status: 400, code: 'invalid_json' });
  });

  test('JSON: an absent body is 400 invalid_json', async () => {
    const response = await harness.invoke(postPayment({ headers: { ...JSON_TYPE, 'Idempotency-Key': newKey() }, body: null }));
    expect({ status: response.statusCode, code: errorOf(response).code }).toEqual({ status: 400, code: 'invalid_json' });
  });
});

describe('idempotency', () => {
  test('idempotency: the same metadata in another key order is the same body, and replays', async () => {
    const key = newKey();
    const first = await expectAccepted(validBody({ metadata: { a: '1', b: '2' } }), { 'Idempotency-Key': key });
    const again = await post(validBody({ metadata: { b: '2', a: '1' } }), { 'Idempotency-Key': key });
    expect({ status: again.statusCode, body: again.body, replayed: again.headers?.['Idempotent-Replayed'] })
      .toEqual({ status: 201, body: first.body, replayed: 'true' });
  });

  test('idempotency: a different metadata value under the same key is 422 idempotency_key_reused', async () => {
    const key = newKey();
    await expectAccepted(validBody({ metadata: { a: '1' } }), { 'Idempotency-Key': key });
    const reused = await post(validBody({ metadata: { a: '2' } }), { 'Idempotency-Key': key });
    expect({ status: reused.statusCode, code: errorOf(reused).code }).toEqual({ status: 422, code: 'idempotency_key_reused' });
  });
});

describe('routes', () => {
  test.each([
    ['GET', '/payments'],
    ['PUT', '/payments'],
    ['DELETE', '/payments'],
    ['POST', '/payments/{transactionId}'],
    ['DELETE', '/payments/{transactionId}'],
    ['POST', '/refunds'],
  ])('routes: %s %s is 404 not_found and writes nothing', async (httpMethod, resource) => {
    const before = await harness.counts();
    const response = await harness.invoke({
      ...postPayment({ headers: { ...JSON_TYPE, 'Idempotency-Key': newKey() } }),
      httpMethod,
      resource,
      pathParameters: resource.includes('{') ? { transactionId: '00000000-0000-4000-8000-000000000000' } : null,
    });
    expect({ status: response.statusCode, code: errorOf(response).code }).toEqual({ status: 404, code: 'not_found' });
    expect(await harness.counts()).toEqual(before);
  });

  test.each([
    ['POST', '/payments/{transactionId}'],
    ['DELETE', '/payments/{transactionId}'],
    ['GET', '/payments/{transactionId}/refunds'],
  ])('routes: %s %s of an existing payment is 404 not_found, not the payment', async (httpMethod, resource) => {
    const transactionId = JSON.parse((await expectAccepted(validBody())).body).transactionId as string;
    const response = await harness.invoke({ ...getPayment(transactionId), httpMethod, resource });
    expect({ status: response.statusCode, code: errorOf(response).code }).toEqual({ status: 404, code: 'not_found' });
  });

  test('routes: an event without a request context gets the contract\'s 500, with request id "unknown"', async () => {
    const response = await harness.invoke({ ...postPayment({ headers: { ...JSON_TYPE, 'Idempotency-Key': newKey() } }), requestContext: undefined as never });
    expect({ status: response.statusCode, error: errorOf(response) }).toEqual({
      status: 500,
      error: { code: 'internal_error', message: expect.any(String), requestId: 'unknown' },
    });
  });

  test('routes: GET looks up only ids in the form this API issues, whatever the ledger holds', async () => {
    // Items that no request of this API writes, under ids that merely contain a UUID.
    const ledger = new Ledger(harness.moto.dynamodb(), LEDGER);
    const uuid = '00000000-0000-4000-8000-0000000000aa';
    for (const transactionId of [`x${uuid}`, `${uuid}0`]) {
      const payment = { transactionId, status: 'accepted' as const, amount: 1, currency: 'USD', merchantId: 'm_1', createdAt: new Date().toISOString() };
      await ledger.append(payment, validatePayment(JSON.parse(validBody())), 'key:key-client-a');
      const response = await harness.invoke(getPayment(transactionId));
      expect({ id: transactionId, status: response.statusCode }).toEqual({ id: transactionId, status: 404 });
    }
  });

  test('routes: GET of an id that is not a lower-case UUID is 404 not_found', async () => {
    const created = await expectAccepted(validBody());
    const id = JSON.parse(created.body).transactionId as string;
    expect((await harness.invoke(getPayment(id))).statusCode).toBe(200);
    for (const other of [id.toUpperCase(), `${id}0`, `x${id}`, '']) {
      const response = await harness.invoke(getPayment(other));
      expect({ status: response.statusCode, code: errorOf(response).code }).toEqual({ status: 404, code: 'not_found' });
    }
  });
});

describe('responses', () => {
  test('responses: JSON, never cached and never sniffed, for a 201, a 200, a 4xx and a 404', async () => {
    const created = await expectAccepted(validBody());
    const found = await harness.invoke(getPayment(JSON.parse(created.body).transactionId));
    const refused = await post('{');
    const missing = await harness.invoke(getPayment('00000000-0000-4000-8000-000000000000'));
    for (const response of [created, found, refused, missing]) {
      expect(response.headers).toMatchObject({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    }
    expect([created, found, refused, missing].map((response) => response.statusCode)).toEqual([201, 200, 400, 404]);
  });

  test('responses: no Retry-After on an accepted payment or a refused request', async () => {
    expect(Object.keys((await expectAccepted(validBody())).headers ?? {})).not.toContain('Retry-After');
    expect(Object.keys((await post('{')).headers ?? {})).not.toContain('Retry-After');
  });

  test('responses: details only where there are fields to name', async () => {
    const invalid = await post('{');
    expect(Object.keys(errorOf(invalid))).toEqual(['code', 'message', 'requestId']);
    const issues = await post(validBody({ amount: 0 }));
    expect(Object.keys(errorOf(issues))).toEqual(['code', 'message', 'requestId', 'details']);
  });
});

describe('metrics', () => {
  /** The outcome that each request's metrics line names, in the order of the requests sent since `mark`. */
  const outcomes = (mark: number) => harness.output.textSince(mark).split('\n')
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((document) => document.result !== undefined)
    .map((document) => document.result);

  test('metrics: every request\'s metrics line names its outcome: accepted, replayed, found or the error code', async () => {
    const mark = harness.output.mark();
    const key = newKey();
    const created = await post(validBody(), { 'Idempotency-Key': key });
    await post(validBody(), { 'Idempotency-Key': key });
    await harness.invoke(getPayment(JSON.parse(created.body).transactionId));
    await post('{');
    await harness.invoke(getPayment('00000000-0000-4000-8000-000000000000'));
    expect(outcomes(mark)).toEqual(['accepted', 'replayed', 'found', 'invalid_json', 'not_found']);
  });
});

describe('error messages', () => {
  /** A claim that an attempt made a moment ago and has not finished: the next request waits. */
  async function claimInProgress(key: string): Promise<void> {
    const store = new IdempotencyStore(harness.moto.dynamodb(), IDEMPOTENCY, 86400);
    const now = Date.now();
    await store.claim(IdempotencyStore.recordId('key:key-client-a', key), {
      requestHash: requestHash(validatePayment(JSON.parse(validBody()))),
      transactionId: '00000000-0000-4000-8000-000000000001',
      createdAt: new Date(now).toISOString(),
      response: '{}',
      attempt: 'an-attempt-in-progress',
      lockedUntil: now + 10_000,
    }, now);
  }

  test.each<[string, () => Promise<APIGatewayProxyResult>, string]>([
    ['missing_idempotency_key', () => harness.invoke(postPayment({ headers: JSON_TYPE })), 'The Idempotency-Key header is required.'],
    ['invalid_idempotency_key', () => post(validBody(), { 'Idempotency-Key': 'a b' }),
      'The Idempotency-Key header must be a single value of 1 to 255 visible ASCII characters.'],
    ['invalid_json (syntax)', () => post('{"amount":'), 'The request body must be a JSON object.'],
    ['invalid_json (repeated name)', () => post('{"amount":1,"amount":2}'), 'The request body must not repeat a member name within one object.'],
    ['invalid_json (depth)', () => post(`{"metadata":${'['.repeat(40)}${']'.repeat(40)}}`),
      'The request body must not nest objects and arrays more than 32 levels deep.'],
    ['validation_error', () => post(validBody({ amount: 0 })), 'One or more fields are invalid.'],
    ['card_data_rejected', () => post(validBody({ description: '4111 1111 1111 1111' })),
      'The request contains what looks like a card number. Send a paymentMethodToken from your card vault instead.'],
    ['payload_too_large', () => post(' '.repeat(16 * 1024 + 1)), 'The request body must be at most 16384 bytes.'],
    ['unsupported_media_type', () => post(validBody(), { 'Content-Type': 'text/plain' }), 'The Content-Type must be application/json.'],
    ['not_found', () => harness.invoke(getPayment('00000000-0000-4000-8000-000000000000')), 'No payment with this id exists.'],
    ['idempotency_key_reused', async () => {
      const key = newKey();
      await post(validBody(), { 'Idempotency-Key': key });
      return post(validBody({ amount: 2 }), { 'Idempotency-Key': key });
    }, 'This Idempotency-Key was already used with a different request body.'],
    ['idempotency_in_progress', async () => {
      const key = newKey();
      await claimInProgress(key);
      return post(validBody(), { 'Idempotency-Key': key });
    }, 'A request with this Idempotency-Key is still being processed. Retry after it completes.'],
  ])('error messages: %s says what to do', async (_code, send, message) => {
    expect(errorOf(await send()).message).toBe(message);
  });

  test('error messages: 409 idempotency_in_progress says after how many seconds the lease runs out', async () => {
    const key = newKey();
    await claimInProgress(key);
    const response = await post(validBody(), { 'Idempotency-Key': key });
    expect(response.statusCode).toBe(409);
    // The lease has just under ten seconds left, rounded up (less what the request itself took).
    expect(['9', '10']).toContain(response.headers?.['Retry-After']);
  });
});

describe('metadata that the JSON reader holds as something else', () => {
  test('metadata: not a number, however it is written (with a fraction or an exponent too)', async () => {
    for (const metadata of ['7', '-7.594337467905555e+44', '1e400', '1999.0', '-0.5']) {
      const body = validBody().replace(/}$/, `,"metadata":${metadata}}`);
      expect(await fieldIssues(body)).toEqual([{ field: 'metadata', issue: 'must be an object of string values' }]);
    }
  });
});
