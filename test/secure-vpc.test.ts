import { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Profiles, SecureVpc } from '../src';
import { newStack } from './setup/stacks';

describe('SecureVpc with default props', () => {
  let template: Template;
  beforeAll(() => {
    // GIVEN an environment-agnostic stack
    const stack = newStack();
    // WHEN
    new SecureVpc(stack, 'Vpc');
    template = Template.fromStack(stack);
  });

  test('spans three availability zones even without an account and region', () => {
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet'));
    expect(subnets).toHaveLength(6);
    const azs = subnets.map((s) => JSON.stringify(s.Properties.AvailabilityZone));
    expect(new Set(azs).size).toBe(3);
    expect(azs).toContain(JSON.stringify({ 'Fn::Select': [2, { 'Fn::GetAZs': '' }] }));
  });

  test('has public and private subnets, and public subnets assign no public IPs', () => {
    template.resourcePropertiesCountIs('AWS::EC2::Subnet', {
      Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-type', Value: 'Public' }]),
      MapPublicIpOnLaunch: false,
    }, 3);
    template.resourcePropertiesCountIs('AWS::EC2::Subnet', {
      Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-type', Value: 'Private' }]),
    }, 3);
  });

  test('has one NAT gateway', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  test('routes DynamoDB and S3 through gateway endpoints in every private route table', () => {
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 2);
    const privateRouteTables = Object.keys(template.findResources('AWS::EC2::RouteTable'))
      .filter((id) => id.includes('Private'))
      .map((id) => ({ Ref: id }));
    expect(privateRouteTables).toHaveLength(3);
    for (const service of ['dynamodb', 's3']) {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Gateway',
        ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, `.${service}`]] },
        RouteTableIds: privateRouteTables,
      });
    }
  });

  test('logs all traffic to an encrypted log group kept for a year', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 365,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('VpcKey'), 'Arn'] },
    });
  });

  test('lets only CloudWatch Logs of this account use the flow log key, which rotates', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'AllowCloudWatchLogsOfThisAccount',
          Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
          Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
        })]),
      },
    });
  });

  test('closes the default security group', () => {
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  test('keeps the flow logs and their key when removed from the stack', () => {
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  test('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('SecureVpc with a profile', () => {
  test('uses three zones from the lookup when the account and region are known', () => {
    const stack = new Stack(undefined, 'S', { env: { account: '123456789012', region: 'us-east-1' } });
    new SecureVpc(stack, 'Vpc', { profile: Profiles.production });
    const azs = Object.values(Template.fromStack(stack).findResources('AWS::EC2::Subnet'))
      .map((s) => s.Properties.AvailabilityZone);
    expect(new Set(azs).size).toBe(3);
  });

  test('dev destroys its flow logs and key with the stack', () => {
    const stack = newStack(Profiles.dev);
    new SecureVpc(stack, 'Vpc', { profile: Profiles.dev });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  test('takes the NAT gateway count from the profile, and props override it', () => {
    const fromProfile = newStack(Profiles.staging);
    new SecureVpc(fromProfile, 'Vpc', { profile: { ...Profiles.staging, natGateways: 2 } });
    Template.fromStack(fromProfile).resourceCountIs('AWS::EC2::NatGateway', 2);

    const fromProps = newStack(Profiles.staging);
    new SecureVpc(fromProps, 'Vpc', { profile: { ...Profiles.staging, natGateways: 2 }, natGateways: 3 });
    Template.fromStack(fromProps).resourceCountIs('AWS::EC2::NatGateway', 3);
  });
});

describe('SecureVpc gateway endpoint policies', () => {
  test('allow everything until told what passes; then only the tables and object writes named, by principals of the account', () => {
    const alone = newStack();
    new SecureVpc(alone, 'Network');
    Template.fromStack(alone).allResourcesProperties('AWS::EC2::VPCEndpoint', { PolicyDocument: Match.absent() });

    const stack = newStack();
    const network = new SecureVpc(stack, 'Network');

    const table = new dynamodb.Table(stack, 'Ledger', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
    const bucket = new s3.Bucket(stack, 'Audit');
    network.allowTablesThroughEndpoint([table]);
    network.allowObjectWritesThroughEndpoint(bucket, 'audit/*');
    const template = Template.fromStack(stack);
    const account = { StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } };
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      PolicyDocument: {
        Statement: [Match.objectLike({
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: Match.arrayWith(['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:Scan']),
          Resource: [{ 'Fn::GetAtt': [stack.getLogicalId(table.node.defaultChild as CfnElement), 'Arn'] }, Match.anyValue()],
          Condition: account,
        })],
      },
    });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Allow', Action: 's3:PutObject', Condition: account })] },
    });
  });
});

describe('SecureVpc options', () => {
  test('uses a given key and retention', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'SharedKey', { enableKeyRotation: true });
    const vpc = new SecureVpc(stack, 'Vpc', { encryptionKey: key, flowLogRetention: logs.RetentionDays.TWO_YEARS });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 731,
      KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as CfnElement), 'Arn'] },
    });
    expect(vpc.key).toBe(key);
  });

  test('uses a given CIDR', () => {
    const stack = newStack();
    new SecureVpc(stack, 'Vpc', { cidr: '10.20.0.0/16' });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.20.0.0/16' });
  });

  test('refuses bad props, listing every problem', () => {
    expect(() => new SecureVpc(newStack(), 'Vpc', { natGateways: 0, cidr: '10.0.0.0/8' })).toThrow(
      'Invalid SecureVpc props:\n' +
      '  - `natGateways` is 0; it must be a whole number from 1 to 3.\n' +
      "  - `cidr` is '10.0.0.0/8'; it must be an IPv4 block from /16 to /20, such as 10.0.0.0/16.",
    );
  });

  test('places the subnets in the availability zones it is given, in that order', () => {
    const stack = newStack(Profiles.dev);
    new SecureVpc(stack, 'Vpc', { availabilityZones: ['us-east-1b', 'us-east-1d', 'us-east-1f'] });
    const zones = Object.values(Template.fromStack(stack).findResources('AWS::EC2::Subnet')).map((subnet) => subnet.Properties.AvailabilityZone);
    expect(zones).toHaveLength(6);
    expect([...new Set(zones)]).toEqual(['us-east-1b', 'us-east-1d', 'us-east-1f']);
  });

  test.each([
    [['us-east-1a', 'us-east-1b'], '`availabilityZones` is [us-east-1a, us-east-1b]; it must name 3 different zones.'],
    [['us-east-1a', 'us-east-1a', 'us-east-1b'], '`availabilityZones` is [us-east-1a, us-east-1a, us-east-1b]; it must name 3 different zones.'],
    [['us-east-1a', 'us-east-1b', 'eu-west-1c'], "`availabilityZones` has eu-west-1c, which is not a zone name of the stack's region us-east-1, such as us-east-1a."],
    [['use1-az1', 'use1-az2', 'use1-az4'],
      "`availabilityZones` has use1-az1, use1-az2, use1-az4, which are not zone names of the stack's region us-east-1, such as us-east-1a."],
  ])('refuses availabilityZones %p, saying what is allowed', (zones, message) => {
    expect(() => new SecureVpc(newStack(Profiles.dev), 'Vpc', { availabilityZones: zones })).toThrow(`Invalid SecureVpc props:\n  - ${message}`);
  });

  test('in an environment-agnostic stack, any region\'s zone names are accepted', () => {
    expect(() => new SecureVpc(newStack(), 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] })).not.toThrow();
    expect(() => new SecureVpc(newStack(), 'Vpc', { availabilityZones: ['a', 'b', 'c'] })).toThrow(
      'Invalid SecureVpc props:\n  - `availabilityZones` has a, b, c, which are not zone names of any region, such as us-east-1a.');
  });

  test('refuses an invalid profile', () => {
    expect(() => new SecureVpc(newStack(), 'Vpc', { profile: { ...Profiles.dev, region: 'nowhere' } })).toThrow(
      "Invalid EnvironmentProfile 'dev':\n  - `region` is 'nowhere'; it must be an AWS region code such as us-east-1.",
    );
  });
});
