import { asciiTextHoldsCardNumber } from './card-table';
import { postPayment, validBody } from './events';
import { CORPUS_SEED, ordinaryTextCorpus } from './ordinary-text';
import { PaymentHarness, startPaymentHandler } from './payment-harness';
import { stringContainsCardNumber } from '../../src/handlers/card-guard';

/**
 * The false-refusal corpus: ordinary payment text that holds no card number, generated from a seed.
 * The contract (version 3) keeps the guard's refusals of such text rare; these tests hold the rate
 * and say where each refusal comes from. `npx projen bench` publishes the same counts and lines.
 */
const corpus = ordinaryTextCorpus();
const refusedIn = (lines: readonly string[]) => lines.filter((line) => stringContainsCardNumber(line));
const total = corpus.reduce((sum, { lines }) => sum + lines.length, 0);

test('the corpus holds at least 3,000 lines of every class the contract names, the same for the same seed', () => {
  expect(total).toBeGreaterThanOrEqual(3000);
  const names = corpus.map(({ name }) => name).join('\n');
  for (const kind of ['IMEI', 'EAN', 'ISBN', 'millisecond timestamps', 'phone numbers of 14 countries', 'order', 'UPS', 'FedEx', 'USPS', 'DHL',
    'date ranges', 'IBAN', 'UUID', 'digests', 'amounts in lists', 'hand-written']) {
    expect(names).toContain(kind);
  }
  expect(ordinaryTextCorpus(CORPUS_SEED)).toEqual(corpus);
  expect(ordinaryTextCorpus(CORPUS_SEED + 1)).not.toEqual(corpus);
});

test.each(corpus.filter(({ ambiguous }) => ambiguous === undefined).map(({ name, lines }) => [name, lines] as const))(
  'no line of %s is refused',
  (_name, lines) => {
    expect(refusedIn(lines)).toEqual([]);
  },
);

test('the classes that the contract makes ambiguous are refused under 0.3% of the whole corpus, and each refusal is a card number by the rule', () => {
  const refused = corpus.flatMap(({ lines }) => refusedIn(lines));
  expect(refused.length / total).toBeLessThan(0.003);
  // Each refused line is ambiguous, not a mistake of the guard: read the plain way, it holds 14 to
  // 19 digits of whole groups that pass Luhn and start as a row of the table says.
  expect(refused.length).toBeGreaterThan(0);
  for (const line of refused) {
    expect([line, corpus.find(({ lines }) => lines.includes(line))?.ambiguous]).toEqual([line, expect.any(String)]);
    expect([line, asciiTextHoldsCardNumber(line)]).toEqual([line, true]);
  }
});

describe('through the handler', () => {
  let harness: PaymentHarness;
  let counter = 0;

  beforeAll(async () => {
    harness = await startPaymentHandler();
  });

  afterAll(async () => {
    await harness?.stop();
  });

  test.each(corpus.map(({ name, lines }) => [name, lines] as const))('lines of %s are accepted as descriptions, or refused as card data where the guard says so', async (_name, lines) => {
    const sample = [...lines.slice(0, 5), ...refusedIn(lines)];
    for (const description of sample) {
      const response = await harness.invoke(postPayment({
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `corpus-${++counter}` },
        body: validBody({ description: [...description].slice(0, 500).join('') }),
      }));
      const expected = stringContainsCardNumber(description) ? 400 : 201;
      expect([description, response.statusCode]).toEqual([description, expected]);
    }
  });
});
