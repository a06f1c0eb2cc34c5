import { createHash } from 'node:crypto';
import {
  AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { PaymentRequest } from './payment-request';
import { PENDING_INDEX, PENDING_SHARDS } from './pending-index';
import type { ProcessorRequest } from './processor-protocol';

/**
 * An idempotency record: the promise that one client's key stands for one payment. It is written
 * before the ledger item, with the payment's id and time already fixed, so that every retry (and
 * every takeover after a failed attempt) writes the very same ledger item.
 *
 * Without a processor the record holds the 201 body from the start. With one, it holds the
 * processor request while the payment is `pending` (`pending`), and the final response once the
 * outcome is recorded (`response` with `responseStatus`).
 */
export interface IdempotencyRecord {
  readonly requestHash: string;
  readonly transactionId: string;
  readonly createdAt: string;
  /** The final response body, byte for byte; absent while the payment is pending. */
  readonly response?: string;
  /** The final response's HTTP status where a processor's outcome decided it; absent for an accepted payment's 201. */
  readonly responseStatus?: number;
  /** Identifies the attempt that holds the lease. */
  readonly attempt: string;
  /** Until when (epoch milliseconds) the attempt holds the lease; another request waits or gets 409. */
  readonly lockedUntil: number;
  /** What finishing a pending payment takes, while it is pending. */
  readonly pending?: PendingCharge;
}

/** What the record of a pending payment keeps for whoever finishes it: a retry or the completer. */
export interface PendingCharge {
  readonly request: ProcessorRequest;
  readonly clientId: string;
  /** When (epoch milliseconds) the completer may try it next: the sort key of the pending index. */
  readonly retryAt: number;
  /** How many times the completer has tried it. */
  readonly tries: number;
}

/** A pending payment as the completer's index lists it. */
export interface PendingEntry {
  readonly id: string;
  readonly transactionId: string;
  readonly createdAt: string;
  readonly retryAt: number;
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
    // The record of a pending payment never expires: the key must not start a second payment.
    const expiry: Record<string, AttributeValue> = record.pending ? {} : { expires_at: this.expiresAt(nowMs) };
    try {
      await this.client.send(new PutItemCommand({
        TableName: this.tableName,
        Item: { id: { S: id }, ...toItem(id, record), ...expiry },
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
   * if another request took it over first. A pending payment's next try by the completer is set
   * with it: `retry` where the completer takes it over, the end of the new lease otherwise.
   */
  public async takeOver(
    id: string,
    record: IdempotencyRecord,
    attempt: string,
    lockedUntil: number,
    retry?: { readonly at: number; readonly tries: number },
  ): Promise<boolean> {
    const next = record.pending ? ', retry_at = :retry, tries = :tries' : '';
    const nextValues: Record<string, AttributeValue> = record.pending
      ? { ':retry': { N: String(retry?.at ?? lockedUntil) }, ':tries': { N: String(retry?.tries ?? record.pending.tries) } }
      : {};
    try {
      await this.client.send(new UpdateItemCommand({
        TableName: this.tableName,
        Key: { id: { S: id } },
        UpdateExpression: `SET attempt = :attempt, locked_until = :until${next}`,
        ConditionExpression: 'attempt = :previous',
        ExpressionAttributeValues: {
          ':attempt': { S: attempt },
          ':until': { N: String(lockedUntil) },
          ':previous': { S: record.attempt },
          ...nextValues,
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
   * Ends the lease of an attempt whose processor call failed, so that a retry may take the payment
   * over at once, and sets when the completer tries it next. Returns false if another attempt
   * holds the record by now (its lease is its own).
   */
  public async endLease(id: string, record: IdempotencyRecord, nowMs: number, retryAt: number): Promise<boolean> {
    try {
      await this.client.send(new UpdateItemCommand({
        TableName: this.tableName,
        Key: { id: { S: id } },
        UpdateExpression: 'SET locked_until = :now, retry_at = :retry',
        ConditionExpression: 'attempt = :attempt AND attribute_exists(retry_at)',
        ExpressionAttributeValues: { ':now': { N: String(nowMs) }, ':retry': { N: String(retryAt) }, ':attempt': { S: record.attempt } },
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
   * Records a pending payment's final response, once: the record leaves the completer's index,
   * forgets the processor request and expires like any other. Returns the record as it is now:
   * with this response, or with the one that another attempt recorded first.
   *
   * The finished record replaces the pending one whole, in one conditional put: what it must lose
   * (the processor request, the index keys) is simply not in it, and DynamoDB evaluates no update
   * expression. What it keeps of the pending record never changes after the claim but the lease,
   * which no one reads once a response is recorded.
   */
  public async finish(id: string, record: IdempotencyRecord, response: string, responseStatus: number, nowMs: number): Promise<IdempotencyRecord> {
    const finished: IdempotencyRecord = { ...record, response, responseStatus, pending: undefined };
    try {
      await this.client.send(new PutItemCommand({
        TableName: this.tableName,
        Item: { id: { S: id }, ...toItem(id, finished), expires_at: this.expiresAt(nowMs) },
        ConditionExpression: 'attribute_exists(id) AND attribute_not_exists(#response)',
        ExpressionAttributeNames: { '#response': 'response' },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return finished;
    } catch (error) {
      // Stryker disable next-line LogicalOperator: with ALL_OLD, DynamoDB returns the item with every failed condition it found
      if (error instanceof ConditionalCheckFailedException && error.Item) {
        return fromItem(error.Item);
      }
      throw error;
    }
  }

  /** The record with this id, read consistently. */
  public async read(id: string): Promise<IdempotencyRecord | undefined> {
    const result = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { id: { S: id } }, ConsistentRead: true }));
    return result.Item ? fromItem(result.Item) : undefined;
  }

  /**
   * Every pending payment that the index lists, from all of its shards at once; at most `limit`
   * of them from each shard. The index is eventually consistent: read a record before acting on it.
   */
  public async pending(limit: number): Promise<PendingEntry[]> {
    const shards = await Promise.all(Array.from({ length: PENDING_SHARDS }, (_, shard) => this.pendingInShard(String(shard), limit)));
    return shards.flat();
  }

  private async pendingInShard(shard: string, limit: number): Promise<PendingEntry[]> {
    const entries: PendingEntry[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(new QueryCommand({
        TableName: this.tableName,
        IndexName: PENDING_INDEX,
        KeyConditionExpression: 'pending_shard = :shard',
        ExpressionAttributeValues: { ':shard': { S: shard } },
        ExclusiveStartKey: start,
        Limit: limit - entries.length,
      }));
      for (const item of page.Items ?? []) {
        entries.push({ id: item.id.S!, transactionId: item.transaction_id.S!, createdAt: item.created_at.S!, retryAt: Number(item.retry_at.N) });
      }
      start = page.LastEvaluatedKey;
    } while (start && entries.length < limit);
    return entries;
  }

  private expiresAt(nowMs: number): AttributeValue {
    return { N: String(Math.floor(nowMs / 1000) + this.ttlSeconds) };
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

/** The shard of the pending index that a record belongs to, from its id (a hex digest). */
function shardOf(id: string): string {
  return String(parseInt(id.slice(0, 8), 16) % PENDING_SHARDS);
}

function toItem(id: string, record: IdempotencyRecord): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    request_hash: { S: record.requestHash },
    transaction_id: { S: record.transactionId },
    created_at: { S: record.createdAt },
    attempt: { S: record.attempt },
    locked_until: { N: String(record.lockedUntil) },
  };
  if (record.response !== undefined) {
    item.response = { S: record.response };
  }
  if (record.responseStatus !== undefined) {
    item.response_status = { N: String(record.responseStatus) };
  }
  if (record.pending) {
    item.processor_request = { S: JSON.stringify(record.pending.request) };
    item.client_id = { S: record.pending.clientId };
    item.pending_shard = { S: shardOf(id) };
    item.retry_at = { N: String(record.pending.retryAt) };
    item.tries = { N: String(record.pending.tries) };
  }
  return item;
}

function fromItem(item: Record<string, AttributeValue>): IdempotencyRecord {
  return {
    requestHash: item.request_hash.S!,
    transactionId: item.transaction_id.S!,
    createdAt: item.created_at.S!,
    response: item.response?.S,
    responseStatus: item.response_status ? Number(item.response_status.N) : undefined,
    attempt: item.attempt.S!,
    lockedUntil: Number(item.locked_until.N),
    pending: item.processor_request ? {
      request: JSON.parse(item.processor_request.S!) as ProcessorRequest,
      clientId: item.client_id.S!,
      retryAt: Number(item.retry_at.N),
      tries: Number(item.tries.N),
    } : undefined,
  };
}
