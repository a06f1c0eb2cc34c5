import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import {
  InternalError,
  InvalidJsonError,
  MissingIdempotencyKeyError,
  PayloadTooLargeError,
  PaymentApiError,
  UnsupportedMediaTypeError,
} from '../handlers/errors';
import { MAX_BODY_BYTES } from '../handlers/payment-request';

interface ContractResponse {
  readonly type: apigateway.ResponseType;
  /** The status to answer with; left out, API Gateway keeps its own. */
  readonly status?: string;
  readonly code: string;
  readonly message: string;
  readonly retryAfterSeconds?: number;
}

/** The answer to a request that API Gateway refuses for the reason that the handler would give, in the handler's words. */
function asTheHandlerAnswers(type: apigateway.ResponseType, error: PaymentApiError, keepStatus = false): ContractResponse {
  return { type, status: keepStatus ? undefined : String(error.status), code: error.code, message: error.message };
}

/**
 * Requests that API Gateway answers itself (validation, authorization, throttling, timeouts) get
 * the contract's error body too, so that a client sees one error format whoever answered.
 */
const RESPONSES: ContractResponse[] = [
  asTheHandlerAnswers(apigateway.ResponseType.BAD_REQUEST_BODY, new InvalidJsonError()),
  asTheHandlerAnswers(apigateway.ResponseType.BAD_REQUEST_PARAMETERS, new MissingIdempotencyKeyError()),
  asTheHandlerAnswers(apigateway.ResponseType.REQUEST_TOO_LARGE, new PayloadTooLargeError(MAX_BODY_BYTES)),
  asTheHandlerAnswers(apigateway.ResponseType.UNSUPPORTED_MEDIA_TYPE, new UnsupportedMediaTypeError()),
  { type: apigateway.ResponseType.INVALID_API_KEY, status: '403', code: 'forbidden', message: 'A valid API key is required.' },
  { type: apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, status: '403', code: 'forbidden', message: 'The request is not signed, or no such route exists.' },
  { type: apigateway.ResponseType.ACCESS_DENIED, status: '403', code: 'forbidden', message: 'The caller may not use this API.' },
  { type: apigateway.ResponseType.INVALID_SIGNATURE, status: '403', code: 'forbidden', message: 'The request signature is not valid.' },
  { type: apigateway.ResponseType.EXPIRED_TOKEN, status: '403', code: 'forbidden', message: 'The security token has expired.' },
  { type: apigateway.ResponseType.THROTTLED, status: '429', code: 'rate_limited', message: 'Too many requests. Retry later with the same Idempotency-Key.', retryAfterSeconds: 1 },
  { type: apigateway.ResponseType.QUOTA_EXCEEDED, status: '429', code: 'rate_limited', message: 'The usage plan quota is used up.', retryAfterSeconds: 60 },
  {
    type: apigateway.ResponseType.INTEGRATION_TIMEOUT,
    status: '504',
    code: 'gateway_timeout',
    message: 'The request timed out and the payment may have been accepted. Retry with the same Idempotency-Key to get its outcome.',
    retryAfterSeconds: 10,
  },
  { type: apigateway.ResponseType.DEFAULT_4XX, code: 'bad_request', message: 'The request could not be processed.' },
  // API Gateway keeps its own status (500, 502 or 503) for the server errors it answers itself.
  asTheHandlerAnswers(apigateway.ResponseType.DEFAULT_5XX, new InternalError(), true),
];

export function contractGatewayResponses(api: apigateway.RestApi): void {
  for (const response of RESPONSES) {
    const body = {
      error: { code: response.code, message: response.message, requestId: '$context.requestId' },
    };
    const headers: Record<string, string> = { 'Content-Type': "'application/json'", 'X-Content-Type-Options': "'nosniff'" };
    if (response.retryAfterSeconds !== undefined) {
      headers['Retry-After'] = `'${response.retryAfterSeconds}'`;
    }
    api.addGatewayResponse(`${response.type.responseType}Response`, {
      type: response.type,
      statusCode: response.status,
      responseHeaders: headers,
      templates: { 'application/json': JSON.stringify(body) },
    });
  }
}
