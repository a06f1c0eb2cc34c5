import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { getPayment, jsonHeaders, postPayment, validBody } from './events';
import { PaymentHarness, startPaymentHandler } from './payment-harness';
import { IdempotencyStore } from '../../src/handlers/idempotency';
import { Ledger } from '../../src/handlers/ledger';
import { routePaymentRequest } from '../../src/handlers/payment-routes';
import { PaymentService } from '../../src/handlers/payments';

/**
 * What a careless or hostile client sends, through the payment handler against moto_server: one
 * describe per class of input that contract version 3 settles. Every refusal is checked to have
 * stored nothing, in the ledger or the idempotency table.
 */
let harness: PaymentHarness;
let keyCounter = 0;
const newKey = () => `hostile-${Date.now()}-${++keyCounter}`;

beforeAll(async () => {
  harness = await startPaymentHandler();
});

afterAll(async () => {
  await harness?.stop();
});

const post = (body: string, key = newKey(), contentType = 'application/json') =>
  harness.invoke(postPayment({ headers: { 'Content-Type': contentType, 'Idempotency-Key': key }, body }));
const errorOf = (response: APIGatewayProxyResult) => JSON.parse(response.body).error;

/** Sends a body that must be refused, and checks the status, code and that nothing was stored. */
async function expectRefused(body: string, status: number, code: string, key = newKey()): Promise<APIGatewayProxyResult> {
  const before = await harness.counts();
  const response = await post(body, key);
  expect({ status: response.statusCode, code: errorOf(response).code }).toEqual({ status, code });
  expect(await harness.counts()).toEqual(before);
  return response;
}

const CARD = '4111111111111111';
const grouped = (separator: string, digits = CARD) => digits.match(/.{1,4}/g)!.join(separator);

describe('separators: any run of the contract\'s separators between digits', () => {
  test.each([
    ['two spaces', '  '],
    ['a tab', '\t'],
    ['a line feed', '\n'],
    ['CR LF', '\r\n'],
    ['a no-break space', '\u00a0'],
    ['a thin space', '\u2009'],
    ['a narrow no-break space', '\u202f'],
    ['an ideographic space', '\u3000'],
    ['an en dash', '\u2013'],
    ['a spaced en dash', ' \u2013 '],
    ['an em dash', '\u2014'],
    ['a non-breaking hyphen', '\u2011'],
    ['a minus sign', '\u2212'],
    ['a dot', '.'],
    ['a slash', '/'],
    ['a zero-width space', '\u200b'],
    ['a word joiner', '\u2060'],
    ['a soft hyphen', '\u00ad'],
    ['an underscore', '_'],
    ['an undertie (connector punctuation)', '\u203f'],
    ['a fullwidth low line', '\uff3f'],
    ['a mix of all of them', ' -_\u00a0\u2013./\u200b\t'],
  ])('a card number grouped with %s is refused with card_data_rejected and echoed nowhere', async (_case, separator) => {
    const text = grouped(separator);
    const mark = harness.output.mark();
    const response = await expectRefused(validBody({ description: `Order for ${text} thanks` }), 400, 'card_data_rejected');
    for (const form of [text, CARD]) {
      expect(response.body).not.toContain(form);
      expect(harness.output.textSince(mark)).not.toContain(form);
    }
  });

  test('one separator between every digit, in a metadata key, a metadata value and a nested unknown field', async () => {
    const spaced = CARD.split('').join(' ');
    await expectRefused(validBody({ metadata: { [spaced.slice(0, 40)]: 'x' } }), 400, 'card_data_rejected');
    await expectRefused(validBody({ metadata: { note: spaced } }), 400, 'card_data_rejected');
    await expectRefused(validBody({ extra: { deep: [[{ value: spaced }]] } }), 400, 'card_data_rejected');
  });

  test('separators written as JSON escapes count as the characters they stand for', async () => {
    const body = validBody({ description: 'PLACEHOLDER' }).replace('PLACEHOLDER', '4111\\u00a01111\\t1111\\n1111');
    await expectRefused(body, 400, 'card_data_rejected');
  });

  test('a comma or a letter between the groups ends the number', async () => {
    const response = await post(validBody({ description: '4111 1111, 1111 1111 and 4111 1111 x 1111 1111' }));
    expect(response.statusCode).toBe(201);
  });
});

describe('what version 3 accepts that version 2 refused, and the number version 2 missed', () => {
  test.each([
    ['a transaction id quoted back', 'refund of d1851166-6738-4771-9baf-c51929130b3c'],
    ['decimal amounts run together by dots and spaces', '19.99 29.99 49.99 99.99'],
    ['a German mobile in international form', 'Rückruf +49 151 2345 6789'],
    ['a Chinese mobile in international form', '联系电话 +86 139 1234 5678'],
    ['a USPS tracking number grouped in fours', 'USPS 9400 1118 9922 3344 5566 77'],
    ['a date range written with separators only', 'Zeitraum 12.07.2026 - 22.04.2027'],
    ['an IMEI, Luhn-valid by design', 'IMEI 35-209900-176148-1'],
    ['a 13-digit millisecond timestamp', 'created 1733312345678'],
    ['an ISBN-13', 'ISBN 978-3-16-148410-0'],
    ['a legacy 13-digit Visa test number, outside the table', 'test 4222222222222'],
  ])('%s is accepted', async (_case, description) => {
    const response = await post(validBody({ description }));
    expect(response.statusCode).toBe(201);
  });

  test('a card number separated by underscores is refused, and echoed nowhere', async () => {
    const text = '4770_0000_0118_7855';
    const mark = harness.output.mark();
    const response = await expectRefused(validBody({ metadata: { note: `card ${text}` } }), 400, 'card_data_rejected');
    for (const form of [text, '4770000001187855']) {
      expect(response.body).not.toContain(form);
      expect(harness.output.textSince(mark)).not.toContain(form);
    }
  });
});

describe('digit scripts: any Unicode decimal digit counts as its value', () => {
  const inScript = (zero: number, digits = CARD) => Array.from(digits, (d) => String.fromCodePoint(zero + Number(d))).join('');
  test.each([
    ['fullwidth', 0xff10],
    ['Arabic-Indic', 0x0660],
    ['Extended Arabic-Indic', 0x06f0],
    ['Devanagari', 0x0966],
    ['Bengali', 0x09e6],
    ['Thai', 0x0e50],
    ['Mathematical bold (outside the BMP)', 0x1d7ce],
    ['Mathematical monospace (the last of five adjacent sets)', 0x1d7f6],
  ])('a card number in %s digits is refused', async (_case, zero) => {
    await expectRefused(validBody({ description: `card ${grouped(' ', inScript(zero))}` }), 400, 'card_data_rejected');
  });

  test('a card number that mixes scripts digit by digit, sent as \\u escapes, is refused', async () => {
    const zeros = [0x30, 0xff10, 0x0660, 0x0966];
    const escaped = Array.from(CARD, (d, i) => `\\u${(zeros[i % zeros.length] + Number(d)).toString(16).padStart(4, '0')}`).join('');
    await expectRefused(validBody({ description: 'X' }).replace('"X"', `"${escaped}"`), 400, 'card_data_rejected');
  });
});

describe('depth: at most 32 levels of objects and arrays', () => {
  const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
  test('32 levels (the top-level object and 31 below it) are read; the unknown field is the only fault', async () => {
    const response = await expectRefused(validBody().replace(/}$/, `,"extra":${nested(31)}}`), 400, 'validation_error');
    expect(errorOf(response).details).toEqual([{ field: 'extra', issue: 'is not a known field' }]);
  });

  test('33 levels: 400 invalid_json', async () => {
    const response = await expectRefused(validBody().replace(/}$/, `,"extra":${nested(32)}}`), 400, 'invalid_json');
    expect(errorOf(response).message).toBe('The request body must not nest objects and arrays more than 32 levels deep.');
  });

  test('8,000 nested arrays, as deep as 16 KiB allows: 400 invalid_json, not a stack overflow', async () => {
    await expectRefused(`{"a":${nested(8000)}}`, 400, 'invalid_json');
  });
});

describe('well-formed strings: a lone surrogate is a validation_error naming the field', () => {
  test.each([
    ['a high surrogate in description', { description: 'abc\\ud800' }, 'description'],
    ['a low surrogate in description', { description: '\\udc00abc' }, 'description'],
    ['a reversed pair in description', { description: '\\ude00\\ud83d' }, 'description'],
    ['a high surrogate in a metadata value', { metadata: { note: '\\ud800' } }, 'metadata.note'],
    ['a high surrogate in a metadata key', { metadata: { 'k\\ud800': 'v' } }, 'metadata.k\ufffd'],
    ['a surrogate in the token', { paymentMethodToken: 'tok_\\udbff' }, 'paymentMethodToken'],
  ])('%s', async (_case, fields, field) => {
    const body = validBody(fields).replace(/\\\\u/g, '\\u');
    const response = await expectRefused(body, 400, 'validation_error');
    expect(errorOf(response).details).toEqual([{ field, issue: expect.stringContaining('well-formed Unicode') }]);
  });

  test('an escaped surrogate pair is one character and is accepted', async () => {
    const body = validBody({ description: 'X' }).replace('"X"', '"thanks \\ud83d\\ude00"');
    const response = await post(body);
    expect(response.statusCode).toBe(201);
    const [item] = (await harness.moto.scan('ledger')).filter((i) => i.transaction_id.S === JSON.parse(response.body).transactionId);
    expect(item.description).toEqual({ S: 'thanks \u{1f600}' });
  });

  test('metadata keys named like JavaScript\'s object internals are ordinary keys, stored as sent', async () => {
    const metadata = '{"__proto__":"a","constructor":"b","toString":"c","hasOwnProperty":"d"}';
    const response = await post(validBody().replace(/}$/, `,"metadata":${metadata}}`));
    expect(response.statusCode).toBe(201);
    const [item] = (await harness.moto.scan('ledger')).filter((i) => i.transaction_id.S === JSON.parse(response.body).transactionId);
    expect(JSON.stringify(item.metadata)).toBe('{"M":{"__proto__":{"S":"a"},"constructor":{"S":"b"},"toString":{"S":"c"},"hasOwnProperty":{"S":"d"}}}');
  });

  test('UTF-8 bytes that encode a surrogate (ED A0 80) are not UTF-8: 400 invalid_json', async () => {
    const bytes = Buffer.concat([Buffer.from(validBody().slice(0, -1) + ',"description":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]);
    const before = await harness.counts();
    const response = await harness.invoke(postPayment({ headers: jsonHeaders(newKey()), body: bytes.toString('base64'), isBase64Encoded: true }));
    expect(errorOf(response).code).toBe('invalid_json');
    expect(await harness.counts()).toEqual(before);
  });
});

describe('number tokens: amount is written as a JSON integer', () => {
  test.each(['1999.0', '1.999e3', '1999e0', '19.99E2', '1999.00', '"1999"'])('amount %s: 400 validation_error naming amount', async (token) => {
    const response = await expectRefused(validBody().replace('"amount":1999', `"amount":${token}`), 400, 'validation_error');
    expect(errorOf(response).details).toEqual([{ field: 'amount', issue: expect.stringContaining('without quotes, a decimal point or an exponent') }]);
  });

  test('amount 1999 as an integer token is accepted as 1999', async () => {
    const response = await post(validBody());
    expect(JSON.parse(response.body).amount).toBe(1999);
  });
});

describe('repeated member names: 400 invalid_json at any level', () => {
  test.each([
    ['amount twice', '{"amount":1,"currency":"USD","merchantId":"m_1","paymentMethodToken":"t","amount":1999}'],
    ['the same name, once escaped', '{"amount":1999,"currency":"USD","merchantId":"m_1","paymentMethodToken":"t","\\u0061mount":1}'],
    ['a metadata key twice', '{"amount":1999,"currency":"USD","merchantId":"m_1","paymentMethodToken":"t","metadata":{"a":"1","a":"2"}}'],
    ['a name twice deep in an unknown field', '{"amount":1999,"currency":"USD","merchantId":"m_1","paymentMethodToken":"t","x":[{"y":{"z":1,"z":1}}]}'],
  ])('%s', async (_case, body) => {
    const response = await expectRefused(body, 400, 'invalid_json');
    expect(errorOf(response).message).toBe('The request body must not repeat a member name within one object.');
  });

  test('the same name in two different objects is fine', async () => {
    const response = await post(validBody({ metadata: { amount: '1', currency: 'x' } }));
    expect(response.statusCode).toBe(201);
  });
});

describe('media type: application/json with any parameters', () => {
  test.each([
    'application/json;',
    'application/json; charset=utf-8',
    'application/json; charset="UTF-8"',
    'APPLICATION/JSON;CHARSET=UTF-8',
    'application/json ; charset=utf-8',
    'application/json; version=2',
    'application/json;;charset=utf-8; q="a;b"',
  ])('%s is accepted', async (contentType) => {
    const response = await post(validBody(), newKey(), contentType);
    expect(response.statusCode).toBe(201);
  });

  test.each([
    'application/json; charset',
    'application/json; charset="utf-8',
    'application/json, text/plain',
    'application/jsonp',
    'application/json-patch+json',
    'text/json',
    'application/json x',
  ])('%s: 415 unsupported_media_type', async (contentType) => {
    const before = await harness.counts();
    const response = await post(validBody(), newKey(), contentType);
    expect(errorOf(response).code).toBe('unsupported_media_type');
    expect(response.statusCode).toBe(415);
    expect(await harness.counts()).toEqual(before);
  });
});

describe('a key reused after a refusal', () => {
  test.each([
    ['a card number', validBody({ description: grouped('  ') })],
    ['a lone surrogate', validBody({ description: 'X' }).replace('"X"', '"\\ud800"')],
    ['a decimal amount', validBody().replace('"amount":1999', '"amount":1999.0')],
    ['a repeated name', validBody().replace(/}$/, ',"amount":5}')],
    ['too deep', validBody().replace(/}$/, `,"x":${'['.repeat(40)}${']'.repeat(40)}}`)],
  ])('after %s, the same key with a corrected body is accepted', async (_case, refusedBody) => {
    const key = newKey();
    const refused = await post(refusedBody, key);
    expect(refused.statusCode).toBe(400);
    const accepted = await post(validBody(), key);
    expect(accepted.statusCode).toBe(201);
    expect(accepted.headers?.['Idempotent-Replayed']).toBeUndefined();
  });
});

describe('response hygiene', () => {
  test('every response, success or error, carries X-Content-Type-Options: nosniff', async () => {
    const created = await post(validBody());
    const responses = [
      created,
      await post('[]'),
      await post(validBody(), newKey(), 'text/plain'),
      await harness.invoke(getPayment(JSON.parse(created.body).transactionId)),
      await harness.invoke(getPayment('00000000-0000-4000-8000-000000000000')),
    ];
    for (const response of responses) {
      expect(response.headers).toMatchObject({ 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
    }
  });

  test('a field name echoed in details is cut to 40 characters', async () => {
    const name = `field_${'x'.repeat(100)}`;
    const emojiName = '\u{1f600}'.repeat(50);
    const response = await expectRefused(validBody({ [name]: 1, metadata: { [emojiName]: 'v' } }), 400, 'validation_error');
    const fields = errorOf(response).details.map((detail: { field: string }) => detail.field);
    expect(fields).toEqual(['metadata', name.slice(0, 40)]);
    const longMetadataValue = await expectRefused(validBody({ metadata: { [`k${'y'.repeat(39)}`]: 'v'.repeat(501) } }), 400, 'validation_error');
    expect(errorOf(longMetadataValue).details[0].field).toBe(`metadata.k${'y'.repeat(30)}`);
  });

  test('503 on GET: Retry-After, and a message that says nothing of an idempotency key', async () => {
    // A real client pointed at a closed port on loopback: DynamoDB cannot be reached.
    const closed = new DynamoDBClient({
      ...harness.moto.clientConfig(), endpoint: 'http://127.0.0.1:9', maxAttempts: 1,
    });
    const service = new PaymentService({ ledger: new Ledger(closed, 'ledger'), idempotency: new IdempotencyStore(closed, 'idempotency', 86400) });
    const outcome = await routePaymentRequest(getPayment('00000000-0000-4000-8000-000000000000'), service, false);
    expect(outcome.response.statusCode).toBe(503);
    expect(outcome.response.headers?.['Retry-After']).toEqual(expect.stringMatching(/^[1-9]\d*$/));
    const error = errorOf(outcome.response);
    expect(error.code).toBe('service_unavailable');
    expect(error.message).toBe('The service is temporarily unavailable. Retry after the time in the Retry-After header.');
    const posted = await routePaymentRequest(postPayment({ headers: jsonHeaders(newKey()) }), service, false);
    expect(errorOf(posted.response).message).toBe('The service is temporarily unavailable. Retry with the same Idempotency-Key.');
  });
});
