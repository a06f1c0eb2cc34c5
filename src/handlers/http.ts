import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { PaymentApiError } from './errors';

const JSON_HEADERS = {
  'Content-Type': 'application/json',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

/** A response with a JSON body that is already serialised, so that replays can repeat it byte for byte. */
export function jsonResponse(statusCode: number, body: string, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body };
}

/**
 * The contract's error body for an error, with the request id and, where there are some, the
 * details, the decline code and the payment's id.
 */
export function errorResponse(error: PaymentApiError, requestId: string): APIGatewayProxyResult {
  // Members that an error does not have are left out of the JSON (JSON.stringify drops undefined).
  const body = {
    error: {
      code: error.code,
      message: error.message,
      requestId,
      details: error.details,
      declineCode: error.declineCode,
      transactionId: error.transactionId,
    },
  };
  const headers: Record<string, string> = error.retryAfterSeconds !== undefined
    ? { 'Retry-After': String(error.retryAfterSeconds) }
    : {};
  return jsonResponse(error.status, JSON.stringify(body), headers);
}

/**
 * Every value of a request header, matched case-insensitively. API Gateway passes repeated headers
 * in `multiValueHeaders`; `headers` holds only the last one.
 */
export function headerValues(event: APIGatewayProxyEvent, name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const [key, list] of Object.entries(event.multiValueHeaders ?? {})) {
    if (key.toLowerCase() === wanted && list) {
      values.push(...list);
    }
  }
  if (values.length > 0) {
    return values;
  }
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) {
      values.push(value);
    }
  }
  return values;
}

/** The request body as bytes, decoding base64 where API Gateway encoded it. */
export function bodyBytes(event: APIGatewayProxyEvent): Buffer {
  if (!event.body) {
    return Buffer.alloc(0);
  }
  if (event.isBase64Encoded) {
    return Buffer.from(event.body, 'base64');
  }
  // Stryker disable next-line StringLiteral: Buffer.from reads a string as UTF-8 when the encoding is empty, so '' decodes alike
  return Buffer.from(event.body, 'utf8');
}
