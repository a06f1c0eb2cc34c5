import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeLookupProvider, FRAMEWORKS, nagPackAcknowledgements } from './acknowledge';


/**
 * The exact ARN of the stream of a multi-Region table's replica in this stack's Region. CloudFormation
 * knows it only in the stack that defines the table (elsewhere aws-cdk-lib gives a wildcard, which an
 * event source mapping does not take), so it is read with DescribeTable at deploy time.
 */
export function regionalStreamArn(scope: Construct, id: string, tableName: string, key: kms.IKey, retention: logs.RetentionDays): string {
  const stack = Stack.of(scope);
  const describe: cr.AwsSdkCall = {
    service: 'DynamoDB',
    action: 'describeTable',
    parameters: { TableName: tableName },
    physicalResourceId: cr.PhysicalResourceId.fromResponse('Table.LatestStreamArn'),
    outputPaths: ['Table.LatestStreamArn'],
  };
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, { encryptionKey: key, retention });
  // A role of its own rather than aws-cdk-lib's, whose AWS managed policy may write every log group.
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Reads the stream ARN of the ${tableName} replica in this Region`,
    inlinePolicies: {
      DescribeTableAndOwnLogs: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({ actions: ['dynamodb:DescribeTable'], resources: [stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: tableName })] }),
          new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
        ],
      }),
    },
  });
  const lookup = new cr.AwsCustomResource(scope, id, {
    onCreate: describe,
    onUpdate: describe,
    installLatestAwsSdk: false,
    role,
    logGroup,
  });
  acknowledge(role, nagPackAcknowledgements('IAMNoInlinePolicy', 'The lookup\'s own role may describe one table and write its own log group; an inline policy keeps it beside the role it belongs to.', FRAMEWORKS));
  acknowledgeLookupProvider(stack);
  return lookup.getResponseField('Table.LatestStreamArn');
}
