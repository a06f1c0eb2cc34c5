import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_KEY, RunningLocalServer, runLocalCli, startLocalServer } from './local-cli';
import { PaymentsApiDocument } from '../../src';
import { simulatedReference } from '../../src/handlers/simulated-processor';

/**
 * The bundled local server (`assets/local/cli/index.mjs`, the package's `payment-platform-local`),
 * started as a process of its own on a free port of 127.0.0.1, answering over HTTP.
 */
const payment = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({ amount: 1999, currency: 'USD', merchantId: 'm_1', paymentMethodToken: 'tok_visa', ...fields });
let keys = 0;
const newKey = () => `local-${Date.now()}-${++keys}`;

async function post(server: RunningLocalServer, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/payments`, {
    method: 'POST',
    headers: { 'x-api-key': API_KEY, 'Content-Type': 'application/json', 'Idempotency-Key': newKey(), ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function get(server: RunningLocalServer, path: string, apiKey = API_KEY) {
  const response = await fetch(`${server.url}${path}`, { headers: { 'x-api-key': apiKey } });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Sends `size` bytes of body through a plain HTTP request (fetch buffers), and reads the answer. */
function postBytes(server: RunningLocalServer, size: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const sent = request(`${server.url}/payments`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY, 'Content-Type': 'application/json', 'Idempotency-Key': newKey(), 'Content-Length': size },
    }, (response) => {
      let text = '';
      response.on('data', (chunk) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode!, text }));
    });
    sent.on('error', reject);
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    for (let left = size; left > 0; left -= chunk.length) {
      sent.write(left >= chunk.length ? chunk : chunk.subarray(0, left));
    }
    sent.end();
  });
}

describe('the local server with the simulated processor', () => {
  let server: RunningLocalServer;
  beforeAll(async () => {
    server = await startLocalServer(['--processor-timeout', '2', '--completer-interval', '1']);
  });
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  test('takes a payment, replays it byte for byte, and shows it at its Location', async () => {
    const key = newKey();
    const first = await post(server, payment(), { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    const body = JSON.parse(first.text);
    expect(body).toEqual({
      transactionId: expect.any(String),
      status: 'authorized',
      amount: 1999,
      currency: 'USD',
      merchantId: 'm_1',
      createdAt: expect.stringMatching(/Z$/),
      processorReference: simulatedReference(body.transactionId),
    });
    expect(first.headers.get('location')).toBe(`/payments/${body.transactionId}`);
    const replay = await post(server, payment(), { 'Idempotency-Key': key });
    expect({ status: replay.status, text: replay.text, replayed: replay.headers.get('idempotent-replayed') })
      .toEqual({ status: 201, text: first.text, replayed: 'true' });
    const shown = await get(server, first.headers.get('location')!);
    expect({ status: shown.status, body: JSON.parse(shown.text) }).toEqual({ status: 200, body });
  });

  test('declines, and fails as the token asks, with the contract\'s answers', async () => {
    const declined = await post(server, payment({ paymentMethodToken: 'tok_decline_insufficient_funds' }));
    expect(declined.status).toBe(402);
    expect(JSON.parse(declined.text).error).toMatchObject({ code: 'payment_declined', declineCode: 'insufficient_funds' });
    const failed = await post(server, payment({ paymentMethodToken: 'tok_error' }));
    expect(failed.status).toBe(503);
    expect(JSON.parse(failed.text).error.code).toBe('processor_unavailable');
    expect(Number(failed.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  test('runs the completer: a payment whose processor call failed is authorized without a retry', async () => {
    const first = await post(server, payment({ paymentMethodToken: 'tok_flaky' }));
    expect(first.status).toBe(503);
    const { transactionId } = JSON.parse(first.text).error;
    let status = 'pending';
    for (let waited = 0; status === 'pending' && waited < 10_000; waited += 250) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = JSON.parse((await get(server, `/payments/${transactionId}`)).text).status;
    }
    expect(status).toBe('authorized');
  });

  test('answers as API Gateway does in front of the handler: API keys and routes, with request ids', async () => {
    const noKey = await get(server, '/payments/0b6f3e4c-2f0e-4d59-9a57-3f1d7b1c2e10', '');
    const wrongKey = await get(server, '/payments/0b6f3e4c-2f0e-4d59-9a57-3f1d7b1c2e10', `${API_KEY}x`);
    const unknown = await get(server, '/refunds');
    const wrongMethod = await fetch(`${server.url}/payments`, { method: 'DELETE', headers: { 'x-api-key': API_KEY } });
    const noIdempotencyKey = await fetch(`${server.url}/payments`, {
      method: 'POST', headers: { 'x-api-key': API_KEY, 'Content-Type': 'application/json' }, body: payment(),
    });
    const answers = [noKey, wrongKey, unknown].map((answer) => ({ status: answer.status, error: JSON.parse(answer.text).error, id: answer.headers.get('x-amzn-requestid') }));
    for (const answer of answers) {
      expect(answer).toEqual({ status: 403, error: { code: 'forbidden', message: expect.any(String), requestId: answer.id }, id: expect.any(String) });
    }
    expect(answers[0].error.message).toBe('A valid API key is required.');
    expect(answers[2].error.message).toBe('The request is not signed, or no such route exists.');
    expect(wrongMethod.status).toBe(403);
    expect(noIdempotencyKey.status).toBe(400);
    expect(((await noIdempotencyKey.json()) as { error: { code: string } }).error.code).toBe('missing_idempotency_key');
  });

  test('leaves the other checks to the handler, in the contract\'s order: media type, size, Idempotency-Key, JSON', async () => {
    const send = async (headers: Record<string, string>, body: string) => {
      const answer = await fetch(`${server.url}/payments`, { method: 'POST', headers: { 'x-api-key': API_KEY, ...headers }, body });
      return [answer.status, ((await answer.json()) as { error: { code: string } }).error.code];
    };
    const oversized = JSON.stringify(['x'.repeat(17_000)]);
    expect(await send({ 'Content-Type': 'text/plain' }, '[]')).toEqual([415, 'unsupported_media_type']);
    expect(await send({ 'Content-Type': 'application/json' }, oversized)).toEqual([413, 'payload_too_large']);
    expect(await send({ 'Content-Type': 'application/json', 'Idempotency-Key': 'order-1' }, oversized)).toEqual([413, 'payload_too_large']);
    expect(await send({ 'Content-Type': 'application/json' }, '[]')).toEqual([400, 'missing_idempotency_key']);
    expect(await send({ 'Content-Type': 'application/json', 'Idempotency-Key': 'order-1' }, '[]')).toEqual([400, 'invalid_json']);
  });

  test('refuses a request over API Gateway\'s 10 MB, and the handler one over the contract\'s 16 KiB, both as payload_too_large', async () => {
    const gateway = await postBytes(server, 10 * 1024 * 1024 + 1);
    const handler = await post(server, payment({ description: 'd'.repeat(17_000) }));
    expect([gateway.status, JSON.parse(gateway.text).error.code]).toEqual([413, 'payload_too_large']);
    expect([handler.status, JSON.parse(handler.text).error.code]).toEqual([413, 'payload_too_large']);
  });

  test('refuses headers over API Gateway\'s 10,240 bytes', async () => {
    const answer = await fetch(`${server.url}/payments/x`, { headers: { 'x-api-key': API_KEY, 'x-padding': 'p'.repeat(11_000) } });
    expect(answer.status).toBe(431);
  });

  test('serves the OpenAPI document, with itself as the server, without an API key', async () => {
    const answer = await fetch(`${server.url}/openapi.json`);
    expect(answer.status).toBe(200);
    const served = await answer.json() as Record<string, unknown>;
    expect(served).toEqual({ ...PaymentsApiDocument.toObject(), servers: [{ url: server.url, description: 'payment-platform-local' }] });
  });

  test('writes what the Lambda writes: one JSON line per request with its request id and metrics, without the token', async () => {
    const accepted = await post(server, payment({ paymentMethodToken: 'tok_logged_nowhere' }));
    const failed = await post(server, payment({ paymentMethodToken: 'tok_error' }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const entries = server.stdout().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
    const of = (answer: { headers: Headers }) => entries.filter((entry) => entry.correlation_id === answer.headers.get('x-amzn-requestid'));
    // Every request: its metrics in the embedded metric format, as CloudWatch would receive them.
    expect(of(accepted).map((entry) => entry._aws?.CloudWatchMetrics[0].Namespace)).toEqual(['PaymentPlatform']);
    expect(of(accepted)[0]).toMatchObject({ PaymentsAuthorized: 1, service: 'payments-api', environment: 'local' });
    expect(of(failed)[0]).toMatchObject({ status: '503', result: 'processor_unavailable', service: 'payments-api' });
    expect(server.stdout()).not.toContain('tok_logged_nowhere');
    expect(server.stdout()).not.toContain('tok_error');
  });
});

describe('the local server\'s options', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'payment-platform-local-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('--data-dir keeps payments and keys across a restart', async () => {
    const dataDir = join(dir, 'data');
    const key = newKey();
    const first = await startLocalServer(['--data-dir', dataDir]);
    const created = await post(first, payment(), { 'Idempotency-Key': key });
    expect(created.status).toBe(201);
    expect(await first.stop()).toBe(0);
    const second = await startLocalServer(['--data-dir', dataDir]);
    try {
      const replay = await post(second, payment(), { 'Idempotency-Key': key });
      expect({ status: replay.status, text: replay.text }).toEqual({ status: 201, text: created.text });
      expect((await get(second, created.headers.get('location')!)).status).toBe(200);
    } finally {
      await second.stop();
    }
  });

  test('stores metadata keys named like JavaScript\'s object internals as DynamoDB does', async () => {
    const dataDir = join(dir, 'keys');
    const server = await startLocalServer(['--data-dir', dataDir]);
    const created = await post(server, payment().replace(/}$/, ',"metadata":{"__proto__":"a","constructor":"bc","k":"de"}}'));
    expect(await server.stop()).toBe(0);
    expect(created.status).toBe(201);
    const stored = readFileSync(join(dataDir, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean)
      .map((line) => JSON.parse(line) as [string, string, string?])
      .filter(([, , value]) => value?.includes('"metadata"'))
      .map(([, , value]) => JSON.parse(value!).metadata);
    // The ledger item as written ahead, then with the processor's outcome.
    expect(stored.map((value) => JSON.stringify(value))).toEqual(Array(2).fill('{"M":{"__proto__":{"S":"a"},"constructor":{"S":"bc"},"k":{"S":"de"}}}'));
  });

  test('a damaged --data-dir stops it at start, saying where', async () => {
    const dataDir = join(dir, 'damaged');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'journal.jsonl'), '["put","a","1"]\n{oops\n["put","b","2"]\n');
    const run = await runLocalCli(['--port', '0', '--data-dir', dataDir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${join(dataDir, 'journal.jsonl')}, line 2, is not a journal entry`);
  });

  test('a port in use stops it at start, saying so', async () => {
    const first = await startLocalServer();
    try {
      const run = await runLocalCli(['--port', new URL(first.url).port]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`Port ${new URL(first.url).port} of 127.0.0.1 is in use; choose another with --port`);
    } finally {
      await first.stop();
    }
  });

  test('a path parameter that does not decode is not found, as any unknown id', async () => {
    const server = await startLocalServer(['--processor', 'none']);
    try {
      const answer = await get(server, '/payments/%E0%A4%A');
      expect([answer.status, JSON.parse(answer.text).error.code]).toEqual([404, 'not_found']);
    } finally {
      await server.stop();
    }
  });

  test('in memory by default: a restart forgets everything', async () => {
    const first = await startLocalServer();
    const created = await post(first, payment());
    await first.stop();
    const second = await startLocalServer();
    try {
      expect((await get(second, created.headers.get('location')!)).status).toBe(404);
    } finally {
      await second.stop();
    }
  });

  test('--processor runs a team\'s adapter module, with the payment\'s id as its idempotency key', async () => {
    const adapter = join(dir, 'adapter.mjs');
    const calls = join(dir, 'calls.jsonl');
    writeFileSync(adapter, [
      'import { appendFileSync } from "node:fs";',
      'export async function handler(request) {',
      `  appendFileSync(${JSON.stringify(calls)}, JSON.stringify(request) + "\\n");`,
      '  return request.amount > 5000 ? { outcome: "declined", declineCode: "over_limit", processorReference: "ad_" + request.idempotencyKey }',
      '    : { outcome: "authorized", processorReference: "ad_" + request.idempotencyKey };',
      '}',
    ].join('\n'));
    const server = await startLocalServer(['--processor', 'adapter.mjs'], { cwd: dir });
    try {
      const authorized = await post(server, payment({ amount: 100 }));
      const declined = await post(server, payment({ amount: 9000 }));
      expect([authorized.status, declined.status]).toEqual([201, 402]);
      const { transactionId } = JSON.parse(authorized.text);
      expect(JSON.parse(authorized.text).processorReference).toBe(`ad_${transactionId}`);
      expect(JSON.parse(declined.text).error.declineCode).toBe('over_limit');
      const seen = readFileSync(calls, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
      expect(seen[0]).toMatchObject({ transactionId, idempotencyKey: transactionId, amount: 100, paymentMethodToken: 'tok_visa' });
    } finally {
      await server.stop();
    }
  });

  test('--processor none accepts payments without a processor', async () => {
    const server = await startLocalServer(['--processor', 'none']);
    try {
      const created = await post(server, payment());
      expect([created.status, JSON.parse(created.text).status]).toEqual([201, 'accepted']);
    } finally {
      await server.stop();
    }
  });

  test('without --api-key, makes up a key, prints it, and takes only it', async () => {
    const server = await startLocalServer([], { apiKey: false });
    try {
      const printed = /API key \(x-api-key\): (\S+)/.exec(server.stdout())![1];
      expect(printed).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect((await post(server, payment(), { 'x-api-key': printed })).status).toBe(201);
      expect((await post(server, payment())).status).toBe(403);
    } finally {
      await server.stop();
    }
  });

  test.each([
    [['--port', 'eighty'], '--port eighty: give a whole number from 0 to 65535.'],
    [['--api-key', 'demo=short'], '--api-key demo=short: give NAME=VALUE'],
    [['--processor-timeout', '30'], '--processor-timeout 30: give a whole number from 1 to 15.'],
    [['--colour'], 'Unknown option \'--colour\''],
  ])('refuses %j, naming the option and what it takes', async (args, message) => {
    const run = await runLocalCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('Usage: payment-platform-local');
  });
});
