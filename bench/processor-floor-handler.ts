/**
 * The processor floor: the least a handler can do and still charge exactly once as the contract's
 * "Payment processor" section asks, with the AWS SDK v3 and nothing else. A conditional claim that
 * fixes the payment's id and keeps what the contract and a completer need (the body's fingerprint,
 * for a reuse of the key with another body; the request; the keys of the sparse index of pending
 * payments), the ledger item written ahead as `pending` with what `GET` shows, one call to the processor
 * with the payment's id as its idempotency key, then the outcome recorded with two conditional
 * writes (the ledger item leaves `pending` once; the claim, put again whole, keeps the answer and leaves the index).
 * What the contract asks of every handler is kept too: the key is the calling client's (the claim's
 * id holds both); the claim holds a lease for its attempt, longer than the processor timeout, so
 * that a retry while the call is in flight can be told from one after a crash; the processor call
 * is abandoned at the processor timeout and each DynamoDB call at a request timeout, so that a slow
 * dependency becomes an answer before API Gateway's 29 seconds.
 * No Powertools, validation, card-data guard, replay of the stored answer, lease takeover or completer.
 */
import { createHash, randomUUID } from 'node:crypto';
import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

const dynamodb = new DynamoDBClient({ requestHandler: { requestTimeout: 3_000, throwOnRequestTimeout: true } });
const lambda = new LambdaClient({ maxAttempts: 1 });
const ledger = process.env.LEDGER_TABLE_NAME;
const claims = process.env.IDEMPOTENCY_TABLE_NAME;
const processor = process.env.PROCESSOR_FUNCTION_NAME;
const processorTimeoutMs = Number(process.env.PROCESSOR_TIMEOUT_MS);

type Event = { body?: string; headers?: Record<string, string | undefined>; requestContext?: { identity?: { apiKeyId?: string } } };

export const handler = async (event: Event) => {
  const key = event.headers?.['Idempotency-Key'] ?? event.headers?.['idempotency-key'];
  if (!key) {
    return { statusCode: 400, body: '{"error":"missing_idempotency_key"}' };
  }
  const client = event.requestContext?.identity?.apiKeyId ?? 'anonymous';
  const id = `${client}#${key}`;
  const request = JSON.parse(event.body ?? '{}');
  const transactionId = randomUUID();
  const createdAt = new Date().toISOString();
  const charge = { ...request, transactionId, idempotencyKey: transactionId };
  // The lease outlasts the processor timeout by the time to record the outcome; the completer
  // looks at the payment once it has run out.
  const leaseEnds = String(Date.now() + processorTimeoutMs + 10_000);
  const fingerprint = createHash('sha256').update(event.body ?? '').digest('base64url');
  try {
    await dynamodb.send(new PutItemCommand({
      TableName: claims,
      Item: {
        id: { S: id },
        transaction_id: { S: transactionId },
        created_at: { S: createdAt },
        fingerprint: { S: fingerprint },
        request: { S: JSON.stringify(charge) },
        pending_shard: { S: transactionId.slice(0, 1) },
        retry_at: { N: leaseEnds },
        locked_until: { N: leaseEnds },
      },
      ConditionExpression: 'attribute_not_exists(id)',
    }));
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') {
      return { statusCode: 409, body: '{"error":"idempotency_conflict"}' };
    }
    throw error;
  }
  await dynamodb.send(new PutItemCommand({
    TableName: ledger,
    Item: {
      transaction_id: { S: transactionId },
      timestamp: { S: createdAt },
      amount: { N: String(request.amount) },
      currency: { S: String(request.currency) },
      merchant_id: { S: String(request.merchantId) },
      client_id: { S: client },
      status: { S: 'pending' },
    },
    ConditionExpression: 'attribute_not_exists(transaction_id)',
  }));
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), processorTimeoutMs);
  const invoked = await lambda.send(new InvokeCommand({ FunctionName: processor, Payload: JSON.stringify(charge) }), { abortSignal: abort.signal })
    .finally(() => clearTimeout(timer));
  if (invoked.FunctionError !== undefined) {
    return { statusCode: 503, body: '{"error":"processor_unavailable"}' };
  }
  const answer = JSON.parse(Buffer.from(invoked.Payload ?? []).toString('utf8'));
  const status = answer.outcome === 'authorized' ? 'authorized' : 'declined';
  await dynamodb.send(new UpdateItemCommand({
    TableName: ledger,
    Key: { transaction_id: { S: transactionId }, timestamp: { S: createdAt } },
    UpdateExpression: 'SET #status = :status, processor_reference = :reference',
    ConditionExpression: '#status = :pending',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':status': { S: status }, ':reference': { S: String(answer.processorReference) }, ':pending': { S: 'pending' } },
  }));
  const { amount, currency, merchantId } = request;
  const body = JSON.stringify({ transactionId, status, amount, currency, merchantId, createdAt, processorReference: answer.processorReference });
  // The claim, whole, with the answer in place of the request and without the index keys.
  await dynamodb.send(new PutItemCommand({
    TableName: claims,
    Item: {
      id: { S: id },
      transaction_id: { S: transactionId },
      created_at: { S: createdAt },
      fingerprint: { S: fingerprint },
      locked_until: { N: leaseEnds },
      response: { S: body },
    },
  }));
  return { statusCode: status === 'authorized' ? 201 : 402, body };
};
