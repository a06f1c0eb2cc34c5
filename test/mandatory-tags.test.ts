import { Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AuditBucket, DataClassification, EncryptedLedgerTable, MandatoryTags, MandatoryTagsProps, Profiles, SecureVpc } from '../src';
import { newStack } from './setup/stacks';

const TAGS: MandatoryTagsProps = {
  environment: 'staging',
  costCenter: 'Engineering',
  owner: 'payments-platform',
  dataClassification: DataClassification.CONFIDENTIAL,
};

describe('MandatoryTags over the data and network constructs', () => {
  let template: Template;
  beforeAll(() => {
    const stack = newStack(Profiles.staging);
    new SecureVpc(stack, 'Vpc', { profile: Profiles.staging });
    new EncryptedLedgerTable(stack, 'Ledger', { profile: Profiles.staging });
    new AuditBucket(stack, 'Audit', { profile: Profiles.staging });
    MandatoryTags.apply(stack, MandatoryTags.propsFromProfile(Profiles.staging));
    template = Template.fromStack(stack);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });

  test('every resource that takes tags carries all four', () => {
    const resources = Object.entries(template.toJSON().Resources as Record<string, { Type: string; Properties?: { Tags?: unknown } }>);
    const tagged = resources.filter(([, r]) => r.Properties?.Tags !== undefined);
    expect(tagged.length).toBeGreaterThan(20);
    for (const [logicalId, resource] of tagged) {
      const tags = resource.Properties!.Tags as Array<{ Key: string; Value: string }>;
      const values = Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
      const mandatory = Object.fromEntries(MandatoryTags.TAG_KEYS.map((key) => [key, values[key]]));
      expect({ logicalId, ...mandatory })
        .toEqual({ logicalId, Environment: 'staging', CostCenter: 'Engineering', Owner: 'payments-platform', DataClassification: 'Confidential' });
    }
  });

  test.each([
    'AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::EC2::NatGateway', 'AWS::EC2::FlowLog', 'AWS::Logs::LogGroup',
    'AWS::KMS::Key', 'AWS::DynamoDB::Table', 'AWS::S3::Bucket', 'AWS::IAM::Role', 'AWS::Lambda::Function',
  ])('%s is tagged', (type) => {
    template.allResourcesProperties(type, {
      Tags: Match.arrayWith([
        { Key: 'CostCenter', Value: 'Engineering' },
        { Key: 'DataClassification', Value: 'Confidential' },
        { Key: 'Environment', Value: 'staging' },
        { Key: 'Owner', Value: 'payments-platform' },
      ]),
    });
  });
});

describe('MandatoryTags refuses bad values', () => {
  test.each([
    [{ environment: '' }, 'tag `Environment` is missing; every taggable resource must carry it.'],
    [{ costCenter: undefined }, 'tag `CostCenter` is missing; every taggable resource must carry it.'],
    [{ owner: 'team#1' }, "tag `Owner` is 'team#1'; it must be 1 to 256 letters, digits, spaces or _.:/=+-@."],
    [{ dataClassification: 'Public' }, "tag `DataClassification` is 'Public'; it must be one of Internal, Confidential, Restricted."],
  ])('%j', (overrides, message) => {
    expect(() => new MandatoryTags({ ...TAGS, ...overrides } as MandatoryTagsProps)).toThrow(`Invalid mandatory tags:\n  - ${message}`);
  });

  test('lists every problem at once', () => {
    expect(() => new MandatoryTags({ ...TAGS, environment: '', dataClassification: 'Secret' as DataClassification })).toThrow(
      'Invalid mandatory tags:\n' +
      '  - tag `Environment` is missing; every taggable resource must carry it.\n' +
      "  - tag `DataClassification` is 'Secret'; it must be one of Internal, Confidential, Restricted.",
    );
  });
});

describe('MandatoryTags checks resources at synthesis', () => {
  test('a resource whose mandatory tag was removed fails synthesis with an error naming the tag', () => {
    const stack = newStack();
    const queue = new sqs.Queue(stack, 'Queue', { enforceSSL: true });
    MandatoryTags.apply(stack, TAGS);
    Tags.of(queue).remove('Owner', { priority: 300 });
    Annotations.fromStack(stack).hasError('/TestStack/Queue/Resource',
      'Mandatory tags are missing or invalid: tag `Owner` is missing; every taggable resource must carry it.');
  });

  test('a resource tagged over with an invalid classification fails synthesis', () => {
    const stack = newStack();
    const queue = new sqs.Queue(stack, 'Queue', { enforceSSL: true });
    MandatoryTags.apply(stack, TAGS);
    Tags.of(queue).add('DataClassification', 'TopSecret', { priority: 300 });
    Annotations.fromStack(stack).hasError('/TestStack/Queue/Resource',
      "Mandatory tags are missing or invalid: tag `DataClassification` is 'TopSecret'; it must be one of Internal, Confidential, Restricted.");
  });

  test('a valid, more specific tag wins over the mandatory one', () => {
    const stack = newStack();
    const queue = new sqs.Queue(stack, 'Queue', { enforceSSL: true });
    MandatoryTags.apply(stack, TAGS);
    Tags.of(queue).add('Owner', 'ledger-team');
    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', {
      Tags: Match.arrayWith([{ Key: 'Owner', Value: 'ledger-team' }]),
    });
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });

  test('propsFromProfile maps the profile fields to the four tags', () => {
    expect(MandatoryTags.propsFromProfile(Profiles.production)).toEqual({
      environment: 'production', costCenter: 'Finance', owner: 'payments-platform', dataClassification: DataClassification.RESTRICTED,
    });
  });
});
