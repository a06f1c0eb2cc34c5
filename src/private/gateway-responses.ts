import * as apigateway from 'aws-cdk-lib/aws-apigateway';

interface ContractResponse {
  readonly type: apigateway.ResponseType;
  /** The status to answer with; left out, API Gateway keeps its own. */
  readonly status?: string;
  readonly code: string;
  readonly message: string;
  readonly retryAfterSeconds?: number;
}

/**
 * Requests that API Gateway answers itself (validation, authorization, throttling, timeouts) get
 * the contract's error body too, so that a client sees one error format whoever answered.
 */
const RESPONSES: ContractResponse[] = [
  { type: apigateway.ResponseType.BAD_REQUEST_BODY, status: '400', code: 'invalid_json', message: 'The request body must be a JSON object.' },
  { type: apigateway.ResponseType.BAD_REQUEST_PARAMETERS, status: '400', code: 'missing_idempotency_key', message: 'The Idempotency-Key header is required.' },
  { type: apigateway.ResponseType.REQUEST_TOO_LARGE, status: '413', code: 'payload_too_large', message: 'The request body must be at most 16384 bytes.' },
  { type: apigateway.ResponseType.UNSUPPORTED_MEDIA_TYPE, status: '415', code: 'unsupported_media_type', message: 'The Content-Type must be application/json.' },
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
  {
    type: apigateway.ResponseType.DEFAULT_5XX,
    code: 'internal_error',
    message: 'An unexpected error occurred. Quote the request id when you contact support.',
  },
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
