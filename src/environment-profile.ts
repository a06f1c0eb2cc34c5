import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { assertValidProfile } from './private/profile-validation';

/**
 * How the payment ledger pays for DynamoDB capacity.
 */
export enum LedgerBillingMode {
  /** Pay per request; no capacity planning. */
  ON_DEMAND = 'ON_DEMAND',
  /** Provisioned read and write capacity with the profile's values as the floor, auto scaled above it. */
  PROVISIONED = 'PROVISIONED',
}

/**
 * The sensitivity of the data that an environment holds, written to the `DataClassification` tag.
 */
export enum DataClassification {
  /** Data for use inside the organisation only. */
  INTERNAL = 'Internal',
  /** Business data whose disclosure would harm the organisation or its customers. */
  CONFIDENTIAL = 'Confidential',
  /** Regulated data, such as live payment records, with the strictest handling rules. */
  RESTRICTED = 'Restricted',
}

/**
 * A security control of the platform that a setting can weaken.
 */
export enum SecurityControl {
  /** Point-in-time recovery of the ledger (`pointInTimeRecovery`). */
  POINT_IN_TIME_RECOVERY = 'point-in-time-recovery',
  /** The ledger's AWS Backup plan (`ledgerBackups`, `backupPlan`). */
  LEDGER_BACKUPS = 'ledger-backups',
  /** Keeping the ledger, audit records and keys when the stack is deleted (`removalPolicy`). */
  DATA_RETENTION = 'data-retention',
  /** S3 Object Lock on audit records (`auditObjectLockDays`, `objectLockDays`). */
  AUDIT_OBJECT_LOCK = 'audit-object-lock',
  /** IAM (SigV4) authorization on the API (`apiIamAuthorization`, `iamAuthorization`). */
  IAM_AUTHORIZATION = 'iam-authorization',
  /** AWS WAF on the API (`apiWaf`, `webAcl`). */
  WAF = 'waf',
  /** Keeping API, function and flow logs for at least a year (`logRetention`, `flowLogRetention`). */
  LOG_RETENTION = 'log-retention',
}

/**
 * A stated exception to a security control, for an environment whose data is Restricted: the only
 * way such an environment synthesizes with the control weakened. Each exception is written into
 * the template metadata of the resources it concerns, under `PaymentPlatformSecurityExceptions`.
 */
export interface SecurityException {
  /** The control that is weakened. */
  readonly control: SecurityControl;
  /** Why, for the auditor who reads it: at least 20 characters. */
  readonly reason: string;
}

/**
 * Every environment-specific setting of the payment platform.
 *
 * Use a stock profile (`Profiles.dev`, `Profiles.staging`, `Profiles.production`) or derive one:
 * `{ ...profiles.staging, region: 'eu-west-1' }` in TypeScript, or
 * `Profiles.derive(Profiles.staging, region="eu-west-1")` in Python.
 * A profile is validated when a construct uses it; a value that makes no sense stops synthesis with
 * an error that names the field, the value and what is allowed.
 */
export interface EnvironmentProfile {
  /**
   * Short name of the environment, used in the `Environment` tag and in resource descriptions.
   *
   * Lower-case letters, digits and hyphens, starting with a letter, at most 32 characters.
   */
  readonly envName: string;

  /**
   * AWS region that the environment is deployed to, such as `us-east-1`.
   */
  readonly region: string;

  /**
   * AWS account that the environment is deployed to.
   *
   * @default - the account of the CLI credentials at deploy time
   */
  readonly account?: string;

  /**
   * How the payment ledger table is billed.
   */
  readonly ledgerBillingMode: LedgerBillingMode;

  /**
   * Provisioned read capacity units of the ledger table: the floor that auto scaling never goes below.
   *
   * Required when `ledgerBillingMode` is `PROVISIONED`; ignored otherwise.
   *
   * @default - none (on-demand billing)
   */
  readonly ledgerReadCapacity?: number;

  /**
   * Provisioned write capacity units of the ledger table: the floor that auto scaling never goes below.
   *
   * Required when `ledgerBillingMode` is `PROVISIONED`; ignored otherwise.
   *
   * @default - none (on-demand billing)
   */
  readonly ledgerWriteCapacity?: number;

  /**
   * Ceiling for auto scaling of the ledger's read capacity units.
   *
   * @default - `apiRateLimit`, so that reads can keep up with the API's sustained rate
   */
  readonly ledgerMaxReadCapacity?: number;

  /**
   * Ceiling for auto scaling of the ledger's write capacity units.
   *
   * @default - `apiRateLimit`, since every accepted payment writes one ledger item
   */
  readonly ledgerMaxWriteCapacity?: number;

  /**
   * Whether the ledger table keeps continuous backups for point-in-time recovery.
   */
  readonly pointInTimeRecovery: boolean;

  /**
   * Days after which audit records (current and noncurrent versions) move to S3 Glacier Flexible Retrieval.
   *
   * A whole number from 1 to 36500.
   */
  readonly auditGlacierTransitionDays: number;

  /**
   * Days that S3 Object Lock, in compliance mode, keeps each audit record from being overwritten
   * or deleted, by anyone. Needs a removal policy that retains data.
   *
   * @default - no Object Lock
   */
  readonly auditObjectLockDays?: number;

  /**
   * Whether an AWS Backup plan backs the ledger up, in a vault encrypted with the platform key:
   * daily backups kept 35 days and monthly ones kept a year.
   *
   * @default false
   */
  readonly ledgerBackups?: boolean;

  /**
   * Steady-state request rate of the payments API, in requests per second.
   */
  readonly apiRateLimit: number;

  /**
   * Whether an AWS WAF web ACL (AWS managed rules for common exploits, known bad inputs and IP
   * reputation) guards the payments API, with its requests logged.
   *
   * @default false
   */
  readonly apiWaf?: boolean;

  /**
   * Burst capacity of the payments API, in requests.
   *
   * @default - twice `apiRateLimit`, rounded up
   */
  readonly apiBurstLimit?: number;

  /**
   * How long the dead-letter queues keep messages that could not be processed.
   *
   * Between 1 minute and 14 days (SQS limits).
   */
  readonly deadLetterRetention: Duration;

  /**
   * Whether CloudWatch alarms are created for the environment.
   */
  readonly enableAlarms: boolean;

  /**
   * Whether the payments API requires IAM (SigV4) authorization in addition to an API key.
   *
   * API keys identify and throttle clients but are not authentication; with IAM authorization the
   * caller's IAM principal is the client, and idempotency keys and payments belong to it.
   *
   * @default true
   */
  readonly apiIamAuthorization?: boolean;

  /**
   * What happens to the ledger table, the audit bucket and their keys when they leave the stack.
   *
   * `RETAIN` (or `RETAIN_ON_UPDATE_OR_DELETE`) also turns on deletion protection for the table;
   * `DESTROY` deletes the table and empties and deletes the buckets.
   * `SNAPSHOT` is not allowed: neither DynamoDB tables nor S3 buckets support it.
   */
  readonly removalPolicy: RemovalPolicy;

  /**
   * Number of NAT gateways in the VPC, from 1 to 3 (one per availability zone at most).
   *
   * @default 1
   */
  readonly natGateways?: number;

  /**
   * Value of the `CostCenter` tag on every taggable resource.
   */
  readonly costCenter: string;

  /**
   * Value of the `Owner` tag on every taggable resource: the team that runs the environment.
   */
  readonly owner: string;

  /**
   * Value of the `DataClassification` tag on every taggable resource.
   */
  readonly dataClassification: DataClassification;

  /**
   * Exceptions to the platform's security controls, each with its reason. Where the data is
   * Restricted, a setting of this app that weakens a control (one that no stock profile chose)
   * stops synthesis unless its control is listed here; elsewhere it only warns. Either way the
   * scanners' findings for it stay unacknowledged.
   *
   * @default - none
   */
  readonly securityExceptions?: SecurityException[];
}

/**
 * Optional replacements for the fields of an `EnvironmentProfile`, used with `Profiles.derive`.
 *
 * Every field means the same as in `EnvironmentProfile`; a field left out keeps the base profile's value.
 */
export interface EnvironmentProfileOverrides {
  /** @default - the base profile's value */
  readonly envName?: string;
  /** @default - the base profile's value */
  readonly region?: string;
  /** @default - the base profile's value */
  readonly account?: string;
  /** @default - the base profile's value */
  readonly ledgerBillingMode?: LedgerBillingMode;
  /** @default - the base profile's value */
  readonly ledgerReadCapacity?: number;
  /** @default - the base profile's value */
  readonly ledgerWriteCapacity?: number;
  /** @default - the base profile's value */
  readonly ledgerMaxReadCapacity?: number;
  /** @default - the base profile's value */
  readonly ledgerMaxWriteCapacity?: number;
  /** @default - the base profile's value */
  readonly pointInTimeRecovery?: boolean;
  /** @default - the base profile's value */
  readonly auditGlacierTransitionDays?: number;
  /** @default - the base profile's value */
  readonly auditObjectLockDays?: number;
  /** @default - the base profile's value */
  readonly ledgerBackups?: boolean;
  /** @default - the base profile's value */
  readonly apiRateLimit?: number;
  /** @default - the base profile's value */
  readonly apiWaf?: boolean;
  /** @default - the base profile's value */
  readonly apiBurstLimit?: number;
  /** @default - the base profile's value */
  readonly deadLetterRetention?: Duration;
  /** @default - the base profile's value */
  readonly enableAlarms?: boolean;
  /** @default - the base profile's value */
  readonly apiIamAuthorization?: boolean;
  /** @default - the base profile's value */
  readonly removalPolicy?: RemovalPolicy;
  /** @default - the base profile's value */
  readonly natGateways?: number;
  /** @default - the base profile's value */
  readonly costCenter?: string;
  /** @default - the base profile's value */
  readonly owner?: string;
  /** @default - the base profile's value */
  readonly dataClassification?: DataClassification;
  /** @default - the base profile's value */
  readonly securityExceptions?: SecurityException[];
}

const DEV: EnvironmentProfile = {
  envName: 'dev',
  region: 'us-east-1',
  ledgerBillingMode: LedgerBillingMode.ON_DEMAND,
  pointInTimeRecovery: false,
  auditGlacierTransitionDays: 30,
  apiRateLimit: 100,
  deadLetterRetention: Duration.days(3),
  enableAlarms: false,
  apiIamAuthorization: false,
  removalPolicy: RemovalPolicy.DESTROY,
  natGateways: 1,
  costCenter: 'Engineering',
  owner: 'payments-platform',
  dataClassification: DataClassification.INTERNAL,
};

const STAGING: EnvironmentProfile = {
  envName: 'staging',
  region: 'us-east-2',
  ledgerBillingMode: LedgerBillingMode.ON_DEMAND,
  pointInTimeRecovery: true,
  auditGlacierTransitionDays: 30,
  apiRateLimit: 1000,
  deadLetterRetention: Duration.days(7),
  enableAlarms: true,
  apiIamAuthorization: true,
  removalPolicy: RemovalPolicy.DESTROY,
  natGateways: 1,
  costCenter: 'Engineering',
  owner: 'payments-platform',
  dataClassification: DataClassification.CONFIDENTIAL,
};

const PRODUCTION: EnvironmentProfile = {
  envName: 'production',
  region: 'us-east-1',
  ledgerBillingMode: LedgerBillingMode.PROVISIONED,
  ledgerReadCapacity: 5,
  ledgerWriteCapacity: 5,
  pointInTimeRecovery: true,
  auditGlacierTransitionDays: 90,
  auditObjectLockDays: 365,
  ledgerBackups: true,
  apiRateLimit: 10000,
  apiWaf: true,
  deadLetterRetention: Duration.days(14),
  enableAlarms: true,
  apiIamAuthorization: true,
  removalPolicy: RemovalPolicy.RETAIN,
  natGateways: 1,
  costCenter: 'Finance',
  owner: 'payments-platform',
  dataClassification: DataClassification.RESTRICTED,
};

/**
 * The stock environment profiles, with the values of the platform's environment table.
 *
 * | | dev | staging | production |
 * |---|---|---|---|
 * | region | us-east-1 | us-east-2 | us-east-1 |
 * | ledger billing | on-demand | on-demand | provisioned, 5 RCU / 5 WCU floor |
 * | point-in-time recovery | no | yes | yes |
 * | Glacier transition | 30 days | 30 days | 90 days |
 * | API rate | 100 req/s | 1000 req/s | 10000 req/s |
 * | DLQ retention | 3 days | 7 days | 14 days |
 * | alarms | no | yes | yes |
 * | IAM authorization on the API | no (API key only) | yes | yes |
 * | data on stack deletion | destroyed | destroyed | retained |
 * | audit records locked (S3 Object Lock) | no | no | 365 days |
 * | ledger in an AWS Backup plan | no | no | yes |
 * | AWS WAF on the API | no | no | yes |
 */
export class Profiles {
  // Getters rather than static readonly fields: jsii renders those as constants (`Profiles.STAGING`
  // in Python), while a getter keeps the name users expect in every language (`Profiles.staging`).
  // Each call returns a fresh copy, so that no caller can change a stock profile for the others,
  // and the jsii kernel can tag the object it hands to another language (it cannot tag a frozen one).

  /** The development environment: cheap, disposable, no alarms. */
  public static get dev(): EnvironmentProfile {
    return { ...DEV };
  }

  /** The staging environment: production-like behaviour on on-demand capacity, easy to clean up. */
  public static get staging(): EnvironmentProfile {
    return { ...STAGING };
  }

  /** The production environment: provisioned capacity, longest retention, data retained on deletion. */
  public static get production(): EnvironmentProfile {
    return { ...PRODUCTION };
  }

  /** The names of the stock profiles, in the order dev, staging, production. */
  public static get names(): string[] {
    return [DEV.envName, STAGING.envName, PRODUCTION.envName];
  }

  /**
   * The stock profile with the given `envName`.
   *
   * @param envName `dev`, `staging` or `production`
   */
  public static named(envName: string): EnvironmentProfile {
    const found = [DEV, STAGING, PRODUCTION].find((p) => p.envName === envName);
    if (!found) {
      throw new Error(
        `Unknown environment '${envName}'. Valid environments: ${Profiles.names.join(', ')}.`,
      );
    }
    return { ...found };
  }

  /**
   * A new profile that is `base` with the given fields replaced, validated before it is returned.
   *
   * @param profile the profile to start from, usually a stock one
   * @param overrides the fields to replace
   */
  public static derive(profile: EnvironmentProfile, overrides: EnvironmentProfileOverrides): EnvironmentProfile {
    const merged: { [key: string]: unknown } = { ...profile };
    for (const [field, value] of Object.entries(overrides)) {
      if (value !== undefined) {
        merged[field] = value;
      }
    }
    const derived = merged as unknown as EnvironmentProfile;
    assertValidProfile(derived);
    return derived;
  }

  private constructor() {}
}

/**
 * The stock profiles as a plain object, so TypeScript users can write `profiles.staging`.
 */
export const profiles = Profiles;
