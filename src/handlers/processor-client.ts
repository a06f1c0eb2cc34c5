import type { ProcessorOutcome, ProcessorRequest } from './processor-protocol';

/** Why a call to the processor did not give an outcome. */
export enum ProcessorFailure {
  /** The processor answered with an error. */
  ERROR = 'error',
  /** No answer within the processor timeout. */
  TIMEOUT = 'timeout',
  /** The processor could not be reached, or refused the call (throttled, not permitted). */
  UNREACHABLE = 'unreachable',
  /** An answer that the contract does not allow. */
  INVALID_ANSWER = 'invalid_answer',
}

/**
 * A call to the processor that gave no outcome. Whether the processor charged is unknown, so the
 * payment stays `pending` and the next call carries the same idempotency key. The message names the
 * kind of failure only: nothing of what the processor answered is kept.
 */
export class ProcessorCallError extends Error {
  public readonly name = 'ProcessorCallError';

  constructor(public readonly reason: ProcessorFailure, public readonly detail?: string) {
    super(`The processor call failed: ${reason}${detail ? ` (${detail})` : ''}.`);
  }
}

/** A payment processor as the handler and the completer call it. */
export interface Processor {
  /** The processor's outcome for the request, or a `ProcessorCallError`. */
  charge(request: ProcessorRequest): Promise<ProcessorOutcome>;
}

/** The processor that payments go through, and how long one call to it may take. */
export interface ProcessorSettings {
  readonly processor: Processor;
  /** The processor timeout, in milliseconds; an attempt's lease is longer (`chargeLeaseMs`). */
  readonly timeoutMs: number;
  /**
   * How long the processor honours an idempotency key, in milliseconds. A payment still pending
   * after it is not called for again, by a retry or the completer: the processor could charge twice.
   */
  readonly keyRetentionMs: number;
}
