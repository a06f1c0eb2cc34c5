import { App, CfnElement, LegacyStackSynthesizer, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AuditBucket, Profiles } from '../src';
import { grantedActions } from './setup/iam';
import { newStack } from './setup/stacks';

/** The audit bucket is the one encrypted with KMS; the access-log bucket uses SSE-S3. */
const AUDIT_BUCKET = {
  BucketEncryption: {
    ServerSideEncryptionConfiguration: [Match.objectLike({
      ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }),
    })],
  },
};

describe('AuditBucket with default props', () => {
  let template: Template;
  beforeAll(() => {
    const stack = newStack();
    new AuditBucket(stack, 'Audit');
    template = Template.fromStack(stack);
  });

  test('creates the audit bucket and a separate access-log bucket', () => {
    template.resourceCountIs('AWS::S3::Bucket', 2);
  });

  test('encrypts records with its own rotating customer-managed key through a bucket key', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('AuditKey'), 'Arn'] },
          },
        }],
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('versions objects and blocks all public access, on both buckets', () => {
    template.resourcePropertiesCountIs('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    }, 2);
  });

  test('refuses plain HTTP and TLS below 1.2, on both buckets', () => {
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
      ]));
    }
  });

  test('moves records and their old versions to Glacier after 90 days', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      ...AUDIT_BUCKET,
      LifecycleConfiguration: {
        Rules: [Match.objectLike({
          Status: 'Enabled',
          Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: 90 }],
          NoncurrentVersionTransitions: [{ StorageClass: 'GLACIER', TransitionInDays: 90 }],
        })],
      },
    });
  });

  test('logs server access to the access-log bucket through a bucket policy scoped to the audit bucket', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      ...AUDIT_BUCKET,
      LoggingConfiguration: {
        DestinationBucketName: { Ref: Match.stringLikeRegexp('AuditAccessLogs') },
        LogFilePrefix: 'audit-bucket/',
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('AuditAccessLogs') },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'AllowAuditBucketAccessLogDelivery',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: 's3:PutObject',
          Condition: {
            ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('AuditBucket'), 'Arn'] } },
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          },
        })]),
      },
    });
  });

  test('the access-log bucket uses SSE-S3, the only encryption S3 log delivery supports', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LoggingConfiguration: Match.absent(),
    });
  });

  test('tells checkov, for the access-log bucket only, why it does not log to itself', () => {
    template.hasResource('AWS::S3::Bucket', {
      Metadata: { checkov: { skip: [{ id: 'CKV_AWS_18', comment: Match.stringLikeRegexp('logging it to itself would loop') }] } },
      Properties: Match.objectLike({ LoggingConfiguration: Match.absent() }),
    });
    template.hasResource('AWS::S3::Bucket', { Metadata: Match.absent(), Properties: Match.objectLike({ LoggingConfiguration: Match.anyValue() }) });
  });

  test('retains buckets and key, and never deletes objects', () => {
    template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  test('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('AuditBucket per profile', () => {
  const synth = (profile: typeof Profiles.dev) => {
    const stack = newStack(profile);
    new AuditBucket(stack, 'Audit', { profile });
    return Template.fromStack(stack);
  };

  test.each([
    ['dev', 30, Profiles.dev],
    ['staging', 30, Profiles.staging],
    ['production', 90, Profiles.production],
  ])('%s moves records to Glacier after %d days', (_name, days, profile) => {
    synth(profile).hasResourceProperties('AWS::S3::Bucket', {
      ...AUDIT_BUCKET,
      LifecycleConfiguration: {
        Rules: [Match.objectLike({
          Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: days }],
          NoncurrentVersionTransitions: [{ StorageClass: 'GLACIER', TransitionInDays: days }],
        })],
      },
    });
  });

  test.each([
    ['dev', Profiles.dev],
    ['staging', Profiles.staging],
    ['production', Profiles.production],
  ])('%s lets objects under 128 KB reach Glacier too, on both buckets (an audit record is far smaller; S3 keeps smaller objects out of every transition by default)', (_name, profile) => {
    const template = synth(profile);
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.allResourcesProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: Match.objectLike({ TransitionDefaultMinimumObjectSize: 'varies_by_storage_class' }),
    });
  });

  test('the stock profiles expire nothing: no expiration and no delete-marker rule on either bucket', () => {
    for (const profile of [Profiles.dev, Profiles.staging, Profiles.production]) {
      synth(profile).allResourcesProperties('AWS::S3::Bucket', {
        LifecycleConfiguration: Match.objectLike({
          Rules: [Match.objectLike({ ExpirationInDays: Match.absent(), NoncurrentVersionExpiration: Match.absent() })],
        }),
      });
    }
  });

  test('a profile that lets records expire expires them, their hidden versions and the access logs, after the lock and 90 days of Glacier', () => {
    const profile = Profiles.derive(Profiles.production, { auditExpirationDays: 400 });
    const template = synth(profile);
    const rules = [
      Match.objectLike({
        Id: 'ArchiveToGlacier',
        Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: 90 }],
        ExpirationInDays: 400,
        NoncurrentVersionExpiration: { NoncurrentDays: 400 },
      }),
      { Id: 'RemoveExpiredDeleteMarkers', ExpiredObjectDeleteMarker: true, Status: 'Enabled' },
    ];
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.allResourcesProperties('AWS::S3::Bucket', { LifecycleConfiguration: Match.objectLike({ Rules: rules }) });
  });

  test('refuses an expiration before 90 days of Glacier or before the lock ends, in the profile and in props', () => {
    expect(() => Profiles.derive(Profiles.production, { auditExpirationDays: 179 })).toThrow(
      '`auditExpirationDays` is 179; it must be at least `auditGlacierTransitionDays` + 90 (180), since S3 bills 90 days of Glacier for every object moved there.\n'
      + '  - `auditExpirationDays` is 179; it must be at least `auditObjectLockDays` (365): a locked record cannot expire before its lock ends.',
    );
    expect(() => Profiles.derive(Profiles.dev, { auditExpirationDays: 0 })).toThrow(
      '`auditExpirationDays` is 0; it must be a whole number of days from 1 to 36500.',
    );
    expect(() => new AuditBucket(newStack(), 'Audit', { glacierTransitionDays: 30, expirationDays: 100 })).toThrow(
      'Invalid AuditBucket props:\n  - `expirationDays` is 100; it must be at least `glacierTransitionDays` + 90 (120), since S3 bills 90 days of Glacier for every object moved there.',
    );
    expect(() => new AuditBucket(newStack(), 'Audit', { objectLockDays: 400, expirationDays: 200 })).toThrow(
      'Invalid AuditBucket props:\n  - `expirationDays` is 200; it must be at least `objectLockDays` (400): a locked record cannot expire before its lock ends.',
    );
  });

  test.each([
    ['dev', Profiles.dev],
    ['staging', Profiles.staging],
  ])('%s destroys and empties both buckets with the stack', (_name, profile) => {
    const template = synth(profile);
    template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  test('production retains both buckets and the key, and deletes no objects', () => {
    const template = synth(Profiles.production);
    template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  test('production locks every audit record for 365 days in compliance mode; dev and staging do not', () => {
    synth(Profiles.production).hasResourceProperties('AWS::S3::Bucket', {
      ...AUDIT_BUCKET,
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } } },
    });
    for (const profile of [Profiles.dev, Profiles.staging]) {
      synth(profile).allResourcesProperties('AWS::S3::Bucket', { ObjectLockEnabled: Match.absent() });
    }
  });

  test('refuses Object Lock on a bucket the stack would delete', () => {
    expect(() => new AuditBucket(newStack(), 'Audit', { objectLockDays: 30, removalPolicy: RemovalPolicy.DESTROY })).toThrow(
      'Invalid AuditBucket props:\n  - `objectLockDays` needs a `removalPolicy` that retains data: locked audit records cannot be deleted with the stack.',
    );
    expect(() => new AuditBucket(newStack(), 'Audit', { objectLockDays: 0 })).toThrow(
      'Invalid AuditBucket props:\n  - `objectLockDays` is 0; it must be a whole number of days from 1 to 36500.',
    );
  });

  test('props override the profile', () => {
    const stack = newStack(Profiles.dev);
    new AuditBucket(stack, 'Audit', {
      profile: Profiles.dev, glacierTransitionDays: 120, removalPolicy: RemovalPolicy.RETAIN, bucketName: 'org-payments-audit',
    });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketName: 'org-payments-audit',
        LifecycleConfiguration: { Rules: [Match.objectLike({ Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: 120 }] })] },
      }),
    });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  test('refuses a Glacier transition below one day', () => {
    expect(() => new AuditBucket(newStack(), 'Audit', { glacierTransitionDays: 0 })).toThrow(
      'Invalid AuditBucket props:\n  - `glacierTransitionDays` is 0; it must be a whole number of days from 1 to 36500.',
    );
  });

  test('refuses an invalid profile', () => {
    expect(() => new AuditBucket(newStack(), 'Audit', { profile: { ...Profiles.dev, auditGlacierTransitionDays: -3 } })).toThrow(
      '`auditGlacierTransitionDays` is -3; it must be a whole number of days from 1 to 36500.',
    );
  });
});

describe('AuditBucket deletion and retention guard', () => {
  const statements = (template: Template) => Object.values(template.findResources('AWS::S3::BucketPolicy'))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Sid?: string; Condition?: unknown }>);

  test('retentionAdminArns may change the configuration beside the deployment role', () => {
    const stack = newStack();
    new AuditBucket(stack, 'Audit', { retentionAdminArns: ['arn:aws:iam::111111111111:role/records-officer'] });
    const guard = statements(Template.fromStack(stack)).find((statement) => statement.Sid === 'DenyRetentionChanges');
    expect(guard?.Condition).toEqual({
      ArnNotEquals: {
        'aws:PrincipalArn': [
          { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-cfn-exec-role-${AWS::AccountId}-${AWS::Region}' },
          'arn:aws:iam::111111111111:role/records-officer',
        ],
      },
    });
  });

  test('a stack deployed otherwise than through the default synthesizer\'s role warns, and guards deletion still', () => {
    const stack = new Stack(new App(), 'Legacy', { synthesizer: new LegacyStackSynthesizer() });
    new AuditBucket(stack, 'Audit');
    const template = Template.fromStack(stack);
    expect(statements(template).map((statement) => statement.Sid)).toEqual(expect.arrayContaining(['DenyRecordDeletion']));
    expect(statements(template).map((statement) => statement.Sid)).not.toContain('DenyRetentionChanges');
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('Name that role in `retentionAdminArns`'));
  });
});

describe('AuditBucket keys, log bucket and grants', () => {
  test('uses a given key and a given access-log bucket', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'PlatformKey', { enableKeyRotation: true });
    const logs = new s3.Bucket(stack, 'CentralLogs', { enforceSSL: true });
    const audit = new AuditBucket(stack, 'Audit', { encryptionKey: key, serverAccessLogsBucket: logs });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: stack.getLogicalId(logs.node.defaultChild as CfnElement) } },
    });
    expect(audit.accessLogsBucket).toBeUndefined();
    expect(audit.key).toBe(key);
  });

  test('grantWriteRecords allows s3:PutObject under audit/ and kms:GenerateDataKey, nothing else', () => {
    const stack = newStack();
    const audit = new AuditBucket(stack, 'Audit');
    const role = new iam.Role(stack, 'Writer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    audit.grantWriteRecords(role);
    const template = Template.fromStack(stack);
    const actions = grantedActions(template, stack.getLogicalId(role.node.defaultChild as CfnElement));
    expect(actions.sort()).toEqual(['kms:GenerateDataKey', 's3:PutObject']);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('AuditBucket'), 'Arn'] }, '/audit/*']] },
        })]),
      },
    });
  });

  test('grantWriteRecords refuses a grantee that is neither a role nor a user, since the bucket policy names writers by ARN', () => {
    const stack = newStack();
    const audit = new AuditBucket(stack, 'Audit');
    expect(() => audit.grantWriteRecords(new iam.ServicePrincipal('lambda.amazonaws.com')))
      .toThrow('Audit records can be granted to a role or a user only');
  });

  test('the bucket policy names every writer granted, and no one before a grant', () => {
    const denyOthers = (stack: Stack) => Template.fromStack(stack).findResources('AWS::S3::BucketPolicy', {
      Properties: { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'DenyAuditRecordWritesByOthers' })]) } },
    });
    const ungranted = newStack();
    new AuditBucket(ungranted, 'Audit');
    expect(Object.keys(denyOthers(ungranted))).toHaveLength(0);

    const stack = newStack();
    const audit = new AuditBucket(stack, 'Audit');
    const writers = ['One', 'Two'].map((id) => new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
    writers.forEach((writer) => audit.grantWriteRecords(writer));
    const [policy] = Object.values(denyOthers(stack)) as Array<{ Properties: { PolicyDocument: { Statement: Array<Record<string, any>> } } }>;
    const statement = policy.Properties.PolicyDocument.Statement.find((s) => s.Sid === 'DenyAuditRecordWritesByOthers')!;
    expect(statement.Condition.ArnNotEquals['aws:PrincipalArn'])
      .toEqual(writers.map((writer) => ({ 'Fn::GetAtt': [stack.getLogicalId(writer.node.defaultChild as CfnElement), 'Arn'] })));
  });

  test('grantRead allows reading and decrypting records', () => {
    const stack = newStack();
    const audit = new AuditBucket(stack, 'Audit');
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    audit.grantRead(role);
    const actions = grantedActions(Template.fromStack(stack), stack.getLogicalId(role.node.defaultChild as CfnElement));
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject*', 'kms:Decrypt']));
    expect(actions).not.toContain('s3:PutObject');
  });
});

describe('AuditBucket.fromBucketAttributes', () => {
  test('an imported bucket grants record writes under audit/ and reads, and adds no policy to a bucket it does not own', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:111111111111:key/abcd');
    const audit = AuditBucket.fromBucketAttributes(stack, 'Audit', { bucketArn: 'arn:aws:s3:::audit-records', encryptionKey: key });
    const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    audit.grantWriteRecords(writer);
    const template = Template.fromStack(stack);
    expect(grantedActions(template, stack.getLogicalId(writer.node.defaultChild as CfnElement)).sort()).toEqual(['kms:GenerateDataKey', 's3:PutObject']);
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).toContain('arn:aws:s3:::audit-records/audit/*');
    template.resourceCountIs('AWS::S3::BucketPolicy', 0);
    expect(audit.bucketName).toBe('audit-records');
  });
});
