/**
 * The sparse index of pending payments on the idempotency table: only records of pending payments
 * carry its keys, `pending_shard` (a string) and `retry_at` (a number, epoch milliseconds), so the
 * completer reads them without a scan. The partition key is spread over `PENDING_SHARDS` values,
 * so that many payments in flight do not meet in one partition. The index projects the keys and
 * `transaction_id` and `created_at`.
 *
 * No imports: `PaymentApi` reads these names at synthesis, where the handlers' SDK is not installed.
 */
export const PENDING_INDEX = 'pending-payments';
export const PENDING_SHARDS = 16;
