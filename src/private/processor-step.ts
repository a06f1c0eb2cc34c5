import { CfnElement, Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { acknowledge, functionRoleFindings, nagPackAcknowledgements } from './acknowledge';
import { functionSecurityGroup, newFunctionLogsAndRole, SharedFunctionSettings } from './functions';
import { grantDataKeyUse } from './grants';
import { PaymentCompleterFunction } from '../handlers/payment-completer-function';
import { PENDING_INDEX } from '../handlers/pending-index';
import type { PaymentProcessor } from '../payment-processor';

/**
 * A resource's ARN as cdk-nag names it in a finding: `<LogicalId.Arn>` for a resource of this app,
 * the ARN itself for an imported one.
 */
function arnAsNagNamesIt(resource: IConstruct & ({ functionArn: string } | { tableArn: string })): string {
  const cfn = resource.node.defaultChild;
  if (cfn instanceof CfnElement) {
    return `<${Stack.of(cfn).getLogicalId(cfn)}.Arn>`;
  }
  return 'functionArn' in resource ? resource.functionArn : resource.tableArn;
}

/** Powertools service name of the completer, a dimension of its metrics. */
export const COMPLETER_SERVICE_NAME = 'payments-completer';

/** The environment that the payment handler and the completer read their processor from. */
export function processorEnvironment(processor: PaymentProcessor): { [name: string]: string } {
  return {
    PROCESSOR_FUNCTION_NAME: processor.bind().processorFunction.functionName,
    PROCESSOR_TIMEOUT_MS: String(processor.timeout.toMilliseconds()),
    PROCESSOR_KEY_RETENTION_SECONDS: String(processor.keyRetention.toSeconds()),
  };
}

/**
 * The sparse index of pending payments that the completer reads, on a new idempotency table. Only
 * the records of pending payments carry its keys.
 */
export function addPendingIndex(table: dynamodb.Table | dynamodb.TableV2): void {
  table.addGlobalSecondaryIndex({
    indexName: PENDING_INDEX,
    partitionKey: { name: 'pending_shard', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'retry_at', type: dynamodb.AttributeType.NUMBER },
    projectionType: dynamodb.ProjectionType.INCLUDE,
    nonKeyAttributes: ['transaction_id', 'created_at'],
  });
}

export interface ProcessorStepProps extends SharedFunctionSettings {
  readonly processor: PaymentProcessor;
  readonly ledgerTable: dynamodb.ITable;
  readonly idempotencyTable: dynamodb.ITable;
  readonly handler: lambda.Function;
  readonly handlerSecurityGroup: ec2.SecurityGroup;
  /** Where the completer's failed runs go. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Environment variables that every function of the platform has, the origin Region included. */
  readonly environment: { [name: string]: string };
  readonly idempotencyTtl: Duration;
}

/**
 * The processor step of a `PaymentApi`: the completer that finishes the payments no client
 * retries (every minute, from the pending index), the Lambda interface endpoint through which the
 * handler and the completer reach the processor (its policy allows invoking the processor and
 * nothing else), and their grants.
 *
 * A part of the API rather than a construct of its own, like its other parts: its resources are
 * created in the API's scope.
 */
export class ProcessorStep {
  /** The completer. */
  public readonly completer: lambda.Function;
  /** The completer's security group. */
  public readonly completerSecurityGroup: ec2.SecurityGroup;
  /** The Lambda interface endpoint in the API's VPC. */
  public readonly endpoint: ec2.InterfaceVpcEndpoint;

  constructor(private readonly scope: Construct, private readonly props: ProcessorStepProps) {
    const processorFunction = props.processor.bind().processorFunction;
    this.completerSecurityGroup = functionSecurityGroup(scope, 'CompleterSecurityGroup', props.vpc, 'payment completer', props.services);
    this.completer = this.newCompleter();
    this.endpoint = this.newEndpoint(processorFunction);

    // The handler: records outcomes in the ledger, and calls the processor.
    props.ledgerTable.grant(props.handler, 'dynamodb:UpdateItem');
    for (const caller of [props.handler, this.completer]) {
      processorFunction.grantInvoke(caller);
      acknowledge(caller.role!, [{
        id: `AwsSolutions-IAM5[Resource::${arnAsNagNamesIt(processorFunction)}:*]`,
        reason: 'Invoking the processor function through any of its versions and aliases, which its ARN with a qualifier names; no other function.',
      }]);
    }
    // The grant from aws-cdk-lib on a table created here covers its indexes, which take no writes.
    // An adopted table (the multi-Region one) is known by name only: its grants name no index.
    if (props.idempotencyTable.node.defaultChild instanceof CfnElement) {
      acknowledge(props.handler.role!, [{
        id: `AwsSolutions-IAM5[Resource::${arnAsNagNamesIt(props.idempotencyTable)}/index/*]`,
        reason: 'aws-cdk-lib grants the handler\'s writes (PutItem, UpdateItem, DeleteItem) on the idempotency table and its indexes; an index takes no writes, so only the table is written.',
      }]);
    }
  }

  /** Finishes the pending payments whose lease has run out, every minute. */
  private newCompleter(): lambda.Function {
    const { scope, props } = this;
    const completer = new PaymentCompleterFunction(scope, 'Completer', {
      description: 'Completes the pending payments that no client retries',
      ...newFunctionLogsAndRole(scope, 'Completer', props, this.completerSecurityGroup),
      memorySize: 256,
      timeout: Duration.minutes(2),
      deadLetterQueue: props.deadLetterQueue,
      environment: {
        ...props.environment,
        ...processorEnvironment(props.processor),
        POWERTOOLS_SERVICE_NAME: COMPLETER_SERVICE_NAME,
        LEDGER_TABLE_NAME: props.ledgerTable.tableName,
        IDEMPOTENCY_TABLE_NAME: props.idempotencyTable.tableName,
        IDEMPOTENCY_TTL_SECONDS: String(props.idempotencyTtl.toSeconds()),
      },
    });
    props.ledgerTable.grant(completer, 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    completer.addToRolePolicy(new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      resources: [props.idempotencyTable.tableArn],
    }));
    completer.addToRolePolicy(new iam.PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: [`${props.idempotencyTable.tableArn}/index/${PENDING_INDEX}`],
    }));
    grantDataKeyUse(props.key, completer);
    if (props.ledgerTable.encryptionKey && props.ledgerTable.encryptionKey !== props.key) {
      grantDataKeyUse(props.ledgerTable.encryptionKey, completer);
    }
    const schedule = new events.Rule(scope, 'CompleterSchedule', {
      description: 'Runs the payment completer every minute',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(completer)],
    });
    acknowledge(schedule, nagPackAcknowledgements('EventBusDLQ',
      'A run that could not be started is followed by the next a minute later, which finds the same pending payments; the stuck-payment alarm says when none runs.',
      ['Serverless']));
    acknowledge(completer.role!, functionRoleFindings('X-Ray trace submission (PutTraceSegments, PutTelemetryRecords)'));
    return completer;
  }

  /**
   * The Lambda interface endpoint, open to the handler and the completer only, whose policy allows
   * invoking the processor function (any version or alias of it) and nothing else.
   */
  private newEndpoint(processorFunction: lambda.IFunction): ec2.InterfaceVpcEndpoint {
    const { scope, props } = this;
    const endpoint = new ec2.InterfaceVpcEndpoint(scope, 'ProcessorEndpoint', {
      vpc: props.vpc,
      service: ec2.InterfaceVpcEndpointAwsService.LAMBDA,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      privateDnsEnabled: true,
      open: false,
    });
    endpoint.addToPolicy(new iam.PolicyStatement({
      principals: [new iam.AnyPrincipal()],
      actions: ['lambda:InvokeFunction'],
      resources: [processorFunction.functionArn, `${processorFunction.functionArn}:*`],
      conditions: { StringEquals: { 'aws:PrincipalAccount': Stack.of(scope).account } },
    }));
    for (const group of [props.handlerSecurityGroup, this.completerSecurityGroup]) {
      endpoint.connections.allowFrom(group, ec2.Port.tcp(443), 'HTTPS from the payment functions to the Lambda endpoint');
    }
    return endpoint;
  }
}
