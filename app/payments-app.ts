/**
 * The platform as a CDK app, one stack per environment:
 *
 *   npx cdk synth -c env=dev        (or staging, production)
 *   npx cdk deploy -c env=production -c apiKeys=checkout,refunds
 *
 * Each stack lands in its profile's region, in the account of the CLI's credentials. Every method
 * of the API needs an API key, so the app creates one per name in `-c apiKeys` (one named `default`
 * without it) and outputs the command that reads each key's value.
 */
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { EnvironmentProfile, PaymentPlatform, Profiles } from '../src';

const API_KEY_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const app = new App();
const profile = fromContext(() => profileOf(app.node.tryGetContext('env')));
const apiKeyNames = fromContext(() => apiKeyNamesOf(app.node.tryGetContext('apiKeys')));

const stack = new Stack(app, `PaymentPlatform-${profile.envName}`, {
  description: `Payment platform (${profile.envName})`,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: profile.region },
});
const platform = new PaymentPlatform(stack, 'Payments', profile);
new CfnOutput(stack, 'PaymentsUrl', { description: 'POST here to create a payment', value: `${platform.api.url}payments` });
for (const name of apiKeyNames) {
  const key = platform.api.addApiKey(`ApiKey-${name}`, { description: `API key '${name}' of the ${profile.envName} payments API` });
  new CfnOutput(stack, `ApiKey-${name}-Read`, {
    description: `Prints the value of the API key '${name}', to send as the x-api-key header`,
    value: `aws apigateway get-api-key --api-key ${key.keyId} --include-value --query value --output text --region ${profile.region}`,
  });
}
app.synth();

/** The stock profile that `-c env=<name>` names. */
function profileOf(envName: unknown): EnvironmentProfile {
  if (typeof envName !== 'string' || envName === '') {
    throw new Error(`Missing environment: pass -c env=<name>. Valid environments: ${Profiles.names.join(', ')}.`);
  }
  return Profiles.named(envName);
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

/** Reads one context value; a bad one stops the app with the message and a non-zero exit. */
function fromContext<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}
