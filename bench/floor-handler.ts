/**
 * The floor the payment handler is measured against: the smallest handler that does the same
 * conditional DynamoDB write with the AWS SDK v3, without Powertools, validation or idempotency.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({});
const table = process.env.LEDGER_TABLE_NAME;

export const handler = async (event: { body?: string }) => {
  const request = JSON.parse(event.body ?? '{}');
  const transactionId = randomUUID();
  const createdAt = new Date().toISOString();
  await client.send(new PutItemCommand({
    TableName: table,
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
