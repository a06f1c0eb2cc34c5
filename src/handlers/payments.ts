import { randomUUID } from 'node:crypto';
import { Charges, CreatedPayment, Holder } from './charges';
import { chargeLeaseMs, Deadline, REQUEST_BUDGET_MS } from './deadline';
import { dependency, isInvalidInput, isRefused, isThrottling, isUnavailable, secondsUntil } from './dependency';
import {
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
  Operation,
  ProcessorUnavailableError,
  ServiceUnavailableError,
  ValidationError,
} from './errors';
import { IdempotencyRecord, IdempotencyStore, PendingCharge, requestHash } from './idempotency';
import { Ledger, Payment, paymentBody } from './ledger';
import type { PaymentRequest } from './payment-request';
import type { ProcessorSettings } from './processor-client';
import { processorRequest } from './processor-protocol';

/** How long an attempt holds a key before another request may take over, in milliseconds. */
export const LEASE_MS = 10_000;

/** The `Retry-After` of a pending payment past the processor's key retention, which only an operator can settle. */
const KEY_FORGOTTEN_RETRY_AFTER_SECONDS = 3600;

export type { CreatedPayment } from './charges';

/** What the service needs; the handler builds it once per container. */
export interface PaymentServiceOptions {
  readonly ledger: Ledger;
  readonly idempotency: IdempotencyStore;
  /** Where payments move money; without one they are recorded as `accepted`. */
  readonly processor?: ProcessorSettings;
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
 *
 * With a processor, the claim fixes the payment as `pending` with its processor request instead of
 * a response, and `Charges` takes it to its final response (201 or 402); the record keeps that
 * response once recorded, and every later request replays it without reading the ledger.
 */
export class PaymentService {
  private readonly ledger: Ledger;
  private readonly idempotency: IdempotencyStore;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly budgetMs: number;
  private readonly charges?: Charges;
  private readonly leaseMs: number;
  private readonly keyRetentionMs: number;

  constructor(options: PaymentServiceOptions) {
    this.ledger = options.ledger;
    this.idempotency = options.idempotency;
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? randomUUID;
    this.budgetMs = options.budgetMs ?? REQUEST_BUDGET_MS;
    this.charges = options.processor ? new Charges(this.ledger, this.idempotency, options.processor.processor, this.now) : undefined;
    this.leaseMs = options.processor ? chargeLeaseMs(options.processor.timeoutMs) : LEASE_MS;
    this.keyRetentionMs = options.processor?.keyRetentionMs ?? 0;
  }

  /**
   * Every call to DynamoDB runs against the request's deadline: one that has not answered when it
   * passes is treated as unavailable (503 with Retry-After; a write may still land, which the retry
   * with the same key settles), and no call starts after it.
   */
  public async create(
    clientId: string,
    idempotencyKey: string,
    request: PaymentRequest,
    budgetMs = this.budgetMs,
    requestId = 'unknown',
  ): Promise<CreatedPayment> {
    const deadline = new Deadline(budgetMs);
    const id = IdempotencyStore.recordId(clientId, idempotencyKey);
    const nowMs = this.now();
    const fresh = this.freshRecord(clientId, request, nowMs);

    const claim = await dependency(() => deadline.run(() => this.idempotency.claim(id, fresh, nowMs)), this.leaseMs);
    let record = claim.record;
    if (claim.kind === 'existing') {
      if (record.requestHash !== fresh.requestHash) {
        throw new IdempotencyKeyReusedError();
      }
      if (record.responseStatus !== undefined) {
        return replay(record);
      }
      if (!record.pending) {
        return this.acceptAgain(id, record, request, clientId, deadline, nowMs);
      }
      if (!this.charges) {
        // A payment left pending by a deployment with a processor, met by one without.
        throw new ProcessorUnavailableError(record.transactionId, secondsUntil(record.lockedUntil, nowMs));
      }
      if (Date.parse(record.createdAt) + this.keyRetentionMs <= nowMs) {
        // Left for an operator (the completer's alarm names it): no call may repeat a forgotten key.
        throw new ProcessorUnavailableError(record.transactionId, KEY_FORGOTTEN_RETRY_AFTER_SECONDS);
      }
      record = await this.takeOver(id, record, deadline, nowMs);
    }
    if (!record.pending || !this.charges) {
      return this.accept(id, record, request, clientId, deadline);
    }
    return this.charges.settle({
      id,
      record: { ...record, pending: record.pending },
      holder: claim.kind === 'claimed' ? Holder.CLAIM : Holder.RETRY,
      requestId,
      deadline,
      retryAt: this.now(),
    });
  }

  /**
   * Appends an accepted payment to the ledger with a condition on its key. Because every attempt
   * for one claim writes the same key, the ledger can never hold the payment twice.
   */
  private async accept(
    id: string,
    record: IdempotencyRecord,
    request: PaymentRequest,
    clientId: string,
    deadline: Deadline,
  ): Promise<CreatedPayment> {
    const stored: Payment = {
      transactionId: record.transactionId,
      status: 'accepted',
      amount: request.amount,
      currency: request.currency,
      merchantId: request.merchantId,
      createdAt: record.createdAt,
    };
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
    return { transactionId: record.transactionId, statusCode: 201, body: record.response!, replayed: !written };
  }

  /** The payment with this id, if this client created it. */
  public async get(clientId: string, transactionId: string, budgetMs = this.budgetMs): Promise<Payment | undefined> {
    const deadline = new Deadline(budgetMs);
    return dependency(() => deadline.run(() => this.ledger.find(transactionId, clientId)), 1000, Operation.READ);
  }

  /**
   * The record a new claim writes: the payment's id and time, and either the 201 body of an
   * accepted payment or, with a processor, the processor request of a pending one.
   */
  private freshRecord(clientId: string, request: PaymentRequest, nowMs: number): IdempotencyRecord {
    const transactionId = this.newId();
    const createdAt = new Date(nowMs).toISOString();
    const lockedUntil = nowMs + this.leaseMs;
    const common = { requestHash: requestHash(request), transactionId, createdAt, attempt: this.newId(), lockedUntil };
    if (this.charges) {
      const pending: PendingCharge = { request: processorRequest(transactionId, request), clientId, retryAt: lockedUntil, tries: 0 };
      return { ...common, pending };
    }
    const payment: Payment = {
      transactionId,
      status: 'accepted',
      amount: request.amount,
      currency: request.currency,
      merchantId: request.merchantId,
      createdAt,
    };
    return { ...common, response: paymentBody(payment) };
  }

  /** Takes over a claim whose attempt's lease has run out; 409 while it runs, or if another request took it first. */
  private async takeOver(id: string, record: IdempotencyRecord, deadline: Deadline, nowMs: number): Promise<IdempotencyRecord> {
    if (record.lockedUntil > nowMs) {
      throw new IdempotencyInProgressError(secondsUntil(record.lockedUntil, nowMs));
    }
    const attempt = this.newId();
    if (!await dependency(() => deadline.run(() => this.idempotency.takeOver(id, record, attempt, nowMs + this.leaseMs)), this.leaseMs)) {
      throw new IdempotencyInProgressError(secondsUntil(nowMs + this.leaseMs, nowMs));
    }
    return { ...record, attempt, lockedUntil: nowMs + this.leaseMs };
  }

  /**
   * A claim of an accepted payment met again: the replay of the 201 if the ledger holds the
   * payment, else a takeover once the claiming attempt's lease has run out, and the ledger write.
   */
  private async acceptAgain(
    id: string,
    record: IdempotencyRecord,
    request: PaymentRequest,
    clientId: string,
    deadline: Deadline,
    nowMs: number,
  ): Promise<CreatedPayment> {
    if (await dependency(() => deadline.run(() => this.ledger.contains(record.transactionId, record.createdAt)), 1000)) {
      return replay(record);
    }
    return this.accept(id, await this.takeOver(id, record, deadline, nowMs), request, clientId, deadline);
  }
}

/** The recorded final response of a claim, as a replay. */
function replay(record: IdempotencyRecord): CreatedPayment {
  return { transactionId: record.transactionId, statusCode: record.responseStatus ?? 201, body: record.response!, replayed: true };
}

