import {
  InternalError,
  InvalidJsonError,
  MissingIdempotencyKeyError,
  PayloadTooLargeError,
  PaymentApiError,
  UnsupportedMediaTypeError,
} from '../handlers/errors';
import { MAX_BODY_BYTES } from '../handlers/payment-request';

/**
 * What API Gateway answers itself, in front of the handler, for one of its response types: the
 * contract's error body, so that a client sees one error format whoever answered. `PaymentApi`
 * configures these as gateway responses; the local server answers them the same way.
 */
export interface GatewayAnswer {
  /** API Gateway's response type, such as `INVALID_API_KEY`. */
  readonly type: string;
  /** The status to answer with; left out, API Gateway keeps its own. */
  readonly status?: number;
  readonly code: string;
  readonly message: string;
  readonly retryAfterSeconds?: number;
}

/** The answer to a request that API Gateway refuses for the reason that the handler would give, in the handler's words. */
function asTheHandlerAnswers(type: string, error: PaymentApiError, keepStatus = false): GatewayAnswer {
  return { type, status: keepStatus ? undefined : error.status, code: error.code, message: error.message };
}

export const GATEWAY_ANSWERS: readonly GatewayAnswer[] = [
  asTheHandlerAnswers('BAD_REQUEST_BODY', new InvalidJsonError()),
  asTheHandlerAnswers('BAD_REQUEST_PARAMETERS', new MissingIdempotencyKeyError()),
  asTheHandlerAnswers('REQUEST_TOO_LARGE', new PayloadTooLargeError(MAX_BODY_BYTES)),
  asTheHandlerAnswers('UNSUPPORTED_MEDIA_TYPE', new UnsupportedMediaTypeError()),
  { type: 'INVALID_API_KEY', status: 403, code: 'forbidden', message: 'A valid API key is required.' },
  { type: 'MISSING_AUTHENTICATION_TOKEN', status: 403, code: 'forbidden', message: 'The request is not signed, or no such route exists.' },
  { type: 'ACCESS_DENIED', status: 403, code: 'forbidden', message: 'The caller may not use this API.' },
  { type: 'INVALID_SIGNATURE', status: 403, code: 'forbidden', message: 'The request signature is not valid.' },
  { type: 'EXPIRED_TOKEN', status: 403, code: 'forbidden', message: 'The security token has expired.' },
  { type: 'THROTTLED', status: 429, code: 'rate_limited', message: 'Too many requests. Retry later with the same Idempotency-Key.', retryAfterSeconds: 1 },
  { type: 'QUOTA_EXCEEDED', status: 429, code: 'rate_limited', message: 'The usage plan quota is used up.', retryAfterSeconds: 60 },
  {
    type: 'INTEGRATION_TIMEOUT',
    status: 504,
    code: 'gateway_timeout',
    message: 'The request timed out and the payment may have been accepted. Retry with the same Idempotency-Key to get its outcome.',
    retryAfterSeconds: 10,
  },
  { type: 'DEFAULT_4XX', code: 'bad_request', message: 'The request could not be processed.' },
  // API Gateway keeps its own status (500, 502 or 503) for the server errors it answers itself.
  asTheHandlerAnswers('DEFAULT_5XX', new InternalError(), true),
];

/** The answer of one response type. */
export function gatewayAnswer(type: string): GatewayAnswer {
  const answer = GATEWAY_ANSWERS.find((candidate) => candidate.type === type);
  if (!answer) {
    throw new Error(`no gateway answer for ${type}`);
  }
  return answer;
}
