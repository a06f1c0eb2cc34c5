import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { InternalError, NotFoundError, PaymentApiError } from './errors';
import { errorResponse, jsonResponse } from './http';
import { paymentBody } from './ledger';
import { parsePaymentRequest } from './payment-request';
import type { PaymentService } from './payments';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What a route reports about its outcome, for logs and metrics; never any request content. */
export interface Outcome {
  readonly response: APIGatewayProxyResult;
  /** `accepted`, `authorized`, `declined`, `replayed`, `found`, or the error code. */
  readonly result: string;
  readonly transactionId?: string;
  /** The unexpected error behind a 500 (or an unexpected refusal), for the log only. */
  readonly failure?: unknown;
}

/**
 * Who is calling: the IAM principal where IAM authorization is on, else the API key id. An assumed
 * role counts as one client whatever its session name, so that a retry from fresh credentials of
 * the same service still finds its idempotency key and its payments.
 */
export function clientIdOf(event: APIGatewayProxyEvent, iamAuthorization: boolean): string | undefined {
  const identity = event.requestContext?.identity;
  if (iamAuthorization) {
    return identity?.userArn ? `iam:${identity.userArn.replace(ASSUMED_ROLE_SESSION, '$1')}` : undefined;
  }
  return identity?.apiKeyId ? `key:${identity.apiKeyId}` : undefined;
}

/** `arn:aws:sts::123456789012:assumed-role/RoleName/session-name`, capturing all but the session. */
const ASSUMED_ROLE_SESSION = /^(arn:[^:]+:sts::\d{12}:assumed-role\/[^/]+)\/.+$/;

/** What a final response that this request recorded says: `accepted`, `authorized` or `declined`. */
function resultOf(body: string): string {
  const { status, error } = JSON.parse(body) as { status?: string; error?: unknown };
  return error === undefined ? status! : 'declined';
}

/**
 * Serves `POST /payments` and `GET /payments/{transactionId}`; every failure becomes the contract's
 * error body, and nothing unexpected (a stack, an AWS error text) ever reaches the response.
 *
 * @param budgetMs time the request may take; by default the service's
 */
export async function routePaymentRequest(
  event: APIGatewayProxyEvent,
  service: PaymentService,
  iamAuthorization: boolean,
  budgetMs?: number,
): Promise<Outcome> {
  const requestId = event.requestContext?.requestId ?? 'unknown';
  try {
    const clientId = clientIdOf(event, iamAuthorization);
    if (!clientId) {
      // API Gateway requires an API key (and IAM where on), so this is a deployment fault.
      return { response: errorResponse(new InternalError(), requestId), result: 'internal_error', failure: new Error('request has no caller identity') };
    }
    if (event.httpMethod === 'POST' && event.resource === '/payments') {
      const { idempotencyKey, payment } = parsePaymentRequest(event);
      const created = await service.create(clientId, idempotencyKey, payment, budgetMs, requestId);
      const headers: Record<string, string> = { Location: `/payments/${created.transactionId}` };
      if (created.replayed) {
        headers['Idempotent-Replayed'] = 'true';
      }
      return {
        response: jsonResponse(created.statusCode, created.body, headers),
        result: created.replayed ? 'replayed' : resultOf(created.body),
        transactionId: created.transactionId,
      };
    }
    if (event.httpMethod === 'GET' && event.resource === '/payments/{transactionId}') {
      // Stryker disable next-line StringLiteral: any id that is not a UUID is not found, the empty one like the rest
      const transactionId = event.pathParameters?.transactionId ?? '';
      const payment = UUID.test(transactionId) ? await service.get(clientId, transactionId, budgetMs) : undefined;
      if (!payment) {
        throw new NotFoundError();
      }
      return { response: jsonResponse(200, paymentBody(payment)), result: 'found', transactionId };
    }
    throw new NotFoundError();
  } catch (error) {
    if (error instanceof PaymentApiError) {
      return { response: errorResponse(error, requestId), result: error.code, failure: error.failure };
    }
    return { response: errorResponse(new InternalError(), requestId), result: 'internal_error', failure: error };
  }
}
