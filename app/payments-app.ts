/**
 * The platform as a CDK app, one stack per environment:
 *
 *   npx cdk synth -c env=dev        (or staging, production)
 *   npx cdk deploy -c env=production
 *
 * Each stack lands in its profile's region, in the account of the CLI's credentials.
 */
import { App, Stack } from 'aws-cdk-lib';
import { EnvironmentProfile, PaymentPlatform, Profiles } from '../src';

const app = new App();
const profile = profileFromContext(app.node.tryGetContext('env'));

const stack = new Stack(app, `PaymentPlatform-${profile.envName}`, {
  description: `Payment platform (${profile.envName})`,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: profile.region },
});
new PaymentPlatform(stack, 'Payments', profile);
app.synth();

/** The stock profile that `-c env=<name>` names; anything else stops the app with the valid names. */
function profileFromContext(envName: unknown): EnvironmentProfile {
  try {
    if (typeof envName !== 'string' || envName === '') {
      throw new Error(`Missing environment: pass -c env=<name>. Valid environments: ${Profiles.names.join(', ')}.`);
    }
    return Profiles.named(envName);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}
