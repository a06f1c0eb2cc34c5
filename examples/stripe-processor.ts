/**
 * A processor adapter for Stripe, as a Lambda function for `PaymentProcessor.fromFunction`: it
 * takes the platform's processor request, authorizes the card with a Stripe PaymentIntent (capture
 * later), and answers the contract's outcome. The platform's `idempotencyKey` goes to Stripe as its
 * `Idempotency-Key`, so a call repeated after a crash or a timeout is the same PaymentIntent: one
 * charge, the same answer. Stripe keeps idempotency keys for at least 24 hours, the platform's
 * default `keyRetention`.
 *
 * Environment: `STRIPE_SECRET_KEY` (read it from AWS Secrets Manager in production rather than a
 * plain variable), and `STRIPE_API_BASE` only to point at a test server.
 *
 * Answers: `{"outcome": "authorized", "processorReference": "pi_…"}` when Stripe holds the funds;
 * `{"outcome": "declined", "declineCode", "processorReference"}` for a card error; anything else
 * (Stripe unavailable, rate limited, a key conflict) throws, which the platform counts as a
 * processor failure and retries with the same key.
 */

/** What the platform sends (contract "Payment processor"). */
export interface ProcessorRequest {
  readonly transactionId: string;
  readonly idempotencyKey: string;
  readonly amount: number;
  readonly currency: string;
  readonly merchantId: string;
  readonly paymentMethodToken: string;
  readonly description?: string;
  readonly metadata?: Record<string, string>;
}

/** What the platform accepts back. */
export type ProcessorAnswer =
  | { outcome: 'authorized'; processorReference: string }
  | { outcome: 'declined'; processorReference: string; declineCode: string };

/** The Stripe API version the adapter was written against. */
const STRIPE_VERSION = '2024-06-20';

export async function handler(request: ProcessorRequest): Promise<ProcessorAnswer> {
  const base = process.env.STRIPE_API_BASE ?? 'https://api.stripe.com';
  const form = new URLSearchParams({
    'amount': String(request.amount),
    'currency': request.currency.toLowerCase(),
    'payment_method': request.paymentMethodToken,
    'confirm': 'true',
    // Authorize now, capture later: the platform's `authorized`.
    'capture_method': 'manual',
    'automatic_payment_methods[enabled]': 'true',
    'automatic_payment_methods[allow_redirects]': 'never',
    'metadata[transaction_id]': request.transactionId,
    'metadata[merchant_id]': request.merchantId,
  });
  if (request.description !== undefined) {
    form.set('description', request.description);
  }
  const response = await fetch(`${base}/v1/payment_intents`, {
    method: 'POST',
    headers: {
      'Authorization': `Bearer ${process.env.STRIPE_SECRET_KEY}`,
      'Content-Type': 'application/x-www-form-urlencoded',
      'Idempotency-Key': request.idempotencyKey,
      'Stripe-Version': STRIPE_VERSION,
    },
    body: form,
    signal: AbortSignal.timeout(9_000),
  });
  const body = await response.json() as StripeAnswer;
  if (response.ok && (body.status === 'requires_capture' || body.status === 'succeeded') && body.id) {
    return { outcome: 'authorized', processorReference: body.id };
  }
  if (response.status === 402 && body.error?.type === 'card_error') {
    const declineCode = (body.error.decline_code ?? body.error.code ?? 'card_declined').toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 64);
    const processorReference = body.error.payment_intent?.id ?? body.error.charge ?? `declined_${request.idempotencyKey}`;
    return { outcome: 'declined', processorReference, declineCode };
  }
  // Never the response body: it may quote the payment method.
  throw new Error(`Stripe did not settle the payment: HTTP ${response.status}, ${body.error?.type ?? body.status ?? 'no status'}`);
}

/** The parts of Stripe's answers that the adapter reads. */
interface StripeAnswer {
  readonly id?: string;
  readonly status?: string;
  readonly error?: {
    readonly type?: string;
    readonly code?: string;
    readonly decline_code?: string;
    readonly charge?: string;
    readonly payment_intent?: { readonly id?: string };
  };
}
