/**
 * The platform as a CDK app, one stack per environment:
 *
 *   npx cdk synth -c env=dev        (or staging, production)
 *   npx cdk deploy -c env=production -c apiKeys=checkout,refunds -c alarmEmail=oncall@example.com
 *
 * or, with `-c env=production-multi`, the production profile in us-east-1, us-east-2 and us-west-2
 * at once (`MultiRegionPaymentPlatform`): a key stack per Region, the multi-Region tables, and a
 * platform stack per Region, which `npx cdk deploy --all` deploys in that order. Add
 * `-c domainName=payments.example.com -c hostedZoneId=Z... -c zoneName=example.com` for one custom
 * domain with latency routing; the API keys then have the same value in every Region.
 *
 * In dev, payments go through a `SimulatedProcessor` (see docs/processor.md): the payment's token
 * decides the outcome, and no money moves.
 *
 * Each stack lands in its profile's region, in the account of the CLI's credentials. Every method
 * of the API needs an API key, so the app creates one per name in `-c apiKeys` (one named `default`
 * without it) and outputs the command that reads each key's value.
 *
 * API Gateway's logging role is one setting per account and region, so it has a stack of its own,
 * `PaymentPlatform-account-<region>`, which every environment's stack depends on: the first deploy
 * in a region creates it, later ones find it unchanged, and deleting an environment leaves it for
 * the others. `-c apiGatewayAccount=existing` leaves it out where the account already has one.
 */
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import {
  ApiGatewayAccount, EnvironmentProfile, MultiRegionDomainOptions, MultiRegionPaymentPlatform, PaymentAlarmsOptions, PaymentPlatform, Profiles,
  SimulatedProcessor,
} from '../src';

const API_KEY_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const MULTI_REGION_ENV = 'production-multi';
const MULTI_REGIONS = ['us-east-1', 'us-east-2', 'us-west-2'];

const app = new App();
const envName = app.node.tryGetContext('env');
const apiKeyNames = fromContext(() => apiKeyNamesOf(app.node.tryGetContext('apiKeys')));
const createApiGatewayAccount = fromContext(() => apiGatewayAccountOf(app.node.tryGetContext('apiGatewayAccount')));
const account = process.env.CDK_DEFAULT_ACCOUNT;
const alarms = fromContext(() => alarmsOf(app.node.tryGetContext('alarmEmail')));

if (envName === MULTI_REGION_ENV) {
  const domain = fromContext(() => domainOf(app));
  const multi = fromContext(() => new MultiRegionPaymentPlatform(app, 'PaymentPlatform-production-multi', {
    profile: Profiles.production,
    regions: MULTI_REGIONS,
    account,
    apiClients: apiKeyNames,
    domain,
    alarms,
  }));
  for (const region of multi.regions) {
    const accountStack = createApiGatewayAccount ? apiGatewayAccountStack(region) : undefined;
    if (accountStack) {
      multi.regionStacks[region].addDependency(accountStack);
    }
  }
} else {
  const profile = fromContext(() => profileOf(envName));
  const stack = new Stack(app, `PaymentPlatform-${profile.envName}`, {
    description: `Payment platform (${profile.envName})`,
    env: { account, region: profile.region },
  });
  // Payments in dev go through the simulated processor: the token decides the outcome, no money moves.
  const processor = profile.envName === Profiles.dev.envName ? new SimulatedProcessor(stack, 'Processor').processor : undefined;
  const platform = new PaymentPlatform(stack, 'Payments', profile, { alarms, processor });
  if (createApiGatewayAccount) {
    stack.addDependency(apiGatewayAccountStack(profile.region));
  }
  new CfnOutput(stack, 'PaymentsUrl', { description: 'POST here to create a payment', value: `${platform.api.url}payments` });
  for (const name of apiKeyNames) {
    const key = platform.api.addApiKey(`ApiKey-${name}`, { description: `API key '${name}' of the ${profile.envName} payments API` });
    new CfnOutput(stack, `ApiKey-${name}-Read`, {
      description: `Prints the value of the API key '${name}', to send as the x-api-key header`,
      value: `aws apigateway get-api-key --api-key ${key.keyId} --include-value --query value --output text --region ${profile.region}`,
    });
  }
}
app.synth();

/** The stack of API Gateway's logging role in `region`, shared by every environment there. */
function apiGatewayAccountStack(region: string): Stack {
  const accountStack = new Stack(app, `PaymentPlatform-account-${region}`, {
    description: 'API Gateway\'s logging role for every payment platform in this account and region',
    env: { account, region },
  });
  new ApiGatewayAccount(accountStack, 'ApiGatewayAccount');
  return accountStack;
}

/** The stock profile that `-c env=<name>` names. */
function profileOf(value: unknown): EnvironmentProfile {
  const valid = `Valid environments: ${[...Profiles.names, MULTI_REGION_ENV].join(', ')}.`;
  if (typeof value !== 'string' || value === '') {
    throw new Error(`Missing environment: pass -c env=<name>. ${valid}`);
  }
  if (!Profiles.names.includes(value)) {
    throw new Error(`Unknown environment '${value}'. ${valid}`);
  }
  return Profiles.named(value);
}

/** The custom domain of `-c domainName=… -c hostedZoneId=… -c zoneName=…`: all three, or none. */
function domainOf(scope: App): MultiRegionDomainOptions | undefined {
  const names = ['domainName', 'hostedZoneId', 'zoneName'] as const;
  const values = names.map((name) => scope.node.tryGetContext(name) as unknown);
  if (values.every((value) => value === undefined)) {
    return undefined;
  }
  const missing = names.filter((_, i) => typeof values[i] !== 'string' || values[i] === '');
  if (missing.length > 0) {
    throw new Error(`Invalid custom domain: also pass ${missing.map((name) => `-c ${name}=…`).join(' ')}; give domainName, hostedZoneId and zoneName together.`);
  }
  const [domainName, hostedZoneId, zoneName] = values as string[];
  return { domainName, hostedZoneId, zoneName };
}

/** The names in `-c apiKeys=a,b`, or `default`. */
function apiKeyNamesOf(value: unknown): string[] {
  if (value === undefined) {
    return ['default'];
  }
  const names = String(value).split(',').map((name) => name.trim());
  const bad = names.filter((name) => !API_KEY_NAME.test(name));
  if (bad.length > 0 || new Set(names).size !== names.length) {
    throw new Error(`Invalid -c apiKeys=${String(value)}: give distinct names of 1 to 64 characters of A-Z, a-z, 0-9, _ and -, separated by commas.`);
  }
  return names;
}

/** The alarm options of `-c alarmEmail=oncall@example.com`: the address that every alarm notifies. */
function alarmsOf(value: unknown): PaymentAlarmsOptions | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
    throw new Error(`Invalid -c alarmEmail=${String(value)}: give the e-mail address that the alarms notify, such as oncall@example.com.`);
  }
  return { alarmEmail: value };
}

/** Whether `-c apiGatewayAccount=create|existing` asks for the account stack. */
function apiGatewayAccountOf(value: unknown): boolean {
  if (value === undefined || value === 'create') {
    return true;
  }
  if (value === 'existing') {
    return false;
  }
  throw new Error(`Invalid -c apiGatewayAccount=${String(value)}: give create (the default) or existing.`);
}

/** Reads one context value; a bad one stops the app with the message and a non-zero exit. */
function fromContext<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}
