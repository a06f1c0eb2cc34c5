import * as fc from 'fast-check';
import { CONTRACT_TABLE, isContractCardNumber, someWindowIsCard, withCheckDigit } from './card-table';
import { postPayment } from './events';
import { PaymentHarness, propertyRuns, startPaymentHandler } from './payment-harness';
import { containsCardNumber } from '../../src/handlers/card-guard';
import { parsePaymentRequest } from '../../src/handlers/payment-request';

/**
 * Property-based tests of contract version 3, through the real handler against moto_server where
 * the answer depends on it. Each property runs 10,000 cases here and 100,000 with
 * `npx projen test:deep`.
 */
const CONTRACT_CODES = new Set([
  'missing_idempotency_key', 'invalid_idempotency_key', 'invalid_json', 'validation_error', 'card_data_rejected',
  'payload_too_large', 'unsupported_media_type', 'idempotency_key_reused', 'idempotency_in_progress',
]);

let harness: PaymentHarness;

beforeAll(async () => {
  harness = await startPaymentHandler();
});

afterAll(async () => {
  await harness?.stop();
});

/** Every code point of one Unicode category or property, read from the runtime's own Unicode data. */
const UNICODE = (() => {
  const zeros: number[] = [];
  const separators = { whiteSpace: [] as number[], dash: [] as number[], connector: [] as number[], format: [] as number[] };
  const nd = /^\p{Nd}$/u;
  for (let code = 0; code <= 0x10ffff; code++) {
    if (code >= 0xd800 && code <= 0xdfff) {
      continue;
    }
    const char = String.fromCodePoint(code);
    if (nd.test(char) && !nd.test(String.fromCodePoint(code - 1))) {
      // The start of a contiguous range of digits; ranges hold whole sets of ten.
      for (let zero = code; nd.test(String.fromCodePoint(zero)); zero += 10) {
        zeros.push(zero);
      }
    }
    if (/^\p{White_Space}$/u.test(char)) separators.whiteSpace.push(code);
    if (/^\p{Pd}$/u.test(char)) separators.dash.push(code);
    if (/^\p{Pc}$/u.test(char)) separators.connector.push(code);
    if (/^\p{Cf}$/u.test(char)) separators.format.push(code);
  }
  return { zeros, separators: { ...separators, dot: [0x2e, 0xb7, 0x2024, 0x3002, 0xff0e], slash: [0x2f, 0x2044, 0x2215, 0xff0f] } };
})();

test('the generators draw from every set of decimal digits and every separator class of the runtime', () => {
  expect(UNICODE.zeros.length).toBeGreaterThanOrEqual(70);
  expect(UNICODE.zeros).toEqual(expect.arrayContaining([0x30, 0x660, 0xff10, 0x1d7ce, 0x1d7f6]));
  expect(UNICODE.separators.whiteSpace).toEqual(expect.arrayContaining([0x09, 0x20, 0xa0, 0x2009, 0x3000]));
  expect(UNICODE.separators.dash).toEqual(expect.arrayContaining([0x2d, 0x2011, 0x2013, 0x2014]));
  expect(UNICODE.separators.connector).toEqual(expect.arrayContaining([0x5f, 0x203f, 0xff3f]));
  expect(UNICODE.separators.format).toEqual(expect.arrayContaining([0x200b, 0x2060, 0xfeff]));
});

/** For each row of the contract's table, every four-digit start that it holds. */
const ROW_STARTS = CONTRACT_TABLE.map(({ start, lengths }) => ({
  lengths,
  starts: Array.from({ length: 10_000 }, (_, n) => String(n).padStart(4, '0')).filter((digits) => start.test(digits)),
}));
/** Every four-digit start that no row holds. */
const OUTSIDE_STARTS = Array.from({ length: 10_000 }, (_, n) => String(n).padStart(4, '0'))
  .filter((digits) => !CONTRACT_TABLE.some(({ start }) => start.test(digits)));

/** Luhn-valid ASCII digits: `start`, random digits, and the check digit, `length` in all. */
const luhnNumber = (start: fc.Arbitrary<string>, length: fc.Arbitrary<number>) => fc.tuple(start, length).chain(([first, total]) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: total - 5, maxLength: total - 5 })
    .map((digits) => withCheckDigit(`${first}${digits.join('')}`)));

/** A card number built from a row of the table: a start the row holds, one of its lengths, and the Luhn digit. */
const cardNumber = fc.constantFrom(...ROW_STARTS).chain(({ lengths, starts }) =>
  luhnNumber(fc.constantFrom(...starts), fc.constantFrom(...lengths)));

/** The same, one digit too many or too few for its row (and no length of the row), or with a start outside the table. */
const nearMiss = fc.oneof(
  fc.constantFrom(...ROW_STARTS).chain(({ lengths, starts }) => luhnNumber(
    fc.constantFrom(...starts),
    fc.constantFrom(...lengths.flatMap((length) => [length - 1, length + 1]).filter((length) => !lengths.includes(length))),
  )),
  luhnNumber(fc.constantFrom(...OUTSIDE_STARTS), fc.integer({ min: 14, max: 19 })),
);

const separatorRun = fc.array(
  fc.constantFrom(...Object.values(UNICODE.separators)).chain((codes) => fc.constantFrom(...codes)),
  { minLength: 1, maxLength: 3 },
).map((codes) => String.fromCodePoint(...codes));

/**
 * A number as someone might type it: digits of any script, any separator runs between any digits.
 * `groups` are its ASCII digits as the separators split them.
 */
const typedNumber = (number: fc.Arbitrary<string>) => number.chain((pan) => fc.record({
  pan: fc.constant(pan),
  zeros: fc.oneof(
    fc.constantFrom(...UNICODE.zeros).map((zero) => Array<number>(pan.length).fill(zero)),
    fc.array(fc.constantFrom(...UNICODE.zeros), { minLength: pan.length, maxLength: pan.length }),
  ),
  separators: fc.array(fc.option(separatorRun, { freq: 2 }), { minLength: pan.length - 1, maxLength: pan.length - 1 }),
})).map(({ pan, zeros, separators }) => ({
  pan,
  text: Array.from(pan, (digit, i) => String.fromCodePoint(zeros[i] + Number(digit)) + (separators[i] ?? '')).join(''),
  groups: Array.from(pan, (digit, i) => digit + (separators[i] ? ' ' : '')).join('').split(' '),
}));
const typedCard = typedNumber(cardNumber);

/** Text around the number; a digit right next to it would make it another number, so none is. */
const surrounding = fc.string({ unit: 'binary', maxLength: 12 });
const notDigitAt = (text: string, end: boolean) => {
  const chars = Array.from(text);
  const edge = end ? chars[chars.length - 1] : chars[0];
  return edge !== undefined && /^\p{Nd}$/u.test(edge) ? (end ? `${text}x` : `x${text}`) : text;
};

type Placement = 'description' | 'metadataValue' | 'metadataKey' | 'token' | 'merchantId' | 'unknownKey' | 'unknownValue' | 'nested';

function bodyWithText(value: string, where: Placement, depth: number, escapeAll: boolean): string {
  const body: Record<string, unknown> = { amount: 1999, currency: 'USD', merchantId: 'm_1', paymentMethodToken: 'tok_1' };
  let nested: unknown = value;
  for (let level = 0; level < depth; level++) {
    nested = level % 2 === 0 ? [nested] : { [`k${level}`]: nested };
  }
  switch (where) {
    case 'description': body.description = value; break;
    case 'metadataValue': body.metadata = { note: value }; break;
    case 'metadataKey': body.metadata = { [value]: 'x' }; break;
    case 'token': body.paymentMethodToken = value; break;
    case 'merchantId': body.merchantId = value; break;
    case 'unknownKey': body[value] = 1; break;
    case 'unknownValue': body.cardNumber = value; break;
    case 'nested': body.metadata = { list: nested }; break;
  }
  const json = JSON.stringify(body);
  return escapeAll
    ? json.replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
    : json;
}

let counter = 0;

test('every card number, typed in any digits with any separators, anywhere in the body, is refused and kept nowhere', async () => {
  const before = await harness.counts();
  const placement = fc.constantFrom<Placement>('description', 'metadataValue', 'metadataKey', 'token', 'merchantId', 'unknownKey', 'unknownValue', 'nested');
  await fc.assert(fc.asyncProperty(
    typedCard, placement, surrounding, surrounding, fc.integer({ min: 1, max: 28 }), fc.boolean(),
    async ({ pan, text }, where, before_, after, depth, escapeAll) => {
      const value = `${notDigitAt(before_, true)}${text}${notDigitAt(after, false)}`;
      const mark = harness.output.mark();
      const response = await harness.invoke(postPayment({
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `card-${++counter}` },
        body: bodyWithText(value, where, depth, escapeAll),
      }));
      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body).error.code).toBe('card_data_rejected');
      const written = harness.output.textSince(mark);
      expect(written).toContain('card_data_rejected');
      for (const form of [pan, text]) {
        expect(response.body).not.toContain(form);
        expect(written).not.toContain(form);
      }
    },
  ), { numRuns: propertyRuns(10_000) });
  // Nothing reached the ledger, so nothing reached its stream, and the audit writer, which reads
  // only that stream, had nothing to write; the idempotency table holds no claim either.
  expect(await harness.counts()).toEqual(before);
});

/** Text without a decimal digit, so that the number's groups are the only digits. */
const surroundingWithoutDigits = surrounding.map((text) => text.replace(/\p{Nd}/gu, 'x'));

test('a row\'s number with one digit too many or too few, or a start outside the table, typed in any digits and separators inside any text, is accepted', () => {
  let accepted = 0;
  fc.assert(fc.property(typedNumber(nearMiss), surroundingWithoutDigits, surroundingWithoutDigits, ({ pan, text, groups }, before_, after) => {
    expect(isContractCardNumber(pan)).toBe(false);
    // Separators between the digits split it into groups, and a run of them may be a card number of
    // its own (the first 16 of 17 digits starting with 4, say), which is refused as it should be.
    const expected = someWindowIsCard(groups);
    expect(containsCardNumber([`${before_}${text}${after}`])).toBe(expected);
    accepted += expected ? 0 : 1;
  }), { numRuns: propertyRuns(10_000) });
  // The property is about acceptance: most cases have no such window.
  expect(accepted).toBeGreaterThan(propertyRuns(10_000) * 0.8);
});

test('the same near misses typed as one run of digits are always accepted', () => {
  fc.assert(fc.property(nearMiss, surroundingWithoutDigits, surroundingWithoutDigits, (pan, before_, after) => {
    expect(containsCardNumber([`${before_}${pan}${after}`])).toBe(false);
  }), { numRuns: propertyRuns(10_000) });
});

/**
 * Ordinary text as payments carry it. Under the contract a run of whole digit groups can still be
 * a card number by chance (a date, then a postcode, then a phone number), so items here are joined
 * by words or punctuation, as people write them; each item has at most 12 digits. The seeded corpus
 * (`test/handlers/ordinary-text.ts`) holds realistic lines with none of these limits.
 */
const pick = <T>(...values: T[]) => fc.constantFrom(...values);
const n = (min: number, max: number) => fc.integer({ min, max });
const pad = (value: number, width: number) => String(value).padStart(width, '0');
const ordinaryItem = fc.oneof(
  fc.tuple(n(1990, 2040), n(1, 12), n(1, 28), pick('-', '/', '.', ' ')).map(([y, m, d, s]) => [y, pad(m, 2), pad(d, 2)].join(s)),
  fc.tuple(n(1, 28), n(1, 12), n(1990, 2040), pick('/', '.', '-')).map(([d, m, y, s]) => [pad(d, 2), pad(m, 2), y].join(s)),
  fc.tuple(n(1990, 2040), n(1, 12), n(1, 28)).map(([y, m, d]) => `${y}年${m}月${d}日`),
  fc.tuple(n(0, 23), n(0, 59), n(0, 59)).map(([h, m, s]) => `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}`),
  fc.tuple(n(1, 99), n(100, 999), n(1000, 9999), n(100, 999)).map(([c, a, b, d]) => `+${c} ${a} ${b} ${d}`),
  fc.tuple(n(200, 999), n(200, 999), n(1000, 9999)).map(([a, b, c]) => `(${a}) ${b}-${c}`),
  fc.tuple(n(10, 99), n(1000, 9999), n(1000, 9999)).map(([a, b, c]) => `0${a} ${b} ${c}`),
  fc.tuple(n(0, 999_999), n(0, 99)).map(([units, cents]) => `${units.toLocaleString('en-US')}.${pad(cents, 2)}`),
  fc.tuple(n(0, 999_999), n(0, 99)).map(([units, cents]) => `${units.toLocaleString('de-DE')},${pad(cents, 2)} €`),
  fc.tuple(n(10000, 99999), pick('', ' Berlin', ' Paris', ' Madrid')).map(([code, city]) => `${code}${city}`),
  pick('SW1A 1AA', 'EC1A 1BB', 'M1 1AE', '100-0001', '75008', 'K1A 0B1', '2000', '110001', '01310-100'),
  fc.tuple(pick('ORD', 'INV', 'BK', 'PO', 'REF', 'Rechnung', 'Commande', '注文'), n(0, 999_999_999)).map(([p, v]) => `${p}-${v}`),
  fc.tuple(n(1, 999_999_999_999)).map(([v]) => `#${v}`),
  pick('Thank you for your order', 'Vielen Dank für Ihre Bestellung', 'Merci pour votre commande', 'Gracias por su compra',
    'Спасибо за заказ', 'ご注文ありがとうございます', '感谢您的订购', 'شكرا لطلبك', 'धन्यवाद', 'Ευχαριστούμε', 'תודה רבה', 'Teşekkürler'),
);
const joiner = pick(', ', '; ', ' on ', ' at ', ' for ', ' – ref ', ': ', ' (', ') ', ' / tel ', ' x ');
const ordinaryText = fc.array(fc.tuple(ordinaryItem, joiner), { minLength: 1, maxLength: 6 })
  .map((parts) => Array.from(parts.map(([item, join]) => `${item}${join}`).join('')).slice(0, 500).join(''));

test('ordinary text (dates, times, phone numbers, amounts, postcodes, references, words) is never refused', () => {
  fc.assert(fc.property(ordinaryText, ordinaryText, (description, note) => {
    expect(containsCardNumber([description])).toBe(false);
    const body = JSON.stringify({ amount: 1999, currency: 'EUR', merchantId: 'm_1', paymentMethodToken: 'tok_1', description, metadata: { note } });
    const { payment } = parsePaymentRequest(postPayment({ headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'k' }, body }));
    expect(payment.description).toBe(description);
  }), { numRuns: propertyRuns(10_000) });
});

test('ordinary text is accepted through the handler', async () => {
  // Each accepted case is two writes to moto_server; a few hundred show the path end to end, and the
  // property above holds the guard and the reader to ten thousand.
  await fc.assert(fc.asyncProperty(ordinaryText, async (description) => {
    const response = await harness.invoke(postPayment({
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `ordinary-${++counter}` },
      body: JSON.stringify({ amount: 1999, currency: 'EUR', merchantId: 'm_1', paymentMethodToken: 'tok_1', description }),
    }));
    expect(response.statusCode).toBe(201);
  }), { numRuns: propertyRuns(300) });
});

/** A payment body that is often valid and often wrong in one or more fields, hostile ones included. */
const paymentLike = fc.record({
  amount: fc.oneof(fc.integer({ min: -10, max: 100_000_010 }), fc.double(), fc.string(), fc.constant(null), fc.constant(99_999_999)),
  currency: fc.oneof(fc.constantFrom('USD', 'EUR', 'JPY', 'usd', 'XXX', 'ANG', ''), fc.string({ maxLength: 4 })),
  merchantId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), fc.string({ maxLength: 70 })),
  paymentMethodToken: fc.oneof(fc.string({ minLength: 1, maxLength: 128 }), fc.string({ maxLength: 140 })),
  description: fc.string({ unit: 'binary', maxLength: 520 }),
  metadata: fc.oneof(
    fc.dictionary(fc.string({ maxLength: 45 }), fc.string({ unit: 'binary', maxLength: 510 }), { maxKeys: 22 }),
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

/** Hostile edits of a JSON text: a repeated name, a lone surrogate, a float amount, deep nesting. */
const hostileEdit = fc.tuple(paymentLike.map((body) => JSON.stringify(body)), fc.constantFrom(
  (json: string) => json.replace(/}$/, ',"amount":1}'),
  (json: string) => json.replace(/}$/, ',"x":"\\ud800"}'),
  (json: string) => json.replace(/"amount":-?\d+/, '"amount":1999.0'),
  (json: string) => json.replace(/}$/, `,"x":${'['.repeat(40)}${']'.repeat(40)}}`),
  (json: string) => json.replace(/}$/, `,"x":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`),
  (json: string) => json.replace(/"(\w+)":/, '"\\u0000$1":'),
)).map(([json, edit]) => edit(json));

const anyBody = fc.oneof(
  { arbitrary: validPayment.map((body) => ({ body: JSON.stringify(body), base64: false })), weight: 1 },
  { arbitrary: paymentLike.map((body) => ({ body: JSON.stringify(body), base64: false })), weight: 3 },
  { arbitrary: hostileEdit.map((body) => ({ body, base64: false })), weight: 2 },
  { arbitrary: fc.jsonValue().map((value) => ({ body: JSON.stringify(value) ?? '', base64: false })), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((body) => ({ body, base64: false })), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ body: Buffer.from(bytes).toString('base64'), base64: true })), weight: 1 },
);

const headerValue = fc.oneof(fc.string({ maxLength: 300 }), fc.array(fc.string({ maxLength: 40 }), { minLength: 1, maxLength: 3 }));
const anyHeaders = fc.record({
  contentType: fc.option(fc.oneof(
    fc.constantFrom('application/json', 'application/json;', 'Application/JSON; charset=utf-8', 'text/plain', 'application/json; x="'),
    headerValue,
  )),
  key: fc.option(fc.oneof(fc.stringMatching(/^[\x21-\x7e]{1,255}$/), headerValue)),
  others: fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), headerValue, { maxKeys: 4 }),
});

test('no body and no headers a client can send get a 5xx; every error is a contract error', async () => {
  const statuses = new Set<number>();
  await fc.assert(fc.asyncProperty(anyBody, anyHeaders, async ({ body, base64 }, { contentType, key, others }) => {
    const headers: Record<string, string | string[]> = { ...others };
    if (contentType !== null) headers['Content-Type'] = contentType;
    if (key !== null) headers['Idempotency-Key'] = key;
    const response = await harness.invoke(postPayment({ headers, body, isBase64Encoded: base64 }));
    statuses.add(response.statusCode);
    expect(response.statusCode).toBeLessThan(500);
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
    if (response.statusCode >= 400) {
      expect(CONTRACT_CODES.has(JSON.parse(response.body).error.code)).toBe(true);
    }
  }), { numRuns: propertyRuns(10_000) });
  expect([...statuses]).toEqual(expect.arrayContaining([201, 400, 415]));
});
