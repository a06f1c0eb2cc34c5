import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ApiGatewayAccount, PaymentPlatform, Profiles } from '../src';

/**
 * Dev and production in one account and region (the seed puts both in us-east-1), as a platform team
 * deploys them: nothing of one may count, name or overwrite the other's.
 */
const app = new App();
const env = { account: '111111111111', region: 'us-east-1' };
const stacks = {
  dev: new Stack(app, 'PaymentPlatform-dev', { env }),
  production: new Stack(app, 'PaymentPlatform-production', { env }),
};
const platforms = {
  dev: new PaymentPlatform(stacks.dev, 'P', Profiles.dev),
  production: new PaymentPlatform(stacks.production, 'P', Profiles.production),
};
// API Gateway's logging role is one setting per account and region: a stack of its own sets it once.
const accountStack = new Stack(app, 'PaymentPlatform-account-us-east-1', { env });
new ApiGatewayAccount(accountStack, 'ApiGatewayAccount');
stacks.dev.addDependency(accountStack);
stacks.production.addDependency(accountStack);
const templates = { dev: Template.fromStack(stacks.dev), production: Template.fromStack(stacks.production) };

const restApiName = (template: Template) => Object.values(template.findResources('AWS::ApiGateway::RestApi'))[0].Properties.Name;

test('each REST API has a name of its own', () => {
  expect(restApiName(templates.dev)).toBe(platforms.dev.api.platformName);
  expect(restApiName(templates.production)).toBe(platforms.production.api.platformName);
  expect(platforms.dev.api.platformName).not.toBe(platforms.production.api.platformName);
});

test('production\'s alarms and dashboard read only production\'s API and handler metrics', () => {
  const alarms = JSON.stringify(templates.production.findResources('AWS::CloudWatch::Alarm'));
  const dashboard = JSON.stringify(templates.production.findResources('AWS::CloudWatch::Dashboard'));
  for (const text of [alarms, dashboard]) {
    expect(text).toContain(platforms.production.api.platformName);
    expect(text).not.toContain(platforms.dev.api.platformName);
  }
  // The handler's metrics on the dashboard carry the platform dimension (quotes escaped in the body).
  expect(dashboard).toMatch(new RegExp(`platform[\\\\"]+,[\\\\"]+${platforms.production.api.platformName}`));
});

test('each handler writes its metrics under its own platform dimension', () => {
  for (const name of ['dev', 'production'] as const) {
    templates[name].hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { PAYMENTS_PLATFORM: platforms[name].api.platformName, PAYMENTS_ENVIRONMENT: name } },
    });
  }
  expect(platforms.production.api.metricPaymentsAccepted().dimensions).toEqual({
    service: 'payments-api', environment: 'production', platform: platforms.production.api.platformName,
  });
});

test('the account\'s API Gateway logging role is set once, by the account stack, and by neither environment', () => {
  templates.dev.resourceCountIs('AWS::ApiGateway::Account', 0);
  templates.production.resourceCountIs('AWS::ApiGateway::Account', 0);
  Template.fromStack(accountStack).resourceCountIs('AWS::ApiGateway::Account', 1);
});

test('the stacks share nothing that CloudFormation ties together, so they deploy and delete in any order', () => {
  // An export that another stack imports would block deleting the exporting stack first.
  for (const stack of [stacks.dev, stacks.production, accountStack]) {
    const template = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(template).not.toContain('Fn::ImportValue');
    expect(template).not.toContain('"Export"');
  }
  // The account stack keeps its role and setting when deleted, so the environments still log.
  Template.fromStack(accountStack).allResources('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain' });
  Template.fromStack(accountStack).allResources('AWS::IAM::Role', { DeletionPolicy: 'Retain' });
});
