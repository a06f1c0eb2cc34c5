import * as fc from 'fast-check';
import { InvalidProcessorAnswerError, processorRequest, readProcessorAnswer } from '../../src/handlers/processor-protocol';

const PAYMENT = { amount: 1999, currency: 'USD', merchantId: 'm_1', paymentMethodToken: 'tok_visa_4242' };

describe('the request a processor gets', () => {
  test('carries the payment\'s transactionId as its idempotency key, and the payment\'s fields', () => {
    expect(processorRequest('txn_1', { ...PAYMENT, description: 'Order 7', metadata: { order: '7' } })).toStrictEqual({
      transactionId: 'txn_1',
      idempotencyKey: 'txn_1',
      amount: 1999,
      currency: 'USD',
      merchantId: 'm_1',
      paymentMethodToken: 'tok_visa_4242',
      description: 'Order 7',
      metadata: { order: '7' },
    });
  });

  test('leaves out a description and metadata that the payment does not have, rather than sending them empty', () => {
    const request = processorRequest('txn_2', PAYMENT);
    expect(Object.keys(request)).toEqual(['transactionId', 'idempotencyKey', 'amount', 'currency', 'merchantId', 'paymentMethodToken']);
    expect(JSON.stringify(request)).toBe('{"transactionId":"txn_2","idempotencyKey":"txn_2","amount":1999,"currency":"USD","merchantId":"m_1","paymentMethodToken":"tok_visa_4242"}');
  });
});

describe('a processor\'s answer', () => {
  test('an authorization keeps its outcome and reference, and nothing else the processor sent', () => {
    const echoed = { outcome: 'authorized', processorReference: 'pi_3Nx', paymentMethodToken: 'tok_visa_4242', card: '4242424242424242', raw: { a: 1 } };
    expect(readProcessorAnswer(echoed)).toStrictEqual({ outcome: 'authorized', processorReference: 'pi_3Nx' });
  });

  test('a decline keeps its outcome, reference and code, and nothing else', () => {
    expect(readProcessorAnswer({ outcome: 'declined', processorReference: 'pi_9', declineCode: 'insufficient_funds', message: 'card 4242…' }))
      .toStrictEqual({ outcome: 'declined', processorReference: 'pi_9', declineCode: 'insufficient_funds' });
  });

  test.each([
    ['no object', null, 'it is not a JSON object'],
    ['an array', [{ outcome: 'authorized', processorReference: 'r' }], 'it is not a JSON object'],
    ['a string', 'authorized', 'it is not a JSON object'],
    ['no reference', { outcome: 'authorized' }, '`processorReference` must be 1 to 128 visible ASCII characters'],
    ['an empty reference', { outcome: 'authorized', processorReference: '' }, '`processorReference` must be'],
    ['a reference of 129 characters', { outcome: 'authorized', processorReference: 'r'.repeat(129) }, '`processorReference` must be'],
    ['a reference with a space', { outcome: 'authorized', processorReference: 'pi 1' }, '`processorReference` must be'],
    ['a reference with DEL', { outcome: 'authorized', processorReference: 'pi\x7f' }, '`processorReference` must be'],
    ['a reference beyond ASCII', { outcome: 'authorized', processorReference: 'pié' }, '`processorReference` must be'],
    ['a reference that is a number', { outcome: 'authorized', processorReference: 42 }, '`processorReference` must be'],
    ['an authorization with a decline code', { outcome: 'authorized', processorReference: 'r', declineCode: 'x' }, 'an authorization carries no `declineCode`'],
    ['a decline without a code', { outcome: 'declined', processorReference: 'r' }, 'a decline carries a `declineCode`'],
    ['a decline with an empty code', { outcome: 'declined', processorReference: 'r', declineCode: '' }, 'a decline carries a `declineCode`'],
    ['a decline code of 65 characters', { outcome: 'declined', processorReference: 'r', declineCode: 'd'.repeat(65) }, 'a decline carries a `declineCode`'],
    ['a decline code in capitals', { outcome: 'declined', processorReference: 'r', declineCode: 'Do_Not_Honor' }, 'a decline carries a `declineCode`'],
    ['a decline code with a hyphen', { outcome: 'declined', processorReference: 'r', declineCode: 'do-not-honor' }, 'a decline carries a `declineCode`'],
    ['another outcome', { outcome: 'approved', processorReference: 'r' }, '`outcome` must be `authorized` or `declined`'],
    ['an outcome in capitals', { outcome: 'AUTHORIZED', processorReference: 'r' }, '`outcome` must be'],
    ['no outcome', { processorReference: 'r' }, '`outcome` must be'],
  ])('is refused with %s', (_, answer, why) => {
    expect(() => readProcessorAnswer(answer)).toThrow(InvalidProcessorAnswerError);
    expect(() => readProcessorAnswer(answer)).toThrow(`The processor's answer is not one the contract allows: ${why}`);
  });

  test('takes references and codes at the edges of what the contract allows', () => {
    expect(readProcessorAnswer({ outcome: 'authorized', processorReference: '!' })).toStrictEqual({ outcome: 'authorized', processorReference: '!' });
    expect(readProcessorAnswer({ outcome: 'authorized', processorReference: `~${'r'.repeat(127)}` }).processorReference).toHaveLength(128);
    expect(readProcessorAnswer({ outcome: 'declined', processorReference: 'r', declineCode: `0_${'z'.repeat(62)}` })).toStrictEqual(
      { outcome: 'declined', processorReference: 'r', declineCode: `0_${'z'.repeat(62)}` });
    expect(readProcessorAnswer({ outcome: 'declined', processorReference: 'r', declineCode: 'a' }).outcome).toBe('declined');
  });

  test('a refusal never quotes what the processor sent', () => {
    const answer = { outcome: 'captured', processorReference: 'ref_secret_9', paymentMethodToken: 'tok_live_abc' };
    expect(() => readProcessorAnswer(answer)).toThrow(InvalidProcessorAnswerError);
    try {
      readProcessorAnswer(answer);
    } catch (error) {
      expect((error as Error).message).not.toMatch(/captured|ref_secret_9|tok_live_abc/);
      expect((error as Error).name).toBe('InvalidProcessorAnswerError');
    }
  });

  test('whatever else an answer holds, what is kept is only the outcome, the reference and a decline\'s code', () => {
    const reference = fc.stringMatching(/^[\x21-\x7e]{1,128}$/);
    const extra = fc.dictionary(fc.string().filter((key) => !['outcome', 'processorReference', 'declineCode', '__proto__'].includes(key)), fc.anything());
    fc.assert(fc.property(reference, fc.option(fc.stringMatching(/^[a-z0-9_]{1,64}$/), { nil: undefined }), extra, (processorReference, declineCode, others) => {
      const answer = declineCode === undefined
        ? { ...others, outcome: 'authorized', processorReference }
        : { ...others, outcome: 'declined', processorReference, declineCode };
      const kept = readProcessorAnswer(answer);
      expect(kept).toStrictEqual(declineCode === undefined
        ? { outcome: 'authorized', processorReference }
        : { outcome: 'declined', processorReference, declineCode });
    }), { numRuns: 500 });
  });
});
