import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { Template } from 'aws-cdk-lib/assertions';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as fc from 'fast-check';
import { PaymentApi, PaymentsApiDocument, Profiles } from '../src';
import { coldStartSuite } from './handlers/cold-start-suite';
import { coldStart, getPayment, jsonHeaders, lambdaContext, postPayment, validBody } from './handlers/events';
import { LambdaStandIn } from './handlers/lambda-stand-in';
import { HANDLER_ENVIRONMENT, IDEMPOTENCY, LEDGER, propertyRuns } from './handlers/payment-harness';
import { newStack } from './setup/stacks';
import { ACTIVE_CURRENCIES } from '../src/handlers/currencies';
import { validatePayment } from '../src/handlers/payment-request';

const ROOT = join(__dirname, '..');
const DOCUMENT_ID = 'https://payment-platform.example/openapi.json';
const document = PaymentsApiDocument.toObject();

/** Validators of the document's own schemas (JSON Schema 2020-12, as OpenAPI 3.1 uses), by JSON pointer into it. */
function documentSchemas() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  return (pointer: string) => ajv.getSchema(`${DOCUMENT_ID}#${pointer}`)!;
}
const schemaAt = documentSchemas();
const pointer = (...parts: string[]) => parts.map((part) => `/${part.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/** Runs the OpenAPI 3.1 schema validator (an ES module) on a document, in a process of its own. */
function openApiValidation(text: string): { valid: boolean; errors?: unknown } {
  const script = 'import { Validator } from "@seriousme/openapi-schema-validator";'
    + 'const text = await new Promise((ok) => { let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => ok(s)); });'
    + 'const validator = new Validator();'
    + 'const result = await validator.validate(JSON.parse(text));'
    + 'process.stdout.write(JSON.stringify({ valid: result.valid, version: validator.version, errors: result.errors }));';
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, input: text, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  const result = JSON.parse(run.stdout);
  expect(result.version).toBe('3.1');
  return result;
}

describe('the OpenAPI document', () => {
  test('is a valid OpenAPI 3.1 document, and the validator refuses a broken one', () => {
    expect(openApiValidation(PaymentsApiDocument.toJson())).toEqual({ valid: true, version: '3.1' });
    const broken = { ...document, paths: { '/payments': { post: { responses: { 201: {} } } } } };
    expect(openApiValidation(JSON.stringify(broken)).valid).toBe(false);
  });

  test('ships as openapi.json at the package root, as the build writes it', () => {
    expect(readFileSync(join(ROOT, 'openapi.json'), 'utf8')).toBe(PaymentsApiDocument.toJson());
    expect(JSON.parse(PaymentsApiDocument.toJson()).info.version).toBe(PaymentsApiDocument.CONTRACT_VERSION);
  });

  test('describes both operations, with the API key and the Idempotency-Key header', () => {
    expect(Object.keys(document.paths)).toEqual(['/payments', '/payments/{transactionId}']);
    expect(document.components.securitySchemes.apiKey).toEqual({ type: 'apiKey', in: 'header', name: 'x-api-key' });
    expect(document.components.parameters.IdempotencyKey).toMatchObject({ name: 'Idempotency-Key', in: 'header', required: true });
  });

  test('lists exactly the handler\'s currencies', () => {
    expect(document.components.schemas.PaymentRequest.properties.currency.enum).toEqual([...ACTIVE_CURRENCIES].sort());
  });
});

describe('the request schema and the handler\'s field rules', () => {
  const requestSchema = schemaAt(pointer('components', 'schemas', 'PaymentRequest'));
  const handlerAccepts = (body: Record<string, unknown>) => {
    try {
      validatePayment(body);
      return true;
    } catch {
      return false;
    }
  };

  /** A string of `length` code points, of letters, digits and an emoji, which is one code point and two UTF-16 units. */
  const text = (length: number) => fc.array(fc.constantFrom('a', 'Z', '7', '_', '-', '😀', 'é'), { minLength: length, maxLength: length }).map((cs) => cs.join(''));
  const upTo = (limit: number, min = 0) => fc.integer({ min, max: limit }).chain(text);
  const justOver = (limit: number) => fc.integer({ min: limit + 1, max: limit + 2 }).chain(text);
  /** A field that is mostly valid, sometimes invalid, sometimes left out. */
  const field = <T, U>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<U>, leftOut = 1) => fc.oneof(
    { arbitrary: valid, weight: 12 }, { arbitrary: invalid, weight: 2 }, { arbitrary: fc.constant(undefined), weight: leftOut },
  );
  const body = fc.record({
    amount: field(fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 99_999_997, max: 99_999_999 })),
      fc.constantFrom(-1, 0, 100_000_000, 1.5, '1999', null)),
    currency: field(fc.constantFrom(...ACTIVE_CURRENCIES), fc.constantFrom('usd', 'XXX', 'XAU', 'BGN', 'HRK', 'US', 'USDD', '', 840)),
    merchantId: field(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), fc.oneof(justOver(64).map((m) => m.replace(/[^A-Za-z0-9_-]/g, 'x')), fc.constantFrom('m 1', 'm/1', 'é', '', 7))),
    paymentMethodToken: field(upTo(128, 1), fc.oneof(justOver(128), fc.constantFrom('', null, 42))),
    description: field(upTo(500), fc.oneof(justOver(500), fc.constant(3)), 6),
    metadata: field(
      fc.dictionary(upTo(40, 1), upTo(500), { maxKeys: 20 }),
      fc.oneof(
        fc.dictionary(upTo(40, 1), upTo(2), { minKeys: 21, maxKeys: 22 }),
        fc.dictionary(justOver(40), upTo(2), { minKeys: 1, maxKeys: 2 }),
        fc.dictionary(upTo(40, 1), justOver(500), { minKeys: 1, maxKeys: 2 }),
        fc.constantFrom([], 'order 42', { '': 'v' }, { k: 5 }),
      ),
      6,
    ),
    extra: fc.oneof({ arbitrary: fc.constant(undefined), weight: 12 }, { arbitrary: fc.constant('unknown field'), weight: 1 }),
  }).map((record) => Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)));

  test('a body is valid under the document exactly when the handler accepts its fields', () => {
    let accepted = 0;
    fc.assert(fc.property(body, (candidate) => {
      const valid = requestSchema(candidate) === true;
      expect({ candidate, valid }).toEqual({ candidate, valid: handlerAccepts(candidate) });
      accepted += valid ? 1 : 0;
    }), { numRuns: propertyRuns(2000), seed: 20261207 });
    // Both verdicts came up many times.
    expect(accepted).toBeGreaterThan(propertyRuns(2000) / 10);
    expect(accepted).toBeLessThan(propertyRuns(2000) * 0.9);
  });

  test('the REST API has the document\'s operations, and declares the document\'s header and path parameter', () => {
    const stack = newStack(Profiles.dev);
    new PaymentApi(stack, 'Payments', { profile: Profiles.dev });
    const template = Template.fromStack(stack);
    const resources = template.findResources('AWS::ApiGateway::Resource');
    const pathOf = (ref: { 'Ref'?: string; 'Fn::GetAtt'?: string[] }): string => (ref.Ref && resources[ref.Ref]
      ? `${pathOf(resources[ref.Ref].Properties.ParentId)}/${resources[ref.Ref].Properties.PathPart}` : '');
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).map((method) => ({
      path: pathOf(method.Properties.ResourceId),
      method: method.Properties.HttpMethod.toLowerCase(),
      parameters: method.Properties.RequestParameters,
    }));
    type Operation = { parameters: Array<{ $ref?: string; name?: string; in?: string }> };
    const documented = Object.entries(document.paths as Record<string, Record<string, Operation>>)
      .flatMap(([path, operations]) => Object.entries(operations).map(([method, operation]) => ({
        path,
        method,
        parameters: Object.fromEntries(operation.parameters.map((parameter) => {
          const resolved = parameter.$ref ? document.components.parameters[parameter.$ref.split('/').pop()!] : parameter;
          return [`method.request.${resolved.in === 'header' ? 'header' : 'path'}.${resolved.name}`, resolved.required];
        })),
      })));
    expect(methods).toEqual(documented);
  });

  test('every limit is where the handler puts it', () => {
    const ok = JSON.parse(validBody());
    const cases: Array<[Record<string, unknown>, boolean]> = [
      [{ ...ok, amount: 1 }, true], [{ ...ok, amount: 0 }, false], [{ ...ok, amount: 99_999_999 }, true], [{ ...ok, amount: 100_000_000 }, false],
      [{ ...ok, merchantId: 'm'.repeat(64) }, true], [{ ...ok, merchantId: 'm'.repeat(65) }, false],
      [{ ...ok, paymentMethodToken: '😀'.repeat(128) }, true], [{ ...ok, paymentMethodToken: '😀'.repeat(129) }, false],
      [{ ...ok, description: '😀'.repeat(500) }, true], [{ ...ok, description: 'd'.repeat(501) }, false],
      [{ ...ok, metadata: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'v'])) }, true],
      [{ ...ok, metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }, false],
      [{ ...ok, metadata: { ['k'.repeat(40)]: 'v'.repeat(500) } }, true], [{ ...ok, metadata: { ['k'.repeat(41)]: 'v' } }, false],
      [{ ...ok, metadata: { '': 'v' } }, false], [{ ...ok, metadata: { k: 'v'.repeat(501) } }, false],
    ];
    for (const [candidate, expected] of cases) {
      const verdicts = { candidate, document: requestSchema(candidate), handler: handlerAccepts(candidate) };
      expect(verdicts).toEqual({ candidate, document: expected, handler: expected });
    }
  });
});

describe('the handler\'s answers, as the document describes them', () => {
  type Handler = (event: APIGatewayProxyEvent, context: unknown) => Promise<APIGatewayProxyResult>;
  const suite = coldStartSuite(async (moto) => {
    await moto.createLedgerTable(LEDGER);
    await moto.createIdempotencyTable(IDEMPOTENCY);
  });
  let processor: LambdaStandIn;
  const handlers: Record<string, Handler> = {};
  beforeAll(async () => {
    processor = await LambdaStandIn.start();
    suite.moto().useAsAwsEndpoint();
    handlers.plain = coldStart<{ handler: Handler }>(HANDLER_ENVIRONMENT,
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      () => require('../src/handlers/payment-handler.lambda')).handler;
    handlers.processor = coldStart<{ handler: Handler }>(processorEnvironment(),
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      () => require('../src/handlers/processor-payment-handler.lambda')).handler;
  });
  // The SDK reads its endpoints from the environment, which the suite puts back after each test.
  beforeEach(() => Object.assign(process.env, processorEnvironment()));
  afterAll(() => processor?.stop());
  const processorEnvironment = () => ({
    ...HANDLER_ENVIRONMENT,
    AWS_ENDPOINT_URL_LAMBDA: processor.endpoint,
    PROCESSOR_FUNCTION_NAME: 'payments-processor',
    PROCESSOR_TIMEOUT_MS: '1000',
  });

  /** Every way in which an answer can disagree with the document: an undocumented status, a body or header off its schema, a required header missing. */
  function disagreements(path: string, method: string, answer: APIGatewayProxyResult): string[] {
    const response = document.paths[path][method].responses[String(answer.statusCode)];
    if (!response) {
      return [`status ${answer.statusCode} is not documented for ${method.toUpperCase()} ${path}`];
    }
    const found: string[] = [];
    const headers = Object.fromEntries(Object.entries(answer.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
    if (headers['content-type'] !== 'application/json') {
      found.push(`Content-Type is ${headers['content-type']}`);
    }
    const body = schemaAt(pointer('paths', path, method, 'responses', String(answer.statusCode), 'content', 'application/json', 'schema'));
    if (!body(JSON.parse(answer.body))) {
      found.push(`body: ${JSON.stringify(body.errors)}`);
    }
    for (const [name, header] of Object.entries(response.headers ?? {}) as Array<[string, { required: boolean }]>) {
      const value = headers[name.toLowerCase()];
      const schema = schemaAt(pointer('paths', path, method, 'responses', String(answer.statusCode), 'headers', name, 'schema'));
      if (value === undefined ? header.required : !schema(value)) {
        found.push(`header ${name}: ${value}`);
      }
    }
    return found;
  }

  let keys = 0;
  const post = (handler: string, body: string, headers: Record<string, string> = jsonHeaders(`document-${Date.now()}-${++keys}`)) =>
    handlers[handler](postPayment({ headers, body }), lambdaContext());

  test.each([
    ['plain', 'accepted', 201, validBody()],
    ['processor', 'authorized', 201, validBody({ paymentMethodToken: 'tok_visa' })],
    ['processor', 'declined', 402, validBody({ paymentMethodToken: 'tok_decline_insufficient_funds' })],
    ['processor', 'a processor failure', 503, validBody({ paymentMethodToken: 'tok_error' })],
    ['plain', 'a field error', 400, validBody({ amount: 0, currency: 'usd', extra: 1 })],
    ['plain', 'a card number', 400, validBody({ description: '4242 4242 4242 4242' })],
    ['plain', 'broken JSON', 400, '{"amount":'],
    ['plain', 'a body over 16 KiB', 413, validBody({ description: 'd'.repeat(17_000) })],
  ])('POST /payments (%s handler): %s answers %d as documented', async (handler, _case, status, body) => {
    const answer = await post(handler, body);
    expect({ status: answer.statusCode, body: answer.body }).toEqual({ status, body: expect.any(String) });
    expect(disagreements('/payments', 'post', answer)).toEqual([]);
  });

  test('POST /payments: header refusals, a replay, a reused key and GET answers are as documented', async () => {
    const answers: Array<[string, string, APIGatewayProxyResult]> = [];
    const key = `document-${Date.now()}-replay`;
    const first = await post('processor', validBody(), jsonHeaders(key));
    answers.push(['/payments', 'post', first]);
    answers.push(['/payments', 'post', await post('processor', validBody(), jsonHeaders(key))]);
    answers.push(['/payments', 'post', await post('processor', validBody({ amount: 5 }), jsonHeaders(key))]);
    answers.push(['/payments', 'post', await post('plain', validBody(), { 'Content-Type': 'application/json' })]);
    answers.push(['/payments', 'post', await post('plain', validBody(), { 'Content-Type': 'application/json', 'Idempotency-Key': 'a key' })]);
    answers.push(['/payments', 'post', await post('plain', validBody(), { 'Content-Type': 'text/plain', 'Idempotency-Key': 'k' })]);
    const transactionId = JSON.parse(first.body).transactionId;
    answers.push(['/payments/{transactionId}', 'get', await handlers.processor(getPayment(transactionId), lambdaContext())]);
    answers.push(['/payments/{transactionId}', 'get', await handlers.processor(getPayment('not-an-id'), lambdaContext())]);
    expect(answers.map(([, , answer]) => answer.statusCode)).toEqual([201, 201, 422, 400, 400, 415, 200, 404]);
    expect(answers.flatMap(([path, method, answer]) => disagreements(path, method, answer))).toEqual([]);
  });

  test('the check finds an answer that leaves the document: an undocumented status, a member too many, a missing Location', () => {
    const good = { statusCode: 201, headers: { 'Content-Type': 'application/json', 'Location': '/payments/0b6f3e4c-2f0e-4d59-9a57-3f1d7b1c2e10' }, body: '{}' };
    expect(disagreements('/payments', 'post', { ...good, statusCode: 418 })).toEqual(['status 418 is not documented for POST /payments']);
    const payment = { transactionId: '0b6f3e4c-2f0e-4d59-9a57-3f1d7b1c2e10', status: 'accepted', amount: 1, currency: 'USD', merchantId: 'm', createdAt: '2026-12-07T10:00:00.000Z' };
    expect(disagreements('/payments', 'post', { ...good, body: JSON.stringify(payment) })).toEqual([]);
    expect(disagreements('/payments', 'post', { ...good, body: JSON.stringify({ ...payment, paymentMethodToken: 'tok' }) })).toHaveLength(1);
    expect(disagreements('/payments', 'post', { ...good, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payment) }))
      .toEqual(['header Location: undefined']);
  });
});
