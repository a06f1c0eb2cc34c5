import { Annotations, RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { contractGatewayResponses } from './gateway-responses';
import { privateApiPolicy } from './private-api-policy';
import { newApiWebAcl } from './web-acl';

/** API Gateway's default account-level throttling quota per Region: steady rate and burst. */
const ACCOUNT_RATE_QUOTA = 10_000;
export const ACCOUNT_BURST_QUOTA = 5_000;

/** What each client may send, as `PaymentApiClientLimits` has it. */
interface ClientLimits {
  readonly rateLimit?: number;
  readonly burstLimit?: number;
  readonly quota?: apigateway.QuotaSettings;
}

/** A custom domain, as `PaymentApiDomainOptions` has it. */
interface CustomDomain {
  readonly domainName: string;
  readonly certificate: acm.ICertificate;
  readonly mutualTlsTrustStore?: { readonly bucket: s3.IBucket; readonly key: string; readonly version?: string };
}

export interface PaymentRestApiProps {
  /** The REST API's name, unique in the account and Region. */
  readonly name: string;
  /** The environment's name, for descriptions. */
  readonly environmentName: string;
  /** The stage's steady rate, in requests per second. */
  readonly rateLimit: number;
  /** The stage's burst, in requests. */
  readonly burstLimit: number;
  /** What each client may send. */
  readonly clientLimits?: ClientLimits;
  /** Whether every method requires IAM authorization. */
  readonly iamAuthorization: boolean;
  readonly stageName: string;
  /** Interface endpoints that make the API private. */
  readonly privateEndpoints?: ec2.IInterfaceVpcEndpoint[];
  readonly customDomain?: CustomDomain;
  /** Whether the API sets the account's API Gateway CloudWatch role. */
  readonly cloudWatchRole: boolean;
  readonly accessLogGroupClass?: logs.LogGroupClass;
  /** Whether an AWS WAF web ACL guards the stage. */
  readonly webAcl: boolean;
  readonly key: kms.IKey;
  readonly retention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** The function that both methods are proxied to. */
  readonly target: lambda.IFunction;
}

/**
 * The REST API of a `PaymentApi`: the contract's two methods proxied to the handler, its stage
 * with access and execution logs and throttling, the gateway's own answers in the contract's error
 * format, the usage plan with each client's limits, and the custom domain and web ACL where set.
 *
 * A part of the API rather than a construct of its own: its resources are created in the API's
 * scope, so that they keep the logical IDs (and the API its URL) they have always had.
 */
export class PaymentRestApi {
  public readonly restApi: apigateway.RestApi;
  public readonly accessLogGroup: logs.LogGroup;
  public readonly executionLogGroup: logs.LogGroup;
  public readonly usagePlan: apigateway.UsagePlan;
  public readonly domain?: apigateway.DomainName;
  public readonly webAcl?: wafv2.CfnWebACL;

  constructor(scope: Construct, props: PaymentRestApiProps) {
    const { key, retention, removalPolicy } = props;
    const client = clientThrottling(props);
    warnAboveAccountQuota(scope, props);
    this.accessLogGroup = new logs.LogGroup(scope, 'AccessLogs', {
      encryptionKey: key,
      retention,
      removalPolicy,
      logGroupClass: props.accessLogGroupClass ?? logs.LogGroupClass.INFREQUENT_ACCESS,
    });
    this.restApi = newRestApi(scope, props, this.accessLogGroup);
    if (props.customDomain) {
      const { domainName, certificate, mutualTlsTrustStore: trustStore } = props.customDomain;
      this.domain = this.restApi.addDomainName('Domain', {
        domainName,
        certificate,
        endpointType: apigateway.EndpointType.REGIONAL,
        securityPolicy: apigateway.SecurityPolicy.TLS_1_2,
        mtls: trustStore ? { bucket: trustStore.bucket, key: trustStore.key, version: trustStore.version } : undefined,
      });
    }
    // With execution logging on, API Gateway writes to this log group, and would otherwise create it
    // itself: unencrypted and kept forever. The stage waits for it, so no log line lands elsewhere.
    this.executionLogGroup = new logs.LogGroup(scope, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.restApi.restApiId}/${props.stageName}`,
      encryptionKey: key,
      retention,
      removalPolicy,
    });
    this.restApi.deploymentStage.node.addDependency(this.executionLogGroup);
    addRoutes(this.restApi, props.target);
    this.usagePlan = this.restApi.addUsagePlan('UsagePlan', {
      description: `Rate limits of each client of the ${props.environmentName} payments API`,
      // Per API key: each client gets its share, below what the stage takes from all of them.
      throttle: client,
      quota: props.clientLimits?.quota,
      apiStages: [{ api: this.restApi, stage: this.restApi.deploymentStage }],
    });
    if (props.webAcl) {
      this.webAcl = newApiWebAcl(scope, this.restApi.deploymentStage, key, retention, removalPolicy);
    }
  }
}

function newRestApi(scope: Construct, props: PaymentRestApiProps, accessLogGroup: logs.ILogGroup): apigateway.RestApi {
  const privateEndpoints = props.privateEndpoints?.length ? props.privateEndpoints : undefined;
  const api = new apigateway.RestApi(scope, 'Api', {
    restApiName: props.name,
    description: `Payments API (${props.environmentName})`,
    endpointConfiguration: privateEndpoints
      ? { types: [apigateway.EndpointType.PRIVATE], vpcEndpoints: privateEndpoints }
      : { types: [apigateway.EndpointType.REGIONAL] },
    policy: privateEndpoints ? privateApiPolicy(privateEndpoints, props.iamAuthorization) : undefined,
    // With mutual TLS on the custom domain, the default endpoint would be a way around it.
    disableExecuteApiEndpoint: props.customDomain?.mutualTlsTrustStore ? true : undefined,
    cloudWatchRole: props.cloudWatchRole,
    cloudWatchRoleRemovalPolicy: props.cloudWatchRole ? RemovalPolicy.RETAIN : undefined,
    apiKeySourceType: apigateway.ApiKeySourceType.HEADER,
    defaultMethodOptions: {
      apiKeyRequired: true,
      authorizationType: props.iamAuthorization ? apigateway.AuthorizationType.IAM : apigateway.AuthorizationType.NONE,
    },
    deployOptions: {
      stageName: props.stageName,
      tracingEnabled: true,
      metricsEnabled: true,
      loggingLevel: apigateway.MethodLoggingLevel.INFO,
      dataTraceEnabled: false,
      throttlingRateLimit: props.rateLimit,
      throttlingBurstLimit: props.burstLimit,
      accessLogDestination: new apigateway.LogGroupLogDestination(accessLogGroup),
      accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
    },
  });
  contractGatewayResponses(api);
  return api;
}

/**
 * The contract's two methods, both proxied to `target`. No request validator: the handler checks
 * every request in the contract's order (media type, size, `Idempotency-Key`, JSON, card data,
 * fields), and API Gateway's would answer some of them first, such as a missing key before a wrong
 * media type or an oversized body. The parameters are declared for API Gateway's exports.
 */
function addRoutes(api: apigateway.RestApi, target: lambda.IFunction): void {
  const integration = new apigateway.LambdaIntegration(target, { proxy: true, allowTestInvoke: false });
  const payments = api.root.addResource('payments');
  payments.addMethod('POST', integration, {
    requestParameters: { 'method.request.header.Idempotency-Key': true },
  });
  payments.addResource('{transactionId}').addMethod('GET', integration, {
    requestParameters: { 'method.request.path.transactionId': true },
  });
}

/** Each client's rate and burst, checked against the stage's. */
function clientThrottling({ rateLimit, burstLimit, clientLimits: limits = {} }: PaymentRestApiProps) {
  const client = {
    rateLimit: limits.rateLimit ?? rateLimit / 2,
    burstLimit: limits.burstLimit ?? Math.max(1, Math.floor(burstLimit / 2)),
  };
  const problems: string[] = [];
  if (!(client.rateLimit > 0 && client.rateLimit <= rateLimit)) {
    problems.push(`\`clientLimits.rateLimit\` is ${client.rateLimit}; it must be greater than 0 and at most the stage's rate, \`rateLimit\` (the profile's \`apiRateLimit\`, ${rateLimit}).`);
  }
  if (!(Number.isInteger(client.burstLimit) && client.burstLimit >= 1 && client.burstLimit <= burstLimit)) {
    problems.push(`\`clientLimits.burstLimit\` is ${client.burstLimit}; it must be a whole number from 1 to the stage's burst (${burstLimit}).`);
  }
  if (problems.length > 0) {
    throw new Error(`Invalid PaymentApi props:\n  - ${problems.join('\n  - ')}`);
  }
  return client;
}

/**
 * API Gateway throttles all APIs of an account and region together, by default at 10,000 requests
 * per second with a burst of 5,000; a stage limit above that is never reached unless the quota is
 * raised, and every other API of the account, dev included, draws on the same quota.
 */
function warnAboveAccountQuota(scope: Construct, { rateLimit, burstLimit }: PaymentRestApiProps): void {
  const over = [
    rateLimit > ACCOUNT_RATE_QUOTA ? `a rate of ${rateLimit} requests per second (quota ${ACCOUNT_RATE_QUOTA})` : undefined,
    burstLimit > ACCOUNT_BURST_QUOTA ? `a burst of ${burstLimit} requests (quota ${ACCOUNT_BURST_QUOTA})` : undefined,
  ].filter((text) => text !== undefined);
  if (over.length > 0) {
    Annotations.of(scope).addWarningV2('@org/payment-platform:apiGatewayAccountQuota',
      `The profile asks for ${over.join(' and ')}, above API Gateway's default account-level throttling quota in this Region, which every API of the account shares. Request an increase of "Throttle rate" and "Throttle burst" for Amazon API Gateway in Service Quotas, or lower apiRateLimit and apiBurstLimit.`);
  }
}

/** JSON access log lines: who called what, the outcome and the timings; never a body or a key. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  sourceIp: '$context.identity.sourceIp',
  caller: '$context.identity.caller',
  userArn: '$context.identity.userArn',
  apiKeyId: '$context.identity.apiKeyId',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integration.latency',
  responseLatency: '$context.responseLatency',
  errorType: '$context.error.responseType',
  xrayTraceId: '$context.xrayTraceId',
};
