import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { IConstruct } from 'constructs';
import { nagPackAcknowledgements } from './acknowledge';
import { guardControl } from './guardrails';
import { SecurityControl } from '../environment-profile-types';

/** Name of the ledger's partition key (string): one item per accepted payment. */
export const LEDGER_PARTITION_KEY = 'transaction_id';
/** Name of the ledger's sort key (string): the RFC 3339 UTC time the payment was accepted. */
export const LEDGER_SORT_KEY = 'timestamp';
/** Old images too, so that the audit record of an edit or a delete shows what was there. */
export const LEDGER_STREAM = dynamodb.StreamViewType.NEW_AND_OLD_IMAGES;

/** What a ledger keeps, decided: the same for a table of one Region and a multi-Region one. */
export interface LedgerProtection {
  readonly pointInTimeRecovery: boolean;
  readonly backups: boolean;
  readonly removalPolicy: RemovalPolicy;
  /** On-demand warm throughput, in write units per second. */
  readonly warmThroughput?: number;
}

/** The ledger's keys, both strings. */
export const LEDGER_KEY_SCHEMA = {
  partitionKey: { name: LEDGER_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
  sortKey: { name: LEDGER_SORT_KEY, type: dynamodb.AttributeType.STRING },
};

/**
 * The protection of a ledger table (and of the multi-Region claims beside it), whether a `Table`
 * or a `TableV2`: recovery, warm throughput, removal and deletion protection.
 */
export function protectedTableProps(protection: LedgerProtection) {
  return {
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: protection.pointInTimeRecovery },
    warmThroughput: protection.warmThroughput ? { writeUnitsPerSecond: protection.warmThroughput } : undefined,
    removalPolicy: protection.removalPolicy,
    deletionProtection: protection.removalPolicy !== RemovalPolicy.DESTROY,
  };
}

/**
 * The guardrails of a ledger: recovery, backups and retention, each acknowledged where the library
 * chose to weaken it and reported where the app did (see `guardControl`). `props` set them: a
 * ledger's props (`pointInTimeRecovery`, `backupPlan`, `removalPolicy`), decided from a profile or not.
 */
export function guardLedger(props: object, table: IConstruct, protection: LedgerProtection): void {
  const pitrReason = 'Point-in-time recovery is off by the profile\'s choice (the dev profile holds disposable test data); staging and production keep it on.';
  guardControl(props, {
    control: SecurityControl.POINT_IN_TIME_RECOVERY,
    weakened: !protection.pointInTimeRecovery,
    what: 'Point-in-time recovery of the ledger is off',
    prop: 'pointInTimeRecovery',
    profileField: 'pointInTimeRecovery',
    target: table,
    acknowledgements: [{ id: 'AwsSolutions-DDB3', reason: pitrReason }, ...nagPackAcknowledgements('DynamoDBPITREnabled', pitrReason, ['NIST.800.53.R5', 'HIPAA.Security'])],
    checkovSkips: [{ id: 'CKV_AWS_28', comment: pitrReason }],
  });
  guardControl(props, {
    control: SecurityControl.LEDGER_BACKUPS,
    weakened: !protection.backups,
    what: 'The ledger is in no AWS Backup plan',
    prop: 'backupPlan',
    profileField: 'ledgerBackups',
    target: table,
    acknowledgements: nagPackAcknowledgements('DynamoDBInBackupPlan',
      'Backups are off by the profile\'s choice; point-in-time recovery gives 35 days of continuous backups where it is on (set ledgerBackups for an AWS Backup plan).',
      ['NIST.800.53.R5', 'HIPAA.Security']),
  });
  guardControl(props, {
    control: SecurityControl.DATA_RETENTION,
    weakened: protection.removalPolicy === RemovalPolicy.DESTROY,
    what: 'The ledger (and its key, if created here) is deleted with the stack',
    prop: 'removalPolicy',
    profileField: 'removalPolicy',
    target: table,
  });
}
