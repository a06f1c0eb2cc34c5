import { Stack, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { grantQueueSend } from './grants';
import { DEFAULT_PAYMENT_EVENT_SOURCE, PAYMENT_EVENTS_PER_BATCH, paymentEventEntries, paymentEventFilters } from './payment-event-shape';
import type { PaymentEventsOptions } from '../payment-events';

/** Attempts at a batch before it goes to the dead-letter queue. */
export const PAYMENT_EVENT_RETRY_ATTEMPTS = 10;

export interface PaymentEventPipeProps {
  readonly options: PaymentEventsOptions;
  /** The ledger, whose stream (new and old images, which PaymentApi has checked) is the pipe's source. */
  readonly ledgerTable: dynamodb.ITable;
  /** Encrypts a bus created here and the workflow's log group. */
  readonly key: kms.IKey;
  /** Where a batch that keeps failing is recorded (the shard and the range of its records). */
  readonly deadLetterQueue: sqs.IQueue;
  readonly retention: logs.RetentionDays;
  /**
   * Where the ledger is a multi-Region table: the Region whose payments this pipe publishes, as the
   * items' `origin_region` says.
   */
  readonly originRegion?: string;
}

/**
 * The payment events of one ledger: a pipe from the ledger's stream, filtered to the changes that
 * make a payment final, into an Express workflow whose one task puts an event per change on the bus.
 */
export class PaymentEventPipe extends Construct {
  /** The bus the events are put on. */
  public readonly eventBus: events.IEventBus;
  /** The workflow that shapes and puts the events. */
  public readonly publisher: sfn.StateMachine;
  /** The pipe from the ledger's stream to the workflow. */
  public readonly pipe: pipes.CfnPipe;
  /** The pipe's role: reads the stream, starts the workflow, records failures. */
  public readonly pipeRole: iam.Role;

  constructor(scope: Construct, id: string, props: PaymentEventPipeProps) {
    super(scope, id);
    const source = props.options.source ?? DEFAULT_PAYMENT_EVENT_SOURCE;
    validateSource(source);
    // PaymentApi refuses a ledger without a stream before anything reads it.
    const streamArn = props.ledgerTable.tableStreamArn!;

    const createdBus = props.options.eventBus === undefined
      ? new events.EventBus(this, 'Bus', { kmsKey: props.key, description: 'Payment events: each payment that became accepted, authorized or declined' })
      : undefined;
    this.eventBus = props.options.eventBus ?? createdBus!;

    this.publisher = newPublisher(this, this.eventBus, source, props);
    this.eventBus.grantPutEventsTo(this.publisher);
    if (createdBus) {
      onlyPublisherMayPut(createdBus, this.publisher.role);
    }

    this.pipeRole = new iam.Role(this, 'PipeRole', {
      assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: 'Reads the ledger\'s stream and starts the payment events\' workflow',
    });
    props.ledgerTable.grantStreamRead(this.pipeRole);
    this.publisher.grant(this.pipeRole, 'states:StartSyncExecution');
    grantQueueSend(props.deadLetterQueue, this.pipeRole);

    this.pipe = new pipes.CfnPipe(this, 'Pipe', {
      description: 'Payment events: the ledger changes that make a payment final, to the workflow that puts them on the bus',
      roleArn: this.pipeRole.roleArn,
      source: streamArn,
      sourceParameters: {
        filterCriteria: { filters: paymentEventFilters(props.originRegion).map((pattern) => ({ pattern })) },
        dynamoDbStreamParameters: {
          // From the oldest record the stream keeps: a pipe created again after a rollback puts
          // the events of the last 24 hours once more (consumers deduplicate), and misses none.
          startingPosition: 'TRIM_HORIZON',
          batchSize: PAYMENT_EVENTS_PER_BATCH,
          maximumBatchingWindowInSeconds: 1,
          maximumRetryAttempts: PAYMENT_EVENT_RETRY_ATTEMPTS,
          onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          deadLetterConfig: { arn: props.deadLetterQueue.queueArn },
        },
      },
      target: this.publisher.stateMachineArn,
      targetParameters: { stepFunctionStateMachineParameters: { invocationType: 'REQUEST_RESPONSE' } },
      desiredState: 'RUNNING',
    });
    // The grants are in the role's default policy; the pipe checks them when it is created.
    this.pipe.node.addDependency(this.pipeRole);

    acknowledge(this.pipeRole, [
      {
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason: 'Data keys of the platform\'s key, on that key only, for the dead-letter queue that a failed batch is recorded in.',
      },
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'dynamodb:ListStreams, which a pipe from a DynamoDB stream needs, supports no resource-level permissions.' },
    ]);
    acknowledge(this.publisher.role, [{
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray trace submission and CloudWatch Logs log delivery, which the traced and logged workflow needs, support no resource-level permissions.',
    }]);
  }
}

/**
 * The Express workflow that puts the events of one batch of ledger changes on the bus: one task,
 * PutEvents with the entries that JSONata builds from the records.
 */
function newPublisher(scope: Construct, eventBus: events.IEventBus, source: string, props: PaymentEventPipeProps): sfn.StateMachine {
  const logGroup = new logs.LogGroup(scope, 'PublisherLogs', { encryptionKey: props.key, retention: props.retention });
  const definition = {
    QueryLanguage: 'JSONata',
    Comment: 'Puts one payment event per ledger change of the batch that the pipe hands over',
    StartAt: 'PutEvents',
    States: {
      PutEvents: {
        Type: 'Task',
        Resource: 'arn:aws:states:::events:putEvents',
        Arguments: { Entries: `{% ${paymentEventEntries(eventBus.eventBusArn, source)} %}` },
        Next: 'AllPut',
      },
      // The integration fails the task on a refused entry; a count above zero fails the run too,
      // so that the pipe retries the batch rather than drop the events that were refused.
      AllPut: {
        Type: 'Choice',
        Choices: [{ Condition: '{% $states.input.FailedEntryCount > 0 %}', Next: 'EventsRefused' }],
        Default: 'Published',
      },
      EventsRefused: { Type: 'Fail', Error: 'PaymentEventsRefused', Cause: 'EventBridge refused at least one payment event of the batch.' },
      Published: { Type: 'Succeed' },
    },
  };
  return new sfn.StateMachine(scope, 'Publisher', {
    stateMachineType: sfn.StateMachineType.EXPRESS,
    definitionBody: sfn.DefinitionBody.fromString(Stack.of(scope).toJsonString(definition)),
    comment: 'Puts payment events on the bus, one per ledger change that made a payment final',
    tracingEnabled: true,
    // Every run is logged, without its input or output: those are payments.
    logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
  });
}

/** The bus's resource policy: nobody but the workflow's role puts events on it. */
function onlyPublisherMayPut(bus: events.EventBus, publisherRole: iam.IRole): void {
  bus.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'OnlyThePaymentEventsWorkflowPuts',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['events:PutEvents'],
    resources: [bus.eventBusArn],
    conditions: { ArnNotEquals: { 'aws:PrincipalArn': publisherRole.roleArn } },
  }));
}

/** EventBridge's rules for a `source`: 1–256 characters, and not one of AWS's own (`aws.`). */
function validateSource(source: string): void {
  if (Token.isUnresolved(source)) {
    return;
  }
  if (source.length < 1 || source.length > 256 || source.toLowerCase().startsWith('aws.')) {
    throw new Error(`events.source must be 1 to 256 characters and must not start with "aws." (EventBridge keeps those for AWS services): got "${source}".`);
  }
}
