import type { PaymentRequest } from './payment-request';

/**
 * The wire protocol between the platform and a payment processor, as the contract's "Payment
 * processor" section has it: the request the platform sends, and the only answers it accepts.
 */

/** What the platform sends a processor for one payment: the payment, and the same key for every call made for it. */
export interface ProcessorRequest extends PaymentRequest {
  readonly transactionId: string;
  /** The same for every call made for the payment: its `transactionId`. */
  readonly idempotencyKey: string;
}

/** A processor's answer, reduced to what the platform keeps: nothing else is stored, logged or returned. */
export type ProcessorOutcome =
  | { readonly outcome: 'authorized'; readonly processorReference: string }
  | { readonly outcome: 'declined'; readonly processorReference: string; readonly declineCode: string };

/** A processor's answer that is not one the contract allows. Its message never quotes the answer. */
export class InvalidProcessorAnswerError extends Error {
  constructor(why: string) {
    super(`The processor's answer is not one the contract allows: ${why}.`);
    this.name = 'InvalidProcessorAnswerError';
  }
}

/** 1 to 128 visible ASCII characters. */
export const PROCESSOR_REFERENCE = /^[\x21-\x7e]{1,128}$/;
/** 1 to 64 characters of lower-case letters, digits and underscores. */
export const DECLINE_CODE = /^[a-z0-9_]{1,64}$/;

/** The request for a payment, whose `transactionId` is also its idempotency key at the processor. */
export function processorRequest(transactionId: string, payment: PaymentRequest): ProcessorRequest {
  return {
    transactionId,
    idempotencyKey: transactionId,
    amount: payment.amount,
    currency: payment.currency,
    merchantId: payment.merchantId,
    paymentMethodToken: payment.paymentMethodToken,
    ...(payment.description !== undefined ? { description: payment.description } : {}),
    ...(payment.metadata !== undefined ? { metadata: payment.metadata } : {}),
  };
}

/**
 * Reads a processor's answer strictly: an object whose `outcome` is `authorized` (with a
 * `processorReference`) or `declined` (with a `processorReference` and a `declineCode`). Every other
 * member, such as an echoed token or card number, is dropped; anything else is refused.
 */
export function readProcessorAnswer(answer: unknown): ProcessorOutcome {
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) {
    throw new InvalidProcessorAnswerError('it is not a JSON object');
  }
  const { outcome, processorReference, declineCode } = answer as Record<string, unknown>;
  if (typeof processorReference !== 'string' || !PROCESSOR_REFERENCE.test(processorReference)) {
    throw new InvalidProcessorAnswerError('`processorReference` must be 1 to 128 visible ASCII characters');
  }
  if (outcome === 'authorized') {
    if (declineCode !== undefined) {
      throw new InvalidProcessorAnswerError('an authorization carries no `declineCode`');
    }
    return { outcome, processorReference };
  }
  if (outcome === 'declined') {
    if (typeof declineCode !== 'string' || !DECLINE_CODE.test(declineCode)) {
      throw new InvalidProcessorAnswerError('a decline carries a `declineCode` of 1 to 64 characters of a-z, 0-9 and _');
    }
    return { outcome, processorReference, declineCode };
  }
  throw new InvalidProcessorAnswerError('`outcome` must be `authorized` or `declined`');
}
