/**
 * What a payment event is made of, as the contract's "Payment events" section specifies it: which
 * changes of the ledger's stream are published, and the `detail-type` and `detail` of each.
 *
 * The pipe from the ledger's stream filters the records with `paymentEventFilters` before anything
 * is billed, and hands each batch to an Express workflow whose only task puts one event per record
 * on the bus, with the entries that `paymentEventEntries` builds. The entries need a `detail-type`
 * that depends on the status and a `detail` without the fields that a status does not have, which
 * a pipe's input template cannot express (its paths give a fixed shape) and which JSONata can.
 */

/** The final statuses, each with the `detail-type` of its event. `pending` has none. */
export const PAYMENT_EVENT_DETAIL_TYPES: { readonly [status: string]: string } = {
  accepted: 'Payment Accepted',
  authorized: 'Payment Authorized',
  declined: 'Payment Declined',
};

/** The `source` of payment events unless configured. */
export const DEFAULT_PAYMENT_EVENT_SOURCE = 'payment-platform';

/** Entries in one PutEvents call, and so records in one batch of the pipe. */
export const PAYMENT_EVENTS_PER_BATCH = 10;

/**
 * The pipe's filters (any one matches) over the ledger's stream records: an item written with a
 * final status (a payment accepted without a processor), or an item that moved from `pending` to a
 * final status (a processor's outcome, recorded once). Every other change, a `pending` write, an
 * expiry's delete or any later edit of a final item, is dropped before billing. Where the ledger is
 * a multi-Region table, whose stream in each Region carries every Region's writes, only the items
 * that `originRegion` recorded pass, so that each payment is published by one Region.
 */
export function paymentEventFilters(originRegion?: string): string[] {
  const finalStatus = { status: { S: Object.keys(PAYMENT_EVENT_DETAIL_TYPES) } };
  const newImage = originRegion === undefined ? finalStatus : { ...finalStatus, origin_region: { S: [originRegion] } };
  return [
    { eventName: ['INSERT'], dynamodb: { NewImage: newImage } },
    { eventName: ['MODIFY'], dynamodb: { OldImage: { status: { S: ['pending'] } }, NewImage: newImage } },
  ].map((pattern) => JSON.stringify(pattern));
}

/**
 * A JSONata expression (the 2.0.6 language of Step Functions) from a batch of stream records,
 * `$states.input`, to the `Entries` of one PutEvents call: one event per record, on `eventBusArn`,
 * with `source`, the status's `detail-type` and the contract's `detail`. The detail is written with
 * the contract's members in its order; `processorReference` and `declineCode` appear only where the
 * ledger item has them (JSONata leaves out a member whose value is undefined). No token, metadata,
 * description or client id: the item's other attributes are never read.
 */
export function paymentEventEntries(eventBusArn: string, source: string): string {
  return `[$states.input.(
  $image := dynamodb.NewImage;
  {
    "EventBusName": ${JSON.stringify(eventBusArn)},
    "Source": ${JSON.stringify(source)},
    "DetailType": $lookup(${JSON.stringify(PAYMENT_EVENT_DETAIL_TYPES)}, $image.status.S),
    "Detail": $string({
      "transactionId": $image.transaction_id.S,
      "status": $image.status.S,
      "amount": $number($image.amount.N),
      "currency": $image.currency.S,
      "merchantId": $image.merchant_id.S,
      "createdAt": $image.timestamp.S,
      "processorReference": $image.processor_reference.S,
      "declineCode": $image.decline_code.S
    })
  }
)]`;
}
