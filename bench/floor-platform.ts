/**
 * The floor the payment platform is measured against at synthesis: the same AWS resources that
 * `new PaymentPlatform(stack, 'Payments', profile)` declares, written by hand with aws-cdk-lib L2
 * constructs in a few functions, one per part, as a team would without this library. No profile
 * validation, no aspects, no cdk-nag or checkov acknowledgements, nothing from `src/`.
 *
 * The handlers are the already bundled assets under `assets/handlers/`, so synthesis bundles nothing.
 */
import * as path from 'path';
import { ArnFormat, Duration, Fn, Names, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import * as cr from 'aws-cdk-lib/custom-resources';
// Types only: the floor takes the profile's data and loads none of the library's modules.
import type { EnvironmentProfile } from '../src/environment-profile-types';

/**
 * Options of `floorPlatform`.
 */
export interface FloorOptions {
  /**
   * Build the system with CDK defaults instead: a NAT gateway per AZ (Vpc default), no gateway or
   * interface VPC endpoints, no S3 bucket key on the audit bucket, and the audit writer writing one
   * S3 object per payment (event source batch size 1). Used by the cost comparison.
   *
   * @default false
   */
  readonly cdkDefaults?: boolean;
}

/**
 * Declares the payment platform of `profile` in `stack` with plain L2 constructs.
 */
export function floorPlatform(stack: Stack, profile: EnvironmentProfile, options: FloorOptions = {}): void {
  const destroy = profile.removalPolicy === RemovalPolicy.DESTROY;
  const removalPolicy = destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

  Tags.of(stack).add('Environment', profile.envName);
  Tags.of(stack).add('CostCenter', profile.costCenter);
  Tags.of(stack).add('Owner', profile.owner);
  Tags.of(stack).add('DataClassification', profile.dataClassification);

  const floor: Floor = {
    stack,
    profile,
    cdkDefaults: options.cdkDefaults ?? false,
    destroy,
    removalPolicy,
    retention: logs.RetentionDays.ONE_YEAR,
    key: floorKey(stack, profile, removalPolicy),
    iamAuthorization: profile.apiIamAuthorization ?? true,
  };
  const vpc = floorNetwork(floor);
  const ledger = floorLedger(floor);
  const auditBucket = floorAuditBuckets(floor);
  const data: FloorData = { ledger, auditBucket, ...floorIdempotencyAndDeadLetters(floor) };
  const functions = floorFunctions(floor, vpc, data);
  const api = floorApi(floor, functions.handler);
  if (profile.apiWaf) {
    floorWaf(floor, api);
  }
  if (!profile.enableAlarms) {
    return;
  }
  const alarms = floorAlarms(floor, floorAlarmTopic(floor), data, functions, api);
  floorDashboard(floor, alarms, functions, api);
}

/** What every part of the floor shares: where it goes, the profile and what follows from it, and the key. */
interface Floor {
  readonly stack: Stack;
  readonly profile: EnvironmentProfile;
  readonly cdkDefaults: boolean;
  readonly destroy: boolean;
  readonly removalPolicy: RemovalPolicy;
  readonly retention: logs.RetentionDays;
  readonly key: kms.Key;
  readonly iamAuthorization: boolean;
}

/** The data stores and the dead-letter queue that the functions use and the alarms watch. */
interface FloorData {
  readonly ledger: dynamodb.Table;
  readonly auditBucket: s3.Bucket;
  readonly idempotencyTable: dynamodb.Table;
  readonly deadLetterQueue: sqs.Queue;
}

/** The two functions. */
interface FloorFunctions {
  readonly handler: lambda.Function;
  readonly auditWriter: lambda.Function;
}

/** The alarms, which the dashboard shows. */
interface FloorAlarms {
  readonly handlerErrorRate: cloudwatch.Alarm;
  readonly clientErrorRate: cloudwatch.Alarm;
  readonly serverErrorRate: cloudwatch.Alarm;
  readonly deadLetters: cloudwatch.Alarm;
  readonly ledgerThrottling: cloudwatch.Alarm;
  readonly auditWriterErrors: cloudwatch.Alarm;
  readonly auditLag: cloudwatch.Alarm;
}

/** One key for every data store, queue, topic and log group. */
function floorKey(stack: Stack, profile: EnvironmentProfile, removalPolicy: RemovalPolicy): kms.Key {
  const key = new kms.Key(stack, 'Key', {
    description: `Encrypts the ${profile.envName} payment platform's data`,
    enableKeyRotation: true,
    removalPolicy,
  });
  // Encrypted log groups need CloudWatch Logs to be allowed to use the key.
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchLogsOfThisAccount',
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
          service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    },
  }));
  return key;
}

/** The VPC, its gateway endpoints and its flow log. */
function floorNetwork({ stack, profile, cdkDefaults, key, retention, removalPolicy }: Floor): ec2.Vpc {
  // `maxAzs` yields only two zones in an account-agnostic stack, so name three.
  const agnostic = Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region);
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
    availabilityZones: agnostic ? [0, 1, 2].map((i) => Fn.select(i, Fn.getAzs())) : stack.availabilityZones.slice(0, 3),
    natGateways: cdkDefaults ? undefined : profile.natGateways ?? 1,
    restrictDefaultSecurityGroup: true,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
    ],
  });
  if (!cdkDefaults) {
    const privateSubnets = [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }];
    vpc.addGatewayEndpoint('DynamoDbEndpoint', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB, subnets: privateSubnets });
    vpc.addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: privateSubnets });
  }
  const flowLogs = new logs.LogGroup(stack, 'FlowLogs', { encryptionKey: key, retention, removalPolicy });
  vpc.addFlowLog('FlowLog', {
    destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
    trafficType: ec2.FlowLogTrafficType.ALL,
  });
  return vpc;
}

/** The ledger table, its auto scaling and its backups. */
function floorLedger({ stack, profile, destroy, key, removalPolicy }: Floor): dynamodb.Table {
  // Read as plain data, since only the profile's type is imported.
  const provisioned = profile.ledgerBilling.provisionedCapacity;
  const ledger = new dynamodb.Table(stack, 'Ledger', {
    partitionKey: { name: 'transaction_id', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'timestamp', type: dynamodb.AttributeType.STRING },
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
    billingMode: provisioned ? dynamodb.BillingMode.PROVISIONED : dynamodb.BillingMode.PAY_PER_REQUEST,
    readCapacity: provisioned?.read,
    writeCapacity: provisioned?.write,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: profile.pointInTimeRecovery },
    stream: dynamodb.StreamViewType.NEW_IMAGE,
    removalPolicy: profile.removalPolicy,
    deletionProtection: !destroy,
  });
  if (provisioned) {
    const { read, write, autoScaling } = provisioned;
    // Scale up to the API's rate (every payment is one write, and reads should keep up), within
    // DynamoDB's 40,000 units per table.
    const ceiling = (floor: number) => Math.min(40000, Math.max(floor, Math.ceil(profile.apiRateLimit)));
    ledger.autoScaleReadCapacity({ minCapacity: read, maxCapacity: autoScaling?.maxRead ?? ceiling(read) })
      .scaleOnUtilization({ targetUtilizationPercent: 70 });
    ledger.autoScaleWriteCapacity({ minCapacity: write, maxCapacity: autoScaling?.maxWrite ?? ceiling(write) })
      .scaleOnUtilization({ targetUtilizationPercent: 70 });
  }
  if (profile.ledgerBackups) {
    const plan = new backup.BackupPlan(stack, 'LedgerBackupPlan', {
      backupVault: new backup.BackupVault(stack, 'LedgerBackupVault', { encryptionKey: key, removalPolicy }),
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'Daily', scheduleExpression: events.Schedule.cron({ hour: '3', minute: '0' }), deleteAfter: Duration.days(35),
        }),
        new backup.BackupPlanRule({
          ruleName: 'Monthly', scheduleExpression: events.Schedule.cron({ day: '1', hour: '4', minute: '0' }), deleteAfter: Duration.days(365),
        }),
      ],
    });
    plan.addSelection('Ledger', { resources: [backup.BackupResource.fromDynamoDbTable(ledger)] });
  }
  return ledger;
}

/** The audit bucket and the bucket of its server access logs; returns the audit bucket. */
function floorAuditBuckets({ stack, profile, cdkDefaults, destroy, key, removalPolicy }: Floor): s3.Bucket {
  const glacierRule: s3.LifecycleRule = {
    id: 'ArchiveToGlacier',
    transitions: [{ storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(profile.auditGlacierTransitionDays) }],
    noncurrentVersionTransitions: [{ storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(profile.auditGlacierTransitionDays) }],
    abortIncompleteMultipartUploadAfter: Duration.days(7),
  };
  // S3 delivers server access logs only to buckets encrypted with SSE-S3.
  const accessLogs = new s3.Bucket(stack, 'AuditAccessLogs', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy,
    autoDeleteObjects: destroy,
    lifecycleRules: [glacierRule],
  });
  const lockDays = profile.auditObjectLockDays;
  const auditBucket = new s3.Bucket(stack, 'AuditBucket', {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    bucketKeyEnabled: cdkDefaults ? undefined : true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    objectLockEnabled: lockDays !== undefined ? true : undefined,
    objectLockDefaultRetention: lockDays !== undefined ? s3.ObjectLockRetention.compliance(Duration.days(lockDays)) : undefined,
    lifecycleRules: [glacierRule],
    removalPolicy,
    autoDeleteObjects: destroy,
  });
  // L1 because the L2 `serverAccessLogsBucket` delivers through ACLs (which bucket-owner-enforced
  // ownership forbids) unless the app sets `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy`.
  (auditBucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
    destinationBucketName: accessLogs.bucketName,
    logFilePrefix: 'audit-bucket/',
  };
  accessLogs.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowAuditBucketAccessLogDelivery',
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [accessLogs.arnForObjects('audit-bucket/*')],
    conditions: { ArnLike: { 'aws:SourceArn': auditBucket.bucketArn }, StringEquals: { 'aws:SourceAccount': stack.account } },
  }));
  return auditBucket;
}

/** Idempotency records and the dead-letter queue. */
function floorIdempotencyAndDeadLetters({ stack, profile, key, removalPolicy }: Floor) {
  const idempotencyTable = new dynamodb.Table(stack, 'IdempotencyTable', {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
    timeToLiveAttribute: 'expires_at',
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy,
  });
  const deadLetterQueue = new sqs.Queue(stack, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    dataKeyReuse: Duration.hours(1),
    retentionPeriod: profile.deadLetterRetention,
    enforceSSL: true,
    removalPolicy,
  });
  return { idempotencyTable, deadLetterQueue };
}

/**
 * The prefix lists of DynamoDB and S3, read at deploy time, so that functions send nowhere else;
 * returns a maker of security groups that allow only HTTPS out to them.
 */
function floorSecurityGroups({ stack, key, retention }: Floor, vpc: ec2.Vpc): (id: string, purpose: string) => ec2.SecurityGroup {
  const lookupLogs = new logs.LogGroup(stack, 'PrefixListLookupLogs', { encryptionKey: key, retention });
  const lookupRole = new iam.Role(stack, 'PrefixListLookupRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    inlinePolicies: {
      Lookup: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({ actions: ['ec2:DescribeManagedPrefixLists'], resources: ['*'] }),
          new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [lookupLogs.logGroupArn] }),
        ],
      }),
    },
  });
  const prefixList = (service: string) => {
    const call: cr.AwsSdkCall = {
      service: 'EC2',
      action: 'describeManagedPrefixLists',
      parameters: { Filters: [{ Name: 'prefix-list-name', Values: [`com.amazonaws.${stack.region}.${service}`] }] },
      physicalResourceId: cr.PhysicalResourceId.fromResponse('PrefixLists.0.PrefixListId'),
      outputPaths: ['PrefixLists.0.PrefixListId'],
    };
    const lookup = new cr.AwsCustomResource(stack, `${service}PrefixList`, { onCreate: call, onUpdate: call, installLatestAwsSdk: false, role: lookupRole, logGroup: lookupLogs });
    return ec2.Peer.prefixList(lookup.getResponseField('PrefixLists.0.PrefixListId'));
  };
  const servicePeers = [prefixList('dynamodb'), prefixList('s3')];
  return (id, purpose) => {
    const group = new ec2.SecurityGroup(stack, id, {
      vpc,
      description: `The ${purpose}: no inbound traffic, HTTPS out to AWS APIs only`,
      allowAllOutbound: false,
    });
    for (const peer of servicePeers) {
      group.addEgressRule(peer, ec2.Port.tcp(443), 'HTTPS to DynamoDB or S3');
    }
    return group;
  };
}

/** The payment handler and the audit writer, with their logs, security groups and permissions. */
function floorFunctions(floor: Floor, vpc: ec2.Vpc, data: FloorData): FloorFunctions {
  const { stack, profile, cdkDefaults, key, retention, removalPolicy, iamAuthorization } = floor;
  const { ledger, auditBucket, idempotencyTable, deadLetterQueue } = data;
  const runtime = new lambda.Runtime('nodejs24.x', lambda.RuntimeFamily.NODEJS);
  const environment = { POWERTOOLS_METRICS_NAMESPACE: 'PaymentPlatform', POWERTOOLS_LOG_LEVEL: 'INFO', PAYMENTS_ENVIRONMENT: profile.envName };
  const httpsOnlyGroup = floorSecurityGroups(floor, vpc);
  const handler = new lambda.Function(stack, 'Handler', {
    description: 'Accepts and reads payments for the payments API',
    runtime,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(path.join(__dirname, '..', 'assets', 'handlers', 'payment-handler.lambda')),
    architecture: lambda.Architecture.ARM_64,
    memorySize: 512,
    timeout: Duration.seconds(30),
    tracing: lambda.Tracing.ACTIVE,
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    securityGroups: [httpsOnlyGroup('HandlerSecurityGroup', 'payment handler')],
    environmentEncryption: key,
    logGroup: new logs.LogGroup(stack, 'HandlerLogs', { encryptionKey: key, retention, removalPolicy }),
    deadLetterQueue,
    environment: {
      ...environment,
      POWERTOOLS_SERVICE_NAME: 'payments-api',
      LEDGER_TABLE_NAME: ledger.tableName,
      IDEMPOTENCY_TABLE_NAME: idempotencyTable.tableName,
      IDEMPOTENCY_TTL_SECONDS: String(Duration.hours(24).toSeconds()),
      IAM_AUTHORIZATION: String(iamAuthorization),
    },
  });
  ledger.grant(handler, 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query');
  key.grantEncryptDecrypt(handler);
  idempotencyTable.grant(handler, 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');

  const auditWriter = new lambda.Function(stack, 'AuditWriter', {
    description: 'Writes batches of new ledger items to the audit bucket as JSON lines',
    runtime,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(path.join(__dirname, '..', 'assets', 'handlers', 'audit-writer.lambda')),
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: Duration.seconds(60),
    tracing: lambda.Tracing.ACTIVE,
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    securityGroups: [httpsOnlyGroup('AuditWriterSecurityGroup', 'audit writer')],
    environmentEncryption: key,
    logGroup: new logs.LogGroup(stack, 'AuditWriterLogs', { encryptionKey: key, retention, removalPolicy }),
    deadLetterQueue,
    environment: {
      ...environment,
      POWERTOOLS_SERVICE_NAME: 'payments-audit',
      AUDIT_BUCKET_NAME: auditBucket.bucketName,
      AUDIT_PREFIX: 'audit/',
    },
  });
  key.grant(auditWriter, 'kms:GenerateDataKey');
  auditWriter.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [auditBucket.arnForObjects('audit/*')] }));
  auditWriter.addEventSource(new DynamoEventSource(ledger, {
    startingPosition: lambda.StartingPosition.TRIM_HORIZON,
    batchSize: cdkDefaults ? 1 : 100,
    maxBatchingWindow: Duration.seconds(20),
    bisectBatchOnError: true,
    retryAttempts: 10,
    onFailure: new SqsDlq(deadLetterQueue),
    filters: [lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.isEqual('INSERT') })],
  }));
  return { handler, auditWriter };
}

/** The REST API with its logs, gateway responses, routes and usage plan. */
function floorApi({ stack, profile, key, retention, removalPolicy, iamAuthorization }: Floor, handler: lambda.Function): apigateway.RestApi {
  const burstLimit = profile.apiBurstLimit ?? Math.ceil(profile.apiRateLimit * 2);
  const api = new apigateway.RestApi(stack, 'Api', {
    description: `Payments API (${profile.envName})`,
    endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
    // The account's logging role is set once per account and region, outside the environment.
    cloudWatchRole: false,
    apiKeySourceType: apigateway.ApiKeySourceType.HEADER,
    defaultMethodOptions: {
      apiKeyRequired: true,
      authorizationType: iamAuthorization ? apigateway.AuthorizationType.IAM : apigateway.AuthorizationType.NONE,
    },
    deployOptions: {
      stageName: 'v1',
      tracingEnabled: true,
      metricsEnabled: true,
      loggingLevel: apigateway.MethodLoggingLevel.INFO,
      dataTraceEnabled: false,
      throttlingRateLimit: profile.apiRateLimit,
      throttlingBurstLimit: burstLimit,
      accessLogDestination: new apigateway.LogGroupLogDestination(
        new logs.LogGroup(stack, 'AccessLogs', { encryptionKey: key, retention, removalPolicy })),
      accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
    },
  });
  // The execution log group that API Gateway would otherwise create itself.
  const executionLogs = new logs.LogGroup(stack, 'ExecutionLogs', {
    logGroupName: `API-Gateway-Execution-Logs_${api.restApiId}/v1`, encryptionKey: key, retention, removalPolicy,
  });
  api.deploymentStage.node.addDependency(executionLogs);
  for (const [type, statusCode, code, message, retryAfter] of GATEWAY_RESPONSES) {
    api.addGatewayResponse(`${type.responseType}Response`, {
      type,
      statusCode,
      responseHeaders: {
        'Content-Type': "'application/json'",
        ...(retryAfter !== undefined ? { 'Retry-After': `'${retryAfter}'` } : {}),
      },
      templates: { 'application/json': JSON.stringify({ error: { code, message, requestId: '$context.requestId' } }) },
    });
  }
  const integration = new apigateway.LambdaIntegration(handler, { proxy: true, allowTestInvoke: false });
  const payments = api.root.addResource('payments');
  payments.addMethod('POST', integration, { requestParameters: { 'method.request.header.Idempotency-Key': true } });
  payments.addResource('{transactionId}').addMethod('GET', integration, { requestParameters: { 'method.request.path.transactionId': true } });
  api.addUsagePlan('UsagePlan', {
    description: `Rate limits of the ${profile.envName} payments API`,
    throttle: { rateLimit: profile.apiRateLimit, burstLimit },
    apiStages: [{ api, stage: api.deploymentStage }],
  });
  return api;
}

/** The web ACL of the API's stage, with its logs. */
function floorWaf({ stack, key, retention, removalPolicy }: Floor, api: apigateway.RestApi): void {
  const managed = (name: string, priority: number, countOnly: string[] = []): wafv2.CfnWebACL.RuleProperty => ({
    name,
    priority,
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name,
        ruleActionOverrides: countOnly.length > 0 ? countOnly.map((rule) => ({ name: rule, actionToUse: { count: {} } })) : undefined,
      },
    },
    visibilityConfig: { sampledRequestsEnabled: true, cloudWatchMetricsEnabled: true, metricName: name },
  });
  // WAF has no L2 construct in aws-cdk-lib.
  const webAcl = new wafv2.CfnWebACL(stack, 'WebAcl', {
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: { sampledRequestsEnabled: true, cloudWatchMetricsEnabled: true, metricName: 'PaymentsApi' },
    rules: [
      // The API accepts 16 KiB bodies, above the common rule set's 8 KB limit.
      managed('AWSManagedRulesCommonRuleSet', 0, ['SizeRestrictions_BODY']),
      managed('AWSManagedRulesKnownBadInputsRuleSet', 1),
      managed('AWSManagedRulesAmazonIpReputationList', 2),
    ],
  });
  new wafv2.CfnWebACLAssociation(stack, 'WebAclAssociation', { resourceArn: api.deploymentStage.stageArn, webAclArn: webAcl.attrArn });
  // WAF writes only to log groups whose names start with aws-waf-logs-.
  const wafLogs = new logs.LogGroup(stack, 'WafLogs', {
    logGroupName: `aws-waf-logs-${Names.uniqueResourceName(webAcl, { maxLength: 100 })}`,
    encryptionKey: key,
    retention,
    removalPolicy,
  });
  new wafv2.CfnLoggingConfiguration(stack, 'WafLogging', {
    resourceArn: webAcl.attrArn,
    logDestinationConfigs: [stack.formatArn({
      service: 'logs', resource: 'log-group', resourceName: wafLogs.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    })],
  });
}

/** The topic alarms notify, and the rule that reports the key's destruction to it. */
function floorAlarmTopic({ stack, profile, key }: Floor): sns.Topic {
  // CloudWatch publishes to an encrypted topic only if the key lets it.
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarmsToPublish',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
  }));
  const topic = new sns.Topic(stack, 'AlarmTopic', { displayName: `Payments alarms (${profile.envName})`, masterKey: key, enforceSSL: true });
  // CloudTrail's report of the key scheduled for deletion, disabled or re-policed, to the topic.
  new events.Rule(stack, 'KeyDestruction', {
    eventPattern: {
      source: ['aws.kms'],
      detailType: ['AWS API Call via CloudTrail'],
      detail: { eventName: ['ScheduleKeyDeletion', 'DisableKey', 'PutKeyPolicy'], resources: { ARN: [key.keyArn] } },
    },
    targets: [new eventTargets.SnsTopic(topic)],
  });
  return topic;
}

/** The alarms, each notifying `topic` when it fires and when it clears. */
function floorAlarms(
  { stack, profile }: Floor,
  topic: sns.Topic,
  { ledger, deadLetterQueue }: FloorData,
  { handler, auditWriter }: FloorFunctions,
  api: apigateway.RestApi,
): FloorAlarms {
  const notify = new actions.SnsAction(topic);
  const alarm = (id: string, props: cloudwatch.AlarmProps) => {
    const created = new cloudwatch.Alarm(stack, id, { treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, ...props });
    created.addAlarmAction(notify);
    created.addOkAction(notify);
    return created;
  };
  const rate = (id: string, description: string, failed: cloudwatch.IMetric, total: cloudwatch.IMetric, threshold: number) => {
    const name = `${id.charAt(0).toLowerCase()}${id.slice(1)}`;
    return alarm(id, {
      alarmDescription: `${profile.envName}: ${description} above ${threshold}%.`,
      metric: new cloudwatch.MathExpression({
        expression: `IF(${name}Total > 0, 100 * ${name}Failed / ${name}Total, 0)`,
        usingMetrics: { [`${name}Failed`]: failed, [`${name}Total`]: total },
        period: PERIOD,
        label: `${description} (%)`,
      }),
      threshold,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
  };
  const handlerErrorRate = rate('HandlerErrorRate', 'payment handler error rate',
    handler.metricErrors({ period: PERIOD }), handler.metricInvocations({ period: PERIOD }), 1);
  const clientErrorRate = rate('ClientErrorRate', 'API 4XX rate', api.metricClientError({ period: PERIOD }), api.metricCount({ period: PERIOD }), 10);
  const serverErrorRate = rate('ServerErrorRate', 'API 5XX rate', api.metricServerError({ period: PERIOD }), api.metricCount({ period: PERIOD }), 1);
  const deadLetters = alarm('DeadLetterMessages', {
    alarmDescription: `${profile.envName}: messages in the payments dead-letter queue. Each is an audit batch or an invocation that was not processed; see docs/payments-api.md of @org/payment-platform on recovering audit records.`,
    metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: MINUTE, statistic: 'Maximum' }),
    threshold: 0,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
  const ledgerThrottling = alarm('LedgerThrottling', {
    alarmDescription: `${profile.envName}: the ledger table throttled reads or writes; payments are being refused with 503.`,
    metric: new cloudwatch.MathExpression({
      expression: 'FILL(reads, 0) + FILL(writes, 0)',
      usingMetrics: {
        reads: ledger.metric('ReadThrottleEvents', { period: MINUTE, statistic: 'Sum' }),
        writes: ledger.metric('WriteThrottleEvents', { period: MINUTE, statistic: 'Sum' }),
      },
      period: MINUTE,
      label: 'Ledger throttle events',
    }),
    threshold: 0,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
  const auditWriterErrors = alarm('AuditWriterErrors', {
    alarmDescription: `${profile.envName}: the audit writer failed; batches are being retried and may reach the dead-letter queue.`,
    metric: auditWriter.metricErrors({ period: MINUTE, statistic: 'Sum' }),
    threshold: 0,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
  const auditLag = alarm('AuditLag', {
    alarmDescription: `${profile.envName}: accepted payments are waiting longer than 1 minute for their audit record.`,
    metric: auditWriter.metric('IteratorAge', { period: MINUTE, statistic: 'Maximum' }),
    threshold: Duration.minutes(1).toMilliseconds(),
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
  return { handlerErrorRate, clientErrorRate, serverErrorRate, deadLetters, ledgerThrottling, auditWriterErrors, auditLag };
}

/** The dashboard: the alarms' states, then the traffic, the ledger and the audit pipeline. */
function floorDashboard({ stack, profile }: Floor, alarms: FloorAlarms, { auditWriter }: FloorFunctions, api: apigateway.RestApi): void {
  const handlerMetric = (metricName: string, statistic = 'Sum') => new cloudwatch.Metric({
    namespace: 'PaymentPlatform', metricName, statistic, period: PERIOD, dimensionsMap: { service: 'payments-api', environment: profile.envName },
  });
  const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
    new cloudwatch.GraphWidget({ title, left, right, width: 8, height: 6 });
  const { handlerErrorRate, clientErrorRate, serverErrorRate, deadLetters, ledgerThrottling, auditWriterErrors, auditLag } = alarms;
  const dashboard = new cloudwatch.Dashboard(stack, 'Dashboard', { defaultInterval: Duration.hours(3) });
  dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({
    title: 'Alarms',
    alarms: [handlerErrorRate, clientErrorRate, serverErrorRate, deadLetters, ledgerThrottling, auditWriterErrors, auditLag],
    width: 24,
    height: 3,
  }));
  dashboard.addWidgets(
    graph('Requests and payments', [api.metricCount({ period: PERIOD }), handlerMetric('PaymentsAccepted'), handlerMetric('IdempotentReplays')]),
    graph('Error rates (%)', [handlerErrorRate.metric, clientErrorRate.metric, serverErrorRate.metric]),
    graph('Latency (ms, p99)', [api.metricLatency({ period: PERIOD, statistic: 'p99' }), handlerMetric('HandlerLatency', 'p99')]),
  );
  dashboard.addWidgets(
    graph('Ledger throttling', [ledgerThrottling.metric]),
    graph('Audit pipeline', [auditWriter.metricErrors({ period: MINUTE })], [auditLag.metric]),
    graph('Dead-letter queue', [deadLetters.metric]),
  );
}

/** The period of the rate alarms and of the dashboard's traffic graphs. */
const PERIOD = Duration.minutes(5);
/** The period of the alarms on the dead-letter queue, the ledger's throttling and the audit pipeline. */
const MINUTE = Duration.minutes(1);

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

/** Answers API Gateway gives itself, in the contract's error format: type, status, code, message, Retry-After seconds. */
const GATEWAY_RESPONSES: Array<[apigateway.ResponseType, string | undefined, string, string, number?]> = [
  [apigateway.ResponseType.BAD_REQUEST_BODY, '400', 'invalid_json', 'The request body must be a JSON object.'],
  [apigateway.ResponseType.BAD_REQUEST_PARAMETERS, '400', 'missing_idempotency_key', 'The Idempotency-Key header is required.'],
  [apigateway.ResponseType.REQUEST_TOO_LARGE, '413', 'payload_too_large', 'The request body must be at most 16384 bytes.'],
  [apigateway.ResponseType.UNSUPPORTED_MEDIA_TYPE, '415', 'unsupported_media_type', 'The Content-Type must be application/json.'],
  [apigateway.ResponseType.INVALID_API_KEY, '403', 'forbidden', 'A valid API key is required.'],
  [apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, '403', 'forbidden', 'The request is not signed, or no such route exists.'],
  [apigateway.ResponseType.ACCESS_DENIED, '403', 'forbidden', 'The caller may not use this API.'],
  [apigateway.ResponseType.INVALID_SIGNATURE, '403', 'forbidden', 'The request signature is not valid.'],
  [apigateway.ResponseType.EXPIRED_TOKEN, '403', 'forbidden', 'The security token has expired.'],
  [apigateway.ResponseType.THROTTLED, '429', 'rate_limited', 'Too many requests. Retry later with the same Idempotency-Key.', 1],
  [apigateway.ResponseType.QUOTA_EXCEEDED, '429', 'rate_limited', 'The usage plan quota is used up.', 60],
  [apigateway.ResponseType.INTEGRATION_TIMEOUT, '504', 'gateway_timeout',
    'The request timed out and the payment may have been accepted. Retry with the same Idempotency-Key to get its outcome.', 10],
  [apigateway.ResponseType.DEFAULT_4XX, undefined, 'bad_request', 'The request could not be processed.'],
  [apigateway.ResponseType.DEFAULT_5XX, undefined, 'internal_error', 'An unexpected error occurred. Quote the request id when you contact support.'],
];
