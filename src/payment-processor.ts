import { Duration, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CHARGE_ALLOWANCE_MS, REQUEST_BUDGET_MS } from './handlers/deadline';

/** Options of a payment processor. */
export interface PaymentProcessorOptions {
  /**
   * How long the platform waits for the processor's answer before it counts the call as failed
   * (503 `processor_unavailable`; the payment stays `pending` and is retried with the same key).
   * At most 15 seconds: an attempt also claims the key, writes ahead and records the outcome, and
   * the handler must answer before API Gateway's 29 seconds.
   *
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;

  /**
   * How long the processor honours an idempotency key. The completer stops calling for a pending
   * payment after it (a call with a forgotten key could charge twice), and an alarm names the
   * payment for an operator.
   *
   * @default Duration.hours(24)
   */
  readonly keyRetention?: Duration;
}

/** What a processor gives the constructs that call it. */
export interface PaymentProcessorConfig {
  /** The function that the payment handler and the completer invoke, synchronously, with the contract's processor request. */
  readonly processorFunction: lambda.IFunction;
}

/**
 * The payment processor that payments move money through: Stripe, Adyen or an acquirer, behind an
 * adapter that speaks the contract's processor protocol (see docs/processor.md). The platform
 * calls it once per payment attempt with a stable idempotency key, and keeps the guarantees around
 * that call: one charge under any crash or retry, a completer for what no client retries.
 */
export abstract class PaymentProcessor {
  /**
   * A processor behind a Lambda function: invoked synchronously with the processor request as its
   * event, answering `{"outcome": "authorized", "processorReference"}` or
   * `{"outcome": "declined", "declineCode", "processorReference"}`. A call repeated with the same
   * `idempotencyKey` must be the same operation: one charge, the same outcome.
   */
  public static fromFunction(processorFunction: lambda.IFunction, options: PaymentProcessorOptions = {}): PaymentProcessor {
    return new FunctionProcessor(processorFunction, options);
  }

  /** How long the platform waits for the processor's answer. */
  public readonly timeout: Duration;
  /** How long the processor honours an idempotency key. */
  public readonly keyRetention: Duration;

  protected constructor(options: PaymentProcessorOptions) {
    this.timeout = options.timeout ?? Duration.seconds(10);
    this.keyRetention = options.keyRetention ?? Duration.hours(24);
    const problems = processorProblems(this.timeout, this.keyRetention);
    if (problems.length > 0) {
      throw new Error(`Invalid PaymentProcessor options:\n  - ${problems.join('\n  - ')}`);
    }
  }

  /** What the constructs that call the processor need. */
  public abstract bind(): PaymentProcessorConfig;
}

class FunctionProcessor extends PaymentProcessor {
  constructor(private readonly processorFunction: lambda.IFunction, options: PaymentProcessorOptions) {
    super(options);
  }

  public bind(): PaymentProcessorConfig {
    return { processorFunction: this.processorFunction };
  }
}

/** The longest processor timeout: what the handler's budget leaves after the rest of an attempt. */
const MAX_PROCESSOR_TIMEOUT_MS = REQUEST_BUDGET_MS - CHARGE_ALLOWANCE_MS;

function processorProblems(timeout: Duration, keyRetention: Duration): string[] {
  const problems: string[] = [];
  const timeoutMs = timeout.toMilliseconds();
  if (!Token.isUnresolved(timeoutMs) && (timeoutMs < 1000 || timeoutMs > MAX_PROCESSOR_TIMEOUT_MS)) {
    problems.push(`\`timeout\` is ${timeout.toHumanString()}; it must be from 1 second to ${MAX_PROCESSOR_TIMEOUT_MS / 1000} seconds: `
      + `an attempt also takes up to ${CHARGE_ALLOWANCE_MS / 1000} seconds to claim the key, write ahead and record the outcome, `
      + `and the handler answers within ${REQUEST_BUDGET_MS / 1000} seconds, before API Gateway gives up at 29.`);
  }
  const retentionMs = keyRetention.toMilliseconds();
  if (!Token.isUnresolved(retentionMs) && retentionMs < Duration.hours(1).toMilliseconds()) {
    problems.push(`\`keyRetention\` is ${keyRetention.toHumanString()}; it must be at least 1 hour, so that the completer has time to finish a pending payment.`);
  }
  return problems;
}
