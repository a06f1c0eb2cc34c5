/**
 * The prices the cost model uses: AWS public on-demand list prices for US East (N. Virginia), in
 * US dollars, without free tiers, savings plans or volume tiers beyond the first, each with the
 * page that publishes it. Every cost in docs/benchmarks.md is computed from these and from the
 * synthesized templates. The table was written on `PRICES_DATE` from those published prices, on a
 * machine that cannot reach the pages; check them against `source` before relying on a total, and
 * move the date with any change.
 */

/** When this table was last written. */
export const PRICES_DATE = '2026-11-27';

export const PRICES_REGION = 'us-east-1';

export const HOURS_PER_MONTH = 730;

export interface Price {
  readonly usd: number;
  readonly per: string;
  readonly source: string;
}

const VPC = 'https://aws.amazon.com/vpc/pricing/';
const PRIVATELINK = 'https://aws.amazon.com/privatelink/pricing/';
const KMS = 'https://aws.amazon.com/kms/pricing/';
const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/';
const API_GATEWAY = 'https://aws.amazon.com/api-gateway/pricing/';
const LAMBDA = 'https://aws.amazon.com/lambda/pricing/';
const DYNAMODB_ON_DEMAND = 'https://aws.amazon.com/dynamodb/pricing/on-demand/';
const DYNAMODB_PROVISIONED = 'https://aws.amazon.com/dynamodb/pricing/provisioned/';
const S3 = 'https://aws.amazon.com/s3/pricing/';
const WAF = 'https://aws.amazon.com/waf/pricing/';
const ROUTE53 = 'https://aws.amazon.com/route53/pricing/';
const SECRETS_MANAGER = 'https://aws.amazon.com/secrets-manager/pricing/';
const EC2_TRANSFER = 'https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer';
const EVENTBRIDGE = 'https://aws.amazon.com/eventbridge/pricing/';
const STEP_FUNCTIONS = 'https://aws.amazon.com/step-functions/pricing/';

export const PRICES = {
  natGatewayHour: { usd: 0.045, per: 'NAT gateway-hour', source: VPC },
  natGatewayGb: { usd: 0.045, per: 'GB processed by a NAT gateway', source: VPC },
  publicIpv4Hour: { usd: 0.005, per: 'public IPv4 address-hour (a NAT gateway’s Elastic IP)', source: VPC },
  interfaceEndpointHour: { usd: 0.01, per: 'interface endpoint-hour, per Availability Zone', source: PRIVATELINK },
  interfaceEndpointGb: { usd: 0.01, per: 'GB processed by an interface endpoint (first PB a month)', source: PRIVATELINK },
  kmsKeyMonth: { usd: 1, per: 'customer managed key-month', source: KMS },
  pipesRequest: { usd: 0.40 / 1_000_000, per: 'EventBridge Pipes request (each 64 KB chunk of an event after filtering)', source: EVENTBRIDGE },
  customEvent: { usd: 1.00 / 1_000_000, per: 'EventBridge custom event published (each 64 KB chunk)', source: EVENTBRIDGE },
  expressWorkflowRequest: { usd: 1.00 / 1_000_000, per: 'Step Functions Express workflow request', source: STEP_FUNCTIONS },
  expressWorkflowGbSecond: { usd: 0.00001667, per: 'Step Functions Express GB-second (first 1,000 hours a month; 64 MB and 100 ms at least)', source: STEP_FUNCTIONS },
  kmsRequest: { usd: 0.03 / 10_000, per: 'KMS request', source: KMS },
  alarmMetricMonth: { usd: 0.10, per: 'standard-resolution alarm metric-month', source: CLOUDWATCH },
  dashboardMonth: { usd: 3, per: 'dashboard-month', source: CLOUDWATCH },
  customMetricMonth: { usd: 0.30, per: 'custom metric-month', source: CLOUDWATCH },
  logIngestionGb: { usd: 0.50, per: 'GB of logs ingested, Standard class', source: CLOUDWATCH },
  logIngestionInfrequentGb: { usd: 0.25, per: 'GB of logs ingested, Infrequent Access class', source: CLOUDWATCH },
  restApiRequest: { usd: 3.50 / 1_000_000, per: 'REST API request', source: API_GATEWAY },
  lambdaRequest: { usd: 0.20 / 1_000_000, per: 'Lambda request', source: LAMBDA },
  lambdaArmGbSecond: { usd: 0.0000133334, per: 'Lambda GB-second, arm64', source: LAMBDA },
  lambdaX86GbSecond: { usd: 0.0000166667, per: 'Lambda GB-second, x86_64', source: LAMBDA },
  dynamodbWriteRequestUnit: { usd: 0.625 / 1_000_000, per: 'on-demand write request unit', source: DYNAMODB_ON_DEMAND },
  dynamodbReadRequestUnit: { usd: 0.125 / 1_000_000, per: 'on-demand read request unit', source: DYNAMODB_ON_DEMAND },
  dynamodbReplicatedWriteRequestUnit: { usd: 0.625 / 1_000_000, per: 'on-demand replicated write request unit (global tables, per replica Region)', source: DYNAMODB_ON_DEMAND },
  dynamodbWcuHour: { usd: 0.00065, per: 'provisioned WCU-hour', source: DYNAMODB_PROVISIONED },
  dynamodbRcuHour: { usd: 0.00013, per: 'provisioned RCU-hour', source: DYNAMODB_PROVISIONED },
  dynamodbStorageGbMonth: { usd: 0.25, per: 'GB-month of table storage', source: DYNAMODB_ON_DEMAND },
  dynamodbPitrGbMonth: { usd: 0.20, per: 'GB-month of continuous backup (PITR)', source: DYNAMODB_ON_DEMAND },
  s3PutRequest: { usd: 0.005 / 1_000, per: 'S3 Standard PUT request', source: S3 },
  s3StorageGbMonth: { usd: 0.023, per: 'GB-month of S3 Standard', source: S3 },
  glacierStorageGbMonth: { usd: 0.0036, per: 'GB-month of S3 Glacier Flexible Retrieval', source: S3 },
  glacierTransitionRequest: { usd: 0.03 / 1_000, per: 'lifecycle transition request to S3 Glacier Flexible Retrieval', source: S3 },
  wafWebAclMonth: { usd: 5, per: 'web ACL-month', source: WAF },
  wafRuleMonth: { usd: 1, per: 'rule (or rule group)-month', source: WAF },
  route53HealthCheckMonth: { usd: 0.50, per: 'health check of an AWS endpoint (TCP, CloudWatch alarm or calculated)-month', source: ROUTE53 },
  route53HttpsOptionMonth: { usd: 1.00, per: 'optional feature (HTTPS) of a health check of an AWS endpoint-month', source: ROUTE53 },
  secretMonth: { usd: 0.40, per: 'secret-month (each replica counts as a secret)', source: SECRETS_MANAGER },
  interRegionTransferGb: { usd: 0.02, per: 'GB sent to another AWS Region (US)', source: EC2_TRANSFER },
  wafRequest: { usd: 0.60 / 1_000_000, per: 'request inspected by a web ACL', source: WAF },
} satisfies Record<string, Price>;
