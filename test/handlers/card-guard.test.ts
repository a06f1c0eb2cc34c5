import { CONTRACT_TABLE, isContractCardNumber, SEPARATOR_CLASSES, TEST_CARDS, typed, withCheckDigit } from './card-table';
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
    ['19 digits', withCheckDigit('601100099013942400')],
    ['14 digits', '36227206271667'],
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
    ['a legacy 13-digit Visa test number, outside the table', '4222222222222'],
    ['a Luhn-valid 16-digit number whose start no brand issues', withCheckDigit('100000000000000')],
    ['a Luhn-valid IMEI (15 digits)', '490154203237518'],
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
    ['hyphen-minus', '-'], ['full stop', '.'], ['slash', '/'], ['backslash', '\\'], ['underscore', '_'], ['a run of several', ' -_\t/ '],
  ])('%s between groups is a separator', (_case, separator) => {
    expect(stringContainsCardNumber(grouped(separator))).toBe(true);
  });

  test.each([
    ['backspace, below the tab', '\b'], ['shift out, above the carriage return', '\x0e'], ['comma, below the hyphen-minus', ','],
    ['colon, above the nine', ':'], ['plus sign', '+'], ['caret, below the underscore', '^'], ['grave accent, above the underscore', '`'],
    ['delete, the last ASCII code', '\x7f'],
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
  /**
   * The shortest IBAN that can hold a card number is Belgium's 16 characters: its check digits and
   * 12-digit BBAN make 14 digits, a Diners Club length. A BBAN whose check digits start a Diners
   * Club number (36, 38 or 39) and whose 14 digits pass Luhn.
   */
  const belgian = (() => {
    for (let n = 100_000_000_000; ; n++) {
      const bban = String(n);
      const digits = ibanCheckDigits('BE', bban) + bban;
      if (isContractCardNumber(digits)) {
        return bban;
      }
    }
  })();
  // Each holds a card number as whole groups of its print form.
  test.each([
    ['the shortest that can hold one, Belgium\'s 16 characters', 'BE', belgian],
    ['the longest, Saint Lucia\'s 32 characters', 'LC', 'HEMM411111111111111100000000'],
    ['letters before the digits (United Kingdom, a 14-digit Diners Club number)', 'GB', 'WEST36227206271667'],
    ['letters after the digits, the last group of three (Malta, 31 characters)', 'MT', 'MALT4111111111111111ABCDEFG'],
  ])('%s: valid, it is not refused; under a country that has no IBAN, it is', (_case, country, bban) => {
    const iban = `${country}${ibanCheckDigits(country, bban)}${bban}`;
    expect(stringContainsCardNumber(printed(iban))).toBe(false);
    expect(stringContainsCardNumber(`IBAN ${printed(iban)}.`)).toBe(false);
    expect(stringContainsCardNumber(printed(`XX${iban.slice(2)}`))).toBe(true);
  });

  test('the text on either side of an IBAN is not joined into one number', () => {
    const iban = printed(`BE${ibanCheckDigits('BE', belgian)}${belgian}`);
    expect(stringContainsCardNumber('4111 1111 1111 1111')).toBe(true);
    expect(stringContainsCardNumber(`4111 1111 ${iban} 1111 1111`)).toBe(false);
  });

  test('an IBAN in electronic form is not refused either', () => {
    const iban = `BE${ibanCheckDigits('BE', belgian)}${belgian}`;
    expect(stringContainsCardNumber(iban)).toBe(false);
    expect(stringContainsCardNumber(`XX${iban.slice(2)}`)).toBe(true);
  });

  test('a valid IBAN between the halves of a card number keeps them apart, in either form', () => {
    expect(stringContainsCardNumber('4111 1111 DE89 3704 0044 0532 0130 00 1111 1111')).toBe(false);
    expect(stringContainsCardNumber('4111 1111 DE89370400440532013000 1111 1111')).toBe(false);
  });

  test('a card number in groups of four right after a valid IBAN in print form is refused', () => {
    expect(stringContainsCardNumber(`${printed(`BE${ibanCheckDigits('BE', belgian)}${belgian}`)} 4111 1111 1111 1111`)).toBe(true);
    expect(stringContainsCardNumber('DE89 3704 0044 0532 0130 00 4111 1111 1111 1111')).toBe(true);
  });

  test('an IBAN whose last group of two runs on into more digits is none, and the card number in it is refused', () => {
    // DE + check digits + 4111 1111 1111 1111 11 is an IBAN; written with its last group as 1100, it is not.
    const iban = `DE${ibanCheckDigits('DE', '411111111111111111')}411111111111111111`;
    expect(stringContainsCardNumber(printed(iban))).toBe(false);
    expect(stringContainsCardNumber(`${printed(iban)}00`)).toBe(true);
  });

  test('an IBAN whose last group runs on into more digits is none, and the card number after it is refused', () => {
    // DE89 3704 0044 0532 0130 00 is an IBAN; here its last group goes on as 0000.
    expect(stringContainsCardNumber('DE89 3704 0044 0532 0130 0000 4111 1111 1111 1111')).toBe(true);
  });

  test('an IBAN separated by underscores is not in a print form, so a card number in it is refused', () => {
    expect(stringContainsCardNumber(printed(`BE${ibanCheckDigits('BE', belgian)}${belgian}`).replace(/ /g, '_'))).toBe(true);
  });
});

describe('UUIDs are identifiers, not card numbers', () => {
  // 4111 1111 1111 1111 as the first three groups of a UUID's 8-4-4-4-12.
  const uuid = '41111111-1111-1111-8a2b-3c4d5e6f7a8b';

  test.each([
    ['the one a client quoted back', 'refund of d1851166-6738-4771-9baf-c51929130b3c'],
    ['one whose first three groups are a card number', uuid],
    ['in upper case', uuid.toUpperCase()],
    ['in a sentence, after an underscore', `see ref_${uuid}, thanks`],
    ['two in a row', `${uuid} ${uuid}`],
  ])('%s is not refused', (_case, text) => {
    expect(stringContainsCardNumber(text)).toBe(false);
  });

  test.each([
    ['one hexadecimal digit short', uuid.slice(0, -1)],
    ['one hexadecimal digit too many', `${uuid}0`],
    ['glued to a letter before it', `x${uuid}`],
    ['groups of another shape (4-8-4-4-12)', '4111-11111111-1111-8a2b-3c4d5e6f7a8b'],
    ['a non-hexadecimal letter in it', uuid.replace('8a2b', '8g2b')],
  ])('a card number in a UUID-like text %s is refused', (_case, text) => {
    expect(stringContainsCardNumber(text)).toBe(true);
  });

  // A UUID whose last group is a hexadecimal digit `x` twelve times: a UUID where `x` is one.
  const withLastGroup = (x: string) => `41111111-1111-1111-8a2b-${x.repeat(12)}`;
  test.each(['0', '9', 'A', 'F', 'a', 'f'])('%s is a hexadecimal digit', (x) => {
    expect(stringContainsCardNumber(withLastGroup(x))).toBe(false);
  });
  test.each(['/', ':', '@', 'G', '`', 'g'])('%s is not a hexadecimal digit', (x) => {
    expect(stringContainsCardNumber(withLastGroup(x))).toBe(true);
  });
  test.each(['/', ':', '@', '[', '`', '{', '-', ' '])('a UUID with %s on either side stands on its own', (edge) => {
    expect(stringContainsCardNumber(`${edge}${uuid}${edge}`)).toBe(false);
  });
  test.each(['A', 'Z', 'a', 'z'])('a UUID with %s glued before it is none', (edge) => {
    expect(stringContainsCardNumber(`${edge}${uuid}`)).toBe(true);
  });
  test.each(['0', '9', 'A', 'Z', 'a', 'z'])('a UUID with %s glued after it is none', (edge) => {
    expect(stringContainsCardNumber(`${uuid}${edge}`)).toBe(true);
  });
  test('a UUID at the start, at the end, and one right after another', () => {
    expect(stringContainsCardNumber(`${uuid} 4111`)).toBe(false);
    expect(stringContainsCardNumber(`4111 ${uuid}`)).toBe(false);
    expect(stringContainsCardNumber(`${uuid}-${uuid}`)).toBe(false);
    expect(stringContainsCardNumber(`${uuid}-${uuid.slice(0, -1)}`)).toBe(true);
  });

  test('a space in place of its first dash makes it none', () => {
    expect(stringContainsCardNumber(`${uuid.slice(0, 8)} ${uuid.slice(9)}`)).toBe(true);
  });

  test.each([
    ['between its first and second group', 13],
    ['between its third and fourth group', 18],
    ['between its fourth and fifth group', 23],
  ])('a space in place of the dash %s makes it none', (_case, at) => {
    // Its first three groups, 41111111-1111-1111, are a card number.
    expect(stringContainsCardNumber(`${uuid.slice(0, at)} ${uuid.slice(at + 1)}`)).toBe(true);
  });

  test.each([
    // A Diners Club number in the third to the fifth group.
    ['first', 'abcdef0g-1234-3622-7206-271667abcdef'],
    ['second', 'abcdef01-12g4-3622-7206-271667abcdef'],
    // A Visa number in the fourth and fifth.
    ['third', 'abcdef01-1234-12g4-4111-111111111111'],
  ])('a letter that is no hexadecimal digit in its %s group makes it none', (_case, text) => {
    expect(stringContainsCardNumber(text)).toBe(true);
    expect(stringContainsCardNumber(text.replace('g', 'a'))).toBe(false);
  });

  test('the text before a UUID is read as it stands, and is not joined to the UUID\'s digits', () => {
    expect(stringContainsCardNumber(`4111 1111 1111 1111 ${uuid}`)).toBe(true);
    expect(stringContainsCardNumber('4111 1111 11111111-1111-4111-8111-111111111111')).toBe(false);
  });

  test('the text on either side of a UUID is not joined into one number', () => {
    expect(stringContainsCardNumber('4111 1111 d1851166-6738-4771-9baf-c51929130b3c 1111 1111')).toBe(false);
    expect(stringContainsCardNumber('d1851166-6738-4771-9baf-c51929130b3c 4111 1111 1111 1111')).toBe(true);
  });
});

describe('the contract\'s table: Luhn, a row\'s leading digits and one of its lengths', () => {
  // Both ends of every row, and the prefixes just outside them at the same width.
  const boundaries = ['4', '3', '5', '51', '55', '50', '56', '2221', '2720', '2220', '2721', '34', '37', '33', '35',
    '300', '305', '299', '306', '36', '38', '39', '3528', '3589', '3527', '3590', '2131', '2130', '2132', '1800', '1799', '1801',
    '2200', '2204', '2205', '2199', '69', '70', '81', '82', '80', '83', '9792', '9791', '9793', '0', '1', '7', '9'];

  test.each(boundaries)('numbers of 12 to 21 digits starting %s are refused exactly where a row holds their start and length', (start) => {
    for (let length = 12; length <= 21; length++) {
      const number = withCheckDigit(start.padEnd(length - 1, '0'));
      expect([number, stringContainsCardNumber(number)]).toEqual([number, isContractCardNumber(number)]);
      // A Luhn-invalid one never is.
      const wrong = number.slice(0, -1) + String((Number(number.slice(-1)) + 1) % 10);
      expect([wrong, stringContainsCardNumber(wrong)]).toEqual([wrong, false]);
    }
  });

  test('the test\'s copy of the table says what the contract says at its edges', () => {
    const refused = (start: string, length: number) => isContractCardNumber(withCheckDigit(start.padEnd(length - 1, '7')));
    expect([16, 18, 19].map((length) => refused('4', length))).toEqual([true, true, true]);
    expect([13, 14, 15, 17, 20].map((length) => refused('4', length))).toEqual([false, false, false, false, false]);
    expect([refused('2221', 16), refused('2720', 16), refused('2220', 16), refused('2721', 16), refused('2221', 17)]).toEqual([true, true, false, false, false]);
    expect([refused('34', 15), refused('37', 15), refused('34', 16), refused('35', 15)]).toEqual([true, true, false, false]);
    expect([refused('305', 14), refused('306', 14), refused('36', 16), refused('38', 19), refused('36', 15)]).toEqual([true, false, true, true, false]);
    expect([refused('3528', 17), refused('3527', 17), refused('3589', 19), refused('3590', 17), refused('1800', 16), refused('2131', 18)]).toEqual([true, false, true, false, true, true]);
    expect([refused('2204', 16), refused('2205', 16), refused('50', 17), refused('56', 16), refused('69', 19), refused('70', 16)]).toEqual([true, false, true, true, true, false]);
    expect([refused('81', 16), refused('82', 19), refused('83', 16), refused('9792', 16), refused('9792', 17), refused('9793', 16)]).toEqual([true, true, false, true, false, false]);
    expect(CONTRACT_TABLE).toHaveLength(10);
  });

  test('a card number inside a longer run of groups is found by its own window, a longer or shorter one is not', () => {
    // 4111 1111 1111 1111 with one group more before it: the 20-digit window is no card, the 16-digit one is.
    expect(stringContainsCardNumber('9999 4111 1111 1111 1111')).toBe(true);
    // 15 digits starting with 4 (one too few) and 17 (one too many), as whole groups.
    const short = withCheckDigit('41111111111111');
    const long = withCheckDigit('4111111111111111');
    expect([short.length, long.length]).toEqual([15, 17]);
    expect(stringContainsCardNumber(typed(short, ' '))).toBe(false);
    expect(stringContainsCardNumber(long)).toBe(false);
  });
});

describe('every published test card number of every row, typed with every separator class, is refused', () => {
  test('each test number is a card number by the contract, and together they cover every row and length asked for', () => {
    for (const { number } of TEST_CARDS) {
      expect([number, isContractCardNumber(number)]).toEqual([number, true]);
    }
    const rowOf = (number: string) => CONTRACT_TABLE.findIndex(({ start, lengths }) => start.test(number) && lengths.includes(number.length));
    const rows = new Set(TEST_CARDS.map(({ number }) => rowOf(number)));
    expect(rows.size).toBe(CONTRACT_TABLE.length);
    const lengths = (prefix: RegExp) => new Set(TEST_CARDS.filter(({ number }) => prefix.test(number)).map(({ number }) => number.length));
    expect([...lengths(/^4/)].sort()).toEqual([16, 19]);
    expect([...lengths(/^3[0689]/)].sort()).toEqual([14, 16]);
    expect([...lengths(/^6[02]/)].sort()).toEqual([16, 19]);
  });

  test.each(TEST_CARDS)('$brand $number, with every separator of every class, alone and beside an expiry date and a security code', ({ number }) => {
    for (const { name, separators } of SEPARATOR_CLASSES) {
      for (const separator of separators) {
        const text = typed(number, separator);
        const found = [text, `card ${text} exp 12/29 cvc 123`, `${text}${separator}12${separator}29${separator}123`, `Kartennummer:${text}, gültig bis 12/2029 (CVC 1234)`]
          .map((written) => stringContainsCardNumber(written));
        expect({ name, separator, found }).toEqual({ name, separator, found: [true, true, true, true] });
      }
    }
  });

  test('each test number in fullwidth and Arabic-Indic digits is refused too', () => {
    for (const { number } of TEST_CARDS) {
      for (const zero of [0xff10, 0x660]) {
        const spelled = Array.from(number, (digit) => String.fromCodePoint(zero + Number(digit))).join('');
        expect([number, stringContainsCardNumber(typed(spelled, ' '))]).toEqual([number, true]);
      }
    }
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
