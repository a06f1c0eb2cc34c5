import { App, Stack } from 'aws-cdk-lib';
import { MultiRegionTemplates } from './cost';
import { MultiRegionPaymentPlatform, Profiles } from '../src';

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
