import { Match, Template } from 'aws-cdk-lib/assertions';
import { floorPlatform } from '../../bench/floor-platform';
import { EnvironmentProfile, PaymentPlatform, Profiles } from '../../src';
import { newStack } from '../setup/stacks';

/**
 * Resource types whose count may differ between the floor and `PaymentPlatform`, each with the
 * reason. Empty: the floor declares the same number of resources of every type, including the
 * custom-resource providers that aws-cdk-lib adds.
 */
const ALLOWED_COUNT_DIFFERENCES: { [type: string]: string } = {};

const resourceTypeCounts = (template: Template): { [type: string]: number } => {
  const counts: { [type: string]: number } = {};
  for (const resource of Object.values(template.toJSON().Resources as { [id: string]: { Type: string } })) {
    if (!(resource.Type in ALLOWED_COUNT_DIFFERENCES)) {
      counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
    }
  }
  return counts;
};

const synthFloor = (profile: EnvironmentProfile, cdkDefaults?: boolean): Template => {
  const stack = newStack(profile);
  floorPlatform(stack, profile, { cdkDefaults });
  return Template.fromStack(stack);
};

const kmsEncryptedBucket = (bucketKey: unknown) => ({
  BucketEncryption: {
    ServerSideEncryptionConfiguration: [{
      ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }),
      BucketKeyEnabled: bucketKey,
    }],
  },
});

describe.each([
  ['dev', Profiles.dev],
  ['staging', Profiles.staging],
  ['production', Profiles.production],
])('floor platform for %s', (_name, profile) => {
  let ours: Template;
  let floor: Template;
  let defaults: Template;
  beforeAll(() => {
    // GIVEN the platform and the floor, each in its own stack of the profile's region
    const stack = newStack(profile);
    new PaymentPlatform(stack, 'Payments', profile);
    ours = Template.fromStack(stack);
    // WHEN
    floor = synthFloor(profile);
    defaults = synthFloor(profile, true);
  });

  test('declares as many resources of every type as PaymentPlatform', () => {
    expect(resourceTypeCounts(floor)).toEqual(resourceTypeCounts(ours));
  });

  test('keeps the platform\'s cost settings by default', () => {
    floor.resourceCountIs('AWS::EC2::NatGateway', profile.natGateways ?? 1);
    floor.resourceCountIs('AWS::EC2::VPCEndpoint', 2);
    floor.hasResourceProperties('AWS::S3::Bucket', kmsEncryptedBucket(true));
    floor.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 100 });
  });

  test('with cdkDefaults has a NAT gateway per availability zone', () => {
    const zones = new Set(Object.values(defaults.findResources('AWS::EC2::Subnet'))
      .map((subnet) => JSON.stringify(subnet.Properties.AvailabilityZone)));
    expect(zones.size).toBe(3);
    defaults.resourceCountIs('AWS::EC2::NatGateway', zones.size);
  });

  test('with cdkDefaults has no VPC endpoints', () => {
    defaults.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  test('with cdkDefaults has no S3 bucket key on the audit bucket', () => {
    defaults.hasResourceProperties('AWS::S3::Bucket', kmsEncryptedBucket(Match.absent()));
    defaults.resourcePropertiesCountIs('AWS::S3::Bucket', kmsEncryptedBucket(true), 0);
  });

  test('with cdkDefaults writes one audit object per payment', () => {
    defaults.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    defaults.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 1 });
  });
});
