/**
 * The idempotent floor: the smallest handler that keeps the contract's exactly-once rule with the
 * AWS SDK v3 and nothing else. One conditional claim of the idempotency key, then one conditional
 * ledger write; a second request with the same key finds the claim taken and pays nothing. No
 * Powertools, validation, card-data guard, replay of the stored answer or lease recovery.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({});
const ledger = process.env.LEDGER_TABLE_NAME;
const claims = process.env.IDEMPOTENCY_TABLE_NAME;
const ttlSeconds = Number(process.env.IDEMPOTENCY_TTL_SECONDS ?? 86400);

export const handler = async (event: { body?: string; headers?: Record<string, string | undefined> }) => {
  const key = event.headers?.['Idempotency-Key'] ?? event.headers?.['idempotency-key'];
  if (!key) {
    return { statusCode: 400, body: '{"error":"missing_idempotency_key"}' };
  }
  const request = JSON.parse(event.body ?? '{}');
  const transactionId = randomUUID();
  const createdAt = new Date().toISOString();
  try {
    await client.send(new PutItemCommand({
      TableName: claims,
      Item: {
        id: { S: key },
        transaction_id: { S: transactionId },
        expires_at: { N: String(Math.floor(Date.now() / 1000) + ttlSeconds) },
      },
      ConditionExpression: 'attribute_not_exists(id)',
    }));
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') {
      return { statusCode: 409, body: '{"error":"idempotency_conflict"}' };
    }
    throw error;
  }
  await client.send(new PutItemCommand({
    TableName: ledger,
    Item: {
      transaction_id: { S: transactionId },
      timestamp: { S: createdAt },
      amount: { N: String(request.amount) },
      currency: { S: String(request.currency) },
    },
    ConditionExpression: 'attribute_not_exists(transaction_id)',
  }));
  return { statusCode: 201, body: JSON.stringify({ transactionId, createdAt }) };
};
