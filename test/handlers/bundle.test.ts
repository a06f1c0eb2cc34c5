import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MotoServer } from './moto';

/**
 * The handler bundles that ship in the npm package, as Lambda runs them: minified, with the AWS SDK
 * and Powertools inside, and working in a fresh Node.js process with nothing else installed.
 */
const ASSETS = join(__dirname, '..', '..', 'assets', 'handlers');
const bundles = ['payment-handler.lambda', 'audit-writer.lambda'];
const BUILTIN = new Set(builtinModules);

describe.each(bundles)('%s', (name) => {
  const file = join(ASSETS, name, 'index.js');

  test('is one minified file that brings its own SDK clients and Powertools', () => {
    const code = readFileSync(file, 'utf8');
    expect(statSync(file).size).toBeLessThan(1024 * 1024);
    // Minified: thousands of characters per line, where readable code has tens.
    expect(code.length / code.split('\n').length).toBeGreaterThan(2000);
    // The only package left outside is the SDK's optional CRT signer, which it loads in a try block
    // for SigV4a only; DynamoDB and S3 never need it.
    const external = new Set([...code.matchAll(/require\("([^"]+)"\)/g)]
      .map((match) => match[1])
      .filter((required) => !BUILTIN.has(required.replace(/^node:/, ''))));
    expect([...external]).toEqual(['@aws-sdk/signature-v4-crt']);
  });
});

describe('the payment handler bundle', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await MotoServer.start();
    await moto.createLedgerTable('ledger');
    await moto.createIdempotencyTable('idempotency');
  });
  afterAll(async () => {
    await moto?.stop();
  });

  test('accepts a payment in a fresh Node.js process, against DynamoDB on moto_server', async () => {
    const script = `
      const { handler } = require(${JSON.stringify(join(ASSETS, 'payment-handler.lambda', 'index.js'))});
      const event = {
        httpMethod: 'POST', resource: '/payments', path: '/payments', isBase64Encoded: false,
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'bundle-1' },
        multiValueHeaders: { 'Content-Type': ['application/json'], 'Idempotency-Key': ['bundle-1'] },
        body: JSON.stringify({ amount: 1999, currency: 'USD', merchantId: 'm_1', paymentMethodToken: 'tok_1' }),
        requestContext: { requestId: 'bundle-request', identity: { apiKeyId: 'bundle-key' } },
      };
      const context = { functionName: 'payment-handler', awsRequestId: 'r', getRemainingTimeInMillis: () => 30000 };
      handler(event, context).then((response) => console.log('RESULT ' + JSON.stringify(response)));
    `;
    // A directory without node_modules, so that the bundle can only use what it carries.
    const run = spawnSync(process.execPath, ['-e', script], {
      cwd: tmpdir(),
      env: {
        PATH: process.env.PATH,
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        LEDGER_TABLE_NAME: 'ledger',
        IDEMPOTENCY_TABLE_NAME: 'idempotency',
        IDEMPOTENCY_TTL_SECONDS: '86400',
        IAM_AUTHORIZATION: 'false',
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(0);
    const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    const response = JSON.parse(line!.slice('RESULT '.length));
    expect(response.statusCode).toBe(201);
    expect(JSON.parse(response.body)).toMatchObject({ status: 'accepted', amount: 1999 });
    expect(await moto.scan('ledger')).toHaveLength(1);
  });
});
