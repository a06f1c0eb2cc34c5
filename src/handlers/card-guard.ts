/**
 * Detects primary account numbers (card numbers) anywhere in a request body, so that they are
 * refused before they can reach a log, a metric, the ledger or the audit bucket.
 *
 * A card number is 13 to 19 digits, possibly grouped with single spaces or dashes, that passes the
 * Luhn check. Within a longer run of digit groups (a card number followed by an expiry date or a
 * security code, say), every contiguous sequence of whole groups with 13 to 19 digits is checked.
 */

const MIN_PAN_DIGITS = 13;
const MAX_PAN_DIGITS = 19;
/** Digits, with single spaces or dashes between them. */
const DIGIT_RUN = /\d(?:[ -]?\d)*/g;

/** Whether any string (or number, or object key) inside `value` contains a card number. */
export function containsCardNumber(value: unknown): boolean {
  if (typeof value === 'string') {
    return stringContainsCardNumber(value);
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) && stringContainsCardNumber(String(Math.abs(value)));
  }
  if (Array.isArray(value)) {
    return value.some(containsCardNumber);
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([key, item]) => stringContainsCardNumber(key) || containsCardNumber(item));
  }
  return false;
}

/** Whether a string contains a card number. */
export function stringContainsCardNumber(text: string): boolean {
  for (const match of text.matchAll(DIGIT_RUN)) {
    const run = match[0];
    const digitCount = run.length - (run.match(/[ -]/g)?.length ?? 0);
    if (digitCount < MIN_PAN_DIGITS) {
      continue;
    }
    if (runContainsCardNumber(run.split(/[ -]/))) {
      return true;
    }
  }
  return false;
}

/** Every contiguous sequence of whole groups with 13 to 19 digits, checked with Luhn. */
function runContainsCardNumber(groups: string[]): boolean {
  for (let start = 0; start < groups.length; start++) {
    let digits = '';
    for (let end = start; end < groups.length; end++) {
      digits += groups[end];
      if (digits.length > MAX_PAN_DIGITS) {
        break;
      }
      if (digits.length >= MIN_PAN_DIGITS && passesLuhn(digits)) {
        return true;
      }
    }
  }
  return false;
}

/** The Luhn (mod 10) check that every card number passes. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) {
        digit -= 9;
      }
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}
