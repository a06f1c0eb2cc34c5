import * as events from 'aws-cdk-lib/aws-events';

/**
 * Payment events: every change of a payment to a final status (`accepted`, `authorized` or
 * `declined`) published to an EventBridge bus, at least once, as the contract's "Payment events"
 * section specifies: `detail-type` `Payment Accepted`, `Payment Authorized` or `Payment Declined`,
 * `detail` `{"transactionId", "status", "amount", "currency", "merchantId", "createdAt",
 * "processorReference", "declineCode"}` (the last two where present), and nothing else of the
 * payment. Consumers deduplicate on `transactionId` and `status`.
 *
 * An EventBridge pipe reads the ledger's stream, drops every change that does not make a payment
 * final before anything is billed, and hands each batch to an Express workflow that puts the
 * events; a batch that keeps failing lands in the API's dead-letter queue, whose alarm fires.
 */
export interface PaymentEventsOptions {
  /**
   * The bus to publish on. The workflow that puts the events is granted `events:PutEvents` on it;
   * its resource policy is left as it is.
   *
   * @default - a new bus, encrypted with the API's key, whose resource policy lets only the
   * workflow put events on it
   */
  readonly eventBus?: events.IEventBus;

  /**
   * The `source` of every payment event.
   *
   * @default 'payment-platform'
   */
  readonly source?: string;
}
