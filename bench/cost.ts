/**
 * Monthly cost of a synthesized platform: a fixed part that runs whether or not anyone pays, and a
 * marginal part per million payments. Everything countable comes from the CloudFormation template
 * (NAT gateways, endpoints, keys, alarms, capacity, batch sizes, memory); what a payment writes and
 * logs comes from the throughput benchmark; prices come from bench/prices.ts.
 */
import { HOURS_PER_MONTH, PRICES } from './prices';
import { PENDING_SHARDS } from '../src/handlers/pending-index';

/** What one payment does at run time, as measured by bench/throughput.ts. */
export interface PaymentFootprint {
  /** Item sizes in bytes of each DynamoDB write of one payment, by table role. */
  readonly ledgerItemBytes: number;
  readonly idempotencyItemBytes: number;
  /** Bytes the payment handler logs per payment. */
  readonly logBytes: number;
  /** Bytes over HTTP to DynamoDB per payment (what a NAT gateway would process). */
  readonly dynamodbBytes: number;
  /** Bytes of the audit line per payment. */
  readonly auditLineBytes: number;
  /** Distinct custom metrics the handler's EMF output creates. */
  readonly customMetrics: number;
  /** CPU time of the payment handler per payment on the benchmark machine, in milliseconds (one full core). */
  readonly handlerCpuMs: number;
  /** DynamoDB calls per payment. */
  readonly dynamodbCalls: number;
  /** What a payment does instead when the platform has a processor; needed for a template with one. */
  readonly processor?: ProcessorFootprint;
}

/** What one payment does with a processor, as measured by bench/processor-throughput.ts. */
export interface ProcessorFootprint {
  /** Writes to the ledger (the item written ahead as `pending`, then its outcome): each a change the audit bucket keeps. */
  readonly ledgerWrites: number;
  /** Writes to the idempotency table (the claim, then the final answer). */
  readonly idempotencyWrites: number;
  /** Writes to the index of pending payments (the claim enters it, the final answer leaves it). */
  readonly pendingIndexWrites: number;
  readonly handlerCpuMs: number;
  readonly dynamodbCalls: number;
  readonly dynamodbBytes: number;
  /** Bytes over HTTP of the call to the processor (request and answer), through the interface endpoint. */
  readonly processorBytes: number;
}

/**
 * What the model assumes where neither the template nor the benchmark can say. Each is stated in
 * docs/benchmarks.md with the result.
 */
export const ASSUMPTIONS = {
  /** Latency of one DynamoDB call from Lambda in the same region ("single-digit milliseconds"). */
  dynamodbRoundTripMs: 5,
  /** Memory at which a Lambda function has one full vCPU; below it, CPU is proportionally less. */
  lambdaMbPerVcpu: 1769,
  /**
   * Billed duration of one audit writer invocation of a full batch: ten rounds of ten S3 PUTs in
   * parallel (one object per change), each round about 30 ms.
   */
  auditWriterBilledMs: 300,
  /** Availability Zones the stacks use. */
  availabilityZones: 3,
  /** Bytes DynamoDB adds to every item for storage. */
  dynamodbItemOverheadBytes: 100,
  /** How long an idempotency record lives (the platform's TTL): a day of a 30-day month. */
  idempotencyMonthFraction: 1 / 30,
  /**
   * How long a processor takes to answer a charge, which the payment handler waits for and is
   * billed for: a card authorization's typical time at a processor's API.
   */
  processorAnswerMs: 300,
  /** Billed duration of one completer run that finds nothing due: one query per shard of the index, in parallel. */
  completerRunBilledMs: 50,
  /**
   * Payment events per run of the workflow that puts them: a pipe batches up to 10 changes within a
   * second, so at low traffic each change is a run of its own. One is the dearest case.
   */
  paymentEventsPerRun: 1,
  /** Billed duration of one run of the events workflow: one PutEvents call, under Express's 100 ms minimum. */
  eventsRunBilledMs: 100,
  /**
   * Bytes the events workflow logs per run at level ALL without execution data: about eleven
   * history events (run, task and choice states entered and left) of about 350 bytes.
   */
  eventsRunLogBytes: 11 * 350,
};

/** One line of the bill. */
export interface CostLine {
  readonly item: string;
  readonly quantity: number;
  readonly usd: number;
}

export interface Cost {
  readonly fixed: CostLine[];
  readonly perMillion: CostLine[];
  readonly fixedUsd: number;
  readonly perMillionUsd: number;
  /** Billed milliseconds of the payment handler per payment. */
  readonly paymentBilledMs: number;
}

type Resource = { Type: string; Properties?: Record<string, any> };
type Template = { Resources: Record<string, Resource> };

const MILLION = 1_000_000;
const GB = 1024 ** 3;

/** The monthly cost of `template`'s platform, and what each million payments adds to it. */
export function costOf(template: Template, footprint: PaymentFootprint): Cost {
  const resources = Object.values(template.Resources);
  const ofType = (type: string) => resources.filter((resource) => resource.Type === type);
  const fixed: CostLine[] = [];
  const perMillion: CostLine[] = [];
  const add = (lines: CostLine[], item: string, quantity: number, unitUsd: number) => {
    if (quantity > 0) {
      lines.push({ item, quantity, usd: quantity * unitUsd });
    }
  };

  // Fixed: what the environment costs with no traffic.
  const natGateways = ofType('AWS::EC2::NatGateway').length;
  add(fixed, 'NAT gateway-hours', natGateways * HOURS_PER_MONTH, PRICES.natGatewayHour.usd);
  add(fixed, 'public IPv4 address-hours (NAT Elastic IPs)', ofType('AWS::EC2::EIP').length * HOURS_PER_MONTH, PRICES.publicIpv4Hour.usd);
  const interfaceEndpoints = ofType('AWS::EC2::VPCEndpoint').filter((endpoint) => endpoint.Properties?.VpcEndpointType === 'Interface');
  const endpointAzs = interfaceEndpoints
    .reduce((sum, endpoint) => sum + (endpoint.Properties?.SubnetIds?.length ?? ASSUMPTIONS.availabilityZones), 0);
  add(fixed, 'interface endpoint-hours (per AZ)', endpointAzs * HOURS_PER_MONTH, PRICES.interfaceEndpointHour.usd);
  add(fixed, 'customer managed KMS keys', ofType('AWS::KMS::Key').length, PRICES.kmsKeyMonth.usd);
  add(fixed, 'alarm metrics', ofType('AWS::CloudWatch::Alarm').reduce((sum, alarm) => sum + alarmMetrics(alarm), 0), PRICES.alarmMetricMonth.usd);
  add(fixed, 'dashboards', ofType('AWS::CloudWatch::Dashboard').length, PRICES.dashboardMonth.usd);
  add(fixed, 'custom metrics (EMF)', ofType('AWS::ApiGateway::RestApi').length > 0 ? footprint.customMetrics : 0, PRICES.customMetricMonth.usd);
  const webAcls = ofType('AWS::WAFv2::WebACL');
  add(fixed, 'WAF web ACLs', webAcls.length, PRICES.wafWebAclMonth.usd);
  add(fixed, 'WAF rules', webAcls.reduce((sum, acl) => sum + (acl.Properties?.Rules?.length ?? 0), 0), PRICES.wafRuleMonth.usd);
  const tables = ofType('AWS::DynamoDB::Table');
  const provisioned = (table: Resource, unit: 'WriteCapacityUnits' | 'ReadCapacityUnits') =>
    table.Properties?.BillingMode === 'PAY_PER_REQUEST' ? 0 : Number(table.Properties?.ProvisionedThroughput?.[unit] ?? 0);
  add(fixed, 'provisioned WCU-hours (minimum capacity)', tables.reduce((sum, table) => sum + provisioned(table, 'WriteCapacityUnits'), 0) * HOURS_PER_MONTH, PRICES.dynamodbWcuHour.usd);
  add(fixed, 'provisioned RCU-hours (minimum capacity)', tables.reduce((sum, table) => sum + provisioned(table, 'ReadCapacityUnits'), 0) * HOURS_PER_MONTH, PRICES.dynamodbRcuHour.usd);

  // Per million payments: every request, write, object and log line that one more payment causes.
  add(perMillion, 'REST API requests', MILLION, PRICES.restApiRequest.usd);
  add(perMillion, 'WAF-inspected requests', webAcls.length > 0 ? MILLION : 0, PRICES.wafRequest.usd);

  const [paymentFunction, auditFunction] = platformFunctions(resources);
  const charge = processorFootprint(paymentFunction, footprint);
  add(perMillion, 'payment handler invocations', MILLION, PRICES.lambdaRequest.usd);
  const billedMs = paymentBilledMs(paymentFunction, charge ? { ...footprint, ...charge } : footprint)
    + (charge ? ASSUMPTIONS.processorAnswerMs : 0);
  add(perMillion, 'payment handler GB-seconds', MILLION * gbSeconds(paymentFunction, billedMs), gbSecondPrice(paymentFunction));

  const ledger = tables.find((table) => table.Properties?.StreamSpecification !== undefined);
  const idempotency = tables.find((table) => table !== ledger);
  if (!ledger || !idempotency) {
    throw new Error('the template has no ledger table (with a stream) and idempotency table');
  }
  const ledgerWrites = charge?.ledgerWrites ?? 1;
  const ledgerUnits = ledgerWrites * writeUnits(footprint.ledgerItemBytes) * (1 + (ledger.Properties?.GlobalSecondaryIndexes?.length ?? 0));
  if (ledger.Properties?.BillingMode === 'PAY_PER_REQUEST') {
    add(perMillion, 'ledger write request units', MILLION * ledgerUnits, PRICES.dynamodbWriteRequestUnit.usd);
  } else {
    // Provisioned: each write takes one WCU for a second, at auto scaling's target utilisation.
    const utilisation = targetUtilisation(resources) / 100;
    add(perMillion, `ledger WCU-hours at ${utilisation * 100}% utilisation`, (MILLION * ledgerUnits) / 3600 / utilisation, PRICES.dynamodbWcuHour.usd);
  }
  add(perMillion, 'idempotency write request units', MILLION * (charge?.idempotencyWrites ?? 1) * writeUnits(footprint.idempotencyItemBytes), PRICES.dynamodbWriteRequestUnit.usd);
  if (charge) {
    // Index items hold the keys, the payment's id and its creation time: well under 1 KB.
    add(perMillion, 'pending-payment index write request units', MILLION * charge.pendingIndexWrites, PRICES.dynamodbWriteRequestUnit.usd);
    add(perMillion, 'processor invocations (its duration is the processor\'s own)', MILLION, PRICES.lambdaRequest.usd);
    add(perMillion, 'GB processed by the Lambda interface endpoint', (MILLION * charge.processorBytes) / GB, PRICES.interfaceEndpointGb.usd);
    const completer = resources.find((resource) => resource.Type === 'AWS::Lambda::Function'
      && resource.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'payments-completer');
    if (!completer) {
      throw new Error('the template has a processor but no completer function');
    }
    // Every minute, whether or not anyone pays; what it finds due costs what a retry does.
    const runs = HOURS_PER_MONTH * 60;
    add(fixed, 'completer invocations (every minute)', runs, PRICES.lambdaRequest.usd);
    add(fixed, 'completer GB-seconds', runs * gbSeconds(completer, ASSUMPTIONS.completerRunBilledMs), gbSecondPrice(completer));
    add(fixed, `completer queries of the pending-payment index (${PENDING_SHARDS} shards, eventually consistent)`, runs * PENDING_SHARDS * 0.5, PRICES.dynamodbReadRequestUnit.usd);
  }

  if (ofType('AWS::Pipes::Pipe').length > 0) {
    // One final change per payment passes the pipe's filters; every other change is dropped unbilled.
    const runs = MILLION / ASSUMPTIONS.paymentEventsPerRun;
    add(perMillion, 'event pipe requests (after filtering)', MILLION, PRICES.pipesRequest.usd);
    add(perMillion, 'events workflow runs (Express)', runs, PRICES.expressWorkflowRequest.usd);
    // Express bills 64 MB at least, in 100 ms steps.
    add(perMillion, 'events workflow GB-seconds', runs * (64 / 1024) * (Math.ceil(ASSUMPTIONS.eventsRunBilledMs / 100) / 10), PRICES.expressWorkflowGbSecond.usd);
    add(perMillion, 'payment events published (under 64 KB each)', MILLION, PRICES.customEvent.usd);
    add(perMillion, 'events workflow log GB ingested', (runs * ASSUMPTIONS.eventsRunLogBytes) / GB, PRICES.logIngestionGb.usd);
  }

  const batchSize = Number(ofType('AWS::Lambda::EventSourceMapping')[0]?.Properties?.BatchSize ?? 100);
  // One object per ledger change, so that each is written exactly once whatever the batches.
  const auditObjects = MILLION * ledgerWrites;
  const auditBatches = Math.ceil(auditObjects / batchSize);
  add(perMillion, 'audit writer invocations (one per batch)', auditBatches, PRICES.lambdaRequest.usd);
  add(perMillion, 'audit writer GB-seconds', auditBatches * gbSeconds(auditFunction, ASSUMPTIONS.auditWriterBilledMs), gbSecondPrice(auditFunction));
  add(perMillion, 'audit object PUTs (one per change)', auditObjects, PRICES.s3PutRequest.usd);
  const auditBucket = template.Resources[auditFunction.Properties?.Environment?.Variables?.AUDIT_BUCKET_NAME?.Ref];
  if (auditBucket?.Type !== 'AWS::S3::Bucket') {
    throw new Error('the audit writer\'s AUDIT_BUCKET_NAME does not name a bucket of the template');
  }
  const bucketKey = auditBucket.Properties?.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.BucketKeyEnabled === true;
  add(perMillion, 'KMS requests for audit objects (no S3 Bucket Key)', bucketKey ? 0 : auditObjects, PRICES.kmsRequest.usd);
  const toGlacier = (auditBucket.Properties?.LifecycleConfiguration?.Rules ?? [])
    .some((rule: { Transitions?: Array<{ StorageClass?: string }> }) => (rule.Transitions ?? []).some((t) => t.StorageClass === 'GLACIER'));
  add(perMillion, 'audit object transitions to Glacier (once, after the profile\'s days)', toGlacier ? auditObjects : 0, PRICES.glacierTransitionRequest.usd);

  add(perMillion, 'handler log GB ingested', (MILLION * footprint.logBytes) / GB, PRICES.logIngestionGb.usd);
  const accessLogs = accessLogGroup(template);
  add(perMillion, `API access log GB ingested (${accessLogs.infrequent ? 'Infrequent Access' : 'Standard'})`, (MILLION * accessLogs.bytes) / GB,
    accessLogs.infrequent ? PRICES.logIngestionInfrequentGb.usd : PRICES.logIngestionGb.usd);

  const gatewayEndpoints = ofType('AWS::EC2::VPCEndpoint').filter((endpoint) => endpoint.Properties?.VpcEndpointType === 'Gateway')
    .map((endpoint) => JSON.stringify(endpoint.Properties?.ServiceName));
  const natBytes = (gatewayEndpoints.some((name) => name.includes('.dynamodb')) ? 0 : (charge ?? footprint).dynamodbBytes)
    + (gatewayEndpoints.some((name) => name.includes('.s3')) ? 0 : footprint.auditLineBytes);
  add(perMillion, 'NAT GB processed (no gateway endpoint)', natGateways > 0 ? (MILLION * natBytes) / GB : 0, PRICES.natGatewayGb.usd);

  add(perMillion, 'ledger storage GB-month (first month)', (MILLION * (footprint.ledgerItemBytes + ASSUMPTIONS.dynamodbItemOverheadBytes)) / GB, PRICES.dynamodbStorageGbMonth.usd);
  const pitr = ledger.Properties?.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled === true;
  add(perMillion, 'ledger PITR GB-month (first month)', pitr ? (MILLION * (footprint.ledgerItemBytes + ASSUMPTIONS.dynamodbItemOverheadBytes)) / GB : 0, PRICES.dynamodbPitrGbMonth.usd);
  const idempotencyGb = (MILLION * (footprint.idempotencyItemBytes + ASSUMPTIONS.dynamodbItemOverheadBytes)) / GB;
  add(perMillion, 'idempotency storage GB-month (24 h TTL)', idempotencyGb * ASSUMPTIONS.idempotencyMonthFraction, PRICES.dynamodbStorageGbMonth.usd);
  add(perMillion, 'audit object GB-month (first month)', (auditObjects * footprint.auditLineBytes) / GB, PRICES.s3StorageGbMonth.usd);

  const sum = (lines: CostLine[]) => lines.reduce((total, line) => total + line.usd, 0);
  return { fixed, perMillion, fixedUsd: sum(fixed), perMillionUsd: sum(perMillion), paymentBilledMs: billedMs };
}

/** The templates of a `MultiRegionPaymentPlatform`: each serving Region's key and platform stacks, and the data stack. */
export interface MultiRegionTemplates {
  readonly keys: Template[];
  readonly data: Template;
  readonly regions: Template[];
}

/** Lines whose quantity is paid once in every replica Region of a global table. */
const REPLICATED = ['ledger write request units', 'idempotency write request units', 'ledger storage', 'ledger PITR', 'idempotency storage'];

/**
 * The monthly cost of a multi-Region platform, with payments spread over its Regions: each Region's
 * fixed cost as `costOf` counts it (with its key, and the Region's replicas as its tables), Route 53
 * health checks and the replicated API key secrets; per payment, what one Region pays for serving
 * and auditing it, with every table write and GB stored paid in every replica Region, the bytes
 * replicated between Regions, the sweeper's deletes, and each Region's hourly scan of the claims.
 */
export function multiRegionCostOf(templates: MultiRegionTemplates, footprint: PaymentFootprint): Cost {
  const globalTables = Object.values(templates.data.Resources).filter((resource) => resource.Type === 'AWS::DynamoDB::GlobalTable');
  const replicas = Number(globalTables[0]?.Properties?.Replicas?.length ?? 0);
  if (globalTables.length !== 2 || replicas < 2) {
    throw new Error('the data template has no ledger and idempotency global tables with replicas');
  }
  // Each Region's replicas, as costOf reads a Region's own tables.
  const replicaTables = Object.fromEntries(globalTables.map((table, index) => [`Replica${index}`, {
    Type: 'AWS::DynamoDB::Table',
    Properties: {
      BillingMode: table.Properties?.BillingMode,
      StreamSpecification: table.Properties?.StreamSpecification,
      PointInTimeRecoverySpecification: table.Properties?.Replicas?.[0]?.PointInTimeRecoverySpecification,
    },
  }]));
  const regional = templates.regions.map((region, index) =>
    costOf({ Resources: { ...region.Resources, ...templates.keys[index]?.Resources, ...replicaTables } }, footprint));

  const fixed = mergeLines(regional.flatMap((cost) => cost.fixed));
  const add = (lines: CostLine[], item: string, quantity: number, unitUsd: number) => {
    if (quantity > 0) {
      lines.push({ item, quantity, usd: quantity * unitUsd });
    }
  };
  const healthChecks = templates.regions.reduce((sum, region) =>
    sum + Object.values(region.Resources).filter((resource) => resource.Type === 'AWS::Route53::HealthCheck').length, 0);
  add(fixed, 'Route 53 health checks', healthChecks, PRICES.route53HealthCheckMonth.usd);
  const httpsChecks = templates.regions.reduce((sum, region) => sum + Object.values(region.Resources)
    .filter((resource) => resource.Type === 'AWS::Route53::HealthCheck' && resource.Properties?.HealthCheckConfig?.Type === 'HTTPS').length, 0);
  add(fixed, 'Route 53 HTTPS health check option', httpsChecks, PRICES.route53HttpsOptionMonth.usd);
  const secrets = Object.values(templates.data.Resources).filter((resource) => resource.Type === 'AWS::SecretsManager::Secret')
    .reduce((sum, secret) => sum + 1 + Number(secret.Properties?.ReplicaRegions?.length ?? 0), 0);
  add(fixed, 'API key secrets and their replicas', secrets, PRICES.secretMonth.usd);

  // One Region serves and audits each payment; its tables' lines are paid in every replica Region.
  const perMillion = regional[0].perMillion.map((line) => (REPLICATED.some((item) => line.item.startsWith(item))
    ? { item: `${line.item}, in ${replicas} replica Regions`, quantity: line.quantity * replicas, usd: line.usd * replicas }
    : line));
  add(perMillion, `claim deletes by the sweeper, in ${replicas} replica Regions`, MILLION * replicas, PRICES.dynamodbReplicatedWriteRequestUnit.usd);
  const replicatedBytes = footprint.ledgerItemBytes + footprint.idempotencyItemBytes;
  add(perMillion, 'GB replicated to the other Regions', (MILLION * replicatedBytes * (replicas - 1)) / GB, PRICES.interRegionTransferGb.usd);
  // A month's million claims live a day each: about a thirtieth of them are in the table when a sweep
  // scans it, every hour in every serving Region (eventually consistent reads, 4 KB per unit).
  const liveClaimBytes = (MILLION * ASSUMPTIONS.idempotencyMonthFraction) * (footprint.idempotencyItemBytes + ASSUMPTIONS.dynamodbItemOverheadBytes);
  const scansPerMonth = HOURS_PER_MONTH * templates.regions.length;
  add(perMillion, `claim scans by the sweepers (hourly, ${templates.regions.length} Regions)`, scansPerMonth * Math.ceil(liveClaimBytes / 4096) * 0.5, PRICES.dynamodbReadRequestUnit.usd);

  const sum = (lines: CostLine[]) => lines.reduce((total, line) => total + line.usd, 0);
  return { fixed, perMillion, fixedUsd: sum(fixed), perMillionUsd: sum(perMillion), paymentBilledMs: regional[0].paymentBilledMs };
}

/** Lines of the same item added together. */
function mergeLines(lines: CostLine[]): CostLine[] {
  const merged = new Map<string, CostLine>();
  for (const line of lines) {
    const seen = merged.get(line.item);
    merged.set(line.item, seen ? { item: line.item, quantity: seen.quantity + line.quantity, usd: seen.usd + line.usd } : line);
  }
  return [...merged.values()];
}

/** Metrics an alarm is billed for: one, or each metric (not expression) of a metric-math alarm. */
function alarmMetrics(alarm: Resource): number {
  const metrics = alarm.Properties?.Metrics as Array<{ MetricStat?: unknown }> | undefined;
  return metrics ? metrics.filter((metric) => metric.MetricStat !== undefined).length : 1;
}

/** The footprint of a payment through the processor step, if `paymentFunction` has a processor. */
function processorFootprint(paymentFunction: Resource, footprint: PaymentFootprint): ProcessorFootprint | undefined {
  if (paymentFunction.Properties?.Environment?.Variables?.PROCESSOR_FUNCTION_NAME === undefined) {
    return undefined;
  }
  if (!footprint.processor) {
    throw new Error('the template has a processor, and the footprint says nothing of a payment through one');
  }
  return footprint.processor;
}

/** The payment handler and the audit writer, known by the environment variables they read. */
function platformFunctions(resources: Resource[]): [Resource, Resource] {
  const functions = resources.filter((resource) => resource.Type === 'AWS::Lambda::Function');
  const byRole = (variable: string) => functions.find((fn) => fn.Properties?.Environment?.Variables?.[variable] !== undefined
    && fn.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME !== 'payments-completer');
  const payment = byRole('IDEMPOTENCY_TABLE_NAME');
  const audit = byRole('AUDIT_BUCKET_NAME');
  if (!payment || !audit) {
    throw new Error('the template has no payment handler (IDEMPOTENCY_TABLE_NAME) or audit writer function');
  }
  return [payment, audit];
}

/**
 * Billed milliseconds of one payment: the handler's measured CPU time, stretched by the share of a
 * vCPU its memory size buys, plus a DynamoDB round trip per call, rounded up to Lambda's 1 ms.
 */
function paymentBilledMs(fn: Resource, footprint: PaymentFootprint): number {
  const memory = Number(fn.Properties?.MemorySize ?? 128);
  const cpuMs = footprint.handlerCpuMs * Math.max(1, ASSUMPTIONS.lambdaMbPerVcpu / memory);
  return Math.ceil(cpuMs + footprint.dynamodbCalls * ASSUMPTIONS.dynamodbRoundTripMs);
}

function gbSeconds(fn: Resource, billedMs: number): number {
  return (Number(fn.Properties?.MemorySize ?? 128) / 1024) * (billedMs / 1000);
}

function gbSecondPrice(fn: Resource): number {
  return (fn.Properties?.Architectures ?? ['x86_64']).includes('arm64') ? PRICES.lambdaArmGbSecond.usd : PRICES.lambdaX86GbSecond.usd;
}

/** Write units of one standard write of an item: one per started KB. */
function writeUnits(itemBytes: number): number {
  return Math.max(1, Math.ceil(itemBytes / 1024));
}

/** The target utilisation of the ledger's write capacity auto scaling, in percent. */
function targetUtilisation(resources: Resource[]): number {
  const policy = resources.find((resource) => resource.Type === 'AWS::ApplicationAutoScaling::ScalingPolicy'
    && JSON.stringify(resource.Properties?.TargetTrackingScalingPolicyConfiguration ?? {}).includes('WriteCapacityUtilization'));
  return Number(policy?.Properties?.TargetTrackingScalingPolicyConfiguration?.TargetValue ?? 100);
}

/**
 * The stage's access log group: its class, and the bytes of one line, taken as the format's own
 * length since each `$context` variable is about as long as the value that replaces it.
 */
function accessLogGroup(template: Template): { bytes: number; infrequent: boolean } {
  const stage = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::ApiGateway::Stage');
  const setting = stage?.Properties?.AccessLogSetting;
  if (typeof setting?.Format !== 'string') {
    return { bytes: 0, infrequent: false };
  }
  const group = template.Resources[setting.DestinationArn?.['Fn::GetAtt']?.[0]];
  return { bytes: Buffer.byteLength(setting.Format) + 1, infrequent: group?.Properties?.LogGroupClass === 'INFREQUENT_ACCESS' };
}
