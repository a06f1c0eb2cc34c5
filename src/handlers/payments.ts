import { randomUUID } from 'node:crypto';
import { Deadline, REQUEST_BUDGET_MS } from './deadline';
import {
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
  Operation,
  ServiceUnavailableError,
  ValidationError,
} from './errors';
import { IdempotencyRecord, IdempotencyStore, requestHash } from './idempotency';
import { AcceptedPayment, Ledger, paymentBody } from './ledger';
import type { PaymentRequest } from './payment-request';

/** How long an attempt holds a key before another request may take over, in milliseconds. */
export const LEASE_MS = 10_000;

/** The outcome of `POST /payments`: the 201 body, and whether it repeats an earlier response. */
export interface CreatedPayment {
  readonly transactionId: string;
  readonly body: string;
  readonly replayed: boolean;
}

/** What the service needs; the handler builds it once per container. */
export interface PaymentServiceOptions {
  readonly ledger: Ledger;
  readonly idempotency: IdempotencyStore;
  readonly now?: () => number;
  readonly newId?: () => string;
  /** Time a request may take, in milliseconds; by default `REQUEST_BUDGET_MS`. */
  readonly budgetMs?: number;
}

/**
 * Accepts payments exactly once per client and idempotency key.
 *
 * 1. Claim the key with one conditional write that already holds the payment's id, time and
 *    response. Of any number of concurrent requests, exactly one claims it.
 * 2. A request that finds the key claimed compares request hashes (422 if they differ), replays the
 *    stored response if the ledger holds the payment, answers 409 while the claiming attempt's
 *    lease runs, and takes the claim over once it has run out.
 * 3. Append the ledger item with a condition on its key. Because every attempt for one claim writes
 *    the same key, the ledger can never hold the payment twice.
 *
 * A ledger write that DynamoDB refused (throttling, or a 4xx for what the request holds) releases
 * the claim, so that nothing of the request is kept and a retry, or the same key with a corrected
 * body, starts afresh. One whose outcome is unknown (a timeout, a 5xx) keeps it: the retry after the
 * lease finds the ledger item and replays it, or writes it.
 */
export class PaymentService {
  private readonly ledger: Ledger;
  private readonly idempotency: IdempotencyStore;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly budgetMs: number;

  constructor(options: PaymentServiceOptions) {
    this.ledger = options.ledger;
    this.idempotency = options.idempotency;
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? randomUUID;
    this.budgetMs = options.budgetMs ?? REQUEST_BUDGET_MS;
  }

  /**
   * Every call to DynamoDB runs against the request's deadline: one that has not answered when it
   * passes is treated as unavailable (503 with Retry-After; a write may still land, which the retry
   * with the same key settles), and no call starts after it.
   */
  public async create(clientId: string, idempotencyKey: string, request: PaymentRequest, budgetMs = this.budgetMs): Promise<CreatedPayment> {
    const deadline = new Deadline(budgetMs);
    const id = IdempotencyStore.recordId(clientId, idempotencyKey);
    const nowMs = this.now();
    const payment: AcceptedPayment = {
      transactionId: this.newId(),
      status: 'accepted',
      amount: request.amount,
      currency: request.currency,
      merchantId: request.merchantId,
      createdAt: new Date(nowMs).toISOString(),
    };
    const fresh: IdempotencyRecord = {
      requestHash: requestHash(request),
      transactionId: payment.transactionId,
      createdAt: payment.createdAt,
      response: paymentBody(payment),
      attempt: this.newId(),
      lockedUntil: nowMs + LEASE_MS,
    };

    const claim = await dependency(() => deadline.run(() => this.idempotency.claim(id, fresh, nowMs)), LEASE_MS);
    let record = claim.record;
    if (claim.kind === 'existing') {
      if (record.requestHash !== fresh.requestHash) {
        throw new IdempotencyKeyReusedError();
      }
      if (await dependency(() => deadline.run(() => this.ledger.contains(record.transactionId, record.createdAt)), 1000)) {
        return { transactionId: record.transactionId, body: record.response, replayed: true };
      }
      if (record.lockedUntil > nowMs) {
        throw new IdempotencyInProgressError(secondsUntil(record.lockedUntil, nowMs));
      }
      const attempt = this.newId();
      if (!await dependency(() => deadline.run(() => this.idempotency.takeOver(id, record, attempt, nowMs + LEASE_MS)), LEASE_MS)) {
        throw new IdempotencyInProgressError(secondsUntil(nowMs + LEASE_MS, nowMs));
      }
      record = { ...record, attempt, lockedUntil: nowMs + LEASE_MS };
    }

    const stored: AcceptedPayment = { ...payment, transactionId: record.transactionId, createdAt: record.createdAt };
    let written: boolean;
    try {
      written = await deadline.run(() => this.ledger.append(stored, request, clientId));
    } catch (error) {
      if (isRefused(error)) {
        // DynamoDB answered and wrote nothing: take the claim back before answering.
        // A release that fails or meets the deadline leaves the claim to its lease, as the store's own failures do.
        // Stryker disable next-line ArrowFunction: undefined, like false, is a release that did not happen
        if (!await deadline.run(() => this.idempotency.release(id, record)).catch(() => false)) {
          throw new ServiceUnavailableError(secondsUntil(record.lockedUntil, this.now()));
        }
        if (isThrottling(error)) {
          throw new ServiceUnavailableError(1);
        }
        if (isInvalidInput(error)) {
          throw new ValidationError([{ field: 'body', issue: 'holds a value that the ledger cannot store' }], error);
        }
        throw error;
      }
      if (isUnavailable(error)) {
        throw new ServiceUnavailableError(secondsUntil(record.lockedUntil, this.now()));
      }
      throw error;
    }
    return { transactionId: record.transactionId, body: record.response, replayed: !written };
  }

  /** The payment with this id, if this client created it. */
  public async get(clientId: string, transactionId: string, budgetMs = this.budgetMs): Promise<AcceptedPayment | undefined> {
    const deadline = new Deadline(budgetMs);
    return dependency(() => deadline.run(() => this.ledger.find(transactionId, clientId)), 1000, Operation.READ);
  }
}

/**
 * Runs a call to a dependency, turning throttling and unavailability into a 503 that says when to
 * retry, and any other failure into a 500 that says nothing about it.
 */
async function dependency<T>(call: () => Promise<T>, retryAfterMs: number, operation: Operation = Operation.CREATE): Promise<T> {
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

function secondsUntil(untilMs: number, nowMs: number): number {
  return Math.max(1, Math.ceil((untilMs - nowMs) / 1000));
}

