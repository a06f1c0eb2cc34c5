import { Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, functionRoleFindings, nagPackAcknowledgements, nagResourceName } from './acknowledge';
import { SharedFunctionSettings, newFunctionLogsAndRole, functionSecurityGroup } from './functions';
import { EncryptedQueueDestination, grantAuditRecordWrite } from './grants';
import { AUDIT_RECORD_PREFIX } from './names';
import { AuditWriterFunction } from '../handlers/audit-writer-function';

export interface AuditPipelineProps extends SharedFunctionSettings {
  /** The ledger, whose stream of item changes is the pipeline's input. */
  readonly ledgerTable: dynamodb.ITable;
  /** Where audit records go, under `AUDIT_RECORD_PREFIX`. */
  readonly auditBucket: s3.IBucket;
  /** Where batches that keep failing go. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Environment variables that every function of the platform has. */
  readonly environment: { [name: string]: string };
  /**
   * The Region whose payments this pipeline writes, where the ledger is a multi-Region table whose
   * stream carries every Region's payments.
   */
  readonly originRegion?: string;
}

/**
 * The audit pipeline: the ledger's stream of item changes (inserts, edits and deletes), read by
 * the audit writer, which writes each change to the audit bucket as an object of its own; a batch
 * that keeps failing is split and retried from the change that failed, and its range finally
 * recorded in the dead-letter queue.
 */
export class AuditPipeline extends Construct {
  /** The function that writes audit records. */
  public readonly writer: lambda.Function;
  /** The writer's security group. */
  public readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: AuditPipelineProps) {
    super(scope, id);
    this.securityGroup = functionSecurityGroup(this, 'AuditWriterSecurityGroup', props.vpc, 'audit writer', props.services);
    this.writer = new AuditWriterFunction(this, 'AuditWriter', {
      description: 'Writes every change of a ledger item to the audit bucket, one object per change',
      ...newFunctionLogsAndRole(this, 'AuditWriter', props, this.securityGroup),
      memorySize: 256,
      timeout: Duration.seconds(60),
      // No DeadLetterConfig: the stream invokes the writer synchronously, where it never applies;
      // failed ranges reach the queue through the event source's on-failure destination.
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: 'payments-audit',
        AUDIT_BUCKET_NAME: props.auditBucket.bucketName,
        AUDIT_PREFIX: AUDIT_RECORD_PREFIX,
      },
    });
    grantAuditRecordWrite(props.auditBucket, AUDIT_RECORD_PREFIX, this.writer);
    this.writer.addEventSource(new DynamoEventSource(props.ledgerTable, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(20),
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: 10,
      onFailure: new EncryptedQueueDestination(props.deadLetterQueue),
      filters: originFilters(props.originRegion),
    }));

    acknowledge(this.writer, nagPackAcknowledgements('LambdaDLQ',
      'The ledger stream\'s event source mapping invokes the audit writer synchronously, where a function\'s dead-letter queue never receives anything; a range that keeps failing reaches the dead-letter queue through the mapping\'s on-failure destination.',
      ['NIST.800.53.R5', 'HIPAA.Security', 'Serverless']));
    acknowledge(this.writer.role!, [
      ...functionRoleFindings('X-Ray trace submission and dynamodb:ListStreams, which the stream event source needs,'),
      {
        id: `AwsSolutions-IAM5[Resource::${nagResourceName(this, props.auditBucket.arnForObjects(`${AUDIT_RECORD_PREFIX}*`))}]`,
        reason: 'The audit writer may put objects under the audit/ prefix only; record keys are generated per batch.',
      },
    ]);
  }
}

/**
 * Where a multi-Region ledger's stream carries every Region's changes: the changes of the payments
 * that `region` accepted, as their items say in the new image or, for a delete, the old.
 */
function originFilters(region: string | undefined): { [key: string]: unknown }[] | undefined {
  if (region === undefined) {
    return undefined;
  }
  return ['NewImage', 'OldImage'].map((image) => lambda.FilterCriteria.filter({
    dynamodb: { [image]: { origin_region: { S: lambda.FilterRule.isEqual(region) } } },
  }));
}
