import { Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, functionRoleFindings, nagPackAcknowledgements } from './acknowledge';
import { functionSecurityGroup, newFunctionLogsAndRole, SharedFunctionSettings } from './functions';
import { grantDataKeyUse } from './grants';
import { addPendingIndex } from './processor-step';
import { ClaimSweeperFunction } from '../handlers/claim-sweeper-function';

/** Powertools service name of the claim sweeper, a dimension of its metrics. */
export const SWEEPER_SERVICE_NAME = 'payments-claim-sweeper';

export interface IdempotencyClaimsProps extends SharedFunctionSettings {
  /**
   * An existing table of claims to use, which may have no TTL (a multi-Region table): a sweeper
   * then deletes expired claims.
   *
   * @default - a new table with TTL on `expires_at`
   */
  readonly adopted?: dynamodb.ITable;
  /** Warm throughput of a new table, in write units per second. */
  readonly warmThroughput?: number;
  /** Where the sweeper's failed runs go. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Environment variables that every function of the platform has. */
  readonly environment: { [name: string]: string };
  /** Whether a new table gets the index of pending payments that a processor's completer reads. */
  readonly pendingIndex?: boolean;
}

/**
 * The idempotency claims of a `PaymentApi`: a table of one short-lived claim per key, new (expired
 * by TTL) or adopted (with a sweeper that deletes expired claims every 15 minutes).
 *
 * A part of the API rather than a construct of its own: its resources are created in the API's
 * scope, so that they keep the logical IDs they have always had (a new ID would replace the table).
 */
export class IdempotencyClaims {
  /** The table of claims. */
  public readonly table: dynamodb.ITable;
  /** The function that deletes expired claims, where the table is adopted. */
  public readonly sweeper?: lambda.Function;
  /** The sweeper's security group, where there is a sweeper. */
  public readonly sweeperSecurityGroup?: ec2.SecurityGroup;

  constructor(private readonly scope: Construct, private readonly props: IdempotencyClaimsProps) {
    this.table = props.adopted ?? this.newTable();
    if (props.adopted) {
      this.sweeperSecurityGroup = functionSecurityGroup(scope, 'ClaimSweeperSecurityGroup', props.vpc, 'claim sweeper', props.services);
      this.sweeper = this.newSweeper(this.sweeperSecurityGroup);
    }
  }

  /** The table of idempotency records: one short-lived record per key, expired by TTL. */
  private newTable(): dynamodb.Table {
    const { warmThroughput } = this.props;
    const table = new dynamodb.Table(this.scope, 'IdempotencyTable', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.props.key,
      timeToLiveAttribute: 'expires_at',
      // Each payment claims its key here as it writes the ledger: a step that the ledger is warmed
      // for would otherwise be throttled on this table.
      warmThroughput: warmThroughput ? { writeUnitsPerSecond: warmThroughput } : undefined,
      // Cheap for a table this small, and it keeps every data store recoverable.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: this.props.removalPolicy,
    });
    if (this.props.pendingIndex) {
      addPendingIndex(table);
    }
    acknowledge(table, nagPackAcknowledgements('DynamoDBInBackupPlan', IDEMPOTENCY_REASON, ['NIST.800.53.R5', 'HIPAA.Security']));
    return table;
  }

  /**
   * Deletes expired claims every 15 minutes, with a conditional delete that spares a claim renewed
   * meanwhile; each run carries on from the place the last one saved.
   */
  private newSweeper(group: ec2.SecurityGroup): lambda.Function {
    const { scope, props, table } = this;
    const sweeper = new ClaimSweeperFunction(scope, 'ClaimSweeper', {
      description: 'Deletes expired idempotency claims from a table without TTL',
      ...newFunctionLogsAndRole(scope, 'ClaimSweeper', props, group),
      memorySize: 256,
      timeout: Duration.minutes(5),
      // One sweep at a time per Region; the next run carries on from the place a run saved.
      reservedConcurrentExecutions: 1,
      deadLetterQueue: props.deadLetterQueue,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: SWEEPER_SERVICE_NAME,
        IDEMPOTENCY_TABLE_NAME: table.tableName,
      },
    });
    table.grant(sweeper, 'dynamodb:Scan', 'dynamodb:DeleteItem');
    // Its place in the table, and nothing else: a claim's id is a hash, never this prefix.
    sweeper.addToRolePolicy(new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      resources: [table.tableArn],
      // ForAllValues holds for a request without the key, hence the Null test beside it.
      conditions: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['sweep-position#*'] },
        'Null': { 'dynamodb:LeadingKeys': 'false' },
      },
    }));
    grantDataKeyUse(props.key, sweeper);
    const schedule = new events.Rule(scope, 'ClaimSweeperSchedule', {
      description: 'Runs the claim sweeper every 15 minutes',
      schedule: events.Schedule.rate(Duration.minutes(15)),
      // A failed run is retried by Lambda twice and then recorded in the dead-letter queue; the next
      // run sweeps what it left.
      targets: [new targets.LambdaFunction(sweeper)],
    });
    acknowledge(schedule, nagPackAcknowledgements('EventBusDLQ',
      'A run that could not be started is repeated by the next run 15 minutes later; the handler already treats expired claims as absent, so nothing waits on a sweep, and the sweep alarm says when sweeps fall behind.',
      ['Serverless']));
    acknowledge(sweeper.role!, functionRoleFindings('X-Ray trace submission (PutTraceSegments, PutTelemetryRecords)'));
    return sweeper;
  }
}

const IDEMPOTENCY_REASON = 'Idempotency records are short-lived (24 hours) and have point-in-time recovery; the ledger, with its own backups, is the record of truth.';

