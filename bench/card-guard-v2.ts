/**
 * The card-data guard of contract version 2, kept as it was before version 3, as the floor of
 * `npx projen bench`: version 3's guard must read a worst-case body within 1.1× of its time.
 *
 * Detects primary account numbers (card numbers) in the text of a request, so that they are refused
 * before they can reach a log, a metric, the ledger or the audit bucket.
 *
 * A card number is 13 to 19 digits that pass the Luhn check, written the way people and programs
 * write them. The guard normalizes as it reads:
 * - any Unicode decimal digit counts as its value (fullwidth `４`, Arabic-Indic `٤`, bold `𝟒`);
 * - any run of separators may stand between two digits: white space, dash punctuation, dots,
 *   slashes, invisible format characters (zero-width spaces, …) and combining marks (the keycap and
 *   variation selectors of `4️⃣`).
 *
 * Separator runs split a run of digits into groups. Every contiguous sequence of whole groups with
 * 13 to 19 digits is checked, so that a card number followed by an expiry date or a security code
 * is found, while a 20-digit reference written without separators is not read as one.
 *
 * One exception keeps payment references usable: an IBAN (ISO 13616) with its country's length and
 * valid mod-97 check digits is an account number, not a card number, even though its print format
 * (groups of four digits) looks like one. Typing a card number by mistake does not produce an IBAN.
 *
 * Each string is read once, one code point at a time, without recursion or backtracking. A group
 * ends at most once per code point, and the check there looks back at most 19 digits, so the time is
 * linear in the length of the text.
 */

const MIN_PAN_DIGITS = 13;
const MAX_PAN_DIGITS = 19;

/** What a code point is to the guard: a digit's value (0 to 9), a separator, or anything else. */
const SEPARATOR = 10;
const OTHER = 11;

/**
 * Separators beyond the ASCII ones: the contract's classes by Unicode property, plus the dots and
 * slashes that have no property of their own (middle dot, bullet, one-dot leader, hyphenation point,
 * minus sign, fraction and division slashes, ideographic and fullwidth stops and solidi).
 */
const NON_ASCII_SEPARATOR = /^[\p{White_Space}\p{Pd}\p{Cf}\p{Mn}\p{Me}\u00b7\u2022\u2024\u2027\u2212\u2044\u2215\u3002\u30fb\uff0e\uff0f\uff3c\uff61]$/u;
// Tested against one code point at a time, so it needs no anchors.
const DECIMAL_DIGIT = /\p{Nd}/u;

/** The value of each non-ASCII decimal digit met so far; there are a few hundred in Unicode. */
const digitValues = new Map<number, number>();

/** Whether any of the texts contains a card number. */
export function containsCardNumber(texts: Iterable<string>): boolean {
  for (const text of texts) {
    if (stringContainsCardNumber(text)) {
      return true;
    }
  }
  return false;
}

/** Whether one string contains a card number. */
export function stringContainsCardNumber(text: string): boolean {
  return scan(text.replace(IBAN_CANDIDATE, (match) => (isIban(match) ? '_' : match)));
}

/** UTF-16 code units in blocks of 1,024: high surrogates fill block 0x36 (0xd800–0xdbff), low ones 0x37. */
const HIGH_SURROGATES = 0x36;
const LOW_SURROGATES = 0x37;

function scan(text: string): boolean {
  // The digits of the current run, and where each of its groups starts.
  const digits: number[] = [];
  const groupStarts: number[] = [];
  let afterSeparator = false;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    let code = text.charCodeAt(i);
    if (Math.floor(code / 0x400) === HIGH_SURROGATES) {
      // A high surrogate and, if the next unit is a low one (past the end it is NaN), the pair's code point.
      const low = text.charCodeAt(i + 1);
      if (Math.floor(low / 0x400) === LOW_SURROGATES) {
        code = 0x10000 + (code - 0xd800) * 0x400 + (low - 0xdc00);
        i++;
      }
    }
    const kind = classify(code);
    if (kind < SEPARATOR) {
      if (digits.length === 0 || afterSeparator) {
        groupStarts.push(digits.length);
      }
      digits.push(kind);
      afterSeparator = false;
    } else if (kind === SEPARATOR) {
      if (!afterSeparator && groupEndsCardNumber(digits, groupStarts)) {
        return true;
      }
      afterSeparator = true;
    } else {
      if (!afterSeparator && groupEndsCardNumber(digits, groupStarts)) {
        return true;
      }
      digits.length = 0;
      groupStarts.length = 0;
    }
  }
  // After a separator this asks again what was answered there (no): the digits have not changed.
  return groupEndsCardNumber(digits, groupStarts);
}

/**
 * Whether the whole groups that end with the last digit, taken from some group on, form a card
 * number. Walks back from the last digit at most 19 digits, adding up the Luhn sum as it goes (the
 * doubling is counted from the right, so each window's sum extends the shorter one's).
 */
function groupEndsCardNumber(digits: number[], groupStarts: number[]): boolean {
  const end = digits.length;
  const longest = Math.min(MAX_PAN_DIGITS, end);
  let group = groupStarts.length - 1;
  let sum = 0;
  for (let count = 1; count <= longest; count++) {
    const index = end - count;
    sum += count % 2 === 0 ? LUHN_DOUBLED[digits[index]] : digits[index];
    while (groupStarts[group] > index) {
      group--;
    }
    if (count >= MIN_PAN_DIGITS && groupStarts[group] === index && sum % 10 === 0) {
      return true;
    }
  }
  return false;
}

/** Each digit doubled, with 9 taken away when that is more than 9: the Luhn check's other digits. */
const LUHN_DOUBLED = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];

/** A digit's value, `SEPARATOR` or `OTHER`. */
function classify(code: number): number {
  if (code < 0x80) {
    if (code >= 0x30 && code <= 0x39) {
      return code - 0x30;
    }
    // Space, tab, line feed, vertical tab, form feed, carriage return, hyphen-minus, dot, slashes.
    return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0x2d || code === 0x2e || code === 0x2f || code === 0x5c
      ? SEPARATOR
      : OTHER;
  }
  const known = digitValues.get(code);
  if (known !== undefined) {
    return known;
  }
  const char = String.fromCodePoint(code);
  if (DECIMAL_DIGIT.test(char)) {
    const value = digitValue(code);
    digitValues.set(code, value);
    return value;
  }
  return NON_ASCII_SEPARATOR.test(char) ? SEPARATOR : OTHER;
}

/**
 * Unicode encodes every set of decimal digits as ten contiguous code points from zero to nine, so a
 * digit's value is its distance from the start of its contiguous range of digits, modulo ten (some
 * sets, such as the five mathematical ones, follow each other directly).
 */
function digitValue(code: number): number {
  let start = code;
  while (DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) {
    start--;
  }
  return (code - start) % 10;
}

/**
 * IBAN lengths by country, from the SWIFT IBAN registry. The candidate pattern is the electronic
 * form or the print form (groups of four separated by single spaces).
 */
const IBAN_LENGTHS: Record<string, number> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MR: 27,
  MT: 31,
  MU: 30,
  NL: 18,
  NO: 15,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  SA: 24,
  SC: 31,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
};
const IBAN_CANDIDATE = /(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?)(?![A-Za-z0-9])/g;

/** Whether the text is an IBAN: its country's length and a remainder of 1 modulo 97. */
function isIban(candidate: string): boolean {
  const iban = candidate.replace(/ /g, '');
  if (IBAN_LENGTHS[iban.slice(0, 2)] !== iban.length) {
    return false;
  }
  let remainder = 0;
  for (const char of iban.slice(4) + iban.slice(0, 4)) {
    const value = parseInt(char, 36);
    remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder === 1;
}
