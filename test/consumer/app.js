// A user's CDK app, in plain JavaScript, with the library installed from its npm package.
const { App, Stack } = require('aws-cdk-lib');
const { PaymentPlatform, profiles } = require('@org/payment-platform');

const app = new App({ outdir: 'cdk.out' });
for (const name of ['dev', 'staging', 'production']) {
  const profile = profiles[name];
  const stack = new Stack(app, `Consumer-${name}`, { env: { region: profile.region } });
  new PaymentPlatform(stack, 'Payments', profile);
}
app.synth();
