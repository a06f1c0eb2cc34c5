import {
  AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';

/** What one sweep did. */
export interface SweepResult {
  /** Claims read by the scan, expired or not. */
  readonly scanned: number;
  /** Expired claims deleted. */
  readonly deleted: number;
  /** Expired claims left in place: renewed since the scan read them, or deleted by another sweep. */
  readonly skipped: number;
  /** Whether this sweep reached the end of the table, finishing a pass over it. */
  readonly complete: boolean;
  /**
   * Seconds since the pass that the next sweep continues began (0 while the next pass is not yet
   * due): it grows while sweeps fall behind a table that grows faster than they read it.
   */
  readonly passAgeSeconds: number;
  /** How long the pass that this sweep finished took, in seconds, where it finished one. */
  readonly passSeconds?: number;
}

/** Deletes in flight at once: the sweep is bound by round trips, not by the table's capacity. */
const PARALLEL_DELETES = 25;

/** A new pass over the table begins at most this often; a pass that takes longer runs on at once. */
export const PASS_INTERVAL_SECONDS = 3600;

/**
 * Deletes the idempotency claims whose expiry (`expires_at`, epoch seconds) has passed, where the
 * table has no TTL to do it (a multi-Region strongly consistent table has none). The handler
 * already treats an expired claim as absent, so a sweep only reclaims storage.
 *
 * Sweeps keep their place: each page's last key is saved in the table, in an item of this
 * sweeper's own (`sweep-position#<name>`, which no claim's hashed id can be, and which holds no
 * `expires_at`, so no scan takes it for a claim), and the next sweep starts from there. The sweeps
 * of one Region thus walk the whole table in turns, however large it is, and start again at the
 * beginning when they reach its end, an hour after the pass before began (a pass that takes longer
 * is followed at once).
 *
 * Every delete is conditional on the claim still being expired, so a key claimed again after the
 * scan read it is never lost, and sweeps in several Regions at once are safe.
 */
export class ClaimSweeper {
  private readonly positionKey: Record<string, AttributeValue>;

  /**
   * @param name whose place this is: one per Region of a multi-Region table
   * @param pageSize items the scan reads per page before their deletes; by default a page is what
   * DynamoDB returns (up to 1 MB)
   */
  constructor(private readonly client: DynamoDBClient, private readonly tableName: string, name: string, private readonly pageSize?: number) {
    this.positionKey = { id: { S: `sweep-position#${name}` } };
  }

  /**
   * Sweeps from where the last sweep stopped until `deadlineMs` (epoch milliseconds) has passed,
   * saving its place after every page. At the beginning of the table, it waits until an hour has
   * passed since the last pass began.
   */
  public async sweep(nowMs: number, deadlineMs: number, clock: () => number = Date.now): Promise<SweepResult> {
    const now = { ':now': { N: String(Math.floor(nowMs / 1000)) } };
    const position = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: this.positionKey, ConsistentRead: true }));
    let passStartedAt = Number(position.Item?.pass_started_at?.N ?? Math.floor(nowMs / 1000));
    let start: Record<string, AttributeValue> | undefined = position.Item?.next_id ? { id: position.Item.next_id } : undefined;
    // After a pass, the place holds no key and `pass_started_at` is when the next pass is due; a
    // pass under way began in the past, and a first sweep begins now.
    let waiting = nowMs < passStartedAt * 1000;
    let scanned = 0;
    let deleted = 0;
    let skipped = 0;
    let passSeconds: number | undefined;
    while (!waiting && clock() < deadlineMs) {
      const page = await this.client.send(new ScanCommand({
        TableName: this.tableName,
        ProjectionExpression: 'id',
        FilterExpression: 'expires_at < :now',
        ExpressionAttributeValues: now,
        ExclusiveStartKey: start,
        Limit: this.pageSize,
      }));
      scanned += page.ScannedCount!;
      const expired = page.Items!;
      // Stryker disable next-line EqualityOperator: one more round past the end deletes an empty slice
      for (let i = 0; i < expired.length; i += PARALLEL_DELETES) {
        // Stryker disable next-line MethodExpression: the slice bounds how many deletes are in flight at once, which no outcome shows
        const outcomes = await Promise.all(expired.slice(i, i + PARALLEL_DELETES).map((item) => this.deleteIfExpired(item.id, now)));
        const gone = outcomes.filter((outcome) => outcome).length;
        deleted += gone;
        skipped += outcomes.length - gone;
      }
      start = page.LastEvaluatedKey;
      if (start === undefined) {
        const endedAt = Math.floor(clock() / 1000);
        passSeconds = endedAt - passStartedAt;
        // The next pass is due an hour after this one began, or now if it took longer.
        passStartedAt = Math.max(endedAt, passStartedAt + PASS_INTERVAL_SECONDS);
        waiting = true;
      }
      await this.savePosition(start, passStartedAt);
    }
    return {
      scanned,
      deleted,
      skipped,
      complete: passSeconds !== undefined,
      passAgeSeconds: Math.max(0, Math.floor(clock() / 1000) - passStartedAt),
      ...(passSeconds !== undefined ? { passSeconds } : {}),
    };
  }

  private async savePosition(next: Record<string, AttributeValue> | undefined, passStartedAt: number): Promise<void> {
    await this.client.send(new PutItemCommand({
      TableName: this.tableName,
      Item: {
        ...this.positionKey,
        pass_started_at: { N: String(passStartedAt) },
        ...(next ? { next_id: next.id } : {}),
      },
    }));
  }

  private async deleteIfExpired(id: AttributeValue, now: Record<string, AttributeValue>): Promise<boolean> {
    try {
      await this.client.send(new DeleteItemCommand({
        TableName: this.tableName,
        Key: { id },
        ConditionExpression: 'expires_at < :now',
        ExpressionAttributeValues: now,
      }));
      return true;
    } catch (error) {
      // Claimed again since the scan, or written at this moment in another Region: leave it.
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ReplicatedWriteConflictException') {
        return false;
      }
      throw error;
    }
  }
}
