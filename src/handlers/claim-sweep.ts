import { AttributeValue, ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';

/** What one sweep did. */
export interface SweepResult {
  /** Expired claims deleted. */
  readonly deleted: number;
  /** Expired claims left in place: renewed since the scan read them, or deleted by another sweep. */
  readonly skipped: number;
  /** Whether the sweep read the whole table before its deadline. */
  readonly complete: boolean;
}

/**
 * Deletes the idempotency claims whose expiry (`expires_at`, epoch seconds) has passed, where the
 * table has no TTL to do it (a multi-Region strongly consistent table has none). The handler
 * already treats an expired claim as absent, so a sweep only reclaims storage.
 *
 * Every delete is conditional on the claim still being expired, so a key claimed again after the
 * scan read it is never lost, and sweeps in several Regions at once are safe.
 */
export class ClaimSweeper {
  /**
   * @param pageSize items the scan reads per page before their deletes; by default a page is what
   * DynamoDB returns (up to 1 MB)
   */
  constructor(private readonly client: DynamoDBClient, private readonly tableName: string, private readonly pageSize?: number) {}

  /**
   * Sweeps until the table has been read or `deadlineMs` (epoch milliseconds) has passed; the next
   * sweep starts again from the beginning, and what this one deleted is gone by then.
   */
  public async sweep(nowMs: number, deadlineMs: number, clock: () => number = Date.now): Promise<SweepResult> {
    const now = { ':now': { N: String(Math.floor(nowMs / 1000)) } };
    let deleted = 0;
    let skipped = 0;
    let start: Record<string, AttributeValue> | undefined;
    do {
      if (clock() >= deadlineMs) {
        return { deleted, skipped, complete: false };
      }
      const page = await this.client.send(new ScanCommand({
        TableName: this.tableName,
        ProjectionExpression: 'id',
        FilterExpression: 'expires_at < :now',
        ExpressionAttributeValues: now,
        ExclusiveStartKey: start,
        Limit: this.pageSize,
      }));
      for (const item of page.Items!) {
        if (await this.deleteIfExpired(item.id, now)) {
          deleted += 1;
        } else {
          skipped += 1;
        }
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return { deleted, skipped, complete: true };
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
