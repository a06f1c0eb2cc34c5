// The reference for the binding smoke apps: the same two stacks, synthesized in TypeScript.
import { App, Stack } from 'aws-cdk-lib';
import { PaymentPlatform, Profiles } from '../../../src';

const app = new App();
const stack = new Stack(app, 'Payments', { env: { region: Profiles.staging.region } });
new PaymentPlatform(stack, 'P', Profiles.staging);
const custom = Profiles.derive(Profiles.production, { region: 'eu-west-1', apiRateLimit: 2500 });
new PaymentPlatform(new Stack(app, 'Custom', { env: { region: custom.region } }), 'P', custom);
for (const artifact of app.synth().stacks) {
  console.log(`typescript: ${artifact.stackName} in ${artifact.environment.region}: ${Object.keys(artifact.template.Resources).length} resources`);
}
