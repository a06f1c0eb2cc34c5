import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { MultiRegionTemplates } from './cost';
import { floorPlatform } from './floor-platform';
import { EnvironmentProfile, MultiRegionPaymentPlatform, PaymentPlatform, PaymentProcessor, Profiles } from '../src';

/** The synthesized templates of the production profile as a `MultiRegionPaymentPlatform` with one domain. */
export function multiRegionTemplates(regions: string[], witnessRegion?: string): MultiRegionTemplates {
  const app = new App();
  const multi = new MultiRegionPaymentPlatform(app, 'Bench', {
    profile: Profiles.production,
    regions,
    witnessRegion,
    account: '123456789012',
    domain: { domainName: 'payments.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' },
  });
  const assembly = app.synth();
  const of = (stack: Stack) => assembly.getStackArtifact(stack.artifactId).template;
  return {
    keys: multi.regions.map((region) => of(multi.keyStacks[region])),
    data: of(multi.dataStack),
    regions: multi.regions.map((region) => of(multi.regionStacks[region])),
  };
}

/** The synthesized template of one Region's platform from `profile`, or of the same system built with CDK defaults. */
export function template(profile: EnvironmentProfile, cdkDefaults: boolean, withProcessor = false, withEvents = false) {
  const app = new App();
  const stack = new Stack(app, 'Bench', { env: { account: '123456789012', region: profile.region } });
  if (cdkDefaults) {
    floorPlatform(stack, profile, { cdkDefaults: true });
  } else if (withProcessor) {
    // The team's own processor adapter, whose cost is its own.
    const adapter = new lambda.Function(stack, 'Adapter', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({});'),
    });
    new PaymentPlatform(stack, 'Payments', profile, { processor: PaymentProcessor.fromFunction(adapter), events: withEvents ? {} : undefined });
  } else {
    new PaymentPlatform(stack, 'Payments', profile, { events: withEvents ? {} : undefined });
  }
  return app.synth().getStackByName('Bench').template;
}
