/**
 * The Luhn (mod 10) check over a string of ASCII digits, written here apart from the card guard's
 * own, so that the tests hold the guard to an independent copy.
 */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    const digit = digits.charCodeAt(i) - 0x30;
    sum += double ? (digit * 2 > 9 ? digit * 2 - 9 : digit * 2) : digit;
  }
  return sum % 10 === 0;
}
