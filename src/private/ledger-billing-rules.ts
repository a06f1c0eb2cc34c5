import { describe, isWholeNumberIn } from './values';

/** A daily window of a higher minimum write capacity, as `LedgerWriteSchedule` has it. */
interface WriteSchedule {
  readonly startHourUtc: number;
  readonly endHourUtc: number;
  readonly minWriteCapacity: number;
}

/** A provisioned ledger's capacity, as `Capacity` has it. */
export interface Capacity {
  readonly read: number;
  readonly write: number;
  readonly autoScaling?: {
    readonly maxRead?: number;
    readonly maxWrite?: number;
    readonly targetUtilizationPercent?: number;
    readonly writeSchedules?: WriteSchedule[];
  };
}

/** A ledger's billing, as `LedgerBilling` has it. */
interface Billing {
  readonly warmThroughput?: number;
  readonly provisionedCapacity?: Capacity;
}

/** DynamoDB's per-table provisioned throughput quota before a limit increase. */
export const MAX_CAPACITY_UNITS = 40000;
/** Write units per second that a new on-demand table serves without throttling. */
const ON_DEMAND_INITIAL_WRITE_UNITS = 4_000;
/** DynamoDB's default per-table write throughput quota, the most that warm throughput can be set to. */
const MAX_WARM_WRITE_UNITS = MAX_CAPACITY_UNITS;
const DEFAULT_TARGET_UTILIZATION = 70;

/** A provisioned ledger's capacity with every default decided. */
export interface ResolvedCapacity {
  readonly read: number;
  readonly write: number;
  readonly maxRead: number;
  readonly maxWrite: number;
  readonly targetUtilizationPercent: number;
  readonly writeSchedules: WriteSchedule[];
}

/**
 * The auto scaling ceiling when none is given: the API's sustained rate where one is known (every
 * accepted payment writes one ledger item, and reads should keep up), within DynamoDB's per-table
 * quota; without one, the quota itself.
 */
export function resolveCapacity(capacity: Capacity, apiRateLimit?: number): ResolvedCapacity {
  const ceiling = (least: number) => (apiRateLimit === undefined
    ? MAX_CAPACITY_UNITS
    : Math.min(MAX_CAPACITY_UNITS, Math.max(least, Math.ceil(apiRateLimit))));
  return {
    read: capacity.read,
    write: capacity.write,
    maxRead: capacity.autoScaling?.maxRead ?? ceiling(capacity.read),
    maxWrite: capacity.autoScaling?.maxWrite ?? ceiling(capacity.write),
    targetUtilizationPercent: capacity.autoScaling?.targetUtilizationPercent ?? DEFAULT_TARGET_UTILIZATION,
    writeSchedules: capacity.autoScaling?.writeSchedules ?? [],
  };
}

/**
 * Every problem of a ledger's billing, its fields named as `LedgerBilling`'s options name them.
 * `apiRateLimit`, where known, is what the ceilings default to.
 */
export function ledgerBillingProblems(billing: Billing, apiRateLimit?: number): string[] {
  const problems: string[] = [];
  if (billing.warmThroughput !== undefined && !isWholeNumberIn(billing.warmThroughput, ON_DEMAND_INITIAL_WRITE_UNITS, MAX_WARM_WRITE_UNITS)) {
    problems.push(`\`warmThroughput\` is ${describe(billing.warmThroughput)}; it must be a whole number of write units per second `
      + `from ${ON_DEMAND_INITIAL_WRITE_UNITS} (what a new on-demand table already serves) to ${MAX_WARM_WRITE_UNITS} (the default per-table quota).`);
  }
  if (billing.provisionedCapacity !== undefined) {
    problems.push(...capacityProblems(billing.provisionedCapacity, apiRateLimit));
  }
  return problems;
}

function capacityProblems(capacity: Capacity, apiRateLimit?: number): string[] {
  const problems: string[] = [];
  for (const kind of ['read', 'write'] as const) {
    if (!isWholeNumberIn(capacity[kind], 1, MAX_CAPACITY_UNITS)) {
      problems.push(`\`${kind}\` is ${describe(capacity[kind])}; it must be a whole number of capacity units from 1 to ${MAX_CAPACITY_UNITS}.`);
    }
  }
  if (problems.length > 0) {
    return problems;
  }
  const scaling = capacity.autoScaling ?? {};
  for (const [field, kind] of [['maxRead', 'read'], ['maxWrite', 'write']] as const) {
    const max = scaling[field];
    if (max !== undefined && !isWholeNumberIn(max, capacity[kind], MAX_CAPACITY_UNITS)) {
      problems.push(`\`autoScaling.${field}\` is ${describe(max)}; it must be a whole number of capacity units from \`${kind}\` (${capacity[kind]}) to ${MAX_CAPACITY_UNITS}.`);
    }
  }
  const target = scaling.targetUtilizationPercent;
  if (target !== undefined && !isWholeNumberIn(target, 20, 90)) {
    problems.push(`\`autoScaling.targetUtilizationPercent\` is ${describe(target)}; it must be a whole number from 20 to 90.`);
  }
  if (problems.length === 0) {
    problems.push(...scheduleProblems(resolveCapacity(capacity, apiRateLimit)));
  }
  return problems;
}

function scheduleProblems(capacity: ResolvedCapacity): string[] {
  const problems: string[] = [];
  const hours = new Map<number, number>();
  capacity.writeSchedules.forEach((schedule, index) => {
    const field = `autoScaling.writeSchedules[${index}]`;
    const { startHourUtc: start, endHourUtc: end, minWriteCapacity: min } = schedule;
    if (!isWholeNumberIn(start, 0, 23) || !isWholeNumberIn(end, 0, 23) || start === end) {
      problems.push(`\`${field}\` runs from hour ${describe(start)} to hour ${describe(end)}; both must be whole hours from 0 to 23 (UTC), and differ.`);
      return;
    }
    if (!isWholeNumberIn(min, capacity.write, capacity.maxWrite)) {
      problems.push(`\`${field}.minWriteCapacity\` is ${describe(min)}; it must be a whole number of capacity units from \`write\` (${capacity.write}) to the auto scaling ceiling (${capacity.maxWrite}).`);
    }
    for (let hour = start; hour !== end; hour = (hour + 1) % 24) {
      const other = hours.get(hour);
      if (other !== undefined) {
        problems.push(`\`${field}\` overlaps \`autoScaling.writeSchedules[${other}]\` at hour ${hour}; windows must not overlap.`);
        return;
      }
      hours.set(hour, index);
    }
  });
  return problems;
}
