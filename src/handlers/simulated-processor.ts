import { createHash } from 'node:crypto';
import type { ProcessorOutcome, ProcessorRequest } from './processor-protocol';

/**
 * A simulated processor for development, examples, tests and the local server: the outcome is
 * decided by the payment's token, and a call repeated with the same idempotency key gets the same
 * `processorReference`, as the contract requires of a real processor.
 *
 * | token | outcome |
 * | --- | --- |
 * | `tok_decline_<code>` | declined with `<code>` (1 to 64 of `a-z`, `0-9`, `_`) |
 * | `tok_timeout` | answers only after the processor timeout |
 * | `tok_error` | fails, every time |
 * | `tok_flaky` | fails the first call for a key, then authorizes |
 * | anything else | authorized |
 */
export type SimulatedAnswer =
  | { readonly kind: 'outcome'; readonly outcome: ProcessorOutcome }
  | { readonly kind: 'late'; readonly outcome: ProcessorOutcome }
  | { readonly kind: 'error' };

const DECLINE = /^tok_decline_([a-z0-9_]{1,64})$/;

/** The reference that the simulated processor gives every call with this key. */
export function simulatedReference(idempotencyKey: string): string {
  return `sim_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 24)}`;
}

/**
 * The simulated processor's answer to a request.
 *
 * @param firstCall whether no call with this request's idempotency key came before (and notes this one)
 */
export async function simulate(request: ProcessorRequest, firstCall: (idempotencyKey: string) => Promise<boolean>): Promise<SimulatedAnswer> {
  const token = request.paymentMethodToken;
  const processorReference = simulatedReference(request.idempotencyKey);
  if (token === 'tok_error') {
    return { kind: 'error' };
  }
  if (token === 'tok_flaky' && await firstCall(request.idempotencyKey)) {
    return { kind: 'error' };
  }
  if (token === 'tok_timeout') {
    return { kind: 'late', outcome: { outcome: 'authorized', processorReference } };
  }
  const decline = DECLINE.exec(token);
  if (decline) {
    return { kind: 'outcome', outcome: { outcome: 'declined', processorReference, declineCode: decline[1] } };
  }
  return { kind: 'outcome', outcome: { outcome: 'authorized', processorReference } };
}

/** A memory of the keys seen, in one process: the local server's and the tests'. */
export function keysSeenInMemory(): (idempotencyKey: string) => Promise<boolean> {
  const seen = new Set<string>();
  return async (idempotencyKey) => {
    const first = !seen.has(idempotencyKey);
    seen.add(idempotencyKey);
    return first;
  };
}
