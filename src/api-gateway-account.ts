import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge } from './private/acknowledge';

/**
 * Properties of an `ApiGatewayAccount`.
 */
export interface ApiGatewayAccountProps {
  /**
   * What happens to the role and the account setting when the stack is deleted. Retained by
   * default: every REST API of the account and region that logs depends on them, and a deleted role
   * would silently stop their execution and access logs.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The account-level API Gateway setting of one region: the CloudWatch role through which API
 * Gateway writes the execution and access logs of every REST API in the account and region.
 *
 * It is one setting per account and region, shared by every environment deployed there, so it
 * belongs in a stack of its own that is deployed once (the repository's app does this), not in
 * each environment's stack: two stacks that each set it overwrite each other, and deleting one
 * would take the others' logging with it. `PaymentApi` and `PaymentPlatform` do not create it
 * unless `cloudWatchRole` is set.
 *
 * Without the setting, the first deployment of an API stage with logging fails with
 * "CloudWatch Logs role ARN must be set in account settings to enable logging".
 */
export class ApiGatewayAccount extends Construct {
  /** The role that API Gateway assumes to write logs. */
  public readonly role: iam.Role;
  /** The account setting that names the role. */
  public readonly account: apigateway.CfnAccount;

  constructor(scope: Construct, id: string, props: ApiGatewayAccountProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.role = new iam.Role(this, 'CloudWatchRole', {
      description: 'Lets API Gateway write the execution and access logs of the REST APIs in this account and region',
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    this.role.applyRemovalPolicy(removalPolicy);
    this.account = new apigateway.CfnAccount(this, 'Account', { cloudWatchRoleArn: this.role.roleArn });
    this.account.applyRemovalPolicy(removalPolicy);
    this.account.node.addDependency(this.role);
    acknowledge(this.role, [{
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'API Gateway\'s account-level logging role uses the AWS managed AmazonAPIGatewayPushToCloudWatchLogs policy, which AWS maintains for exactly this purpose.',
    }]);
  }
}
