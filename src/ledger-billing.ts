import { ledgerBillingProblems } from './private/ledger-billing-rules';

/**
 * How the payment ledger pays for DynamoDB capacity.
 */
export enum LedgerBillingMode {
  /** Pay per request; no capacity planning. */
  ON_DEMAND = 'ON_DEMAND',
  /** Provisioned read and write capacity, auto scaled above a minimum. */
  PROVISIONED = 'PROVISIONED',
}

/**
 * A daily window, in UTC, in which the ledger's provisioned write capacity is at least
 * `minWriteCapacity`; outside it, the provisioned `write` capacity is the least again.
 */
export interface LedgerWriteSchedule {
  /** Hour of the day (UTC, 0 to 23) at which the higher minimum starts. */
  readonly startHourUtc: number;
  /** Hour of the day (UTC, 0 to 23) at which the minimum returns to `write`. */
  readonly endHourUtc: number;
  /** Write capacity units held at least during the window. */
  readonly minWriteCapacity: number;
}

/**
 * Options of an on-demand ledger.
 */
export interface LedgerOnDemandOptions {
  /**
   * Write units per second that the on-demand ledger and idempotency tables serve at once (DynamoDB
   * warm throughput), for a step in traffic beyond what a new on-demand table takes without
   * throttling (4,000 writes per second) or twice the tables' previous peak. Each payment writes
   * one unit to each table. Raising warm throughput is charged once, when it is set. A whole number
   * from 4,000 to 40,000 (the default per-table quota).
   *
   * @default - the tables' own warm throughput: 4,000 write units per second for a new table, and
   * twice the previous peak after 30 minutes
   */
  readonly warmThroughput?: number;
}

/**
 * Target-tracking auto scaling of a provisioned ledger, above its provisioned capacity.
 */
export interface LedgerAutoScalingOptions {
  /**
   * Most read capacity units that auto scaling provisions.
   *
   * @default - the profile's `apiRateLimit` (within 40,000) where the ledger is built from a
   * profile, so that reads keep up with the API's sustained rate; otherwise 40,000, DynamoDB's
   * per-table quota
   */
  readonly maxRead?: number;

  /**
   * Most write capacity units that auto scaling provisions.
   *
   * @default - the profile's `apiRateLimit` (within 40,000) where the ledger is built from a
   * profile, since every accepted payment writes one ledger item; otherwise 40,000, DynamoDB's
   * per-table quota
   */
  readonly maxWrite?: number;

  /**
   * Utilisation, in percent, that auto scaling keeps provisioned capacity at: a whole number from
   * 20 to 90.
   *
   * @default 70
   */
  readonly targetUtilizationPercent?: number;

  /**
   * Daily windows in which write capacity is held at a higher minimum, for peaks that come at known
   * times: capacity is there when the peak starts, instead of after auto scaling has noticed it.
   * Windows must not overlap.
   *
   * @default - no scheduled minimums
   */
  readonly writeSchedules?: LedgerWriteSchedule[];
}

/**
 * Options of a provisioned ledger.
 */
export interface LedgerProvisionedOptions {
  /**
   * Read capacity units provisioned at least: auto scaling never goes below them. A whole number
   * from 1 to 40,000.
   */
  readonly read: number;

  /**
   * Write capacity units provisioned at least: auto scaling never goes below them. A whole number
   * from 1 to 40,000.
   */
  readonly write: number;

  /**
   * How auto scaling provisions capacity above `read` and `write`.
   *
   * @default - target tracking at 70 % utilisation, up to the default ceilings
   */
  readonly autoScaling?: LedgerAutoScalingOptions;
}

/**
 * How the payment ledger is billed: on demand (with warm throughput for a known step) or with
 * provisioned capacity and auto scaling. Each choice takes only the settings that apply to it, and
 * checks them when it is made.
 *
 * `LedgerBilling.onDemand()` or `LedgerBilling.provisioned({ read: 5, write: 5 })`.
 */
export class LedgerBilling {
  /**
   * Pay per request. The ledger takes 4,000 writes per second at once when new, and twice its
   * previous peak; `warmThroughput` raises that for a known step.
   */
  public static onDemand(options: LedgerOnDemandOptions = {}): LedgerBilling {
    return LedgerBilling.checked(new LedgerBilling(LedgerBillingMode.ON_DEMAND, options.warmThroughput, undefined), 'LedgerBilling.onDemand');
  }

  /**
   * Provisioned capacity with `read` and `write` as the least, and target-tracking auto scaling
   * above it.
   */
  public static provisioned(options: LedgerProvisionedOptions): LedgerBilling {
    return LedgerBilling.checked(new LedgerBilling(LedgerBillingMode.PROVISIONED, undefined, options), 'LedgerBilling.provisioned');
  }

  private static checked(billing: LedgerBilling, factory: string): LedgerBilling {
    const problems = ledgerBillingProblems(billing);
    if (problems.length > 0) {
      throw new Error(`Invalid ${factory} options:\n  - ${problems.join('\n  - ')}`);
    }
    return billing;
  }

  /** On demand or provisioned. */
  public readonly mode: LedgerBillingMode;
  /** The warm throughput of an on-demand ledger, in write units per second, where one is set. */
  public readonly warmThroughput?: number;
  /** The capacity of a provisioned ledger. */
  public readonly provisionedCapacity?: LedgerProvisionedOptions;

  private constructor(mode: LedgerBillingMode, warmThroughput: number | undefined, provisionedCapacity: LedgerProvisionedOptions | undefined) {
    this.mode = mode;
    this.warmThroughput = warmThroughput;
    this.provisionedCapacity = provisionedCapacity;
  }
}
