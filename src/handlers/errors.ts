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

export class InvalidJsonError extends PaymentApiError {
  public readonly code = 'invalid_json';
  public readonly status = 400;
  constructor() {
    super('The request body must be a JSON object.');
  }
}

export class ValidationError extends PaymentApiError {
  public readonly code = 'validation_error';
  public readonly status = 400;
  constructor(public readonly details: FieldIssue[]) {
    super('One or more fields are invalid.');
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

export class ServiceUnavailableError extends PaymentApiError {
  public readonly code = 'service_unavailable';
  public readonly status = 503;
  constructor(public readonly retryAfterSeconds: number) {
    super('The service is temporarily unavailable. Retry with the same Idempotency-Key.');
  }
}

export class InternalError extends PaymentApiError {
  public readonly code = 'internal_error';
  public readonly status = 500;
  constructor() {
    super('An unexpected error occurred. Quote the request id when you contact support.');
  }
}
