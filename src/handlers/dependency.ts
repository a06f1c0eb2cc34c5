import { Operation, ServiceUnavailableError } from './errors';

/**
 * How the handler and the completer tell the failures of DynamoDB apart: a refusal (nothing was
 * written), throttling (retry in a second), an unknown outcome (a write may still land) and
 * anything else.
 */

/**
 * Runs a call to a dependency, turning throttling and unavailability into a 503 that says when to
 * retry, and any other failure into a 500 that says nothing about it.
 */
export async function dependency<T>(call: () => Promise<T>, retryAfterMs: number, operation: Operation = Operation.CREATE): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isThrottling(error)) {
      throw new ServiceUnavailableError(1, operation);
    }
    if (isUnavailable(error)) {
      throw new ServiceUnavailableError(Math.ceil(retryAfterMs / 1000), operation);
    }
    throw error;
  }
}

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  // A multi-Region strongly consistent table refuses a write that met a concurrent write to the
  // same item in another Region. The SDK retries it once; one that still conflicts wrote nothing,
  // unlike a failed condition, which the store and the ledger answer from the item they found.
  'ReplicatedWriteConflictException',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/** DynamoDB refused the request for capacity or for a conflicting write in another Region: nothing was written. */
export function isThrottling(error: unknown): boolean {
  return error instanceof Error && THROTTLING.has(error.name);
}

/**
 * DynamoDB answered with a client error (a 4xx): the request was refused, and nothing was written.
 * A conditional check that failed is not among them; the store and the ledger handle those.
 */
export function isRefused(error: unknown): boolean {
  const details = error as { $fault?: string; $metadata?: { httpStatusCode?: number } };
  return isThrottling(error)
    || (error instanceof Error && details.$fault === 'client' && details.$metadata?.httpStatusCode !== undefined);
}

/** DynamoDB refused what the item holds (a value it cannot store), as opposed to how it was sent. */
export function isInvalidInput(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationException';
}

/**
 * The dependency failed on its side or could not be reached: the outcome of a write is unknown.
 * An SDK error that carries request metadata but no HTTP status never got a response.
 */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) {
    return false;
  }
  const details = error as Error & { $fault?: string; code?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown };
  return details.$fault === 'server'
    || ['TimeoutError', 'RequestTimeout', 'AbortError', 'InternalServerError', 'ServiceUnavailable'].includes(error.name)
    || NETWORK_CODES.has(String(details.code))
    || (details.$metadata !== undefined && details.$metadata.httpStatusCode === undefined)
    || isUnavailable(details.cause);
}

/** Whole seconds from `nowMs` until `untilMs`, at least 1: a `Retry-After`. */
export function secondsUntil(untilMs: number, nowMs: number): number {
  return Math.max(1, Math.ceil((untilMs - nowMs) / 1000));
}

