/**
 * The errors of the payments API. Each class stands for one error code of the contract; the code,
 * HTTP status and client-facing message of every class are set here and nowhere else.
 */

/** One problem with one field of a request, as listed in `details`. */
export interface FieldIssue {
  readonly field: string;
  readonly issue: string;
}

/** The base of every error that the API turns into a response. */
export abstract class PaymentApiError extends Error {
  public abstract readonly code: string;
  public abstract readonly status: number;
  /** Problems with individual fields, where there are some. */
  public readonly details?: FieldIssue[];
  /** Seconds after which a retry may succeed, sent as `Retry-After`. */
  public readonly retryAfterSeconds?: number;
  /** What went wrong behind a refusal that the API did not expect to make, for the log only. */
  public readonly failure?: unknown;
  /** The payment that the refusal is about, where one was claimed (a decline, a processor failure). */
  public readonly transactionId?: string;
  /** The processor's reason for a decline. */
  public readonly declineCode?: string;
}

/** The most characters of client text (a field name) that a response echoes. */
export const MAX_ECHOED_CHARACTERS = 40;

/**
 * Client text as a response may echo it: cut to `MAX_ECHOED_CHARACTERS` code points, with any lone
 * surrogate shown as U+FFFD.
 */
export function echoed(text: string): string {
  const wellFormed = text.replace(/[\ud800-\udfff]/gu, '\ufffd');
  return Array.from(wellFormed).slice(0, MAX_ECHOED_CHARACTERS).join('');
}

export class MissingIdempotencyKeyError extends PaymentApiError {
  public readonly code = 'missing_idempotency_key';
  public readonly status = 400;
  constructor() {
    super('The Idempotency-Key header is required.');
  }
}

export class InvalidIdempotencyKeyError extends PaymentApiError {
  public readonly code = 'invalid_idempotency_key';
  public readonly status = 400;
  constructor() {
    super('The Idempotency-Key header must be a single value of 1 to 255 visible ASCII characters.');
  }
}

/** Which JSON rule a body broke. */
export enum InvalidJsonReason {
  /** Not UTF-8, not JSON, or not an object. */
  SYNTAX = 'syntax',
  /** A member name repeated within one object. */
  REPEATED_NAME = 'repeated_name',
  /** Objects and arrays nested deeper than the contract allows. */
  DEPTH = 'depth',
}

const INVALID_JSON_MESSAGES: Record<InvalidJsonReason, string> = {
  [InvalidJsonReason.SYNTAX]: 'The request body must be a JSON object.',
  [InvalidJsonReason.REPEATED_NAME]: 'The request body must not repeat a member name within one object.',
  [InvalidJsonReason.DEPTH]: 'The request body must not nest objects and arrays more than 32 levels deep.',
};

export class InvalidJsonError extends PaymentApiError {
  public readonly code = 'invalid_json';
  public readonly status = 400;
  constructor(reason: InvalidJsonReason = InvalidJsonReason.SYNTAX) {
    super(INVALID_JSON_MESSAGES[reason]);
  }
}

export class ValidationError extends PaymentApiError {
  public readonly code = 'validation_error';
  public readonly status = 400;
  public readonly details: FieldIssue[];
  /** `failure` is set where a dependency, not a rule of the contract, refused what the client sent. */
  constructor(details: FieldIssue[], public readonly failure?: unknown) {
    super('One or more fields are invalid.');
    this.details = details.map(({ field, issue }) => ({ field: echoed(field), issue }));
  }
}

export class CardDataRejectedError extends PaymentApiError {
  public readonly code = 'card_data_rejected';
  public readonly status = 400;
  constructor() {
    super('The request contains what looks like a card number. Send a paymentMethodToken from your card vault instead.');
  }
}

export class PayloadTooLargeError extends PaymentApiError {
  public readonly code = 'payload_too_large';
  public readonly status = 413;
  constructor(limitBytes: number) {
    super(`The request body must be at most ${limitBytes} bytes.`);
  }
}

export class UnsupportedMediaTypeError extends PaymentApiError {
  public readonly code = 'unsupported_media_type';
  public readonly status = 415;
  constructor() {
    super('The Content-Type must be application/json.');
  }
}

export class NotFoundError extends PaymentApiError {
  public readonly code = 'not_found';
  public readonly status = 404;
  constructor() {
    super('No payment with this id exists.');
  }
}

export class IdempotencyInProgressError extends PaymentApiError {
  public readonly code = 'idempotency_in_progress';
  public readonly status = 409;
  constructor(public readonly retryAfterSeconds: number) {
    super('A request with this Idempotency-Key is still being processed. Retry after it completes.');
  }
}

export class IdempotencyKeyReusedError extends PaymentApiError {
  public readonly code = 'idempotency_key_reused';
  public readonly status = 422;
  constructor() {
    super('This Idempotency-Key was already used with a different request body.');
  }
}

/** What a client was doing when a dependency failed, which decides how it should retry. */
export enum Operation {
  CREATE = 'create',
  READ = 'read',
}

export class ServiceUnavailableError extends PaymentApiError {
  public readonly code = 'service_unavailable';
  public readonly status = 503;
  constructor(public readonly retryAfterSeconds: number, operation: Operation = Operation.CREATE) {
    super(operation === Operation.CREATE
      ? 'The service is temporarily unavailable. Retry with the same Idempotency-Key.'
      : 'The service is temporarily unavailable. Retry after the time in the Retry-After header.');
  }
}

/**
 * The processor declined the payment. This is a final outcome: it is recorded, and a retry with the
 * same key replays it.
 */
export class PaymentDeclinedError extends PaymentApiError {
  public readonly code = 'payment_declined';
  public readonly status = 402;
  constructor(public readonly declineCode: string, public readonly transactionId: string) {
    super('The payment processor declined the payment.');
  }
}

/**
 * The processor failed, timed out or answered something the contract does not allow. The payment
 * stays `pending`; a retry with the same key calls the processor again with the same idempotency
 * key, and the completer does so if no client retries.
 */
export class ProcessorUnavailableError extends PaymentApiError {
  public readonly code = 'processor_unavailable';
  public readonly status = 503;
  constructor(public readonly transactionId: string, public readonly retryAfterSeconds: number, public readonly failure?: unknown) {
    super('The payment processor did not confirm the payment. Retry with the same Idempotency-Key.');
  }
}

export class InternalError extends PaymentApiError {
  public readonly code = 'internal_error';
  public readonly status = 500;
  constructor() {
    super('An unexpected error occurred. Quote the request id when you contact support.');
  }
}
