/**
 * Detects primary account numbers (card numbers) in the text of a request, so that they are refused
 * before they can reach a log, a metric, the ledger or the audit bucket.
 *
 * A card number, as the contract (version 3) defines it, is a sequence of digits that passes the
 * Luhn check, starts with an issuer prefix of a brand that issues cards today and has one of that
 * brand's lengths (`CARD_BRANDS`). The Luhn check alone passes one digit sequence in ten, so it
 * would refuse ordinary text (IMEIs, barcodes, phone numbers, order numbers); most of that text has
 * a start or a length that no brand issues (an IMEI's 15 digits start with 35 or 86, a barcode has
 * 13 digits).
 *
 * The guard normalizes as it reads:
 * - any Unicode decimal digit counts as its value (fullwidth `４`, Arabic-Indic `٤`, bold `𝟒`);
 * - any run of separators may stand between two digits: white space, dash punctuation, connector
 *   punctuation (the underscore, …), dots, slashes, invisible format characters (zero-width spaces,
 *   …) and combining marks (the keycap and variation selectors of `4️⃣`).
 *
 * Separator runs split a run of digits into groups. Every contiguous sequence of whole groups is a
 * candidate, so that a card number followed by an expiry date or a security code is found, while a
 * 20-digit reference written without separators is not read as one.
 *
 * Two kinds of identifier are passed over before the digits are read, since their print forms look
 * like card numbers and typing a card number by mistake produces neither: an IBAN (ISO 13616) with
 * its country's length and valid mod-97 check digits, and a UUID (8-4-4-4-12 hexadecimal digits).
 *
 * Each string is read once, one code point at a time, without recursion or backtracking. A group
 * ends at most once per code point, and the check there looks back at most 19 digits, so the time is
 * linear in the length of the text.
 */

/**
 * The contract's table of issuer prefixes (ISO/IEC 7812) and the lengths that each brand issues.
 * `from` and `to` are prefixes of equal length, both included.
 */
const CARD_BRANDS: ReadonlyArray<{ readonly from: string; readonly to: string; readonly lengths: readonly number[] }> = [
  // Visa, Visa Electron, Elo (some)
  { from: '4', to: '4', lengths: [16, 18, 19] },
  // Mastercard
  { from: '51', to: '55', lengths: [16] },
  { from: '2221', to: '2720', lengths: [16] },
  // American Express
  { from: '34', to: '34', lengths: [15] },
  { from: '37', to: '37', lengths: [15] },
  // Diners Club International
  { from: '300', to: '305', lengths: [14, 16, 19] },
  { from: '36', to: '36', lengths: [14, 16, 19] },
  { from: '38', to: '39', lengths: [14, 16, 19] },
  // JCB
  { from: '3528', to: '3589', lengths: [16, 17, 18, 19] },
  { from: '2131', to: '2131', lengths: [16, 17, 18, 19] },
  { from: '1800', to: '1800', lengths: [16, 17, 18, 19] },
  // Mir
  { from: '2200', to: '2204', lengths: [16, 17, 18, 19] },
  // Maestro, Discover, UnionPay (62), RuPay, Elo, Hipercard, Verve
  { from: '50', to: '50', lengths: [16, 17, 18, 19] },
  { from: '56', to: '69', lengths: [16, 17, 18, 19] },
  // UnionPay (81), RuPay (82)
  { from: '81', to: '82', lengths: [16, 17, 18, 19] },
  // Troy
  { from: '9792', to: '9792', lengths: [16] },
];

/** The shortest and the longest length in the table. */
const MIN_PAN_DIGITS = Math.min(...CARD_BRANDS.flatMap((brand) => brand.lengths));
const MAX_PAN_DIGITS = Math.max(...CARD_BRANDS.flatMap((brand) => brand.lengths));

/**
 * The row of `CARD_BRANDS` that each four-digit start of a number (0000 to 9999) belongs to, as its
 * index plus one (0 for none). Every prefix of the table has at most four digits, and no two rows
 * share a start. Filled by native `fill` calls, so a cold start pays next to nothing for it.
 */
const BRAND_OF_START = new Uint8Array(10_000);
CARD_BRANDS.forEach(({ from, to }, index) => {
  const scale = 10 ** (4 - from.length);
  BRAND_OF_START.fill(index + 1, Number(from) * scale, (Number(to) + 1) * scale);
});
/** For each row, whether each length (0 to 19) is one of the row's. */
const BRAND_LENGTHS = CARD_BRANDS.map(({ lengths }) => Array.from({ length: MAX_PAN_DIGITS + 1 }, (_, length) => lengths.includes(length)));

/** What a code point is to the guard: a digit's value (0 to 9), a separator, or anything else. */
const SEPARATOR = 10;
const OTHER = 11;

/**
 * Separators beyond the ASCII ones: the contract's classes by Unicode property, combining marks, and
 * the dots and slashes that have no property of their own (middle dot, bullet, one-dot leader,
 * hyphenation point, minus sign, fraction and division slashes, ideographic and fullwidth stops and
 * solidi).
 */
// Both are tested against one code point at a time, so they need no anchors.
const NON_ASCII_SEPARATOR = /[\p{White_Space}\p{Pd}\p{Pc}\p{Cf}\p{Mn}\p{Me}\u00b7\u2022\u2024\u2027\u2212\u2044\u2215\u3002\u30fb\uff0e\uff0f\uff3c\uff61]/u;
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
  return scan(passOverIdentifiers(text));
}

/**
 * The text with each IBAN and UUID in it replaced by `#`, which is neither a digit nor a separator,
 * so that the text on either side of one is not joined into one number.
 */
function passOverIdentifiers(text: string): string {
  return passOverIbans(passOverUuids(text));
}

function passOverIbans(text: string): string {
  return text.replace(IBAN_CANDIDATE, (candidate: string) => {
    if (isIban(candidate)) {
      return '#';
    }
    // A print form followed by more groups of four: the IBAN is its country's length of it, and
    // what follows is text of its own.
    const length = IBAN_LENGTHS[candidate.slice(0, 2)];
    const printed = length + Math.ceil(length / 4) - 1;
    if (candidate[printed] === ' ' && isIban(candidate.slice(0, printed))) {
      return `#${passOverIbans(candidate.slice(printed))}`;
    }
    return candidate;
  });
}

/**
 * UUIDs (8-4-4-4-12 hexadecimal digits, any letter case, standing on their own) are found from their
 * dashes, which stand at fixed distances: a pattern that started at every hexadecimal digit would
 * try again at every digit of a long number.
 */
function passOverUuids(text: string): string {
  // Stryker disable next-line StringLiteral: other text before the first part ends in "!", which joins no digit to what follows
  let passed = '';
  let copied = 0;
  // Stryker disable next-line EqualityOperator: a search from position 8 never finds a dash at 0
  for (let dash = text.indexOf('-', 8); dash >= 0; dash = text.indexOf('-', dash + 1)) {
    const dashesInPlace = text.charCodeAt(dash + 5) === DASH && text.charCodeAt(dash + 10) === DASH && text.charCodeAt(dash + 15) === DASH;
    if (dashesInPlace && isUuidAt(text, dash - 8)) {
      passed += `${text.slice(copied, dash - 8)}#`;
      copied = dash + 28;
      dash = copied;
    }
  }
  return copied === 0 ? text : passed + text.slice(copied);
}

const DASH = 0x2d;
const UUID_LENGTH = 36;

/** Whether the 36 characters from `start`, whose dashes are in place, are a UUID standing on its own. */
function isUuidAt(text: string, start: number): boolean {
  if (isAlphanumeric(text.charCodeAt(start - 1)) || isAlphanumeric(text.charCodeAt(start + UUID_LENGTH))) {
    return false;
  }
  for (let i = 0; i < UUID_LENGTH; i++) {
    // Every character but the four dashes (8-4-4-4-12) is a hexadecimal digit.
    if (i !== 8 && i !== 13 && i !== 18 && i !== 23 && !isHexDigit(text.charCodeAt(start + i))) {
      return false;
    }
  }
  return true;
}

/** 0–9, A–F or a–f. */
function isHexDigit(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

/** 0–9, A–Z or a–z; false before the start and past the end, where `charCodeAt` is NaN. */
function isAlphanumeric(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** UTF-16 code units in blocks of 1,024: high surrogates fill block 0x36 (0xd800–0xdbff), low ones 0x37. */
const HIGH_SURROGATES = 0x36;
const LOW_SURROGATES = 0x37;

function scan(text: string): boolean {
  // The digits of the current run, and where each of its groups starts.
  const digits: number[] = [];
  // Stryker disable next-line ArrayDeclaration: the walk back never reaches a first entry before the first group's start
  const groupStarts: number[] = [];
  // Stryker disable next-line BooleanLiteral: until the first digit it is read only where no digit has been read
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
 * doubling is counted from the right, so each window's sum extends the shorter one's); a window
 * that starts a group is then looked up by its first four digits.
 */
function groupEndsCardNumber(digits: number[], groupStarts: number[]): boolean {
  const end = digits.length;
  const longest = Math.min(MAX_PAN_DIGITS, end);
  let group = groupStarts.length - 1;
  let sum = 0;
  for (let count = 1; count <= longest; count++) {
    const index = end - count;
    // Stryker disable next-line AssignmentOperator: a sum and its negation are multiples of 10 alike
    sum += count % 2 === 0 ? LUHN_DOUBLED[digits[index]] : digits[index];
    while (groupStarts[group] > index) {
      group--;
    }
    if (count >= MIN_PAN_DIGITS && groupStarts[group] === index && sum % 10 === 0) {
      const brand = BRAND_OF_START[digits[index] * 1000 + digits[index + 1] * 100 + digits[index + 2] * 10 + digits[index + 3]];
      if (brand > 0 && BRAND_LENGTHS[brand - 1][count]) {
        return true;
      }
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
    // Space, tab, line feed, vertical tab, form feed, carriage return, hyphen-minus, dot, slashes, underscore.
    return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0x2d || code === 0x2e || code === 0x2f || code === 0x5c || code === 0x5f
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
/**
 * An IBAN in its electronic form or its print form (groups of four separated by single spaces),
 * standing on its own. Its length is bounded, so the search is linear in the text.
 */
const IBAN_CANDIDATE = /(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?)(?![A-Za-z0-9])/g;

/** Whether the text is an IBAN: its country's length and a remainder of 1 modulo 97. */
function isIban(candidate: string): boolean {
  // Read in place, spaces skipped: a candidate is upper-case letters, digits and single spaces.
  let characters = 0;
  for (let i = 0; i < candidate.length; i++) {
    characters += candidate.charCodeAt(i) === SPACE ? 0 : 1;
  }
  if (IBAN_LENGTHS[candidate.slice(0, 2)] !== characters) {
    return false;
  }
  // The country and check digits go to the end; each letter counts as two digits (A = 10, …, Z = 35).
  let remainder = 0;
  for (let i = 4; i < candidate.length + 4; i++) {
    const code = candidate.charCodeAt(i < candidate.length ? i : i - candidate.length);
    if (code !== SPACE) {
      remainder = (code >= LETTER_A ? remainder * 100 + code - LETTER_A + 10 : remainder * 10 + code - DIGIT_ZERO) % 97;
    }
  }
  return remainder === 1;
}

const SPACE = 0x20;
const DIGIT_ZERO = 0x30;
const LETTER_A = 0x41;
