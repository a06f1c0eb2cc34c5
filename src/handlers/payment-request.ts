import type { APIGatewayProxyEvent } from 'aws-lambda';
import { containsCardNumber } from './card-guard';
import { ACTIVE_CURRENCIES } from './currencies';
import {
  CardDataRejectedError,
  FieldIssue,
  InvalidIdempotencyKeyError,
  MissingIdempotencyKeyError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from './errors';
import { bodyBytes, headerValues } from './http';
import { NonIntegerNumber, readJsonObject } from './json-reader';

/** The largest request body the API accepts, in bytes. */
export const MAX_BODY_BYTES = 16 * 1024;
export const MIN_AMOUNT = 1;
export const MAX_AMOUNT = 99_999_999;
export const MERCHANT_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
export const MAX_TOKEN_LENGTH = 128;
export const MAX_DESCRIPTION_LENGTH = 500;
export const MAX_METADATA_ENTRIES = 20;
export const MAX_METADATA_KEY_LENGTH = 40;
export const MAX_METADATA_VALUE_LENGTH = 500;
const KNOWN_FIELDS = new Set(['amount', 'currency', 'merchantId', 'paymentMethodToken', 'description', 'metadata']);

/** A payment request that passed every rule of the contract. */
export interface PaymentRequest {
  readonly amount: number;
  readonly currency: string;
  readonly merchantId: string;
  readonly paymentMethodToken: string;
  readonly description?: string;
  readonly metadata?: Record<string, string>;
}

/**
 * Checks a `POST /payments` request in the contract's order: media type, size, idempotency key,
 * JSON rules, card data, then every field. Returns the key and the payment, or throws the error of
 * the first rule that fails (with every bad field listed for a validation error).
 */
export function parsePaymentRequest(event: APIGatewayProxyEvent): { idempotencyKey: string; payment: PaymentRequest } {
  if (!isJsonMediaType(headerValues(event, 'content-type'))) {
    throw new UnsupportedMediaTypeError();
  }
  const bytes = bodyBytes(event);
  if (bytes.length > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(MAX_BODY_BYTES);
  }
  const idempotencyKey = parseIdempotencyKey(headerValues(event, 'idempotency-key'));
  const document = readJsonObject(bytes);
  if (containsCardNumber(document.texts)) {
    throw new CardDataRejectedError();
  }
  return { idempotencyKey, payment: validatePayment(document.value, document.illFormedFields) };
}

// RFC 9110: media-type = type "/" subtype *( OWS ";" OWS [ parameter ] ), parameter values being
// tokens or quoted strings. Read by a loop of sticky patterns, so that no header backtracks.
const MEDIA_TYPE = /[ \t]*application\/json[ \t]*/iy;
const SEMICOLON = /;[ \t]*/y;
const PARAMETER = /[!#$%&'*+.^_`|~0-9A-Za-z-]+=(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+|"(?:[\t !#-[\]-~\x80-\xff]|\\[\t -~\x80-\xff])*")[ \t]*/y;

/**
 * `application/json` in any letter case, with any well-formed parameters or none, and nothing after
 * a `;` allowed too. RFC 8259 gives JSON no `charset` parameter ("adding one really has no effect"):
 * the body is read as UTF-8 whatever it says.
 */
export function isJsonMediaType(values: string[]): boolean {
  if (values.length !== 1) {
    return false;
  }
  const value = values[0];
  const at = (pattern: RegExp, position: number) => {
    pattern.lastIndex = position;
    return pattern.test(value) ? pattern.lastIndex : -1;
  };
  let position = at(MEDIA_TYPE, 0);
  while (position >= 0 && position < value.length) {
    position = at(SEMICOLON, position);
    if (position > 0 && position < value.length && value[position] !== ';') {
      position = at(PARAMETER, position);
    }
  }
  return position === value.length;
}

/** The `Idempotency-Key` header: exactly one value of 1 to 255 visible ASCII characters. */
export function parseIdempotencyKey(values: string[]): string {
  if (values.length === 0) {
    throw new MissingIdempotencyKeyError();
  }
  if (values.length > 1 || !IDEMPOTENCY_KEY.test(values[0])) {
    throw new InvalidIdempotencyKeyError();
  }
  return values[0];
}

/**
 * Every field rule of the contract; throws one `ValidationError` naming every bad field.
 * `illFormedFields` are the fields whose text the JSON reader found not to be well-formed Unicode.
 */
export function validatePayment(body: Record<string, unknown>, illFormedFields: readonly string[] = []): PaymentRequest {
  const issues: FieldIssue[] = [];
  const problem = (field: string, issue: string) => issues.push({ field, issue });
  for (const field of illFormedFields) {
    problem(field, 'must be well-formed Unicode text; it holds a lone surrogate such as \\ud800');
  }

  const { amount, currency, merchantId, paymentMethodToken, description, metadata } = body;
  if (amount === undefined) {
    problem('amount', 'is required');
  } else if (!isInteger(amount)) {
    problem('amount', 'must be an integer number of minor units (cents), written without quotes, a decimal point or an exponent');
  } else if (amount < MIN_AMOUNT || amount > MAX_AMOUNT) {
    problem('amount', `must be from ${MIN_AMOUNT} to ${MAX_AMOUNT}`);
  }

  if (currency === undefined) {
    problem('currency', 'is required');
  } else if (!ACTIVE_CURRENCIES.has(currency as string)) {
    problem('currency', 'must be the upper-case ISO 4217 code of an active currency, such as USD');
  }

  if (merchantId === undefined) {
    problem('merchantId', 'is required');
  } else if (typeof merchantId !== 'string' || !MERCHANT_ID.test(merchantId)) {
    problem('merchantId', 'must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -');
  }

  if (paymentMethodToken === undefined) {
    problem('paymentMethodToken', 'is required');
  } else if (typeof paymentMethodToken !== 'string' || paymentMethodToken === '' || characterCount(paymentMethodToken) > MAX_TOKEN_LENGTH) {
    problem('paymentMethodToken', `must be a token of 1 to ${MAX_TOKEN_LENGTH} characters from your card vault`);
  }

  if (description !== undefined && (typeof description !== 'string' || characterCount(description) > MAX_DESCRIPTION_LENGTH)) {
    problem('description', `must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters`);
  }

  if (metadata !== undefined) {
    metadataIssues(metadata, problem);
  }

  for (const field of Object.keys(body)) {
    if (!KNOWN_FIELDS.has(field)) {
      problem(field, 'is not a known field');
    }
  }

  if (issues.length > 0) {
    throw new ValidationError(issues);
  }
  return {
    amount: amount as number,
    currency: currency as string,
    merchantId: merchantId as string,
    paymentMethodToken: paymentMethodToken as string,
    ...(description !== undefined ? { description: description as string } : {}),
    ...(metadata !== undefined ? { metadata: metadata as Record<string, string> } : {}),
  };
}

function metadataIssues(metadata: unknown, problem: (field: string, issue: string) => void): void {
  // A number written with a fraction or an exponent is an object in the reader's hands, and no JSON object.
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata) || metadata instanceof NonIntegerNumber) {
    problem('metadata', 'must be an object of string values');
    return;
  }
  const entries = Object.entries(metadata);
  if (entries.length > MAX_METADATA_ENTRIES) {
    problem('metadata', `must have at most ${MAX_METADATA_ENTRIES} entries`);
  }
  for (const [key, value] of entries) {
    const keyLength = characterCount(key);
    if (keyLength < 1 || keyLength > MAX_METADATA_KEY_LENGTH) {
      problem('metadata', `keys must be 1 to ${MAX_METADATA_KEY_LENGTH} characters`);
    } else if (typeof value !== 'string' || characterCount(value) > MAX_METADATA_VALUE_LENGTH) {
      problem(`metadata.${key}`, `must be a string of at most ${MAX_METADATA_VALUE_LENGTH} characters`);
    }
  }
}

/** Length in Unicode code points, so that an emoji counts as one character. */
function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) {
    count++;
  }
  return count;
}

/** `Number.isInteger`, false for anything that is not a number, as a type guard. */
function isInteger(value: unknown): value is number {
  return Number.isInteger(value);
}
