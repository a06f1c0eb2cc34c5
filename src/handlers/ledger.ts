import {
  AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { PaymentRequest } from './payment-request';
import type { ProcessorOutcome } from './processor-protocol';

/**
 * A payment's status: `accepted` where no processor is configured; with one, `pending` from the
 * claim until the processor's outcome, `authorized` or `declined`, is recorded.
 */
export type PaymentStatus = 'accepted' | 'pending' | 'authorized' | 'declined';

/** What the API tells a client about a payment, in the order the body lists it. */
export interface Payment {
  readonly transactionId: string;
  readonly status: PaymentStatus;
  readonly amount: number;
  readonly currency: string;
  readonly merchantId: string;
  readonly createdAt: string;
  /** The processor's reference, once its outcome is recorded. */
  readonly processorReference?: string;
  /** The processor's reason for a decline. */
  readonly declineCode?: string;
}

/**
 * The body of a 201 and of a GET, serialised in one place so that both, and every replay, are the
 * same bytes.
 */
export function paymentBody(payment: Payment): string {
  return JSON.stringify({
    transactionId: payment.transactionId,
    status: payment.status,
    amount: payment.amount,
    currency: payment.currency,
    merchantId: payment.merchantId,
    createdAt: payment.createdAt,
    processorReference: payment.processorReference,
    declineCode: payment.declineCode,
  });
}

/** The payment with the processor's outcome recorded. */
export function settledPayment(payment: Payment, outcome: ProcessorOutcome): Payment {
  return {
    ...payment,
    status: outcome.outcome,
    processorReference: outcome.processorReference,
    declineCode: outcome.outcome === 'declined' ? outcome.declineCode : undefined,
  };
}

/**
 * The ledger table: one item per claimed payment, keyed by `transaction_id` and `timestamp`.
 *
 * On a multi-Region table every Region's stream carries every Region's payments, so each item then
 * names the Region that accepted it (`origin_region`), and each Region's audit writer takes its own.
 */
export class Ledger {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly originRegion?: string,
  ) {}

  /**
   * Writes the payment unless an item with the same key exists. Returns false when it did, which
   * means an earlier attempt with the same idempotency record already wrote it.
   */
  public async append(payment: Payment, request: PaymentRequest, clientId: string): Promise<boolean> {
    const item: Record<string, AttributeValue> = {
      transaction_id: { S: payment.transactionId },
      timestamp: { S: payment.createdAt },
      status: { S: payment.status },
      amount: { N: String(payment.amount) },
      currency: { S: payment.currency },
      merchant_id: { S: payment.merchantId },
      client_id: { S: clientId },
    };
    if (this.originRegion !== undefined) {
      item.origin_region = { S: this.originRegion };
    }
    if (request.description !== undefined) {
      item.description = { S: request.description };
    }
    if (request.metadata !== undefined) {
      item.metadata = { M: Object.fromEntries(Object.entries(request.metadata).map(([k, v]) => [k, { S: v }])) };
    }
    try {
      await this.client.send(new PutItemCommand({
        TableName: this.tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(transaction_id)',
      }));
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') {
        return false;
      }
      throw error;
    }
  }

  /**
   * Records the processor's outcome of a `pending` payment: the item moves to `authorized` or
   * `declined` once. Returns the outcome that the ledger holds: this one, or the one that another
   * attempt recorded first. An item that is not there, or not a processor's payment, is an error.
   */
  public async settle(transactionId: string, createdAt: string, outcome: ProcessorOutcome): Promise<ProcessorOutcome> {
    const values: Record<string, AttributeValue> = {
      ':status': { S: outcome.outcome },
      ':pending': { S: 'pending' },
      ':reference': { S: outcome.processorReference },
    };
    if (outcome.outcome === 'declined') {
      values[':decline'] = { S: outcome.declineCode };
    }
    try {
      await this.client.send(new UpdateItemCommand({
        TableName: this.tableName,
        Key: { transaction_id: { S: transactionId }, timestamp: { S: createdAt } },
        UpdateExpression: `SET #status = :status, processor_reference = :reference${outcome.outcome === 'declined' ? ', decline_code = :decline' : ''}`,
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return outcome;
    } catch (error) {
      const recorded = error instanceof ConditionalCheckFailedException && error.Item ? outcomeOf(error.Item) : undefined;
      if (recorded) {
        return recorded;
      }
      throw error;
    }
  }

  /** The payment with this key, read consistently, if it was written. */
  public async read(transactionId: string, createdAt: string): Promise<Payment | undefined> {
    const result = await this.client.send(new GetItemCommand({
      TableName: this.tableName,
      Key: { transaction_id: { S: transactionId }, timestamp: { S: createdAt } },
      ConsistentRead: true,
    }));
    return result.Item ? paymentOf(result.Item) : undefined;
  }

  /** Whether the payment with this key was written. */
  public async contains(transactionId: string, createdAt: string): Promise<boolean> {
    const result = await this.client.send(new GetItemCommand({
      TableName: this.tableName,
      Key: { transaction_id: { S: transactionId }, timestamp: { S: createdAt } },
      ProjectionExpression: 'transaction_id',
      ConsistentRead: true,
    }));
    return result.Item !== undefined;
  }

  /** The payment with this id, if the given client created it. */
  public async find(transactionId: string, clientId: string): Promise<Payment | undefined> {
    const result = await this.client.send(new QueryCommand({
      TableName: this.tableName,
      KeyConditionExpression: 'transaction_id = :id',
      ExpressionAttributeValues: { ':id': { S: transactionId } },
      ConsistentRead: true,
      Limit: 1,
    }));
    // Stryker disable next-line OptionalChaining: DynamoDB's Query answer always holds Items, [] when nothing matches
    const item = result.Items?.[0];
    if (!item || item.client_id?.S !== clientId) {
      return undefined;
    }
    return paymentOf(item);
  }
}

function paymentOf(item: Record<string, AttributeValue>): Payment {
  return {
    transactionId: item.transaction_id.S!,
    status: item.status.S as PaymentStatus,
    amount: Number(item.amount.N),
    currency: item.currency.S!,
    merchantId: item.merchant_id.S!,
    createdAt: item.timestamp.S!,
    processorReference: item.processor_reference?.S,
    declineCode: item.decline_code?.S,
  };
}

/** The processor's outcome that an item records, if it records one. */
export function outcomeOf(item: Record<string, AttributeValue>): ProcessorOutcome | undefined {
  const processorReference = item.processor_reference?.S;
  if (item.status?.S === 'authorized' && processorReference !== undefined) {
    return { outcome: 'authorized', processorReference };
  }
  if (item.status?.S === 'declined' && processorReference !== undefined && item.decline_code?.S !== undefined) {
    return { outcome: 'declined', processorReference, declineCode: item.decline_code.S };
  }
  return undefined;
}
