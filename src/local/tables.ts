import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { PENDING_INDEX } from '../handlers/pending-index';

/**
 * The tables of the local server, with the key schemas and indexes that the constructs give them
 * (test/local/tables.test.ts holds them against a synthesized `PaymentApi` and `SimulatedProcessor`).
 */
export const LOCAL_TABLES = {
  /** `EncryptedLedgerTable`. */
  ledger: {
    TableName: 'payments-ledger',
    KeySchema: [{ AttributeName: 'transaction_id', KeyType: 'HASH' }, { AttributeName: 'timestamp', KeyType: 'RANGE' }],
    AttributeDefinitions: [{ AttributeName: 'transaction_id', AttributeType: 'S' }, { AttributeName: 'timestamp', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  },
  /** `PaymentApi`'s idempotency table, with the index of pending payments that a processor's completer reads. */
  idempotency: {
    TableName: 'payments-idempotency',
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    AttributeDefinitions: [
      { AttributeName: 'id', AttributeType: 'S' },
      { AttributeName: 'pending_shard', AttributeType: 'S' },
      { AttributeName: 'retry_at', AttributeType: 'N' },
    ],
    GlobalSecondaryIndexes: [{
      IndexName: PENDING_INDEX,
      KeySchema: [{ AttributeName: 'pending_shard', KeyType: 'HASH' }, { AttributeName: 'retry_at', KeyType: 'RANGE' }],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['transaction_id', 'created_at'] },
    }],
    BillingMode: 'PAY_PER_REQUEST',
  },
  /** `SimulatedProcessor`'s table of the keys it has seen. */
  simulatedProcessor: {
    TableName: 'simulated-processor-keys',
    KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  },
} satisfies Record<string, CreateTableCommandInput>;
