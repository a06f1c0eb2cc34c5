// The reference for the binding smoke apps: the same two stacks, synthesized in TypeScript.
import { App, Stack } from 'aws-cdk-lib';
import { PaymentPlatform, Profiles } from '../../../src';

const app = new App({ outdir: process.argv[2] });
const staging = Profiles.staging;
new PaymentPlatform(new Stack(app, 'Smoke-staging', { env: { region: staging.region } }), 'Payments', staging);
const custom = Profiles.derive(staging, { region: 'eu-west-1', apiRateLimit: 250 });
new PaymentPlatform(new Stack(app, 'Smoke-custom', { env: { region: custom.region } }), 'Payments', custom);
for (const stack of app.synth().stacks) {
  console.log(`typescript: ${stack.stackName} in ${stack.environment.region}: ${Object.keys(stack.template.Resources).length} resources`);
}
