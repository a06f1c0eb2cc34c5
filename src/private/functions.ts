import { CfnResource, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { skipCheckov } from './acknowledge';
import type { ServicePrefixLists } from './service-prefix-lists';

/** Where the platform's functions run and how their logs are kept. */
export interface SharedFunctionSettings {
  readonly vpc: ec2.IVpc;
  /** Where the functions may send: the prefix lists of DynamoDB and S3. */
  readonly services: ServicePrefixLists;
  readonly key: kms.IKey;
  readonly retention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * What a function in a VPC needs to attach to it, as AWS's AWSLambdaVPCAccessExecutionRole grants;
 * EC2 network interface actions of Lambda take no resource-level permissions.
 */
const VPC_ACCESS_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

/**
 * A security group for one function: nothing in, and HTTPS out to DynamoDB and S3 only (their
 * prefix lists, which the VPC's gateway endpoints serve), the only services the functions call.
 * Amazon's DNS resolver is reached whatever the rules say.
 */
export function functionSecurityGroup(scope: Construct, id: string, vpc: ec2.IVpc, purpose: string, services: ServicePrefixLists): ec2.SecurityGroup {
  const group = new ec2.SecurityGroup(scope, id, {
    vpc,
    // The description predates the prefix lists; a new one would replace the group (and its ENIs).
    description: `The ${purpose}: no inbound traffic, HTTPS out to AWS APIs only`,
    allowAllOutbound: false,
  });
  group.addEgressRule(services.dynamoDb, ec2.Port.tcp(443), 'HTTPS to DynamoDB (through the gateway endpoint)');
  group.addEgressRule(services.s3, ec2.Port.tcp(443), 'HTTPS to S3 (through the gateway endpoint)');
  return group;
}

/**
 * What the platform's functions share: an encrypted log group `<name>Logs` and a role `<name>Role`
 * in `scope`. Each function gets a role of its own instead of aws-cdk-lib's, whose AWS managed
 * policies let a function write to every log group of the account: this one may write only to the
 * function's own log group, and manage the network interfaces that attach it to the VPC.
 */
export function newFunctionLogsAndRole(scope: Construct, name: string, placement: SharedFunctionSettings, group: ec2.ISecurityGroup) {
  const { vpc, key, retention, removalPolicy } = placement;
  const logGroup = new logs.LogGroup(scope, `${name}Logs`, { encryptionKey: key, retention, removalPolicy });
  const role = new iam.Role(scope, `${name}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    inlinePolicies: {
      OwnLogsAndNetworkInterfaces: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
          new iam.PolicyStatement({ actions: [...VPC_ACCESS_ACTIONS], resources: ['*'] }),
        ],
      }),
    },
  });
  skipCheckov(role.node.defaultChild as CfnResource, [{
    id: 'CKV_AWS_111',
    comment: 'The only unconstrained write actions are the EC2 network interface actions that attach the function to its VPC, which take no resource-level permissions (as in the AWS managed AWSLambdaVPCAccessExecutionRole).',
  }]);
  return {
    architecture: lambda.Architecture.ARM_64,
    tracing: lambda.Tracing.ACTIVE,
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    securityGroups: [group],
    environmentEncryption: key,
    logGroup,
    role,
  };
}
