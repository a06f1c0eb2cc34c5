import { CfnResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SimulatedProcessorFunction } from './handlers/simulated-processor-function';
import { PaymentProcessor } from './payment-processor';
import { acknowledge, FRAMEWORKS, nagPackAcknowledgements, skipCheckov } from './private/acknowledge';

/** Properties of a `SimulatedProcessor`. */
export interface SimulatedProcessorProps {
  /**
   * The processor timeout that the platform uses with it; a `tok_timeout` payment answers only
   * after it.
   *
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;

  /**
   * How long the simulated processor remembers an idempotency key.
   *
   * @default Duration.hours(24)
   */
  readonly keyRetention?: Duration;

  /**
   * What happens to its table of keys when it leaves the stack. It holds only the keys of
   * simulated calls.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A simulated payment processor, for development, examples and tests: no money moves. The outcome
 * of a payment is decided by its `paymentMethodToken`:
 *
 * - `tok_decline_` followed by a code: declined with that code (1 to 64 of a-z, 0-9 and underscores);
 * - `tok_timeout`: answers only after the processor timeout (the platform answers 503);
 * - `tok_error`: fails, every time;
 * - `tok_flaky`: fails the first call for a key, then authorizes;
 * - anything else: authorized.
 *
 * A call repeated with the same idempotency key gets the same `processorReference`, as the
 * contract requires of a real processor. Pass `processor` to `PaymentPlatform` or `PaymentApi`.
 */
export class SimulatedProcessor extends Construct {
  /** The processor, to pass as `processor`. */
  public readonly processor: PaymentProcessor;
  /** The function that answers as the processor. */
  public readonly processorFunction: lambda.Function;
  /** The keys it has seen, each kept for `keyRetention`. */
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: SimulatedProcessorProps = {}) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.seconds(10);
    const keyRetention = props.keyRetention ?? Duration.hours(24);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    this.table = new dynamodb.Table(this, 'Keys', {
      partitionKey: { name: 'key', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: 'expires_at',
      removalPolicy,
    });
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'The simulated payment processor: its own table of keys and its own logs',
      inlinePolicies: {
        OwnLogs: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] })],
        }),
      },
    });
    this.processorFunction = new SimulatedProcessorFunction(this, 'Function', {
      description: 'A simulated payment processor: answers by the payment\'s token, moves no money',
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: timeout.plus(Duration.seconds(5)),
      logGroup,
      role,
      environment: {
        SIMULATED_PROCESSOR_TABLE_NAME: this.table.tableName,
        SIMULATED_LATE_MS: String(timeout.toMilliseconds() + 1000),
        SIMULATED_KEY_RETENTION_SECONDS: String(keyRetention.toSeconds()),
      },
    });
    this.table.grant(this.processorFunction, 'dynamodb:PutItem');
    this.processor = PaymentProcessor.fromFunction(this.processorFunction, { timeout, keyRetention });
    this.acknowledgeFindings();
  }

  private acknowledgeFindings(): void {
    const simulated = 'The simulated processor holds no payment data: only the idempotency keys (payment ids) of simulated calls, kept a day.';
    acknowledge(this.table, [
      { id: 'AwsSolutions-DDB3', reason: simulated },
      ...nagPackAcknowledgements('DynamoDBPITREnabled', simulated, ['NIST.800.53.R5', 'HIPAA.Security']),
      ...nagPackAcknowledgements('DynamoDBInBackupPlan', simulated, ['NIST.800.53.R5', 'HIPAA.Security']),
    ]);
    acknowledge(this.processorFunction, [
      ...nagPackAcknowledgements('LambdaInsideVPC', 'It stands for a processor outside the platform, which the platform reaches over the Lambda API; it reaches nothing but its own table.', ['PCI.DSS.321', 'NIST.800.53.R5', 'HIPAA.Security']),
      ...nagPackAcknowledgements('LambdaDLQ', 'It is invoked synchronously by the payment functions, where a dead-letter queue never applies; a failure is their answer.', ['NIST.800.53.R5', 'HIPAA.Security', 'Serverless']),
      ...nagPackAcknowledgements('LambdaConcurrency', 'A development stand-in; the API\'s throttling bounds its calls.', ['NIST.800.53.R5', 'HIPAA.Security']),
      ...nagPackAcknowledgements('LambdaTracing', 'A development stand-in for an external processor, whose calls the payment functions trace.', ['Serverless']),
    ]);
    acknowledge(this.node.findChild('Logs'), nagPackAcknowledgements('CloudWatchLogGroupEncrypted', simulated, ['PCI.DSS.321', 'NIST.800.53.R5', 'HIPAA.Security']));
    skipCheckov(this.table.node.defaultChild as CfnResource, [
      { id: 'CKV_AWS_119', comment: simulated },
      { id: 'CKV_AWS_28', comment: simulated },
    ]);
    skipCheckov(this.node.findChild('Logs').node.defaultChild as CfnResource, [{ id: 'CKV_AWS_158', comment: simulated }]);
    skipCheckov(this.processorFunction.node.defaultChild as CfnResource, [{
      id: 'CKV_AWS_173',
      comment: 'Its environment holds its table\'s name and two numbers, no secret.',
    }]);
    acknowledge(this.node.findChild('Role'), nagPackAcknowledgements('IAMNoInlinePolicy', 'Its own role may write its own log group; an inline policy keeps it beside the role.', FRAMEWORKS));
  }
}
