import { AttributeValue, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { PaymentRequest } from './payment-request';

/** What the API tells a client about an accepted payment, in the order the body lists it. */
export interface AcceptedPayment {
  readonly transactionId: string;
  readonly status: 'accepted';
  readonly amount: number;
  readonly currency: string;
  readonly merchantId: string;
  readonly createdAt: string;
}

/**
 * The body of a 201 and of a GET, serialised in one place so that both, and every replay, are the
 * same bytes.
 */
export function paymentBody(payment: AcceptedPayment): string {
  return JSON.stringify({
    transactionId: payment.transactionId,
    status: payment.status,
    amount: payment.amount,
    currency: payment.currency,
    merchantId: payment.merchantId,
    createdAt: payment.createdAt,
  });
}

/**
 * The ledger table: one item per accepted payment, keyed by `transaction_id` and `timestamp`.
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
  public async append(payment: AcceptedPayment, request: PaymentRequest, clientId: string): Promise<boolean> {
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
  public async find(transactionId: string, clientId: string): Promise<AcceptedPayment | undefined> {
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
    return {
      transactionId: item.transaction_id.S!,
      status: 'accepted',
      amount: Number(item.amount.N),
      currency: item.currency.S!,
      merchantId: item.merchant_id.S!,
      createdAt: item.timestamp.S!,
    };
  }
}
