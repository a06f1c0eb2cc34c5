import { passesLuhn } from './luhn';

/**
 * The contract's table of card numbers (version 3, "Card-data guard"), written here apart from the
 * guard's own as patterns over the leading digits, so that the tests hold the guard to an
 * independent copy.
 */
export const CONTRACT_TABLE: ReadonlyArray<{ readonly row: string; readonly start: RegExp; readonly lengths: readonly number[] }> = [
  { row: 'Visa, Visa Electron, Elo (4)', start: /^4/, lengths: [16, 18, 19] },
  { row: 'Mastercard (51–55)', start: /^5[1-5]/, lengths: [16] },
  { row: 'Mastercard (2221–2720)', start: /^(222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720)/, lengths: [16] },
  { row: 'American Express (34, 37)', start: /^3[47]/, lengths: [15] },
  { row: 'Diners Club International (300–305, 36, 38–39)', start: /^(30[0-5]|36|3[89])/, lengths: [14, 16, 19] },
  { row: 'JCB (3528–3589, 2131, 1800)', start: /^(352[89]|35[3-8]\d|2131|1800)/, lengths: [16, 17, 18, 19] },
  { row: 'Mir (2200–2204)', start: /^220[0-4]/, lengths: [16, 17, 18, 19] },
  { row: 'Maestro, Discover, UnionPay, RuPay, Elo, Hipercard, Verve (50, 56–69)', start: /^(50|5[6-9]|6\d)/, lengths: [16, 17, 18, 19] },
  { row: 'UnionPay, RuPay (81–82)', start: /^8[12]/, lengths: [16, 17, 18, 19] },
  { row: 'Troy (9792)', start: /^9792/, lengths: [16] },
];

/** Whether a string of ASCII digits is a card number by the contract: Luhn, a table row's start and one of its lengths. */
export function isContractCardNumber(digits: string): boolean {
  return passesLuhn(digits) && CONTRACT_TABLE.some(({ start, lengths }) => start.test(digits) && lengths.includes(digits.length));
}

/** `partial` with the one digit appended that makes it pass the Luhn check. */
export function withCheckDigit(partial: string): string {
  for (let digit = 0; digit <= 9; digit++) {
    if (passesLuhn(`${partial}${digit}`)) {
      return `${partial}${digit}`;
    }
  }
  throw new Error('unreachable: one of ten digits passes');
}

/**
 * Test card numbers that processors publish (Stripe's, Braintree's and Adyen's testing pages, and
 * others), for every row and every length named in the contract. A row for which none is listed
 * here (RuPay, Troy) gets a number built for it: its prefix, filler digits and the Luhn digit.
 */
export const TEST_CARDS: ReadonlyArray<{ readonly brand: string; readonly number: string }> = [
  { brand: 'Visa', number: '4242424242424242' },
  { brand: 'Visa', number: '4111111111111111' },
  { brand: 'Visa', number: '4012888888881881' },
  { brand: 'Visa (debit)', number: '4000056655665556' },
  { brand: 'Visa', number: '4988438843884305' },
  { brand: 'Visa', number: '4111111145551142' },
  { brand: 'Visa, 19 digits', number: '4000000000000000006' },
  { brand: 'Visa Electron, 19 digits', number: '4917610000000000003' },
  { brand: 'Mastercard (51–55)', number: '5555555555554444' },
  { brand: 'Mastercard (51–55)', number: '5105105105105100' },
  { brand: 'Mastercard (51–55, debit)', number: '5200828282828210' },
  { brand: 'Mastercard (51–55)', number: '5454545454545454' },
  { brand: 'Mastercard (51–55)', number: '5555341244441115' },
  { brand: 'Mastercard (2221–2720)', number: '2223003122003222' },
  { brand: 'Mastercard (2221–2720)', number: '2222400070000005' },
  { brand: 'Mastercard (2221–2720)', number: '2223000048400011' },
  { brand: 'American Express', number: '378282246310005' },
  { brand: 'American Express', number: '371449635398431' },
  { brand: 'American Express', number: '370000000000002' },
  { brand: 'Diners Club, 14 digits', number: '36227206271667' },
  { brand: 'Diners Club, 14 digits', number: '36259600000004' },
  { brand: 'Diners Club, 14 digits', number: '36006666333344' },
  { brand: 'Diners Club, 16 digits', number: '3056930009020004' },
  { brand: 'JCB', number: '3566002020360505' },
  { brand: 'JCB', number: '3530111333300000' },
  { brand: 'JCB', number: '3569990010095841' },
  { brand: 'Mir', number: '2200000000000004' },
  { brand: 'Mir', number: '2201382000000013' },
  { brand: 'Maestro', number: '6304000000000000' },
  { brand: 'Maestro', number: '6759649826438453' },
  { brand: 'Maestro', number: '6771798021000008' },
  { brand: 'Discover', number: '6011111111111117' },
  { brand: 'Discover', number: '6011000990139424' },
  { brand: 'Discover', number: '6011601160116611' },
  { brand: 'Discover', number: '6555900000604105' },
  { brand: 'UnionPay (62)', number: '6200000000000005' },
  { brand: 'UnionPay (62)', number: '6250946000000016' },
  { brand: 'UnionPay (62)', number: '6243030000000001' },
  { brand: 'UnionPay (62), 19 digits', number: '6205500000000000004' },
  { brand: 'UnionPay (81)', number: '8171999927660000' },
  { brand: 'UnionPay (81), 19 digits', number: '8171999900000000021' },
  { brand: 'RuPay (60, built)', number: withCheckDigit('607400000000000') },
  { brand: 'RuPay (65, built)', number: withCheckDigit('652150000000000') },
  { brand: 'RuPay (82, built)', number: withCheckDigit('820000000000000') },
  { brand: 'Elo', number: '5066991111111118' },
  { brand: 'Elo', number: '6362970000457013' },
  { brand: 'Hipercard', number: '6062828888666688' },
  { brand: 'Troy (built)', number: withCheckDigit('979203000000001') },
];

/**
 * One or more members of each separator class of the contract, ASCII and not: white space, dash
 * punctuation, connector punctuation, dots, slashes, invisible format characters, and the combining
 * marks that the guard also reads as separators.
 */
export const SEPARATOR_CLASSES: ReadonlyArray<{ readonly name: string; readonly separators: readonly string[] }> = [
  { name: 'white space', separators: [' ', '\t', '\n', '\r\n', '\u00a0', '\u2009', '\u202f', '\u3000', '  '] },
  { name: 'dash punctuation', separators: ['-', '\u2010', '\u2011', '\u2013', '\u2014', '\u2212', '\u30a0', '\ufe63', '\uff0d'] },
  { name: 'connector punctuation', separators: ['_', '\u203f', '\u2040', '\u2054', '\ufe33', '\ufe4f', '\uff3f'] },
  { name: 'dots', separators: ['.', '\u00b7', '\u2022', '\u2024', '\u3002', '\uff0e', '\uff61'] },
  { name: 'slashes', separators: ['/', '\\', '\u2044', '\u2215', '\uff0f'] },
  { name: 'invisible format characters', separators: ['\u200b', '\u200c', '\u200d', '\u2060', '\u00ad', '\ufeff'] },
  { name: 'combining marks', separators: ['\ufe0f\u20e3', '\u0301'] },
  { name: 'a mixed run', separators: [' -_.\u200b'] },
];

/** The number in groups of four (Amex and Diners 14 in their 4-6-5 and 4-6-4 forms), joined by `separator`. */
export function typed(number: string, separator: string): string {
  const groups = number.length === 15 || number.length === 14
    ? [number.slice(0, 4), number.slice(4, 10), number.slice(10)]
    : number.match(/.{1,4}/g)!;
  return groups.join(separator);
}

/** Whether some run of whole groups, from one group to another, is a card number by the contract. */
export function someWindowIsCard(groups: readonly string[]): boolean {
  for (let first = 0; first < groups.length; first++) {
    for (let last = first; last < groups.length; last++) {
      if (isContractCardNumber(groups.slice(first, last + 1).join(''))) {
        return true;
      }
    }
  }
  return false;
}

/**
 * Whether ASCII text holds a card number by the contract, read the plain way: runs of digits and
 * ASCII separators (white space, `-`, `_`, `.`, `/`, `\`), each split into groups at its separators,
 * every window of whole groups tried. It knows nothing of IBANs and UUIDs.
 */
export function asciiTextHoldsCardNumber(text: string): boolean {
  return (text.match(/[0-9]+(?:[\s\-_./\\]+[0-9]+)*/g) ?? []).some((run) => someWindowIsCard(run.split(/[\s\-_./\\]+/)));
}
