/**
 * The time a request may take from the handler's start to its answer, in milliseconds. API Gateway
 * gives up on an integration after 29 seconds, counted from when it invoked the function, a cold
 * start included; 25 seconds leave room for that and for the answer to travel back.
 */
export const REQUEST_BUDGET_MS = 25_000;

/**
 * A call that did not finish before the request's deadline. Its outcome is unknown (a write may
 * still land), so it is answered like a timeout of the dependency: 503 with Retry-After.
 */
export class RequestDeadlineError extends Error {
  public readonly name = 'TimeoutError';

  constructor() {
    super('The request reached its deadline before a dependency answered.');
  }
}

/** The end of one request's time: every call to a dependency must finish before it. */
export class Deadline {
  private readonly endsAt: number;

  /** @param budgetMs time from now until the deadline */
  constructor(budgetMs: number, private readonly clock: () => number = () => performance.now()) {
    this.endsAt = clock() + budgetMs;
  }

  /**
   * The result of `call`, or a `RequestDeadlineError` once the deadline has passed, whichever comes
   * first. A call that would start after the deadline is not started.
   */
  public run<T>(call: () => Promise<T>): Promise<T> {
    const left = this.endsAt - this.clock();
    if (left <= 0) {
      return Promise.reject(new RequestDeadlineError());
    }
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RequestDeadlineError()), left);
    });
    // Stryker disable next-line ArrowFunction: a timer left running rejects a race already settled; it only keeps the process up until it fires
    return Promise.race([call(), expired]).finally(() => clearTimeout(timer));
  }
}

/**
 * Time an attempt at a payment with a processor needs besides the processor call, in milliseconds:
 * the claim and the write-ahead before it, recording the outcome and answering after it.
 */
export const CHARGE_ALLOWANCE_MS = 10_000;

/**
 * The lease of an attempt at a payment with a processor: longer than the processor timeout plus
 * the time to record the outcome, so that no other attempt takes the payment over while this one
 * can still finish it.
 */
export function chargeLeaseMs(processorTimeoutMs: number): number {
  return processorTimeoutMs + CHARGE_ALLOWANCE_MS;
}
