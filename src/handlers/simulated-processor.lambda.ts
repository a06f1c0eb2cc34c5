import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { ProcessorRequest } from './processor-protocol';
import { simulate } from './simulated-processor';

const dynamodb = new DynamoDBClient({});
const tableName = process.env.SIMULATED_PROCESSOR_TABLE_NAME!;
/** How long a `tok_timeout` payment takes to answer: longer than the processor timeout. */
const lateMs = Number(process.env.SIMULATED_LATE_MS);
/** How long the simulated processor remembers a key, in seconds (its table's TTL). */
const retentionSeconds = Number(process.env.SIMULATED_KEY_RETENTION_SECONDS);

/**
 * Whether no call with this key came before: one conditional write per key in the simulated
 * processor's table, so that it holds across containers.
 */
async function firstCall(idempotencyKey: string): Promise<boolean> {
  try {
    await dynamodb.send(new PutItemCommand({
      TableName: tableName,
      Item: { key: { S: idempotencyKey }, expires_at: { N: String(Math.floor(Date.now() / 1000) + retentionSeconds) } },
      ConditionExpression: 'attribute_not_exists(#key)',
      ExpressionAttributeNames: { '#key': 'key' },
    }));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      return false;
    }
    throw error;
  }
}

/** The simulated processor behind `SimulatedProcessor`: answers as `simulate` decides; a failure is a function error. */
export async function handler(request: ProcessorRequest): Promise<unknown> {
  const answer = await simulate(request, firstCall);
  if (answer.kind === 'error') {
    throw new Error('The simulated processor failed, as the payment\'s token asks.');
  }
  if (answer.kind === 'late') {
    await new Promise((resolve) => setTimeout(resolve, lateMs));
  }
  return answer.outcome;
}
