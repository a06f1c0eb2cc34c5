import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { LedgerBilling } from './ledger-billing';

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
   * How the payment ledger is billed: `LedgerBilling.onDemand()` (with `warmThroughput` for a known
   * step, which the idempotency table gets too) or `LedgerBilling.provisioned({ read, write })`
   * with auto scaling up to the API's rate.
   */
  readonly ledgerBilling: LedgerBilling;

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
   * Days after which audit records (and the audit bucket's server access logs) expire: the
   * current version gets a delete marker, and a version that is no longer current is deleted as
   * many days after it stopped being current. At
   * least `auditGlacierTransitionDays` + 90 (S3 bills 90 days of Glacier Flexible Retrieval for
   * each object moved there) and at least `auditObjectLockDays`.
   *
   * @default - audit records never expire
   */
  readonly auditExpirationDays?: number;

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
   * Burst capacity of the payments API's stage, in requests.
   *
   * @default - twice `apiRateLimit`, rounded up, but at most 5,000 (API Gateway's default burst
   * quota, which every API of the account and Region shares)
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
  readonly ledgerBilling?: LedgerBilling;
  /** @default - the base profile's value */
  readonly pointInTimeRecovery?: boolean;
  /** @default - the base profile's value */
  readonly auditGlacierTransitionDays?: number;
  /** @default - the base profile's value */
  readonly auditObjectLockDays?: number;
  /** @default - the base profile's value */
  readonly auditExpirationDays?: number;
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
