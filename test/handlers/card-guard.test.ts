import { passesLuhn } from './luhn';
import { containsCardNumber, stringContainsCardNumber } from '../../src/handlers/card-guard';

describe('the tests\' own Luhn check', () => {
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
    ['after other digit groups', '12 34 4111 1111 1111 1111'],
    ['at the end of a long run of groups', '1 2 3 4 5 6 7 8 9 4111 1111 1111 1111'],
    ['19 digits', '6011000990139424000'.slice(0, 18) + checkDigit('6011000990139424000'.slice(0, 18))],
    ['13 digits', '4222222222222'],
    ['digits separated by two spaces', '4111  1111  1111  1111'],
    ['one digit per group', '4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1'],
    ['a keycap per digit', Array.from('4111111111111111', (d) => `${d}\ufe0f\u20e3`).join('')],
    ['fullwidth digits', '４１１１１１１１１１１１１１１１'],
    ['Arabic-Indic digits', '٤١١١١١١١١١١١١١١١'],
  ])('finds a card number %s', (_case, text) => {
    expect(stringContainsCardNumber(text)).toBe(true);
  });

  test.each([
    ['a short number', 'order 123456789012'],
    ['a number failing Luhn', '4111111111111112'],
    ['a 20-digit reference', '12345678901234567890'],
    ['a 20-digit group that holds a card number', '41111111111111111234'],
    ['a date', '2026-11-27T12:00:00Z'],
    ['groups split by a comma', '4111 1111, 1111 1111'],
    ['groups split by a letter', '4111 1111 x 1111 1111'],
    ['no digits', 'hello'],
    ['superscript digits, which are not decimal digits', '⁴¹¹¹¹¹¹¹¹¹¹¹¹¹¹¹'],
    ['a lone surrogate between digits', '4111 1111\ud800 1111 1111'],
    ['the empty string', ''],
  ])('ignores %s', (_case, text) => {
    expect(stringContainsCardNumber(text)).toBe(false);
  });
});

describe('ASCII separators and digits', () => {
  const grouped = (separator: string) => ['6011', '0009', '9013', '9424'].join(separator);

  test('the card number used here has a 0 and a 9, the ends of the ASCII digits', () => {
    expect(stringContainsCardNumber(grouped(''))).toBe(true);
  });

  test.each([
    ['space', ' '], ['tab', '\t'], ['line feed', '\n'], ['vertical tab', '\v'], ['form feed', '\f'], ['carriage return', '\r'],
    ['hyphen-minus', '-'], ['full stop', '.'], ['slash', '/'], ['backslash', '\\'], ['a run of several', ' -\t/ '],
  ])('%s between groups is a separator', (_case, separator) => {
    expect(stringContainsCardNumber(grouped(separator))).toBe(true);
  });

  test.each([
    ['backspace, below the tab', '\b'], ['shift out, above the carriage return', '\x0e'], ['comma, below the hyphen-minus', ','],
    ['colon, above the nine', ':'], ['plus sign', '+'], ['underscore', '_'], ['delete, the last ASCII code', '\x7f'],
    ['a C1 control, the first code after ASCII', '\x80'], ['a letter', 'x'],
  ])('%s between groups is not a separator', (_case, character) => {
    expect(stringContainsCardNumber(grouped(character))).toBe(false);
  });
});

describe('code points beyond the Basic Multilingual Plane, and lone surrogates', () => {
  const card = '4111111111111111';
  const grouped = (separator: string) => card.match(/.{4}/g)!.join(separator);

  test('combining marks written as surrogate pairs separate groups, at the first high and the first low surrogate', () => {
    // U+101FD PHAISTOS DISC SIGN COMBINING OBLIQUE STROKE is \ud800\uddfd; U+1E000 COMBINING GLAGOLITIC LETTER AZU is \ud838\udc00.
    expect(grouped('\u{101fd}')).toBe(grouped('\ud800\uddfd'));
    expect(stringContainsCardNumber(grouped('\u{101fd}'))).toBe(true);
    expect(stringContainsCardNumber(grouped('\u{1e000}'))).toBe(true);
  });

  test('a lone surrogate is no separator, and takes no digit next to it with it', () => {
    // Without its first or last digit, the card number fails the Luhn check.
    expect([passesLuhn(card.slice(1)), passesLuhn(card.slice(0, -1))]).toEqual([false, false]);
    expect(stringContainsCardNumber(`\ud800${card}`)).toBe(true);
    expect(stringContainsCardNumber(`\udbff${card}`)).toBe(true);
    expect(stringContainsCardNumber(`${card}\udc00`)).toBe(true);
    expect(stringContainsCardNumber(`${card}\ud800`)).toBe(true);
    expect(stringContainsCardNumber(`\ud800${'４１１１１１１１１１１１１１１１'}`)).toBe(true);
    expect(stringContainsCardNumber(grouped('\ud800'))).toBe(false);
    expect(stringContainsCardNumber(grouped('\udc00'))).toBe(false);
  });
});

describe('every decimal digit of Unicode reads as its value', () => {
  // Intl's numbering systems spell digits from CLDR data, which is independent of the guard's rule
  // that each set of Unicode decimal digits is ten contiguous code points from zero to nine.
  const systems = Intl.supportedValuesOf('numberingSystem').filter((system) => {
    const digits = Array.from(new Intl.NumberFormat('en', { numberingSystem: system, useGrouping: false }).format(1234567890));
    return digits.length === 10 && digits.every((digit) => /^\p{Nd}$/u.test(digit));
  });

  test('there are dozens of decimal numbering systems to check', () => {
    expect(systems.length).toBeGreaterThan(50);
  });

  test.each(systems)('a card number written in the %s numbering system is found, and a wrong one is not', (system) => {
    const format = new Intl.NumberFormat('en', { numberingSystem: system, useGrouping: false });
    const spell = (digits: string) => Array.from(digits, (digit) => format.format(Number(digit))).join('');
    expect(stringContainsCardNumber(spell('4111111111111111'))).toBe(true);
    expect(stringContainsCardNumber(`${spell('4111')} ${spell('1111')}\u2013${spell('1111')}.${spell('1111')}`)).toBe(true);
    expect(stringContainsCardNumber(spell('4111111111111112'))).toBe(false);
  });
});

describe('IBANs are account numbers, not card numbers', () => {
  // DE89 3704 0044 0532 0130 00 holds 3704 0044 0532 0130 00 .. windows of 13 to 19 digits; this
  // Austrian IBAN holds a Luhn-valid 16-digit window: 4111 1111 1111 1111 after AT + check digits.
  const austrian = 'AT' + ibanCheckDigits('AT', '4111111111111111') + '4111111111111111';

  test.each([
    ['in print form', austrian.match(/.{1,4}/g)!.join(' ')],
    ['in electronic form', austrian],
    ['in a sentence', `Überweisung an ${austrian.match(/.{1,4}/g)!.join(' ')}, Verwendungszweck ORD-1`],
    ['the well-known German example', 'DE89 3704 0044 0532 0130 00'],
  ])('a valid IBAN %s is not refused', (_case, text) => {
    expect(stringContainsCardNumber(text)).toBe(false);
  });

  // In print form, so that the card number is a window of whole groups of its own.
  const printed = (iban: string) => iban.match(/.{1,4}/g)!.join(' ');
  test.each([
    ['wrong check digits', printed(austrian.replace(/^AT\d\d/, austrian.startsWith('AT00') ? 'AT01' : 'AT00'))],
    ['a length that is not its country\'s', printed(`DE${ibanCheckDigits('DE', '4111111111111111')}4111111111111111`)],
    ['an unknown country', printed(`ZZ${ibanCheckDigits('ZZ', '4111111111111111')}4111111111111111`)],
    ['lower-case letters', printed(austrian).toLowerCase()],
    ['a preceding word glued to it', `x${printed(austrian)}`],
  ])('a card number in an IBAN-like text with %s is refused', (_case, text) => {
    expect(stringContainsCardNumber(text)).toBe(true);
  });
});

describe('IBANs of every length and alphabet are account numbers', () => {
  const printed = (iban: string) => iban.match(/.{1,4}/g)!.join(' ');
  /** A BBAN of 11 digits whose IBAN check digits and BBAN together pass Luhn: Norway's 13 digits. */
  const norwegian = (() => {
    for (let n = 41_111_111_110; ; n++) {
      const bban = String(n);
      if (passesLuhn(ibanCheckDigits('NO', bban) + bban)) {
        return bban;
      }
    }
  })();
  // Each holds a card number as whole groups of its print form.
  test.each([
    ['the shortest, Norway\'s 15 characters', 'NO', norwegian],
    ['the longest, Saint Lucia\'s 32 characters', 'LC', 'HEMM411111111111111100000000'],
    ['letters before the digits (United Kingdom)', 'GB', 'WEST' + '4111111111111' + checkDigit('4111111111111')],
    ['letters after the digits, the last group of three (Malta, 31 characters)', 'MT', 'MALT4111111111111111ABCDEFG'],
  ])('%s: valid, it is not refused; under a country that has no IBAN, it is', (_case, country, bban) => {
    const iban = `${country}${ibanCheckDigits(country, bban)}${bban}`;
    expect(stringContainsCardNumber(printed(iban))).toBe(false);
    expect(stringContainsCardNumber(`IBAN ${printed(iban)}.`)).toBe(false);
    expect(stringContainsCardNumber(printed(`XX${iban.slice(2)}`))).toBe(true);
  });

  test('the text on either side of an IBAN is not joined into one number', () => {
    const iban = printed(`NO${ibanCheckDigits('NO', norwegian)}${norwegian}`);
    expect(stringContainsCardNumber('4111 1111 1111 1111')).toBe(true);
    expect(stringContainsCardNumber(`4111 1111 ${iban} 1111 1111`)).toBe(false);
  });

  test('an IBAN in electronic form is not refused either', () => {
    const iban = `NO${ibanCheckDigits('NO', norwegian)}${norwegian}`;
    expect(stringContainsCardNumber(iban)).toBe(false);
    expect(stringContainsCardNumber(`XX${iban.slice(2)}`)).toBe(true);
  });
});

describe('containsCardNumber', () => {
  test('looks at every text it is given', () => {
    expect(containsCardNumber(['USD', 'x', '4111 1111 1111 1111'])).toBe(true);
    expect(containsCardNumber(['1999', 'USD', 'm_1', 'tok_visa'])).toBe(false);
    expect(containsCardNumber([])).toBe(false);
  });

  test('a 16 KiB run of single-digit groups, the most windows to try, ends in a card number that is found', () => {
    // `npx projen bench` times this worst case per request; here it is about the answer.
    expect(stringContainsCardNumber(`${'1 '.repeat(8192)}4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1`)).toBe(true);
    expect(stringContainsCardNumber('1 '.repeat(8192))).toBe(false);
  });
});

/** The two check digits that make `country` + digits + `bban` an IBAN (ISO 13616, mod 97). */
function ibanCheckDigits(country: string, bban: string): string {
  const digits = `${bban}${country}00`.replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
  return String(98 - Number(BigInt(digits) % 97n)).padStart(2, '0');
}

function checkDigit(partial: string): string {
  for (let d = 0; d <= 9; d++) {
    if (passesLuhn(partial + d)) {
      return String(d);
    }
  }
  throw new Error('unreachable');
}
