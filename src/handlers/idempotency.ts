import { createHash } from 'node:crypto';
import {
  AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { PaymentRequest } from './payment-request';

/**
 * An idempotency record: the promise that one client's key stands for one payment. It is written
 * before the ledger item, with the payment's id, time and response already fixed, so that every
 * retry (and every takeover after a failed attempt) writes the very same ledger item.
 */
export interface IdempotencyRecord {
  readonly requestHash: string;
  readonly transactionId: string;
  readonly createdAt: string;
  /** The 201 body, byte for byte. */
  readonly response: string;
  /** Identifies the attempt that holds the lease. */
  readonly attempt: string;
  /** Until when (epoch milliseconds) the attempt holds the lease; another request waits or gets 409. */
  readonly lockedUntil: number;
}

/** The result of claiming a key. */
export type Claim =
  | { readonly kind: 'claimed'; readonly record: IdempotencyRecord }
  | { readonly kind: 'existing'; readonly record: IdempotencyRecord };

/**
 * The idempotency table: partition key `id`, a hash of the client and its key, so that two clients
 * may use the same key and no key is stored in clear. `expires_at` (epoch seconds) is the TTL
 * attribute; a record is honoured until then even if DynamoDB has not deleted it yet.
 */
export class IdempotencyStore {
  /** The record id of a client's key. */
  public static recordId(clientId: string, idempotencyKey: string): string {
    return createHash('sha256').update(JSON.stringify([clientId, idempotencyKey])).digest('hex');
  }

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly ttlSeconds: number,
  ) {}

  /**
   * Writes `record` unless a live record with the same id exists, in which case that one is
   * returned instead. One conditional write, so that of any number of concurrent requests exactly
   * one claims the key.
   */
  public async claim(id: string, record: IdempotencyRecord, nowMs: number): Promise<Claim> {
    try {
      await this.client.send(new PutItemCommand({
        TableName: this.tableName,
        Item: { id: { S: id }, ...toItem(record), expires_at: { N: String(Math.floor(nowMs / 1000) + this.ttlSeconds) } },
        ConditionExpression: 'attribute_not_exists(id) OR expires_at < :now',
        ExpressionAttributeValues: { ':now': { N: String(Math.floor(nowMs / 1000)) } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return { kind: 'claimed', record };
    } catch (error) {
      // Stryker disable next-line LogicalOperator: with ALL_OLD, DynamoDB returns the item with every failed condition, and no other error carries one
      if (error instanceof ConditionalCheckFailedException && error.Item) {
        return { kind: 'existing', record: fromItem(error.Item) };
      }
      throw error;
    }
  }

  /**
   * Moves the lease of a record whose attempt has run out of time to a new attempt. Returns false
   * if another request took it over first.
   */
  public async takeOver(id: string, record: IdempotencyRecord, attempt: string, lockedUntil: number): Promise<boolean> {
    try {
      await this.client.send(new UpdateItemCommand({
        TableName: this.tableName,
        Key: { id: { S: id } },
        UpdateExpression: 'SET attempt = :attempt, locked_until = :until',
        ConditionExpression: 'attempt = :previous',
        ExpressionAttributeValues: {
          ':attempt': { S: attempt },
          ':until': { N: String(lockedUntil) },
          ':previous': { S: record.attempt },
        },
      }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        return false;
      }
      throw error;
    }
  }

  /**
   * Deletes the record of an attempt whose ledger write was refused, so that a retry starts afresh.
   * Returns false if it could not (the lease then runs out on its own).
   */
  public async release(id: string, record: IdempotencyRecord): Promise<boolean> {
    try {
      await this.client.send(new DeleteItemCommand({
        TableName: this.tableName,
        Key: { id: { S: id } },
        ConditionExpression: 'attempt = :attempt',
        ExpressionAttributeValues: { ':attempt': { S: record.attempt } },
      }));
      return true;
    } catch {
      return false;
    }
  }
}

/** A stable hash of the validated request, to tell a replay from a reuse of the key. */
export function requestHash(request: PaymentRequest): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

/**
 * A validated request (objects of strings and numbers, `metadata` the only one nested) as JSON with
 * every object's members ordered by name, so that the order a client sent them in does not count.
 */
function canonicalJson(value: unknown): string {
  if (typeof value !== 'object') {
    return JSON.stringify(value);
  }
  const members = value as Record<string, unknown>;
  return `{${Object.keys(members).sort().map((name) => `${JSON.stringify(name)}:${canonicalJson(members[name])}`).join(',')}}`;
}

function toItem(record: IdempotencyRecord): Record<string, AttributeValue> {
  return {
    request_hash: { S: record.requestHash },
    transaction_id: { S: record.transactionId },
    created_at: { S: record.createdAt },
    response: { S: record.response },
    attempt: { S: record.attempt },
    locked_until: { N: String(record.lockedUntil) },
  };
}

function fromItem(item: Record<string, AttributeValue>): IdempotencyRecord {
  return {
    requestHash: item.request_hash.S!,
    transactionId: item.transaction_id.S!,
    createdAt: item.created_at.S!,
    response: item.response.S!,
    attempt: item.attempt.S!,
    lockedUntil: Number(item.locked_until.N),
  };
}
