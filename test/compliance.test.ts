import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AuditBucket, EncryptedLedgerTable, EnvironmentProfile, MandatoryTags, MultiRegionPaymentPlatform, PaymentApi, PaymentPlatform, Profiles, SecureVpc } from '../src';
import { unacknowledgedFindings, unusedAcknowledgements } from './setup/nag';
import { newStack } from './setup/stacks';

/**
 * cdk-nag's AwsSolutions, PCI.DSS.321 and NIST.800.53.R5 packs over every construct, with default
 * props and with each stock profile: every finding is either fixed or acknowledged in the
 * construct with a reason.
 */
const constructs: Record<string, (stack: Stack, profile?: EnvironmentProfile) => void> = {
  'SecureVpc': (stack, profile) => new SecureVpc(stack, 'Vpc', { profile }),
  'EncryptedLedgerTable': (stack, profile) => new EncryptedLedgerTable(stack, 'Ledger', { profile }),
  'AuditBucket': (stack, profile) => new AuditBucket(stack, 'Audit', { profile }),
  'PaymentApi': (stack, profile) => new PaymentApi(stack, 'Payments', { profile }),
  'PaymentPlatform': (stack, profile) => new PaymentPlatform(stack, 'Platform', profile ?? Profiles.production, { alarms: { alarmEmail: 'oncall@example.com' } }),
  'all three with mandatory tags': (stack, profile) => {
    new SecureVpc(stack, 'Vpc', { profile });
    new EncryptedLedgerTable(stack, 'Ledger', { profile });
    new AuditBucket(stack, 'Audit', { profile });
    MandatoryTags.apply(stack, MandatoryTags.propsFromProfile(profile ?? Profiles.production));
  },
};

const profileCases: Array<[string, EnvironmentProfile | undefined]> = [
  ['default props', undefined],
  ['dev', Profiles.dev],
  ['staging', Profiles.staging],
  ['production', Profiles.production],
];

describe.each(Object.entries(constructs))('%s', (_name, build) => {
  test.each(profileCases)('has no unacknowledged cdk-nag finding with %s', (_case, profile) => {
    const stack = newStack(profile);
    build(stack, profile);
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });
});

test('every acknowledgement carries a specific reason', () => {
  const stack = newStack(Profiles.dev);
  constructs['all three with mandatory tags'](stack, Profiles.dev);
  constructs.PaymentApi(stack, Profiles.dev);
  const reasons = stack.node.findAll()
    .flatMap((c) => c.node.metadata)
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
  expect(reasons.length).toBeGreaterThan(10);
  for (const [id, reason] of reasons) {
    expect({ id, long: reason.length >= 60 }).toEqual({ id, long: true });
  }
});

test.each(profileCases)('every acknowledgement answers a finding that would otherwise be reported, with %s', (_case, profile) => {
  const stack = newStack(profile);
  constructs['all three with mandatory tags'](stack, profile);
  constructs.PaymentApi(stack, profile);
  constructs.PaymentPlatform(stack, profile);
  expect(unusedAcknowledgements(stack)).toEqual([]);
});

describe('the cdk-nag check itself', () => {
  test('reports a bucket without a KMS key, logging or TLS enforcement', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Weak');
    expect(unacknowledgedFindings(stack)).toEqual(expect.arrayContaining([
      'AwsSolutions-S1 at TestStack/Weak/Resource',
      'AwsSolutions-S10 at TestStack/Weak/Resource',
      'PCI.DSS.321-S3DefaultEncryptionKMS at TestStack/Weak/Resource',
    ]));
  });

  test('an acknowledgement needs the exact rule id', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Weak');
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'test' });
    const findings = unacknowledgedFindings(stack);
    expect(findings).not.toContain('AwsSolutions-S1 at TestStack/Weak/Resource');
    expect(findings).toContain('AwsSolutions-S10 at TestStack/Weak/Resource');
  });
});

describe('MultiRegionPaymentPlatform', () => {
  test.each([
    ['three Regions', { regions: ['us-east-1', 'us-east-2', 'us-west-2'] }],
    ['two Regions and a witness, with a domain', {
      regions: ['us-east-1', 'us-west-2'],
      witnessRegion: 'us-east-2',
      domain: { domainName: 'payments.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' },
    }],
  ])('has no unacknowledged cdk-nag finding in any of its stacks, with %s', (_case, props) => {
    const app = new App();
    const multi = new MultiRegionPaymentPlatform(app, 'Payments', { profile: Profiles.production, account: '123456789012', ...props });
    const stacks = [...Object.values(multi.keyStacks), multi.dataStack, ...Object.values(multi.regionStacks)];
    expect(stacks.flatMap((stack) => unacknowledgedFindings(stack).map((finding) => `${stack.stackName}: ${JSON.stringify(finding)}`))).toEqual([]);
    // And every acknowledgement in them answers a finding that would otherwise be reported.
    expect(stacks.flatMap((stack) => unusedAcknowledgements(stack).map((unused) => `${stack.stackName}: ${JSON.stringify(unused)}`))).toEqual([]);
  });
});
