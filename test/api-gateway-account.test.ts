import { RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ApiGatewayAccount } from '../src';
import { newStack } from './setup/stacks';

describe('ApiGatewayAccount', () => {
  test('sets the account\'s API Gateway CloudWatch role to a role only API Gateway may assume, with AWS\'s logging policy', () => {
    const stack = newStack();
    const account = new ApiGatewayAccount(stack, 'ApiGatewayAccount');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
    template.hasResourceProperties('AWS::ApiGateway::Account', {
      CloudWatchRoleArn: { 'Fn::GetAtt': [stack.getLogicalId(account.role.node.defaultChild as never), 'Arn'] },
    });
    const role = template.toJSON().Resources[stack.getLogicalId(account.role.node.defaultChild as never)];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' } },
    ]);
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain(':iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs');
    expect(role.Properties.Policies).toBeUndefined();
  });

  test('keeps the role and the setting when its stack is deleted, since every API of the region logs through them', () => {
    const stack = newStack();
    new ApiGatewayAccount(stack, 'ApiGatewayAccount');
    const template = Template.fromStack(stack);
    template.hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResource('AWS::IAM::Role', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('removalPolicy DESTROY deletes both with the stack', () => {
    const stack = newStack();
    new ApiGatewayAccount(stack, 'ApiGatewayAccount', { removalPolicy: RemovalPolicy.DESTROY });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::IAM::Role', { DeletionPolicy: 'Delete' });
  });

  test('the role has no fixed name, so the stack can be created again after a rollback or a destroy', () => {
    const stack = newStack();
    new ApiGatewayAccount(stack, 'ApiGatewayAccount');
    const [role] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'));
    expect(role.Properties.RoleName).toBeUndefined();
  });
});
