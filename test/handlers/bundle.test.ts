import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Stack } from 'aws-cdk-lib';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { MotoServer } from './moto';
import { AuditWriterFunction } from '../../src/handlers/audit-writer-function';
import { PaymentHandlerFunction } from '../../src/handlers/payment-handler-function';

/**
 * The handler bundles that ship in the npm package, as Lambda runs them: minified ES modules with
 * the AWS SDK and Powertools inside, working in a fresh Node.js process with nothing else installed.
 */
const ASSETS = join(__dirname, '..', '..', 'assets', 'handlers');
const bundles = ['payment-handler.lambda', 'audit-writer.lambda'];
const BUILTIN = new Set(builtinModules);

/**
 * How the Lambda Node.js runtime finds the module of a handler such as `index.handler` in the task
 * root: `index.js` first (CommonJS, unless a package.json says `"type": "module"`), then
 * `index.mjs` (an ES module, imported), then `index.cjs`.
 */
function lambdaModule(taskRoot: string, handler: string): { file: string; loader: 'import' | 'require' } {
  const module = handler.slice(0, handler.lastIndexOf('.'));
  for (const [extension, loader] of [['.js', 'require'], ['.mjs', 'import'], ['.cjs', 'require']] as const) {
    const file = join(taskRoot, module + extension);
    if (existsSync(file)) {
      return { file, loader };
    }
  }
  throw new Error(`no module for handler ${handler} in ${taskRoot}`);
}

describe.each(bundles)('%s', (name) => {
  const file = join(ASSETS, name, 'index.mjs');

  test('is one minified ES module that brings its own SDK clients and Powertools', () => {
    const code = readFileSync(file, 'utf8');
    expect(statSync(file).size).toBeLessThan(1024 * 1024);
    // Minified: thousands of characters per line, where readable code has tens.
    expect(code.length / code.split('\n').length).toBeGreaterThan(2000);
    // Nothing is loaded from outside but Node.js's own modules, statically or dynamically. (The SDK's
    // error text that says how to register its optional CRT signer, `[require("…");]`, is no load.)
    const imported = [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|(?<!\[)\brequire\s*\(\s*)"([^"]+)"/g)].map((match) => match[1]);
    expect(imported.length).toBeGreaterThan(0);
    expect(imported.filter((specifier) => !BUILTIN.has(specifier.replace(/^node:/, '')))).toEqual([]);
  });

  test('is the module the Lambda runtime imports for the handler the construct names', () => {
    expect(lambdaModule(join(ASSETS, name), 'index.handler')).toEqual({ file, loader: 'import' });
  });
});

test('the constructs name the handler index.handler, on a Node.js runtime that imports ES modules', () => {
  const stack = new Stack();
  for (const fn of [new PaymentHandlerFunction(stack, 'Payment'), new AuditWriterFunction(stack, 'Audit')]) {
    const resource = fn.node.defaultChild as CfnFunction;
    expect(resource.handler).toBe('index.handler');
    expect(resource.runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
  }
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

  test('accepts a payment in a fresh Node.js process that imports it as Lambda does, against DynamoDB on moto_server', async () => {
    const { file, loader } = lambdaModule(join(ASSETS, 'payment-handler.lambda'), 'index.handler');
    expect(loader).toBe('import');
    // As the runtime does for an ES module: import() of its file URL, then the exported handler.
    const script = `
      const { handler } = await import(${JSON.stringify(pathToFileURL(file).href)});
      const event = {
        httpMethod: 'POST', resource: '/payments', path: '/payments', isBase64Encoded: false,
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'bundle-1' },
        multiValueHeaders: { 'Content-Type': ['application/json'], 'Idempotency-Key': ['bundle-1'] },
        body: JSON.stringify({ amount: 1999, currency: 'USD', merchantId: 'm_1', paymentMethodToken: 'tok_1' }),
        requestContext: { requestId: 'bundle-request', identity: { apiKeyId: 'bundle-key' } },
      };
      const context = { functionName: 'payment-handler', awsRequestId: 'r', getRemainingTimeInMillis: () => 30000 };
      console.log('RESULT ' + JSON.stringify(await handler(event, context)));
    `;
    // A directory without node_modules, so that the bundle can only use what it carries.
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
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
