import { Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EnvironmentProfile, SecurityControl } from './environment-profile-types';
import { acknowledge, FRAMEWORKS, nagPackAcknowledgements } from './private/acknowledge';
import { guardControl } from './private/guardrails';
import { allowLogsToUseKey, newPlatformKey } from './private/keys';
import { standaloneProps, vpcPropsOf } from './private/profile-props';
import { keptOrDestroyed } from './private/values';

/**
 * Properties of a `SecureVpc`.
 */
export interface SecureVpcProps {
  /**
   * Environment profile to take the NAT gateway count and removal policy from, for a VPC outside a
   * `PaymentPlatform` (which decides these props from its own profile). The other props override it.
   *
   * @default - the defaults of the other props
   */
  readonly profile?: EnvironmentProfile;

  /**
   * Number of NAT gateways, from 1 to 3. One is the cheap choice; three keep every availability
   * zone's egress independent of the others.
   *
   * @default 1
   */
  readonly natGateways?: number;

  /**
   * What happens to the flow log group (and a key created here) when they leave the stack: deleted
   * with `DESTROY`, retained otherwise.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * IPv4 CIDR block of the VPC; a /16 to /20 leaves room for three /24 public and three /20 private subnets.
   *
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;

  /**
   * The three availability zones to place subnets in, by name, such as
   * `['us-east-1a', 'us-east-1b', 'us-east-1d']`.
   *
   * Name them where a zone of the region is constrained for this account (in us-east-1, the zone
   * with ID `use1-az3` has limited capacity, and some services do not support it).
   * Zone names map to different physical zones in each account, so find the names by zone ID:
   * `aws ec2 describe-availability-zones --region us-east-1 --query "AvailabilityZones[].[ZoneName,ZoneId]"`.
   *
   * @default - the first three zones of the region: those that CDK's context lookup gives for a
   * stack with a concrete account and region, else the first three of `Fn::GetAZs`, which
   * CloudFormation resolves at deployment in the account's own order
   */
  readonly availabilityZones?: string[];

  /**
   * How long VPC flow logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;

  /**
   * Customer-managed key that encrypts the flow log group. It must allow CloudWatch Logs of this
   * region to use it; the construct adds that statement to keys it can modify.
   *
   * @default - a new key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * A VPC for payment workloads: three availability zones with public and private subnets, a
 * configurable number of NAT gateways, gateway endpoints so that DynamoDB and S3 traffic never
 * crosses the NAT, encrypted flow logs of all traffic, and a default security group with no rules.
 */
export class SecureVpc extends Construct {
  /** The VPC. */
  public readonly vpc: ec2.Vpc;
  /** The log group that receives the VPC flow logs. */
  public readonly flowLogGroup: logs.LogGroup;
  /** The key that encrypts the flow log group. */
  public readonly key: kms.IKey;
  /** The gateway endpoint for DynamoDB. */
  public readonly dynamoDbEndpoint: ec2.GatewayVpcEndpoint;
  /** The gateway endpoint for S3. */
  public readonly s3Endpoint: ec2.GatewayVpcEndpoint;

  constructor(scope: Construct, id: string, given: SecureVpcProps = {}) {
    super(scope, id);
    const props = standaloneProps(this, given, vpcPropsOf);
    const natGateways = props.natGateways ?? 1;
    const problems: string[] = [];
    if (!Number.isInteger(natGateways) || natGateways < 1 || natGateways > AZ_COUNT) {
      problems.push(`\`natGateways\` is ${natGateways}; it must be a whole number from 1 to ${AZ_COUNT}.`);
    }
    const cidr = props.cidr ?? '10.0.0.0/16';
    if (!Token.isUnresolved(cidr) && !/^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|20)$/.test(cidr)) {
      problems.push(`\`cidr\` is '${cidr}'; it must be an IPv4 block from /16 to /20, such as 10.0.0.0/16.`);
    }
    problems.push(...availabilityZoneProblems(props.availabilityZones, Stack.of(this).region));
    if (problems.length > 0) {
      throw new Error(`Invalid SecureVpc props:\n  - ${problems.join('\n  - ')}`);
    }
    const removalPolicy = keptOrDestroyed(props.removalPolicy ?? RemovalPolicy.RETAIN);

    this.key = props.encryptionKey ?? newPlatformKey(this, 'Key', 'Encrypts the VPC flow logs', removalPolicy);
    allowLogsToUseKey(this, this.key);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      availabilityZones: props.availabilityZones ?? threeAvailabilityZones(this),
      natGateways,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      ],
    });

    const privateSubnets = [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }];
    this.dynamoDbEndpoint = this.vpc.addGatewayEndpoint('DynamoDbEndpoint', {
      service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
      subnets: privateSubnets,
    });
    this.s3Endpoint = this.vpc.addGatewayEndpoint('S3Endpoint', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: privateSubnets,
    });

    const flowLogRetention = props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR;
    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      encryptionKey: this.key,
      retention: flowLogRetention,
      removalPolicy,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    guardControl(props, {
      control: SecurityControl.LOG_RETENTION,
      weakened: flowLogRetention < logs.RetentionDays.ONE_YEAR,
      what: `VPC flow logs are kept ${flowLogRetention} days, less than the year PCI DSS 10.5.1 asks`,
      prop: 'flowLogRetention',
      target: this.flowLogGroup,
    });

    acknowledge(this.vpc, [
      ...nagPackAcknowledgements('IAMNoInlinePolicy',
        'The flow log role\'s inline policy is generated by aws-cdk-lib and allows writing to this VPC\'s flow log group only.', FRAMEWORKS),
      ...nagPackAcknowledgements('VPCNoUnrestrictedRouteToIGW',
        'Only the public subnets route 0.0.0.0/0 to the internet gateway, which the NAT gateways need; nothing else is placed in them and they assign no public IPs.', FRAMEWORKS),
    ]);
  }

  /**
   * Lets item reads and writes of `tables` (and their indexes), by principals of this account, pass
   * the DynamoDB gateway endpoint. Its policy allows everything until the first call; from then on,
   * only what the calls named: a function in the VPC can then reach no other table, so nothing it
   * can read leaves the VPC through the endpoint.
   */
  public allowTablesThroughEndpoint(tables: dynamodb.ITable[]): void {
    this.dynamoDbEndpoint.addToPolicy(new iam.PolicyStatement({
      principals: [new iam.AnyPrincipal()],
      actions: TABLE_ACTIONS,
      resources: tables.flatMap((table) => [table.tableArn, `${table.tableArn}/index/*`]),
      conditions: { StringEquals: { 'aws:PrincipalAccount': Stack.of(this).account } },
    }));
  }

  /**
   * Lets `s3:PutObject` of keys matching `keyPattern` in `bucket`, by principals of this account,
   * pass the S3 gateway endpoint. As with `allowTablesThroughEndpoint`, the endpoint allows only
   * what such calls named from the first one on.
   *
   * @param keyPattern the object keys, such as `audit/*`
   */
  public allowObjectWritesThroughEndpoint(bucket: s3.IBucket, keyPattern: string): void {
    this.s3Endpoint.addToPolicy(new iam.PolicyStatement({
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects(keyPattern)],
      conditions: { StringEquals: { 'aws:PrincipalAccount': Stack.of(this).account } },
    }));
  }
}

const AZ_COUNT = 3;

/** What the platform's functions do with DynamoDB tables. */
const TABLE_ACTIONS = [
  'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem', 'dynamodb:Query', 'dynamodb:Scan',
];

function availabilityZoneProblems(zones: string[] | undefined, region: string): string[] {
  if (zones === undefined) {
    return [];
  }
  const problems: string[] = [];
  if (zones.length !== AZ_COUNT || new Set(zones).size !== zones.length) {
    problems.push(`\`availabilityZones\` is [${zones.join(', ')}]; it must name ${AZ_COUNT} different zones.`);
  }
  const concrete = zones.filter((zone) => !Token.isUnresolved(zone));
  const regionPattern = Token.isUnresolved(region) ? '[a-z]{2}(-[a-z]+)+-\\d' : region.replace(/[-]/g, '\\-');
  const foreign = concrete.filter((zone) => !new RegExp(`^${regionPattern}[a-z]$`).test(zone));
  if (foreign.length > 0) {
    problems.push(`\`availabilityZones\` has ${foreign.join(', ')}, which ${foreign.length === 1 ? 'is not a zone name' : 'are not zone names'} of ${
      Token.isUnresolved(region) ? 'any region' : `the stack's region ${region}`}, such as ${Token.isUnresolved(region) ? 'us-east-1' : region}a.`);
  }
  return problems;
}

/**
 * Three availability zones, also in a stack without a concrete account and region, where
 * `Stack.availabilityZones` offers only two because it cannot look them up at synthesis.
 */
function threeAvailabilityZones(scope: Construct): string[] {
  const stack = Stack.of(scope);
  if (Token.isUnresolved(stack.region) || Token.isUnresolved(stack.account)) {
    return [0, 1, 2].map((i) => Fn.select(i, Fn.getAzs()));
  }
  return stack.availabilityZones.slice(0, AZ_COUNT);
}
