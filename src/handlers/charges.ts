import { Deadline, RequestDeadlineError } from './deadline';
import { dependency, isInvalidInput, isRefused, isThrottling, isUnavailable, secondsUntil } from './dependency';
import { PaymentDeclinedError, ProcessorUnavailableError, ServiceUnavailableError, ValidationError } from './errors';
import { errorResponse } from './http';
import type { IdempotencyRecord, IdempotencyStore, PendingCharge } from './idempotency';
import { Ledger, Payment, paymentBody, settledPayment } from './ledger';
import { ProcessorCallError, type Processor } from './processor-client';
import type { ProcessorOutcome } from './processor-protocol';

/**
 * The outcome of `POST /payments`: the final response (201, or 402 for a decline), and whether it
 * repeats one that an earlier request recorded.
 */
export interface CreatedPayment {
  readonly transactionId: string;
  readonly statusCode: number;
  readonly body: string;
  readonly replayed: boolean;
}

/** How an attempt came to hold a pending payment's lease. */
export enum Holder {
  /** The request that claimed the key: nobody has called the processor for the payment before it. */
  CLAIM = 'claim',
  /** A retry that took the payment over after an earlier attempt's lease ran out. */
  RETRY = 'retry',
  /** The completer, finishing a payment that no client retried. */
  COMPLETER = 'completer',
}

/** What an attempt at a pending payment is, and how long it may take. */
export interface Attempt {
  /** The idempotency record's id. */
  readonly id: string;
  /** The record, with this attempt's lease. */
  readonly record: IdempotencyRecord & { readonly pending: PendingCharge };
  readonly holder: Holder;
  /** Named in the body of a decline that this attempt records. */
  readonly requestId: string;
  readonly deadline: Deadline;
  /** When (epoch milliseconds) the completer tries the payment next if the processor call fails. */
  readonly retryAt: number;
}

/**
 * Takes a `pending` payment from wherever the last attempt left it to its one final response, in
 * the phases of the contract's "Payment processor" section, each a recovery point:
 *
 * 1. the write-ahead: the ledger item as `pending`, before the processor is called, so that an
 *    operator can always see a charge that may have happened (an earlier attempt's item stays);
 * 2. the processor's outcome: the one the ledger already records, if an earlier attempt got that
 *    far, else a call that carries the payment's one idempotency key;
 * 3. the outcome recorded in the ledger, once (`pending` to `authorized` or `declined`);
 * 4. the final response recorded in the idempotency record, once; the one recorded first is the
 *    one every attempt answers and every replay repeats.
 *
 * A processor failure ends the attempt's lease (the payment stays `pending`, a retry may call
 * again at once) and answers 503 `processor_unavailable`. A write-ahead that DynamoDB refused ends
 * it too (nothing was written or called). Any other DynamoDB failure answers 503
 * `service_unavailable` and leaves the lease to run out: a retry or the completer then goes on.
 */
export class Charges {
  constructor(
    private readonly ledger: Ledger,
    private readonly idempotency: IdempotencyStore,
    private readonly processor: Processor,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The payment's one final response: the one this attempt recorded, or the one that another
   * attempt recorded first (then `replayed`).
   */
  public async settle(attempt: Attempt): Promise<CreatedPayment> {
    const { id, record, deadline } = attempt;
    const payment = pendingPayment(record);
    const outcome = await this.writeAhead(attempt, payment) ?? await this.charge(attempt);
    const answer = finalAnswer(settledPayment(payment, outcome), attempt.requestId);
    const final = await dependency(
      () => deadline.run(() => this.idempotency.finish(id, record, answer.body, answer.statusCode, this.now())),
      secondsUntil(record.lockedUntil, this.now()) * 1000,
    );
    return {
      transactionId: record.transactionId,
      statusCode: final.responseStatus!,
      body: final.response!,
      replayed: final.response !== answer.body,
    };
  }

  /**
   * Writes the ledger item as `pending` unless an earlier attempt did; returns the outcome that
   * item records, if any. A write that DynamoDB refused releases a claim that nobody else has
   * acted on, so that nothing of the request is kept; an attempt that took the payment over ends
   * its lease instead, so that a retry may go on at once.
   */
  private async writeAhead(attempt: Attempt, payment: Payment): Promise<ProcessorOutcome | undefined> {
    const { id, record, deadline } = attempt;
    let written: boolean;
    try {
      written = await deadline.run(() => this.ledger.append(payment, record.pending.request, record.pending.clientId));
    } catch (error) {
      // DynamoDB answered and wrote nothing, and this attempt has not called the processor. Only the
      // attempt that claimed the key knows that nobody ever did, so only it gives the claim back.
      if (isRefused(error)) {
        // Stryker disable ArrowFunction: undefined, like false, is a release that did not happen
        const given = attempt.holder === Holder.CLAIM
          ? await deadline.run(() => this.idempotency.release(id, record)).catch(() => false)
          : await this.idempotency.endLease(id, record, this.now(), attempt.retryAt).catch(() => false);
        // Stryker restore ArrowFunction
        if (!given) {
          throw new ServiceUnavailableError(secondsUntil(record.lockedUntil, this.now()));
        }
        if (isInvalidInput(error) && attempt.holder === Holder.CLAIM) {
          throw new ValidationError([{ field: 'body', issue: 'holds a value that the ledger cannot store' }], error);
        }
      }
      if (isThrottling(error)) {
        throw new ServiceUnavailableError(1);
      }
      if (isUnavailable(error)) {
        throw new ServiceUnavailableError(secondsUntil(record.lockedUntil, this.now()));
      }
      throw error;
    }
    if (written) {
      return undefined;
    }
    const found = await dependency(() => deadline.run(() => this.ledger.read(payment.transactionId, payment.createdAt)), 1000);
    return found?.processorReference !== undefined ? outcomeOfPayment(found) : undefined;
  }

  /** Calls the processor and records its outcome in the ledger; the outcome the ledger holds. */
  private async charge(attempt: Attempt): Promise<ProcessorOutcome> {
    const { id, record, deadline } = attempt;
    let outcome: ProcessorOutcome;
    try {
      outcome = await deadline.run(() => this.processor.charge(record.pending.request));
    } catch (error) {
      if (!(error instanceof ProcessorCallError || error instanceof RequestDeadlineError)) {
        throw error;
      }
      // Whether the processor charged is unknown: the payment stays pending and the lease ends, so
      // that a retry calls again with the same key. A lease that cannot be ended runs out instead.
      const now = this.now();
      const ended = await this.idempotency.endLease(id, record, now, attempt.retryAt).catch(() => false);
      throw new ProcessorUnavailableError(record.transactionId, ended ? 1 : secondsUntil(record.lockedUntil, now), error);
    }
    return dependency(
      () => deadline.run(() => this.ledger.settle(record.transactionId, record.createdAt, outcome)),
      secondsUntil(record.lockedUntil, this.now()) * 1000,
    );
  }
}

/** The ledger item of a pending payment, from what its record keeps. */
function pendingPayment(record: IdempotencyRecord & { readonly pending: PendingCharge }): Payment {
  const request = record.pending.request;
  return {
    transactionId: record.transactionId,
    status: 'pending',
    amount: request.amount,
    currency: request.currency,
    merchantId: request.merchantId,
    createdAt: record.createdAt,
  };
}

/** The outcome that a settled payment records. */
function outcomeOfPayment(payment: Payment): ProcessorOutcome {
  return payment.status === 'declined'
    ? { outcome: 'declined', processorReference: payment.processorReference!, declineCode: payment.declineCode! }
    : { outcome: 'authorized', processorReference: payment.processorReference! };
}

/** The final response for a settled payment: 201 with the payment, or 402 with the decline. */
export function finalAnswer(payment: Payment, requestId: string): { readonly statusCode: number; readonly body: string } {
  if (payment.status === 'declined') {
    return errorResponse(new PaymentDeclinedError(payment.declineCode!, payment.transactionId), requestId) as { statusCode: number; body: string };
  }
  return { statusCode: 201, body: paymentBody(payment) };
}
