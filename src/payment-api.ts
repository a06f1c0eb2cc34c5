import { Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { AuditBucket } from './audit-bucket';
import { EncryptedLedgerTable } from './encrypted-ledger-table';
import { Profiles } from './environment-profile';
import { EnvironmentProfile, SecurityControl } from './environment-profile-types';
import { PaymentHandlerFunction } from './handlers/payment-handler-function';
import { ProcessorPaymentHandlerFunction } from './handlers/processor-payment-handler-function';
import type { PaymentEventsOptions } from './payment-events';
import { PaymentProcessor } from './payment-processor';
import { acknowledge, FRAMEWORKS, functionRoleFindings, nagPackAcknowledgements } from './private/acknowledge';
import { apiSettingProblems } from './private/api-rules';
import { AuditPipeline } from './private/audit-pipeline';
import { SharedFunctionSettings, newFunctionLogsAndRole, functionSecurityGroup } from './private/functions';
import { grantDataKeyUse } from './private/grants';
import { guardControl } from './private/guardrails';
import { IdempotencyClaims, SWEEPER_SERVICE_NAME } from './private/idempotency-claims';
import { allowLogsToUseKey, newPlatformKey } from './private/keys';
import { PaymentEventPipe } from './private/payment-event-pipe';
import { ACCOUNT_BURST_QUOTA, PaymentRestApi } from './private/payment-rest-api';
import { COMPLETER_SERVICE_NAME, processorEnvironment, ProcessorStep } from './private/processor-step';
import { apiPropsOf, auditBucketPropsOf, sameProfileProps, ledgerPropsOf, originOf, standaloneProps, vpcPropsOf } from './private/profile-props';
import { ServicePrefixLists } from './private/service-prefix-lists';
import { keptOrDestroyed } from './private/values';
import { SecureVpc } from './secure-vpc';

/**
 * A custom domain for the payments API.
 */
export interface PaymentApiDomainOptions {
  /** The domain name, such as `payments.example.com`. */
  readonly domainName: string;
  /** An ACM certificate for the domain, in the stack's region. */
  readonly certificate: acm.ICertificate;
  /**
   * The S3 object (a PEM bundle of the CA certificates) that client certificates must chain to.
   * Setting it turns on mutual TLS and turns off the API's `execute-api` endpoint.
   *
   * @default - no mutual TLS
   */
  readonly mutualTlsTrustStore?: PaymentApiTrustStore;
}

/**
 * Where the CA bundle for mutual TLS is kept.
 */
export interface PaymentApiTrustStore {
  /** The bucket that holds the bundle. */
  readonly bucket: s3.IBucket;
  /** The object key of the bundle, such as `truststore.pem`. */
  readonly key: string;
  /**
   * The version of the object, so that a changed bundle is a deliberate deployment.
   *
   * @default - the latest version
   */
  readonly version?: string;
}

/**
 * What each client (each API key of the usage plan) may send, below what the whole stage takes, so
 * that one client cannot use up every other client's share.
 */
export interface PaymentApiClientLimits {
  /**
   * Steady request rate of one client, in requests per second. At most the stage's rate.
   *
   * @default - half the stage's rate (the profile's `apiRateLimit`)
   */
  readonly rateLimit?: number;

  /**
   * Burst of one client, in requests. At most the stage's burst.
   *
   * @default - half the stage's burst
   */
  readonly burstLimit?: number;

  /**
   * Requests one client may send per day, week or month.
   *
   * @default - no quota
   */
  readonly quota?: apigateway.QuotaSettings;
}

/**
 * The options of a `PaymentApi` that a platform passes through as given: authorization, WAF, logs,
 * stage, client limits and the handler's capacity. `PaymentPlatformOptions` extends them, and
 * `MultiRegionPaymentPlatformProps.api` applies them in every Region.
 */
export interface PaymentApiOptions {
  /**
   * The payment processor that payments move money through. With one, `POST /payments` claims the
   * key, writes the payment ahead as `pending`, calls the processor with the payment's one
   * idempotency key, and records `authorized` (201) or `declined` (402); a processor failure
   * answers 503 `processor_unavailable`, and a completer finishes every payment that no client
   * retries. The handler reaches the processor through a Lambda interface endpoint in the VPC
   * whose policy allows invoking the processor and nothing else.
   *
   * @default - none: payments are recorded as `accepted`, and nothing moves money
   */
  readonly processor?: PaymentProcessor;

  /**
   * Payment events: each change of a payment to a final status published to an EventBridge bus,
   * as the contract's "Payment events" section specifies, through a pipe from the ledger's stream.
   * Pass `{}` for a new bus with the defaults.
   *
   * @default - none: no events are published
   */
  readonly events?: PaymentEventsOptions;

  /**
   * Whether every method requires IAM (SigV4) authorization in addition to an API key. With it,
   * payments and idempotency keys belong to the caller's IAM principal; without it, to the API key.
   *
   * @default - true; in a platform, the profile's `apiIamAuthorization`
   */
  readonly iamAuthorization?: boolean;

  /**
   * Whether an AWS WAF web ACL guards the API: the AWS managed rule groups for common exploits
   * (without its 8 KB body limit, since the API accepts 16 KiB), known bad inputs and IP reputation,
   * with every request logged to an encrypted log group.
   *
   * @default - false; in a platform, the profile's `apiWaf`
   */
  readonly webAcl?: boolean;

  /**
   * How long the API's access logs and the functions' logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * The log class of the API's access log group. Infrequent Access halves the ingestion price and
   * keeps what access logs are for: encryption, retention and CloudWatch Logs Insights queries. It
   * cannot feed metric filters or subscription filters; choose `STANDARD` to use those.
   *
   * @default logs.LogGroupClass.INFREQUENT_ACCESS
   */
  readonly accessLogGroupClass?: logs.LogGroupClass;

  /**
   * How long an idempotency key is remembered. At least 24 hours.
   *
   * @default Duration.hours(24)
   */
  readonly idempotencyRecordTtl?: Duration;

  /**
   * Throttling (and a quota) per client, applied by the usage plan to each API key.
   *
   * @default - each client gets half the stage's rate and burst, and no quota
   */
  readonly clientLimits?: PaymentApiClientLimits;

  /**
   * Name of the API Gateway stage.
   *
   * @default 'v1'
   */
  readonly stageName?: string;

  /**
   * Whether this API sets the account's API Gateway CloudWatch role, which its logging needs.
   *
   * The role is one setting per account and region that every API there shares, so by default the
   * API relies on it being set once, by an `ApiGatewayAccount` in a stack of its own (or by hand).
   * Without it, the stage fails to deploy with "CloudWatch Logs role ARN must be set in account
   * settings to enable logging". Turn this on only where this stack is the one place in the
   * account and region that sets it; the role and setting are then retained with the stack.
   *
   * @default false
   */
  readonly cloudWatchRole?: boolean;

  /**
   * Memory of the payment handler, in MiB; Lambda gives CPU in proportion.
   *
   * @default 512
   */
  readonly handlerMemorySize?: number;

  /**
   * Reserved concurrent executions of the payment handler, which caps how hard it can press on the
   * ledger.
   *
   * @default - no reservation; the stage throttling bounds the request rate
   */
  readonly handlerReservedConcurrency?: number;

  /**
   * Execution environments of the payment handler that Lambda keeps initialised, so that up to that
   * many requests at once meet no cold start. The API then invokes the handler through its alias
   * `live` (`handlerAlias`), which every deployment points at a new version. Provisioned
   * concurrency is billed by the hour whether used or not; at most `handlerReservedConcurrency`
   * where that is set.
   *
   * @default - none: execution environments start on demand
   */
  readonly handlerProvisionedConcurrency?: number;
}

/**
 * Properties of a `PaymentApi`: its options, what it is built over (VPC, ledger, audit bucket,
 * key, idempotency table) and what a platform decides from the environment profile.
 */
export interface PaymentApiProps extends PaymentApiOptions {
  /**
   * Environment profile to take the environment's name, rates, retention, authorization, WAF and
   * removal policy from, for an API outside a `PaymentPlatform` (which decides these props from its
   * own profile). The other props override it; without a profile, the production profile's values
   * are the defaults.
   *
   * @default Profiles.production
   */
  readonly profile?: EnvironmentProfile;

  /**
   * VPC whose private subnets (with egress) the Lambda functions run in. It should have gateway
   * endpoints for DynamoDB and S3, as `SecureVpc` does.
   *
   * @default - a new `SecureVpc`
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The ledger table. It must have the ledger's key schema (`transaction_id`, `timestamp`) and a
   * stream with new and old images, which the audit pipeline reads. A table encrypted with a customer-managed
   * key must expose it (`encryptionKey`) so that the functions can be granted its use.
   *
   * @default - a new `EncryptedLedgerTable`, encrypted with `encryptionKey`
   */
  readonly ledgerTable?: dynamodb.ITable;

  /**
   * The bucket that audit records are written to, under `audit/`.
   *
   * @default - a new `AuditBucket`, encrypted with `encryptionKey`
   */
  readonly auditBucket?: s3.IBucket;

  /**
   * Customer-managed key for everything this construct creates: the idempotency table, the
   * dead-letter queue, the log groups, the functions' environment, and a ledger, audit bucket and
   * VPC flow logs created here.
   *
   * @default - a new key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * An existing table of idempotency claims to use instead of creating one: partition key `id`
   * (string), encrypted with `encryptionKey`, such as the multi-Region table of a
   * `MultiRegionPaymentPlatform`. The handler honours each claim's expiry (`expires_at`) itself, and
   * a scheduled sweeper (`claimSweeper`) deletes expired claims, since the table may have no TTL.
   *
   * @default - a new table with TTL on `expires_at`
   */
  readonly idempotencyTable?: dynamodb.ITable;

  /**
   * Whether the ledger and `idempotencyTable` are multi-Region strongly consistent tables that
   * the platform's APIs in other Regions share (see `MultiRegionPaymentPlatform`). Every Region's
   * stream then carries every Region's payments, so the handler stamps each payment with this
   * stack's Region (`origin_region`) and this Region's audit writer writes only those: each
   * payment has one audit record, in the bucket of the Region that accepted it. Needs
   * `ledgerTable`, `idempotencyTable` and a stack with a concrete Region.
   *
   * @default false
   */
  readonly multiRegion?: boolean;

  /**
   * Interface VPC endpoints for `execute-api` through which the API is reached. Setting them makes
   * the API private: reachable only through those endpoints, which its resource policy enforces
   * (callers still need an API key and, where IAM authorization is on, a signature and a grant).
   *
   * @default - a regional API, reachable from the internet
   */
  readonly privateEndpoints?: ec2.IInterfaceVpcEndpoint[];

  /**
   * A custom domain for the API, such as `payments.example.com`. Its security policy is always
   * TLS 1.2 or later; with `mutualTlsTrustStore`, clients must also present a certificate, and the
   * API's default `execute-api` endpoint is turned off so that no client can go around it.
   *
   * @default - no custom domain; clients call the `execute-api` endpoint
   */
  readonly customDomain?: PaymentApiDomainOptions;

  /**
   * Name of the environment, in resource descriptions and as the `environment` dimension of the
   * handlers' metrics.
   *
   * @default - the profile's `envName`
   */
  readonly environmentName?: string;

  /**
   * Steady-state request rate of the stage, in requests per second (greater than 0).
   *
   * @default - the profile's `apiRateLimit`
   */
  readonly rateLimit?: number;

  /**
   * Burst capacity of the stage, in requests (a whole number of at least 1).
   *
   * @default - the profile's `apiBurstLimit`, else twice `rateLimit`, rounded up, but at most 5,000
   * (API Gateway's default burst quota, which every API of the account and Region shares)
   */
  readonly burstLimit?: number;

  /**
   * How long the dead-letter queue keeps what could not be processed, from 1 minute to 14 days.
   *
   * @default - the profile's `deadLetterRetention`
   */
  readonly deadLetterRetention?: Duration;

  /**
   * What happens to the idempotency table, the queue, the log groups and a key created here when
   * they leave the stack: deleted with `DESTROY`, retained otherwise.
   *
   * @default - the profile's `removalPolicy`
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Warm throughput of a new idempotency table, in write units per second (see
   * `LedgerOnDemandOptions.warmThroughput`): each payment claims its key there as it writes the ledger.
   *
   * @default - the profile's `ledgerBilling.warmThroughput`, else the table's own
   */
  readonly idempotencyWarmThroughput?: number;
}

/**
 * The payments API: an API Gateway REST API (regional) with `POST /payments` and
 * `GET /payments/{transactionId}`, proxied to a payment handler Lambda that writes to the ledger,
 * and an audit writer Lambda that turns the ledger's stream into audit records in S3.
 *
 * Every method needs an API key (see `addApiKey`) and, by default, IAM authorization. Rates come
 * from the profile, both as stage throttling and in a usage plan.
 */
export class PaymentApi extends Construct implements ec2.IConnectable {
  /** The REST API. */
  public readonly restApi: apigateway.RestApi;
  /** The usage plan that every API key is added to. */
  public readonly usagePlan: apigateway.UsagePlan;
  /** The custom domain, where `customDomain` is set: point a DNS alias at its regional domain name. */
  public readonly domain?: apigateway.DomainName;
  /** The payment handler behind both methods. */
  public readonly handler: lambda.Function;
  /**
   * The alias `live` of the payment handler, which the API invokes, where
   * `handlerProvisionedConcurrency` is set.
   */
  public readonly handlerAlias?: lambda.Alias;
  /** The function that writes audit records from the ledger's stream. */
  public readonly auditWriter: lambda.Function;
  /** The table of idempotency records, created here or adopted (`idempotencyTable`). */
  public readonly idempotencyTable: dynamodb.ITable;
  /**
   * The function that deletes expired idempotency claims, every 15 minutes from where its last run
   * stopped, where `idempotencyTable` is adopted.
   */
  public readonly claimSweeper?: lambda.Function;
  /** The payment processor, where one is configured. */
  public readonly processor?: PaymentProcessor;
  /** The function that completes the pending payments that no client retries, where a processor is configured. */
  public readonly completer?: lambda.Function;
  /** The Lambda interface endpoint through which the functions reach the processor, where one is configured. */
  public readonly processorEndpoint?: ec2.InterfaceVpcEndpoint;
  /** The bus that payment events are put on, where `events` is configured. */
  public readonly eventBus?: events.IEventBus;
  /** The pipe from the ledger's stream that publishes payment events, where `events` is configured. */
  public readonly eventPipe?: pipes.CfnPipe;
  /**
   * The dead-letter queue: ranges of ledger changes that the audit writer could not write (from its
   * event source mapping), and claim-sweeper and completer runs that failed (asynchronous invocations).
   */
  public readonly deadLetterQueue: sqs.Queue;
  /** The log group of the API's access logs. */
  public readonly accessLogGroup: logs.LogGroup;
  /** The key that encrypts what this construct created. */
  public readonly key: kms.IKey;
  /** The ledger table the handler writes to. */
  public readonly ledgerTable: dynamodb.ITable;
  /** The bucket audit records are written to. */
  public readonly auditBucket: s3.IBucket;
  /** The VPC the functions run in. */
  public readonly vpc: ec2.IVpc;
  /** The security group of the payment handler. */
  public readonly handlerSecurityGroup: ec2.SecurityGroup;
  /**
   * The network connections of both functions (handler and audit writer), to let them reach a
   * resource of yours: `database.connections.allowDefaultPortFrom(payments)`. Their outbound
   * traffic is otherwise limited to HTTPS.
   */
  public readonly connections: ec2.Connections;
  /** Whether methods require IAM authorization. */
  public readonly iamAuthorization: boolean;
  /** The URL of the API's stage, ending in `/`. */
  public readonly url: string;
  /** Name of the environment, the `environment` dimension of the handlers' metrics. */
  public readonly environmentName: string;
  /** Steady-state request rate of the stage, in requests per second. */
  public readonly rateLimit: number;
  /** Burst capacity of the stage, in requests. */
  public readonly burstLimit: number;
  /** The AWS WAF web ACL in front of the API, where it is on. */
  public readonly webAcl?: wafv2.CfnWebACL;
  /** The log group of the stage's execution logs, which API Gateway writes to. */
  public readonly executionLogGroup: logs.LogGroup;
  /**
   * The platform's name, unique in the account and region: the REST API's name (API Gateway's
   * `ApiName` metric dimension) and the `platform` dimension of the handlers' metrics.
   */
  public readonly platformName: string;

  constructor(scope: Construct, id: string, given: PaymentApiProps = {}) {
    super(scope, id);
    // Outside a platform, an API without a profile of its own is configured as production's.
    const props = originOf(given) ? given : standaloneProps(this, { ...given, profile: given.profile ?? Profiles.production }, apiPropsOf);
    validateProps(props, Stack.of(this).region);
    this.environmentName = props.environmentName ?? Profiles.production.envName;
    this.rateLimit = props.rateLimit ?? Profiles.production.apiRateLimit;
    this.burstLimit = props.burstLimit ?? Math.min(Math.ceil(this.rateLimit * 2), ACCOUNT_BURST_QUOTA);
    this.iamAuthorization = props.iamAuthorization ?? true;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const removalPolicy = keptOrDestroyed(props.removalPolicy ?? RemovalPolicy.RETAIN);

    this.key = props.encryptionKey ?? newPlatformKey(this, 'Key', `Encrypts the ${this.environmentName} payments API's data`, removalPolicy);
    allowLogsToUseKey(this, this.key);
    [this.vpc, this.ledgerTable, this.auditBucket] = this.dataStores(props);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      dataKeyReuse: Duration.hours(1),
      retentionPeriod: props.deadLetterRetention ?? Profiles.production.deadLetterRetention,
      enforceSSL: true,
      removalPolicy,
    });

    // Unique in the account and region, so that API Gateway's metrics (by ApiName) and the handlers'
    // (by platform) of one platform never count another's, dev and production side by side included.
    this.platformName = Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
    const environment = { POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE, POWERTOOLS_LOG_LEVEL: 'INFO', PAYMENTS_ENVIRONMENT: this.environmentName, PAYMENTS_PLATFORM: this.platformName };
    const originRegion = props.multiRegion ? Stack.of(this).region : undefined;
    const services = new ServicePrefixLists(this, 'ServicePrefixLists', this.key, retention, removalPolicy);
    const shared = { vpc: this.vpc, services, key: this.key, retention, removalPolicy };
    const claims = new IdempotencyClaims(this, {
      ...shared,
      adopted: props.idempotencyTable,
      warmThroughput: props.idempotencyWarmThroughput,
      deadLetterQueue: this.deadLetterQueue,
      environment,
      pendingIndex: props.processor !== undefined,
    });
    this.idempotencyTable = claims.table;
    this.handlerSecurityGroup = functionSecurityGroup(this, 'HandlerSecurityGroup', this.vpc, 'payment handler', services);
    const functionEnvironment = originRegion ? { ...environment, PAYMENTS_ORIGIN_REGION: originRegion } : environment;
    this.handler = this.newHandler(props, shared, functionEnvironment);
    this.processor = props.processor;
    const step = this.newProcessorStep(props, shared, functionEnvironment);
    this.completer = step?.completer;
    this.processorEndpoint = step?.endpoint;
    // `Default` is left out of logical IDs, so the pipeline's resources keep the IDs they had as
    // children of this construct: a new event source mapping would read the stream from its start.
    const audit = new AuditPipeline(this, 'Default', {
      ...shared, ledgerTable: this.ledgerTable, auditBucket: this.auditBucket, deadLetterQueue: this.deadLetterQueue, environment, originRegion,
    });
    this.auditWriter = audit.writer;
    ({ eventBus: this.eventBus, pipe: this.eventPipe } = this.newEventPipe(props, retention, originRegion) ?? {});
    this.claimSweeper = claims.sweeper;
    const groups = [this.handlerSecurityGroup, audit.securityGroup, claims.sweeperSecurityGroup, step?.completerSecurityGroup];
    this.connections = new ec2.Connections({ securityGroups: groups.filter((group) => group !== undefined) });

    this.handlerAlias = this.newHandlerAlias(props);
    const rest = new PaymentRestApi(this, {
      ...props,
      ...shared,
      name: this.platformName,
      environmentName: this.environmentName,
      rateLimit: this.rateLimit,
      burstLimit: this.burstLimit,
      iamAuthorization: this.iamAuthorization,
      stageName: props.stageName ?? 'v1',
      cloudWatchRole: props.cloudWatchRole ?? false,
      webAcl: props.webAcl ?? false,
      target: this.handlerAlias ?? this.handler,
    });
    ({ restApi: this.restApi, accessLogGroup: this.accessLogGroup, executionLogGroup: this.executionLogGroup, usagePlan: this.usagePlan } = rest);
    this.domain = rest.domain;
    this.webAcl = rest.webAcl;
    this.url = this.restApi.url;

    this.acknowledgeFindings(claims, step);
    this.guardControls(props, retention);
  }

  /**
   * Creates an API key for one client and adds it to the usage plan. Each client should have its
   * own key: idempotency keys and payments belong to it (unless IAM authorization is on).
   */
  public addApiKey(id: string, options: apigateway.ApiKeyOptions = {}): apigateway.IApiKey {
    const key = this.restApi.addApiKey(id, options);
    this.usagePlan.addApiKey(key);
    return key;
  }

  /**
   * Grants a SigV4 caller `execute-api:Invoke` on both methods of the contract, `POST /payments`
   * and `GET /payments/{transactionId}`, on this API's stage and nothing else. Callers also need an
   * API key (`addApiKey`).
   */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return this.grantExecute(grantee, [['POST', '/payments'], ['GET', '/payments/*']]);
  }

  /**
   * Grants a SigV4 caller `execute-api:Invoke` on `POST /payments` only: it may create payments,
   * and read none.
   */
  public grantCreatePayments(grantee: iam.IGrantable): iam.Grant {
    return this.grantExecute(grantee, [['POST', '/payments']]);
  }

  /**
   * Grants a SigV4 caller `execute-api:Invoke` on `GET /payments/{transactionId}` only: it may
   * read the payments that it created (with IAM authorization on, payments belong to the caller).
   */
  public grantReadPayments(grantee: iam.IGrantable): iam.Grant {
    return this.grantExecute(grantee, [['GET', '/payments/*']]);
  }

  private grantExecute(grantee: iam.IGrantable, methods: Array<[string, string]>): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: methods.map(([method, path]) => this.restApi.arnForExecuteApi(method, path, this.restApi.deploymentStage.stageName)),
    });
  }

  /**
   * Payments accepted by the handler (the `PaymentsAccepted` metric it emits).
   *
   * @default - sum over 5 minutes
   */
  public metricPaymentsAccepted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handlerMetric('PaymentsAccepted', props);
  }

  /**
   * Requests answered with the stored response of an earlier one (the `IdempotentReplays` metric).
   *
   * @default - sum over 5 minutes
   */
  public metricIdempotentReplays(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handlerMetric('IdempotentReplays', props);
  }

  /**
   * Requests refused with one error code (the `PaymentsRefused` metric, by `errorCode`).
   *
   * @param errorCode a code of the contract, such as `validation_error` or `service_unavailable`
   * @default - sum over 5 minutes
   */
  public metricPaymentsRefused(errorCode: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handlerMetric('PaymentsRefused', { ...props, dimensionsMap: { ...this.metricDimensions(), errorCode } });
  }

  /**
   * Time the handler took per request, in milliseconds (the `HandlerLatency` metric).
   *
   * @default - p99 over 5 minutes
   */
  public metricHandlerLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handlerMetric('HandlerLatency', { statistic: 'p99', ...props });
  }

  /**
   * Payments that the processor authorized, answered 201 (the `PaymentsAuthorized` metric), where a
   * processor is configured. Payments that the completer finished are in `PaymentsCompleted`.
   *
   * @default - sum over 5 minutes
   */
  public metricPaymentsAuthorized(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handlerMetric('PaymentsAuthorized', props);
  }

  /**
   * Payments that the processor declined, answered 402 (the `PaymentsDeclined` metric).
   *
   * @default - sum over 5 minutes
   */
  public metricPaymentsDeclined(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handlerMetric('PaymentsDeclined', props);
  }

  /**
   * Requests whose processor call failed, timed out or was answered with something invalid
   * (answered 503 `processor_unavailable`).
   *
   * @default - sum over 5 minutes
   */
  public metricProcessorFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricPaymentsRefused('processor_unavailable', props);
  }

  /**
   * Seconds since the oldest payment that is still `pending` was claimed, as the completer sees it
   * every minute (the `OldestPendingPaymentAge` metric).
   *
   * @default - maximum over 1 minute
   */
  public metricOldestPendingPaymentAge(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.completerMetric('OldestPendingPaymentAge', { statistic: 'Maximum', ...props });
  }

  /**
   * Pending payments that the completer could not finish for an unexpected error (the
   * `CompletionErrors` metric).
   *
   * @default - sum over 1 minute
   */
  public metricCompletionErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.completerMetric('CompletionErrors', { statistic: 'Sum', ...props });
  }

  /**
   * Pending payments past the processor's key retention, which the completer no longer tries and an
   * operator must settle with the processor (the `AbandonedPayments` metric).
   *
   * @default - maximum over 1 minute
   */
  public metricAbandonedPayments(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.completerMetric('AbandonedPayments', { statistic: 'Maximum', ...props });
  }

  /** A metric of the completer, which runs every minute. */
  private completerMetric(metricName: string, props: cloudwatch.MetricOptions): cloudwatch.Metric {
    const dimensionsMap = { ...this.metricDimensions(), service: COMPLETER_SERVICE_NAME };
    return this.handlerMetric(metricName, { period: Duration.minutes(1), dimensionsMap, ...props });
  }

  /**
   * Seconds since the claim sweeper's current pass over the idempotency table began (the
   * `SweepPassAge` metric), where the API has a sweeper: it grows while sweeps fall behind.
   *
   * @default - maximum over 1 hour
   */
  public metricClaimSweepPassAge(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.sweeperMetric('SweepPassAge', { statistic: 'Maximum', ...props });
  }

  /**
   * Expired claims that the claim sweeper deleted (the `ExpiredClaimsDeleted` metric).
   *
   * @default - sum over 1 hour
   */
  public metricExpiredClaimsDeleted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.sweeperMetric('ExpiredClaimsDeleted', { statistic: 'Sum', ...props });
  }

  /** A metric of the claim sweeper, hourly, since it runs every 15 minutes. */
  private sweeperMetric(metricName: string, props: cloudwatch.MetricOptions): cloudwatch.Metric {
    const dimensionsMap = { ...this.metricDimensions(), service: SWEEPER_SERVICE_NAME };
    return this.handlerMetric(metricName, { period: Duration.hours(1), dimensionsMap, ...props });
  }

  private handlerMetric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      statistic: 'Sum',
      dimensionsMap: this.metricDimensions(),
      ...props,
    });
  }

  private metricDimensions(): { [name: string]: string } {
    return { service: HANDLER_SERVICE_NAME, environment: this.environmentName, platform: this.platformName };
  }

  /**
   * The VPC, ledger and audit bucket: given, or (for an API outside a platform) created here from
   * the API's own profile, through the same mapping as a platform's.
   */
  private dataStores(props: PaymentApiProps): [ec2.IVpc, dynamodb.ITable, s3.IBucket] {
    const vpc = props.vpc ?? new SecureVpc(this, 'Network', sameProfileProps(props, vpcPropsOf, { encryptionKey: this.key })).vpc;
    const ledgerTable = props.ledgerTable
      ?? new EncryptedLedgerTable(this, 'Ledger', sameProfileProps(props, ledgerPropsOf, { encryptionKey: this.key })).table;
    const auditBucket = props.auditBucket
      ?? new AuditBucket(this, 'Audit', sameProfileProps(props, auditBucketPropsOf, { encryptionKey: this.key })).bucket;
    if (!ledgerTable.tableStreamArn) {
      throw new Error('Invalid PaymentApi props:\n  - `ledgerTable` has no stream; the audit pipeline reads every ledger change from it. '
        + 'Enable a NEW_AND_OLD_IMAGES stream, or import the table with `tableStreamArn`.');
    }
    return [vpc, ledgerTable, auditBucket];
  }

  /** The pipe that publishes payment events from the ledger's stream, where `events` asks for it. */
  private newEventPipe(props: PaymentApiProps, retention: logs.RetentionDays, originRegion: string | undefined): PaymentEventPipe | undefined {
    if (!props.events) {
      return undefined;
    }
    return new PaymentEventPipe(this, 'Events', {
      options: props.events, ledgerTable: this.ledgerTable, key: this.key, deadLetterQueue: this.deadLetterQueue, retention, originRegion,
    });
  }

  /** The alias `live` with provisioned concurrency, where `handlerProvisionedConcurrency` asks for it. */
  private newHandlerAlias(props: PaymentApiProps): lambda.Alias | undefined {
    if (props.handlerProvisionedConcurrency === undefined) {
      return undefined;
    }
    return new lambda.Alias(this, 'HandlerAlias', {
      aliasName: 'live',
      version: this.handler.currentVersion,
      provisionedConcurrentExecutions: props.handlerProvisionedConcurrency,
      description: 'The version of the payment handler that the API invokes, with provisioned concurrency',
    });
  }

  /** The completer, the interface endpoint and the grants of a processor, where one is configured. */
  private newProcessorStep(props: PaymentApiProps, shared: SharedFunctionSettings, environment: { [name: string]: string }):
  ProcessorStep | undefined {
    if (!props.processor) {
      return undefined;
    }
    return new ProcessorStep(this, {
      ...shared,
      processor: props.processor,
      ledgerTable: this.ledgerTable,
      idempotencyTable: this.idempotencyTable,
      handler: this.handler,
      handlerSecurityGroup: this.handlerSecurityGroup,
      deadLetterQueue: this.deadLetterQueue,
      environment,
      idempotencyTtl: props.idempotencyRecordTtl ?? Duration.hours(24),
    });
  }

  private newHandler(props: PaymentApiProps, placement: SharedFunctionSettings, environment: { [name: string]: string }): lambda.Function {
    // With a processor, the handler of its own bundle: the Lambda client weighs nothing without one.
    const Handler = props.processor ? ProcessorPaymentHandlerFunction : PaymentHandlerFunction;
    const handler = new Handler(this, 'Handler', {
      description: props.processor ? 'Takes payments through the processor, and reads them, for the payments API' : 'Accepts and reads payments for the payments API',
      ...newFunctionLogsAndRole(this, 'Handler', placement, this.handlerSecurityGroup),
      memorySize: props.handlerMemorySize ?? 512,
      timeout: Duration.seconds(30),
      reservedConcurrentExecutions: props.handlerReservedConcurrency,
      // A version is only needed while the alias points at it; CloudFormation deletes the old one
      // after the alias has moved, so versions do not pile up against the code storage quota.
      currentVersionOptions: { removalPolicy: RemovalPolicy.DESTROY },
      // No DeadLetterConfig: API Gateway invokes the handler synchronously, where it never applies;
      // a failure is the client's answer, and the retry with the same key settles it.
      environment: {
        ...environment,
        POWERTOOLS_SERVICE_NAME: HANDLER_SERVICE_NAME,
        LEDGER_TABLE_NAME: this.ledgerTable.tableName,
        IDEMPOTENCY_TABLE_NAME: this.idempotencyTable.tableName,
        IDEMPOTENCY_TTL_SECONDS: String((props.idempotencyRecordTtl ?? Duration.hours(24)).toSeconds()),
        IAM_AUTHORIZATION: String(this.iamAuthorization),
        ...(props.processor ? processorEnvironment(props.processor) : {}),
      },
    });
    this.ledgerTable.grant(handler, 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query');
    this.idempotencyTable.grant(handler, 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');
    // The idempotency table uses the platform key; the ledger may have its own.
    grantDataKeyUse(this.key, handler);
    acknowledge(handler, nagPackAcknowledgements('LambdaDLQ',
      'API Gateway invokes the payment handler synchronously, where a function\'s dead-letter queue never receives anything; a failure is answered to the client, whose retry with the same Idempotency-Key settles the payment.',
      ['NIST.800.53.R5', 'HIPAA.Security', 'Serverless']));
    if (this.ledgerTable.encryptionKey && this.ledgerTable.encryptionKey !== this.key) {
      grantDataKeyUse(this.ledgerTable.encryptionKey, handler);
    }
    return handler;
  }

  /** The controls that a profile or a prop can weaken (see `SecurityControl`). */
  private guardControls(props: PaymentApiProps, retention: logs.RetentionDays): void {
    guardControl(props, {
      control: SecurityControl.WAF,
      weakened: !this.webAcl,
      what: 'The API has no AWS WAF web ACL',
      prop: 'webAcl',
      profileField: 'apiWaf',
      target: this.restApi.deploymentStage,
      acknowledgements: [
        { id: 'AwsSolutions-APIG3', reason: WAF_REASON },
        ...nagPackAcknowledgements('APIGWAssociatedWithWAF', WAF_REASON, ['NIST.800.53.R5', 'PCI.DSS.321']),
      ],
    });
    guardControl(props, {
      control: SecurityControl.IAM_AUTHORIZATION,
      weakened: !this.iamAuthorization,
      what: 'The API authenticates no caller: IAM authorization is off, and an API key only identifies',
      prop: 'iamAuthorization',
      profileField: 'apiIamAuthorization',
      target: this.restApi,
      acknowledgements: [{
        id: 'AwsSolutions-APIG4',
        reason: `IAM authorization is off by the ${this.environmentName} profile's choice: callers are identified by API key only, which suits a development environment without real payment data.`,
      }],
    });
    guardControl(props, {
      control: SecurityControl.LOG_RETENTION,
      weakened: retention < logs.RetentionDays.ONE_YEAR,
      what: `API and function logs are kept ${retention} days, less than the year PCI DSS 10.5.1 asks`,
      prop: 'logRetention',
      target: this.accessLogGroup,
    });
  }

  private acknowledgeFindings(claims: IdempotencyClaims, step?: ProcessorStep): void {
    acknowledge(this, PAYMENT_API_FINDINGS);
    if (!claims.sweeper && !step) {
      // With a sweeper or a completer, its DeadLetterConfig names the queue, which is how cdk-nag recognises one.
      acknowledge(this.deadLetterQueue, [{
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is the dead-letter queue of the audit writer\'s event source mapping (its on-failure destination), which cdk-nag does not read as dead-letter use.',
      }]);
    }
    // Each function's role is its own construct beside the function (see newFunctionLogsAndRole);
    // the audit pipeline acknowledges its writer's.
    acknowledge(this.handler.role!, functionRoleFindings('X-Ray trace submission (PutTraceSegments, PutTelemetryRecords)'));
    // The account's API Gateway CloudWatch role, created by aws-cdk-lib when `cloudWatchRole` is on.
    const accountRole = this.restApi.node.tryFindChild('CloudWatchRole');
    if (accountRole) {
      acknowledge(accountRole, [{
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: 'API Gateway\'s account-level logging role uses the AWS managed AmazonAPIGatewayPushToCloudWatchLogs policy, which AWS maintains for exactly this purpose.',
      }]);
    }
  }
}

/** Namespace of the metrics the handlers emit in embedded metric format. */
const METRICS_NAMESPACE = 'PaymentPlatform';
/** Powertools service name of the payment handler, a dimension of its metrics. */
const HANDLER_SERVICE_NAME = 'payments-api';

const WAF_REASON = 'AWS WAF is off by the profile\'s choice (apiWaf): the API relies on API keys, IAM authorization and stage throttling at the profile\'s rate.';

const PAYMENT_API_FINDINGS = [
  {
    id: 'AwsSolutions-COG4',
    reason: 'Callers are services, not users: they authenticate with IAM (SigV4) and an API key rather than a Cognito user pool.',
  },
  {
    id: 'AwsSolutions-APIG2',
    reason: 'The handler validates every request in the contract\'s order (media type, size, Idempotency-Key, JSON, card data, fields) and names each bad field; '
      + 'API Gateway\'s request validator would answer some of them first (a missing key before a wrong media type or an oversized body).',
  },
  ...nagPackAcknowledgements('APIGWCacheEnabledAndEncrypted', 'Payment requests and reads must never be served from a cache: every response reflects the ledger.', FRAMEWORKS),
  ...nagPackAcknowledgements('APIGWSSLEnabled',
    'The backend is a Lambda proxy integration, which API Gateway invokes over the AWS API; client certificates apply only to HTTP backends.', FRAMEWORKS),
  ...nagPackAcknowledgements('IAMNoInlinePolicy',
    'Inline policies are the least-privilege grants aws-cdk-lib generates for each function on exactly the tables, key, queue and bucket prefix it uses.', FRAMEWORKS),
  ...nagPackAcknowledgements('LambdaConcurrency',
    'Stage throttling at the profile\'s rate bounds the handler\'s concurrency, and the stream\'s shards bound the audit writer\'s; a reservation would take capacity from the account pool (set handlerReservedConcurrency to add one).',
    ['NIST.800.53.R5', 'HIPAA.Security']),
  ...nagPackAcknowledgements('SQSRedrivePolicy', 'This queue is itself the dead-letter queue of the audit pipeline and the claim sweeper; nothing consumes from it to redrive.', ['Serverless']),
];

function validateProps(props: PaymentApiProps, region: string): void {
  const problems: string[] = apiSettingProblems(props, { rateLimit: 'rateLimit', burstLimit: 'burstLimit', deadLetterRetention: 'deadLetterRetention' });
  const ttl = props.idempotencyRecordTtl;
  if (ttl && !Token.isUnresolved(ttl.toSeconds()) && ttl.toSeconds() < Duration.hours(24).toSeconds()) {
    problems.push(`\`idempotencyRecordTtl\` is ${ttl.toHumanString()}; the contract keeps idempotency records for at least 24 hours.`);
  }
  const concurrency = props.handlerReservedConcurrency;
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    problems.push(`\`handlerReservedConcurrency\` is ${concurrency}; it must be a whole number of at least 1.`);
  }
  if (props.privateEndpoints?.length && props.customDomain) {
    problems.push('`customDomain` and `privateEndpoints` are both set; a private API takes a private custom domain, which this construct does not create. Use one of them.');
  }
  const provisioned = props.handlerProvisionedConcurrency;
  if (provisioned !== undefined && (!Number.isInteger(provisioned) || provisioned < 1)) {
    problems.push(`\`handlerProvisionedConcurrency\` is ${provisioned}; it must be a whole number of at least 1.`);
  } else if (provisioned !== undefined && concurrency !== undefined && provisioned > concurrency) {
    problems.push(`\`handlerProvisionedConcurrency\` is ${provisioned}, above \`handlerReservedConcurrency\` (${concurrency}); Lambda provisions at most the reserved concurrency.`);
  }
  if (props.processor && props.idempotencyTable && !props.multiRegion) {
    problems.push('`processor` is set with an adopted `idempotencyTable`; the completer reads pending payments from an index that only a table '
      + 'the API creates (or the multi-Region table of a MultiRegionPaymentPlatform) is given. Leave `idempotencyTable` unset.');
  }
  if (props.multiRegion && (!props.ledgerTable || !props.idempotencyTable)) {
    problems.push(`\`multiRegion\` is true without ${!props.ledgerTable ? '`ledgerTable`' : '`idempotencyTable`'}; the Regions of a multi-Region platform share both tables, so pass the multi-Region ones.`);
  }
  if (props.multiRegion && Token.isUnresolved(region)) {
    problems.push('`multiRegion` is true in a stack without a concrete Region; each payment is stamped with the Region that accepted it, so give the stack an `env.region`.');
  }
  const memory = props.handlerMemorySize;
  if (memory !== undefined && (!Number.isInteger(memory) || memory < 128 || memory > 10240)) {
    problems.push(`\`handlerMemorySize\` is ${memory}; Lambda takes a whole number of MiB from 128 to 10240.`);
  }
  if (props.stageName !== undefined && !/^[A-Za-z0-9_]{1,128}$/.test(props.stageName)) {
    problems.push(`\`stageName\` is '${props.stageName}'; it must be 1 to 128 letters, digits or underscores.`);
  }
  if (problems.length > 0) {
    throw new Error(`Invalid PaymentApi props:\n  - ${problems.join('\n  - ')}`);
  }
}

