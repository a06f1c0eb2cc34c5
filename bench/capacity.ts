/**
 * What a synthesized platform carries in AWS: a second-by-second simulation of load shapes against
 * the limits its template configures (API Gateway throttling, Lambda concurrency, DynamoDB
 * capacity), following AWS's documented behaviour. Each constant below names its source; where AWS
 * documents no figure, the constant says it is an assumption.
 */

/** A documented limit or behaviour, with the page that documents it. */
export interface Documented {
  readonly value: number;
  readonly source: string;
}

const APIGW_QUOTAS = 'https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html';
const APIGW_THROTTLING = 'https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html';
const LAMBDA_SCALING = 'https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html';
const LAMBDA_QUOTAS = 'https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html';
const DYNAMODB_BURST = 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/burst-adaptive-capacity.html';
const DYNAMODB_AUTO_SCALING = 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/AutoScaling.html';
const DYNAMODB_ON_DEMAND = 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html';
const DYNAMODB_WARM = 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/warm-throughput.html';
const DYNAMODB_CAPACITY = 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/provisioned-capacity-mode.html';

export const AWS_BEHAVIOUR = {
  /** Requests per second that all APIs of an account share in a Region (token bucket refill). */
  apiGatewayAccountRate: { value: 10_000, source: APIGW_QUOTAS },
  /** Bucket size of that account-level token bucket. */
  apiGatewayAccountBurst: { value: 5_000, source: APIGW_QUOTAS },
  /** Concurrent executions of all functions of an account in a Region, by default. */
  lambdaAccountConcurrency: { value: 1_000, source: LAMBDA_QUOTAS },
  /** Execution environments a function may add... */
  lambdaScaleStep: { value: 1_000, source: LAMBDA_SCALING },
  /** ...every this many seconds. */
  lambdaScaleIntervalSeconds: { value: 10, source: LAMBDA_SCALING },
  /** Seconds of unused provisioned capacity that a table keeps as burst credit. */
  dynamodbBurstSeconds: { value: 300, source: DYNAMODB_BURST },
  /** Bytes of an item that one write capacity (or request) unit writes. */
  dynamodbWriteUnitBytes: { value: 1_024, source: DYNAMODB_CAPACITY },
  /** Consecutive minutes above the target utilisation before auto scaling raises capacity. */
  autoScalingHighMinutes: { value: 2, source: DYNAMODB_AUTO_SCALING },
  /** Consecutive minutes below the target minus 20 points before it lowers capacity. */
  autoScalingLowMinutes: { value: 15, source: DYNAMODB_AUTO_SCALING },
  /**
   * Seconds from the alarm to the raised capacity being usable: the metric's publication, the
   * alarm action and the table update. Assumed: AWS documents no figure.
   */
  autoScalingReactionSeconds: { value: 60, source: 'assumption (no documented figure)' },
  /** Write request units per second that a new on-demand table serves at once. */
  onDemandInitialWriteUnits: { value: 4_000, source: DYNAMODB_WARM },
  /** An on-demand table serves up to this multiple of its previous peak at once... */
  onDemandPeakMultiple: { value: 2, source: DYNAMODB_ON_DEMAND },
  /** ...and may throttle above it if the new peak comes within this many seconds. */
  onDemandPeakWindowSeconds: { value: 1_800, source: DYNAMODB_ON_DEMAND },
  /** Token bucket semantics of stage and usage plan throttling (rate refill, burst bucket). */
  tokenBucket: { value: 1, source: APIGW_THROTTLING },
} satisfies Record<string, Documented>;

/** How one DynamoDB table gets its write capacity. */
export type TableCapacity =
  | { readonly mode: 'on-demand'; readonly warmWriteUnits: number }
  | {
    readonly mode: 'provisioned';
    /** Provisioned write capacity units when the load starts; auto scaling never goes below `min`. */
    readonly min: number;
    readonly max: number;
    /** Target utilisation, 0 to 1. */
    readonly target: number;
    /** Scheduled actions: from `atSecond` of each day until the next action, the minimum is `min`. */
    readonly schedule?: ReadonlyArray<{ readonly atSecond: number; readonly min: number }>;
  };

/** The limits that a deployed platform meets, and what one payment costs in them. */
export interface CapacityConfig {
  /** Stage throttling: steady rate and burst. */
  readonly stageRate: number;
  readonly stageBurst: number;
  /** The usage plan's throttling of all the model's clients together (per API key times the clients). */
  readonly planRate: number;
  readonly planBurst: number;
  /** The account's API Gateway quota, and what other APIs of the account draw from it. */
  readonly accountRate: number;
  readonly accountBurst: number;
  readonly otherApisRate: number;
  /** Concurrent executions the handler may use: its reservation, or the account's unreserved pool. */
  readonly concurrencyCap: number;
  /** Execution environments kept initialised (provisioned concurrency). */
  readonly provisionedConcurrency: number;
  /** Seconds one request occupies an execution environment. */
  readonly handlerSeconds: number;
  readonly ledger: TableCapacity;
  readonly idempotency: TableCapacity;
  /** Write units per payment on each table. */
  readonly ledgerUnits: number;
  readonly idempotencyUnits: number;
}

/** A load: offered requests per second at each second, for `seconds` seconds from `start`. */
export interface LoadShape {
  readonly name: string;
  readonly seconds: number;
  /** The second at which the load under test begins (before it, the platform idles). */
  readonly start: number;
  rate(second: number): number;
}

/** Idle for ten minutes (burst credit full, nothing warm), then `rate` for thirty. */
export function step(rate: number): LoadShape {
  return { name: `step from idle to ${rate}/s`, seconds: 2_400, start: 600, rate: (t) => (t < 600 ? 0 : rate) };
}

/** From idle to `rate` evenly over thirty minutes, then ten minutes at `rate`. */
export function ramp(rate: number): LoadShape {
  return { name: `ramp from 0 to ${rate}/s over 30 min`, seconds: 2_400, start: 0, rate: (t) => Math.min(rate, (rate * t) / 1_800) };
}

/** A day: a tenth of `peak` at midnight, `peak` at noon, along a cosine. */
export function dailyPeak(peak: number): LoadShape {
  return {
    name: `day peaking at ${peak}/s`,
    seconds: 86_400,
    start: 0,
    rate: (t) => peak * (0.1 + 0.9 * (1 - Math.cos((2 * Math.PI * t) / 86_400)) / 2),
  };
}

export interface CapacityResult {
  readonly shape: string;
  readonly offered: number;
  readonly throttled: number;
  /** Throttled requests as a fraction of offered ones, over the whole shape. */
  readonly throttledFraction: number;
  /** The same over the first five minutes of the load. */
  readonly firstFiveMinutesFraction: number;
  /** Seconds from the load's start to the last throttled second; 0 when nothing was throttled. */
  readonly catchUpSeconds: number;
  /** Whether the platform still throttled in the shape's last minute. */
  readonly throttlingAtEnd: boolean;
  /** Requests throttled at each limit. */
  readonly throttledBy: Readonly<Record<Limit, number>>;
  /** Requests per second served in each second. */
  readonly served: readonly number[];
}

export type Limit = 'usage plan' | 'stage' | 'account quota' | 'Lambda concurrency' | 'idempotency table' | 'ledger';

/** Simulates `shape` against `config`, one second at a time. */
export function simulate(config: CapacityConfig, shape: LoadShape): CapacityResult {
  const plan = new TokenBucket(config.planRate, config.planBurst);
  const stage = new TokenBucket(config.stageRate, config.stageBurst);
  const account = new TokenBucket(config.accountRate, config.accountBurst);
  const lambda = new LambdaScaling(config.concurrencyCap, config.provisionedConcurrency);
  const idempotency = newTable(config.idempotency);
  const ledger = newTable(config.ledger);
  const throttledBy: Record<Limit, number> = {
    'usage plan': 0, 'stage': 0, 'account quota': 0, 'Lambda concurrency': 0, 'idempotency table': 0, 'ledger': 0,
  };
  const served: number[] = [];
  let offered = 0;
  let throttled = 0;
  let firstFiveOffered = 0;
  let firstFiveThrottled = 0;
  let lastThrottled = -1;
  for (let t = 0; t < shape.seconds; t++) {
    const demand = shape.rate(t);
    let passing = demand;
    const limit = (name: Limit, allowed: number) => {
      // Concurrency and write units are converted to requests and back: rounding is no throttling.
      const through = allowed >= passing * (1 - 1e-9) ? passing : allowed;
      throttledBy[name] += passing - through;
      passing = through;
    };
    limit('usage plan', plan.take(passing));
    limit('stage', stage.take(passing));
    // Other APIs draw on the account's bucket first; this API gets what remains.
    limit('account quota', Math.max(0, account.take(config.otherApisRate + passing) - config.otherApisRate));
    limit('Lambda concurrency', lambda.serve(passing * config.handlerSeconds, t) / config.handlerSeconds);
    limit('idempotency table', idempotency.write(passing * config.idempotencyUnits, t) / config.idempotencyUnits);
    limit('ledger', ledger.write(passing * config.ledgerUnits, t) / config.ledgerUnits);
    idempotency.endSecond(t);
    ledger.endSecond(t);

    served.push(passing);
    const lost = demand - passing;
    offered += demand;
    throttled += lost;
    if (t >= shape.start && t < shape.start + 300) {
      firstFiveOffered += demand;
      firstFiveThrottled += lost;
    }
    if (lost > 1e-9) {
      lastThrottled = t;
    }
  }
  return {
    shape: shape.name,
    offered,
    throttled,
    throttledFraction: offered > 0 ? throttled / offered : 0,
    firstFiveMinutesFraction: firstFiveOffered > 0 ? firstFiveThrottled / firstFiveOffered : 0,
    catchUpSeconds: lastThrottled < 0 ? 0 : lastThrottled + 1 - shape.start,
    throttlingAtEnd: lastThrottled >= shape.seconds - 60,
    throttledBy,
    served,
  };
}

/** The highest constant rate that the configuration carries indefinitely, and what bounds it. */
export function sustainedRate(config: CapacityConfig): { rate: number; limit: Limit } {
  const tableRate = (table: TableCapacity, units: number) =>
    (table.mode === 'on-demand' ? Number.POSITIVE_INFINITY : table.max / units);
  const limits: Array<[Limit, number]> = [
    ['usage plan', config.planRate],
    ['stage', config.stageRate],
    ['account quota', Math.max(0, config.accountRate - config.otherApisRate)],
    ['Lambda concurrency', config.concurrencyCap / config.handlerSeconds],
    ['idempotency table', tableRate(config.idempotency, config.idempotencyUnits)],
    ['ledger', tableRate(config.ledger, config.ledgerUnits)],
  ];
  const [limit, rate] = limits.reduce((low, next) => (next[1] < low[1] ? next : low));
  return { rate, limit };
}

/**
 * API Gateway's throttling: a bucket of `burst` tokens refilled at `rate` per second, one token per
 * request. Over one second, at most the tokens in the bucket plus a second's refill get through.
 */
export class TokenBucket {
  private tokens: number;
  constructor(private readonly rate: number, private readonly burst: number) {
    this.tokens = burst;
  }

  /** Takes up to `wanted` tokens for this second (call once a second); returns how many it got. */
  public take(wanted: number): number {
    const granted = Math.max(0, Math.min(wanted, this.tokens + this.rate));
    this.tokens = Math.min(this.burst, this.tokens + this.rate - granted);
    return granted;
  }
}

/**
 * Lambda's concurrency scaling: a function may add 1,000 execution environments every 10 seconds,
 * up to its cap; provisioned ones are there from the start.
 */
export class LambdaScaling {
  private allowance: number;
  private lastRaise = 0;
  private neededMore = false;
  constructor(private readonly cap: number, provisioned: number) {
    this.allowance = Math.min(cap, Math.max(provisioned, AWS_BEHAVIOUR.lambdaScaleStep.value));
  }

  /** Serves up to `concurrency` this second; returns the concurrency it could give. */
  public serve(concurrency: number, second: number): number {
    if (second - this.lastRaise >= AWS_BEHAVIOUR.lambdaScaleIntervalSeconds.value) {
      if (this.neededMore) {
        this.allowance = Math.min(this.cap, this.allowance + AWS_BEHAVIOUR.lambdaScaleStep.value);
      }
      this.lastRaise = second;
      this.neededMore = false;
    }
    if (concurrency > this.allowance) {
      this.neededMore = true;
    }
    return Math.min(concurrency, this.allowance);
  }
}

interface TableModel {
  /** Writes up to `units` this second; returns the units written. */
  write(units: number, second: number): number;
  endSecond(second: number): void;
}

function newTable(capacity: TableCapacity): TableModel {
  return capacity.mode === 'on-demand' ? new OnDemandTable(capacity.warmWriteUnits) : new ProvisionedTable(capacity);
}

/**
 * An on-demand table: serves its warm throughput (at least the initial 4,000 write units) at
 * once, and up to twice the peak it served 30 minutes or more ago.
 */
export class OnDemandTable implements TableModel {
  private readonly peaks: number[] = [];
  private peak = 0;
  private readonly warm: number;
  constructor(warmWriteUnits: number) {
    this.warm = Math.max(warmWriteUnits, AWS_BEHAVIOUR.onDemandInitialWriteUnits.value);
  }

  public write(units: number, second: number): number {
    const window = AWS_BEHAVIOUR.onDemandPeakWindowSeconds.value;
    const settledPeak = second >= window ? this.peaks[second - window] : 0;
    const written = Math.min(units, Math.max(this.warm, AWS_BEHAVIOUR.onDemandPeakMultiple.value * settledPeak));
    this.peak = Math.max(this.peak, written);
    this.peaks[second] = this.peak;
    return written;
  }

  public endSecond(): void {}
}

/**
 * A provisioned table with burst credit (up to 300 seconds of unused capacity) and target-tracking
 * auto scaling: after two consecutive minutes above the target utilisation, capacity is raised to
 * what the last minute consumed divided by the target (usable after the reaction delay); after 15
 * minutes below the target minus 20 points, lowered the same way, never below the minimum.
 */
export class ProvisionedTable implements TableModel {
  private provisioned: number;
  private credit: number;
  private consumedThisMinute = 0;
  private highMinutes = 0;
  private lowMinutes = 0;
  private pending?: { at: number; units: number };
  constructor(private readonly capacity: Extract<TableCapacity, { mode: 'provisioned' }>) {
    this.provisioned = capacity.min;
    // The shapes start idle, so the table starts with a full bucket of credit.
    this.credit = AWS_BEHAVIOUR.dynamodbBurstSeconds.value * capacity.min;
  }

  /** Provisioned units now, as auto scaling and schedules have set them. */
  public get units(): number {
    return this.provisioned;
  }

  public write(units: number, second: number): number {
    if (this.pending && second >= this.pending.at) {
      this.provisioned = this.pending.units;
      this.pending = undefined;
    }
    // A scheduled action raises the minimum at its time; capacity below it is raised with it.
    this.provisioned = Math.max(this.provisioned, Math.min(this.capacity.max, this.minimumAt(second)));
    const written = Math.min(units, this.provisioned + this.credit);
    this.credit = Math.min(AWS_BEHAVIOUR.dynamodbBurstSeconds.value * this.provisioned, this.credit + this.provisioned - written);
    this.consumedThisMinute += written;
    return written;
  }

  public endSecond(second: number): void {
    if ((second + 1) % 60 !== 0) {
      return;
    }
    const consumedPerSecond = this.consumedThisMinute / 60;
    this.consumedThisMinute = 0;
    const utilisation = consumedPerSecond / this.provisioned;
    this.highMinutes = utilisation > this.capacity.target ? this.highMinutes + 1 : 0;
    this.lowMinutes = utilisation < this.capacity.target - 0.2 ? this.lowMinutes + 1 : 0;
    const wanted = Math.min(this.capacity.max, Math.max(this.minimumAt(second), Math.ceil(consumedPerSecond / this.capacity.target)));
    if (!this.pending && this.highMinutes >= AWS_BEHAVIOUR.autoScalingHighMinutes.value && wanted > this.provisioned) {
      this.pending = { at: second + 1 + AWS_BEHAVIOUR.autoScalingReactionSeconds.value, units: wanted };
      this.highMinutes = 0;
    } else if (!this.pending && this.lowMinutes >= AWS_BEHAVIOUR.autoScalingLowMinutes.value && wanted < this.provisioned) {
      this.pending = { at: second + 1 + AWS_BEHAVIOUR.autoScalingReactionSeconds.value, units: wanted };
      this.lowMinutes = 0;
    }
  }

  /** The minimum at `second`: the latest scheduled action's, or the table's minimum. */
  private minimumAt(second: number): number {
    const actions = this.capacity.schedule ?? [];
    if (actions.length === 0) {
      return this.capacity.min;
    }
    const ofDay = second % 86_400;
    const current = [...actions].reverse().find((action) => action.atSecond <= ofDay) ?? actions[actions.length - 1];
    return current.min;
  }
}
