import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeLookupProvider, FRAMEWORKS, nagPackAcknowledgements } from './acknowledge';


const NO_RESOURCE_LEVEL = 'ec2:DescribeManagedPrefixLists takes no resource-level permissions; it only reads the IDs of AWS-managed prefix lists.';

/**
 * The AWS-managed prefix lists of DynamoDB and S3 in this stack's Region (`com.amazonaws.<region>.dynamodb`
 * and `.s3`): the addresses that the platform's functions send to, through the VPC's gateway
 * endpoints. CloudFormation has no attribute for their IDs, and a context lookup would need AWS
 * credentials at synthesis, so they are read with DescribeManagedPrefixLists at deploy time.
 */
export class ServicePrefixLists extends Construct {
  /** DynamoDB's prefix list, as a security group peer. */
  public readonly dynamoDb: ec2.IPeer;
  /** S3's prefix list, as a security group peer. */
  public readonly s3: ec2.IPeer;

  constructor(scope: Construct, id: string, key: kms.IKey, retention: logs.RetentionDays, removalPolicy: RemovalPolicy) {
    super(scope, id);
    const region = Stack.of(this).region;
    const logGroup = new logs.LogGroup(this, 'LookupLogs', { encryptionKey: key, retention, removalPolicy });
    // A role of its own rather than aws-cdk-lib's, whose AWS managed policy may write every log group.
    const role = new iam.Role(this, 'LookupRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Reads the IDs of the DynamoDB and S3 prefix lists of this Region',
      inlinePolicies: {
        DescribePrefixListsAndOwnLogs: new iam.PolicyDocument({
          statements: [
            // DescribeManagedPrefixLists takes no resource-level permissions.
            new iam.PolicyStatement({ actions: ['ec2:DescribeManagedPrefixLists'], resources: ['*'] }),
            new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
          ],
        }),
      },
    });
    const lookup = (service: string) => {
      const call: cr.AwsSdkCall = {
        service: 'EC2',
        action: 'describeManagedPrefixLists',
        parameters: { Filters: [{ Name: 'prefix-list-name', Values: [`com.amazonaws.${region}.${service}`] }] },
        physicalResourceId: cr.PhysicalResourceId.fromResponse('PrefixLists.0.PrefixListId'),
        outputPaths: ['PrefixLists.0.PrefixListId'],
      };
      const resource = new cr.AwsCustomResource(this, service === 'dynamodb' ? 'DynamoDb' : 'S3', {
        onCreate: call, onUpdate: call, installLatestAwsSdk: false, role, logGroup,
      });
      return ec2.Peer.prefixList(resource.getResponseField('PrefixLists.0.PrefixListId'));
    };
    this.dynamoDb = lookup('dynamodb');
    this.s3 = lookup('s3');
    acknowledge(role, [
      ...nagPackAcknowledgements('IAMNoInlinePolicy', 'The lookup\'s own role may describe prefix lists and write its own log group; an inline policy keeps it beside the role it belongs to.', FRAMEWORKS),
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: NO_RESOURCE_LEVEL },
      ...nagPackAcknowledgements('LambdaStarPermissions', NO_RESOURCE_LEVEL, ['Serverless']),
    ]);
    acknowledgeLookupProvider(this);
  }
}
