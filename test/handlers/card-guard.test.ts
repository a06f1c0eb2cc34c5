import { containsCardNumber, passesLuhn, stringContainsCardNumber } from '../../src/handlers/card-guard';

describe('passesLuhn', () => {
  test.each(['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '4222222222222'])('%s passes', (pan) => {
    expect(passesLuhn(pan)).toBe(true);
  });
  test.each(['4111111111111112', '1234567812345678'])('%s fails', (digits) => {
    expect(passesLuhn(digits)).toBe(false);
  });
});

describe('stringContainsCardNumber', () => {
  test.each([
    ['plain', '4111111111111111'],
    ['grouped with spaces', '4111 1111 1111 1111'],
    ['grouped with dashes', '4111-1111-1111-1111'],
    ['Amex grouping', '3782 822463 10005'],
    ['inside text', 'pay with 4111111111111111 please'],
    ['glued to letters', 'card4111111111111111x'],
    ['followed by a security code', '4111 1111 1111 1111 123'],
    ['followed by an expiry year', '4111-1111-1111-1111-2029'],
    ['19 digits', '6011000990139424000'.slice(0, 18) + checkDigit('6011000990139424000'.slice(0, 18))],
  ])('finds a card number %s', (_case, text) => {
    expect(stringContainsCardNumber(text)).toBe(true);
  });

  test.each([
    ['a short number', 'order 123456789012'],
    ['a number failing Luhn', '4111111111111112'],
    ['digits separated by two spaces', '4111  1111  1111  1111'],
    ['a 20-digit reference', '12345678901234567890'],
    ['a date', '2026-11-27T12:00:00Z'],
    ['no digits', 'hello'],
  ])('ignores %s', (_case, text) => {
    expect(stringContainsCardNumber(text)).toBe(false);
  });
});

describe('containsCardNumber', () => {
  test('looks into nested objects, arrays, keys and integer numbers', () => {
    expect(containsCardNumber({ metadata: { note: 'x', 4111111111111111: 'key' } })).toBe(true);
    expect(containsCardNumber({ list: [['4111 1111 1111 1111']] })).toBe(true);
    expect(containsCardNumber({ amount: 4111111111111111 })).toBe(true);
    expect(containsCardNumber({ amount: 1999, currency: 'USD', ok: true, nothing: null })).toBe(false);
  });
});

function checkDigit(partial: string): string {
  for (let d = 0; d <= 9; d++) {
    if (passesLuhn(partial + d)) {
      return String(d);
    }
  }
  throw new Error('unreachable');
}
