import { spawn } from 'node:child_process';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { createPayment } from '../../examples/create-payment';

/**
 * The client examples of docs/running.md (TypeScript with @smithy/signature-v4, Python with
 * botocore), run against a server on 127.0.0.1 that answers like the payments API: a 503 with
 * `Retry-After: 1`, then 201. The server checks every request's SigV4 signature by signing it again with the same
 * secret and time, so the examples are shown to sign what they send.
 */
const CREDENTIALS = { accessKeyId: 'AKIAEXAMPLEEXAMPLE01', secretAccessKey: 'example/secret/key/for/loopback/tests/only' };
const REGION = 'us-east-2';
const verifier = new SignatureV4({ service: 'execute-api', region: REGION, credentials: CREDENTIALS, sha256: Hash.bind(null, 'sha256'), applyChecksum: false });

interface Received { at: number; idempotencyKey?: string; apiKey?: string; authorization?: string; expected?: string; body: string }

let server: Server;
let received: Received[];
let url: string;

async function expectedAuthorization(request: IncomingMessage, body: string): Promise<string | undefined> {
  const authorization = request.headers.authorization ?? '';
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!match) {
    return undefined;
  }
  const [, y, mo, d, h, mi, s] = match;
  const headers = Object.fromEntries(signedHeaders.map((name) => [name, String(request.headers[name])]));
  const signed = await verifier.sign({
    method: request.method!, protocol: 'http:', hostname: '127.0.0.1', path: request.url!, headers, body,
  }, { signingDate: new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s)) });
  return signed.headers.authorization;
}

beforeEach(async () => {
  received = [];
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      void expectedAuthorization(request, body).then((expected) => {
        received.push({
          at: Date.now(),
          idempotencyKey: request.headers['idempotency-key'] as string,
          apiKey: request.headers['x-api-key'] as string,
          authorization: request.headers.authorization,
          expected,
          body,
        });
        if (received.length === 1) {
          response.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '1' });
          response.end(JSON.stringify({ error: { code: 'service_unavailable', message: 'Try again.' } }));
          return;
        }
        response.writeHead(201, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ transactionId: 'tx_1', status: 'accepted' }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/payments`;
});

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function expectSignedRetry() {
  expect(received).toHaveLength(2);
  for (const request of received) {
    expect(request.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/\\d{8}/${REGION}/execute-api/aws4_request, `
      + 'SignedHeaders=[^,]*idempotency-key[^,]*x-api-key'));
    expect(request.authorization).toBe(request.expected);
    expect(request.apiKey).toBe('key-1');
    expect(JSON.parse(request.body)).toEqual({ amount: 1999, currency: 'USD', merchantId: 'm_1', paymentMethodToken: 'tok_visa_4242' });
  }
  expect(received[1].idempotencyKey).toBe(received[0].idempotencyKey);
  expect(received[1].at - received[0].at).toBeGreaterThanOrEqual(950);
}

const BODY = { amount: 1999, currency: 'USD', merchantId: 'm_1', paymentMethodToken: 'tok_visa_4242' };

test('TypeScript: signs each attempt, keeps the Idempotency-Key, and waits as Retry-After says', async () => {
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  try {
    const result = await createPayment({ url, apiKey: 'key-1', region: REGION, body: BODY });
    expect(result).toEqual({ status: 201, body: { transactionId: 'tx_1', status: 'accepted' }, attempts: 2 });
  } finally {
    process.env = saved;
  }
  expectSignedRetry();
});

test('Python with botocore: signs each attempt, keeps the Idempotency-Key, and waits as Retry-After says', async () => {
  const output = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('python3', [join(__dirname, '../../examples/create_payment.py')], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PAYMENTS_URL: url,
        API_KEY: 'key-1',
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  expect(output.stderr).toBe('');
  expect(output.code).toBe(0);
  expect(JSON.parse(output.stdout)).toEqual({ status: 201, body: { transactionId: 'tx_1', status: 'accepted' }, attempts: 2 });
  expectSignedRetry();
});
