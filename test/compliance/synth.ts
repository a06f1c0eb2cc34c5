// Synthesizes the three stock environments (dev with a processor, staging with payment events), and production as a
// multi-Region platform with payment events (each of its
// stacks scanned as an environment of its own), for the scanners and runs the cdk-nag packs over
// them: `synth.ts <outdir> [--weaken]`. The names of the scanned environments go to envs.txt. With --weaken, each stack also gets a bucket without encryption,
// versioning, logging or TLS enforcement, which every scanner must report.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks,
} from 'cdk-nag';
import { ApiGatewayAccount, MultiRegionPaymentPlatform, PaymentPlatform, Profiles, SimulatedProcessor } from '../../src';

const [outdir, flag] = process.argv.slice(2);
const weaken = flag === '--weaken';

const app = new App({ outdir });
const stacks: Array<{ env: string; stack: Stack }> = [];
for (const envName of Profiles.names) {
  const profile = Profiles.named(envName);
  const stack = new Stack(app, `Compliance-${envName}`, { env: { region: profile.region } });
  // Dev takes its payments through the simulated processor, as the repository's app does, so the
  // processor step (completer, interface endpoint, pending index) and the simulated processor are scanned.
  const processor = envName === Profiles.dev.envName ? new SimulatedProcessor(stack, 'Processor').processor : undefined;
  // Staging publishes payment events, so that the pipe, its workflow and the bus are scanned.
  const events = envName === Profiles.staging.envName ? {} : undefined;
  new PaymentPlatform(stack, 'Payments', profile, { processor, events });
  if (envName === Profiles.names[0]) {
    // The account's API Gateway logging role, which a stack of its own sets once per account and
    // region, is scanned with the first environment.
    new ApiGatewayAccount(stack, 'ApiGatewayAccount');
  }
  if (weaken) {
    new s3.CfnBucket(stack, 'WeakenedBucket');
  }
  stacks.push({ env: envName, stack });
}
const multi = new MultiRegionPaymentPlatform(app, 'Compliance-production-multi', {
  profile: Profiles.production,
  regions: ['us-east-1', 'us-east-2', 'us-west-2'],
  domain: { domainName: 'payments.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' },
  api: { events: {} },
});
for (const region of multi.regions) {
  stacks.push({ env: `production-multi-keys-${region}`, stack: multi.keyStacks[region] });
}
stacks.push({ env: 'production-multi-data', stack: multi.dataStack });
for (const region of multi.regions) {
  stacks.push({ env: `production-multi-${region}`, stack: multi.regionStacks[region] });
}
const assembly = app.synth();
// Every scanned template under the name the scanners look for: Compliance-<env>.template.json.
for (const { env, stack } of stacks) {
  writeFileSync(join(outdir, `Compliance-${env}.template.json`), JSON.stringify(assembly.getStackArtifact(stack.artifactId).template, null, 1));
}
writeFileSync(join(outdir, 'envs.txt'), `${stacks.map(({ env }) => env).join('\n')}\n`);

/** Counts every rule evaluation, and can report findings as if nothing were acknowledged. */
const prototype = NagPack.prototype as unknown as {
  applyRule: (params: unknown) => void;
  isAcknowledged: (...args: unknown[]) => boolean;
};
const applyRule = prototype.applyRule;
const isAcknowledged = prototype.isAcknowledged;
let evaluations = 0;
prototype.applyRule = function count(this: unknown, params: unknown) {
  evaluations++;
  return applyRule.call(this, params);
};

const findings = (pack: NagPack, stack: Stack) =>
  pack.validateScope(stack).violations.reduce((n, v) => n + v.violatingResources.length, 0);

const results = [];
for (const { env: envName, stack } of stacks) {
  const packs = [new AwsSolutionsChecks(), new PCIDSS321Checks(), new NIST80053R5Checks(), new HIPAASecurityChecks(), new ServerlessChecks()];
  let run = 0;
  let raw = 0;
  let failed = 0;
  const failures: string[] = [];
  for (const pack of packs) {
    evaluations = 0;
    const report = pack.validateScope(stack);
    run += evaluations;
    for (const violation of report.violations) {
      for (const resource of violation.violatingResources) {
        failed++;
        failures.push(`${violation.ruleName} at ${resource.constructPath}`);
      }
    }
    prototype.isAcknowledged = () => false;
    raw += findings(pack, stack);
    prototype.isAcknowledged = isAcknowledged;
  }
  results.push({ tool: 'cdk-nag (5 packs)', env: envName, run, passed: run - raw, acknowledged: raw - failed, failed, failures });
}
writeFileSync(join(outdir, 'cdk-nag.json'), JSON.stringify(results, null, 2));
