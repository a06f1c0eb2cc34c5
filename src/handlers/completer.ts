import { randomUUID } from 'node:crypto';
import { Attempt, Charges, Holder } from './charges';
import { Deadline } from './deadline';
import { PaymentApiError } from './errors';
import type { IdempotencyRecord, IdempotencyStore, PendingCharge, PendingEntry } from './idempotency';

/** The most pending payments one run reads from each shard of the index. */
export const MAX_PENDING_READ = 1_000;

/** The `retry_at` of a payment that the completer no longer tries: past the processor's key retention. */
export const NEVER = Number.MAX_SAFE_INTEGER;

/** The wait before the completer's next try of a payment, after its `tries`-th: 1, 2, 4, … up to 60 minutes. */
export function backoffMs(tries: number): number {
  return Math.min(2 ** Math.max(0, tries - 1), 60) * 60_000;
}

/** What became of one pending payment in a run. */
export enum Completion {
  /** Its final response is recorded. */
  COMPLETED = 'completed',
  /** The processor failed again (or DynamoDB did); the next try is set. */
  FAILED = 'failed',
  /** Another attempt holds it, or finished it since the index listed it. */
  SKIPPED = 'skipped',
  /** Past the processor's key retention: left `pending` for an operator, and tried no more. */
  ABANDONED = 'abandoned',
  /** An unexpected error; it stays due. */
  ERROR = 'error',
}

/** What one run did, for its metrics. */
export interface CompleterRun {
  /** Pending payments in the index, abandoned ones included. */
  readonly pending: number;
  /** Pending payments past the processor's key retention, which the completer no longer tries. */
  readonly abandoned: number;
  /** Seconds since the oldest pending payment was claimed; 0 when none is pending. */
  readonly oldestPendingSeconds: number;
  /** The outcome of each payment that was due, by transaction id. */
  readonly completions: readonly CompletionOf[];
}

/** What became of one payment, and the error behind a failed try or an unexpected error. */
export interface CompletionOf {
  readonly transactionId: string;
  readonly completion: Completion;
  readonly error?: unknown;
}

/** What the completer needs. */
export interface CompleterOptions {
  readonly idempotency: IdempotencyStore;
  readonly charges: Charges;
  /** An attempt's lease, in milliseconds (`chargeLeaseMs` of the processor timeout). */
  readonly leaseMs: number;
  /** How long the processor honours an idempotency key, in milliseconds: the completer stops trying after it. */
  readonly keyRetentionMs: number;
  readonly now?: () => number;
  readonly newId?: () => string;
}

/**
 * Completes the `pending` payments that no client retries: those whose attempt's lease has run out
 * (the index's `retry_at` has passed). Each is taken over like a retry takes it over, so that a
 * client's retry and the completer never act on one payment at once, and settled by the same
 * phases as in the handler, with the same idempotency key at the processor. A failed try is
 * followed by the next after `backoffMs`; a payment older than the processor's key retention is
 * left `pending` for an operator.
 */
export class Completer {
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(private readonly options: CompleterOptions) {
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? randomUUID;
  }

  /**
   * One run: reads the index, then tries the payments that are due, one at a time, until `stopAt`
   * (epoch milliseconds) leaves no time for another attempt.
   */
  public async run(requestId: string, stopAt: number): Promise<CompleterRun> {
    const entries = await this.options.idempotency.pending(MAX_PENDING_READ);
    const now = this.now();
    const oldest = Math.min(...entries.map((entry) => Date.parse(entry.createdAt)));
    const completions: CompletionOf[] = [];
    for (const entry of entries.filter((e) => e.retryAt <= now).sort((a, b) => a.retryAt - b.retryAt)) {
      if (this.now() + this.options.leaseMs > stopAt) {
        break;
      }
      try {
        completions.push({ transactionId: entry.transactionId, ...await this.complete(entry, requestId) });
      } catch (error) {
        completions.push({ transactionId: entry.transactionId, completion: Completion.ERROR, error });
      }
    }
    return {
      pending: entries.length,
      abandoned: entries.filter((entry) => entry.retryAt === NEVER).length + completions.filter((c) => c.completion === Completion.ABANDONED).length,
      oldestPendingSeconds: entries.length === 0 ? 0 : Math.max(0, Math.floor((now - oldest) / 1000)),
      completions,
    };
  }

  /** Takes one pending payment over and settles it, or sets its next try. */
  public async complete(entry: PendingEntry, requestId: string): Promise<{ completion: Completion; error?: unknown }> {
    const { idempotency, charges, leaseMs, keyRetentionMs } = this.options;
    const record = await idempotency.read(entry.id);
    const now = this.now();
    if (!record?.pending || record.response !== undefined || record.lockedUntil > now) {
      return { completion: Completion.SKIPPED };
    }
    const attempt = this.newId();
    const pending: IdempotencyRecord & { pending: PendingCharge } = { ...record, pending: record.pending };
    if (Date.parse(record.createdAt) + keyRetentionMs <= now) {
      // The processor may have forgotten the key: a call now could charge a second time.
      const taken = await idempotency.takeOver(entry.id, pending, attempt, now, { at: NEVER, tries: record.pending.tries });
      return { completion: taken ? Completion.ABANDONED : Completion.SKIPPED };
    }
    const tries = record.pending.tries + 1;
    const lockedUntil = now + leaseMs;
    const retryAt = Math.max(now + backoffMs(tries), lockedUntil);
    if (!await idempotency.takeOver(entry.id, pending, attempt, lockedUntil, { at: retryAt, tries })) {
      return { completion: Completion.SKIPPED };
    }
    const held: Attempt = {
      id: entry.id,
      record: { ...pending, attempt, lockedUntil, pending: { ...pending.pending, retryAt, tries } },
      holder: Holder.COMPLETER,
      requestId,
      deadline: new Deadline(leaseMs),
      retryAt,
    };
    try {
      await charges.settle(held);
      return { completion: Completion.COMPLETED };
    } catch (error) {
      // A processor failure, or DynamoDB unavailable: the next try is already set.
      if (error instanceof PaymentApiError && error.status === 503) {
        return { completion: Completion.FAILED, error: error.failure ?? error };
      }
      throw error;
    }
  }
}
