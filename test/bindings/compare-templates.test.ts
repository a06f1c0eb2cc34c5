import { Stack } from 'aws-cdk-lib';
import { Template as AssertionTemplate } from 'aws-cdk-lib/assertions';
import { compareTemplates, seedValues, Template } from './compare-templates';
import { EnvironmentProfile, PaymentPlatform, Profiles } from '../../src';
import { newStack } from '../setup/stacks';

/** The comparison that checks the Python, Java and Go smoke apps against TypeScript. */
function synth(profile: EnvironmentProfile): Template {
  const stack: Stack = newStack(profile);
  new PaymentPlatform(stack, 'Payments', profile);
  return AssertionTemplate.fromStack(stack).toJSON() as Template;
}

let staging: Template;
beforeAll(() => {
  staging = synth(Profiles.staging);
});

test('finds no difference between two syntheses of one profile', () => {
  expect(compareTemplates(staging, synth(Profiles.staging))).toEqual([]);
});

test('reads the environment table\'s values from a template', () => {
  expect(seedValues(staging)).toEqual({
    ledgerBilling: 'PAY_PER_REQUEST',
    ledgerCapacity: undefined,
    ledgerPointInTimeRecovery: true,
    ledgerDeletionPolicy: 'Delete',
    glacierTransitionDays: [30, 30],
    apiRateLimit: 1000,
    apiBurstLimit: 2000,
    deadLetterRetentionDays: 7,
    alarms: 7,
    handler: { runtime: 'nodejs24.x', memory: 512, timeout: 30, architectures: ['arm64'] },
  });
});

test('reports a binding that changed one setting', () => {
  const differences = compareTemplates(staging, synth({ ...Profiles.staging, apiRateLimit: 900 }));
  expect(differences).toEqual(expect.arrayContaining(['apiRateLimit: 900, expected 1000', 'apiBurstLimit: 1800, expected 2000']));
  expect(differences.some((d) => d.endsWith('(AWS::ApiGateway::UsagePlan): properties differ'))).toBe(true);
});

test('reports a binding that dropped a resource', () => {
  const differences = compareTemplates(staging, synth({ ...Profiles.staging, enableAlarms: false }));
  expect(differences).toEqual(expect.arrayContaining(['AWS::CloudWatch::Alarm: 0 resources, expected 7', 'alarms: 0, expected 7']));
});
