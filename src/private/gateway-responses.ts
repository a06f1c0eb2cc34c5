import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { GATEWAY_ANSWERS } from './gateway-answers';

/**
 * Requests that API Gateway answers itself (validation, authorization, throttling, timeouts) get
 * the contract's error body too, so that a client sees one error format whoever answered.
 */
export function contractGatewayResponses(api: apigateway.RestApi): void {
  for (const answer of GATEWAY_ANSWERS) {
    const body = {
      error: { code: answer.code, message: answer.message, requestId: '$context.requestId' },
    };
    const headers: Record<string, string> = { 'Content-Type': "'application/json'", 'X-Content-Type-Options': "'nosniff'" };
    if (answer.retryAfterSeconds !== undefined) {
      headers['Retry-After'] = `'${answer.retryAfterSeconds}'`;
    }
    api.addGatewayResponse(`${answer.type}Response`, {
      type: apigateway.ResponseType.of(answer.type),
      statusCode: answer.status === undefined ? undefined : String(answer.status),
      responseHeaders: headers,
      templates: { 'application/json': JSON.stringify(body) },
    });
  }
}
