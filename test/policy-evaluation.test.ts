import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PaymentPlatform, Profiles } from '../src';
import { decide, PolicyModel } from './setup/policy-evaluation';

/**
 * The runtime paths that AWS must allow, decided by evaluating the synthesized policies as IAM does,
 * each beside the nearest request that must stay forbidden. Every evaluation fails the test if the
 * engine ignored a context key, so no case passes by accident.
 */
const ACCOUNT = '111111111111';
const OTHER_ACCOUNT = '222222222222';
const TLS = { 'aws:SecureTransport': 'true' };
const PLAIN_HTTP = { 'aws:SecureTransport': 'false' };

describe.each(Profiles.names)('%s', (name) => {
  const profile = Profiles.named(name);
  const app = new App();
  const stack = new Stack(app, 'Payments', { env: { account: ACCOUNT, region: profile.region } });
  const platform = new PaymentPlatform(stack, 'P', profile);
  const model = new PolicyModel(stack, Template.fromStack(stack).toJSON() as never);

  const keyId = model.logicalId(platform.key);
  const key = { resource: model.arn(keyId), resourceAccount: ACCOUNT, resourcePolicy: model.keyPolicy(keyId) };
  const ledger = model.arn(model.logicalId(platform.ledger.table));
  const bucketId = model.logicalId(platform.auditBucket.bucket);
  const bucket = { resourceAccount: ACCOUNT, resourcePolicy: model.resourcePolicy('AWS::S3::BucketPolicy', 'Bucket', bucketId) };
  const auditObject = `${model.arn(bucketId)}/audit/2026/12/01/batch.jsonl`;
  const role = (fn: { role?: unknown }) => {
    const id = model.logicalId(fn.role as never);
    return { principal: model.arn(id), identityPolicies: model.identityPolicies(id) };
  };
  const handler = role(platform.api.handler);
  const auditWriter = role(platform.api.auditWriter);

  describe('the payment handler', () => {
    test('appends to the ledger; may not delete or change ledger items', async () => {
      const onLedger = { resource: ledger, resourceAccount: ACCOUNT, context: TLS };
      expect(await decide({ ...handler, ...onLedger, action: 'dynamodb:PutItem' })).toBe('Allowed');
      expect(await decide({ ...handler, ...onLedger, action: 'dynamodb:DeleteItem' })).toBe('ImplicitlyDenied');
      expect(await decide({ ...handler, ...onLedger, action: 'dynamodb:UpdateItem' })).toBe('ImplicitlyDenied');
    });

    test('uses the key for the ledger; another account\'s role may not', async () => {
      expect(await decide({ ...handler, ...key, action: 'kms:GenerateDataKey', context: TLS })).toBe('Allowed');
      const stranger = `arn:aws:iam::${OTHER_ACCOUNT}:role/stranger`;
      const strangerPolicy = [{ name: 'all', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] } }];
      expect(await decide({ principal: stranger, identityPolicies: strangerPolicy, ...key, action: 'kms:Decrypt', context: TLS }))
        .toBe('ImplicitlyDenied');
    });

    test('writes its own log group only', async () => {
      const stream = (fn: { logGroup: { node: unknown } }) => `${model.arn(model.logicalId(fn.logGroup as never)).replace(/:\*$/, '')}:log-stream:2026/12/01/a`;
      const own = { resource: stream(platform.api.handler), resourceAccount: ACCOUNT, context: TLS };
      const other = { resource: stream(platform.api.auditWriter), resourceAccount: ACCOUNT, context: TLS };
      expect(await decide({ ...handler, ...own, action: 'logs:PutLogEvents' })).toBe('Allowed');
      expect(await decide({ ...handler, ...other, action: 'logs:PutLogEvents' })).toBe('ImplicitlyDenied');
      expect(await decide({ ...auditWriter, ...other, action: 'logs:PutLogEvents' })).toBe('Allowed');
      expect(await decide({ ...auditWriter, ...own, action: 'logs:PutLogEvents' })).toBe('ImplicitlyDenied');
    });

    test('may not write, overwrite or delete audit records', async () => {
      for (const action of ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion']) {
        expect(await decide({ ...handler, ...bucket, resource: auditObject, action, context: TLS })).not.toBe('Allowed');
      }
    });
  });

  describe('the audit writer', () => {
    test('writes audit records under audit/ over TLS, and nowhere else', async () => {
      expect(await decide({ ...auditWriter, ...bucket, resource: auditObject, action: 's3:PutObject', context: TLS })).toBe('Allowed');
      expect(await decide({ ...auditWriter, ...bucket, resource: auditObject, action: 's3:PutObject', context: PLAIN_HTTP })).toBe('ExplicitlyDenied');
      const outside = `${model.arn(bucketId)}/elsewhere/batch.jsonl`;
      expect(await decide({ ...auditWriter, ...bucket, resource: outside, action: 's3:PutObject', context: TLS })).toBe('ImplicitlyDenied');
      expect(await decide({ ...auditWriter, ...bucket, resource: auditObject, action: 's3:DeleteObject', context: TLS })).toBe('ImplicitlyDenied');
    });

    test('reads the ledger\'s stream, and neither reads nor changes ledger items', async () => {
      const stream = `${ledger}/stream/2026-01-01T00:00:00.000`;
      expect(await decide({ ...auditWriter, resource: stream, resourceAccount: ACCOUNT, action: 'dynamodb:GetRecords', context: TLS })).toBe('Allowed');
      for (const action of ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem']) {
        expect(await decide({ ...auditWriter, resource: ledger, resourceAccount: ACCOUNT, action, context: TLS })).toBe('ImplicitlyDenied');
      }
    });
  });

  (profile.enableAlarms ? describe : describe.skip)('alarm notifications', () => {
    const topicId = platform.alarms ? model.logicalId(platform.alarms.topic) : '';
    const alarmId = platform.alarms ? model.logicalId(platform.alarms.alarms[0]) : '';
    const topic = () => ({ resource: model.arn(topicId), resourceAccount: ACCOUNT, resourcePolicy: model.resourcePolicy('AWS::SNS::TopicPolicy', 'Topics', topicId) });
    const fromAlarm = (account: string) => ({
      ...TLS,
      'aws:SourceAccount': account,
      'aws:SourceArn': `arn:aws:cloudwatch:${profile.region}:${account}:alarm:${alarmId}`,
    });

    test('CloudWatch may publish an alarm of this account to the topic', async () => {
      expect(await decide({ principal: 'cloudwatch.amazonaws.com', ...topic(), action: 'sns:Publish', context: fromAlarm(ACCOUNT) })).toBe('Allowed');
    });

    test('CloudWatch may not publish an alarm of another account, nor over plain HTTP', async () => {
      expect(await decide({ principal: 'cloudwatch.amazonaws.com', ...topic(), action: 'sns:Publish', context: fromAlarm(OTHER_ACCOUNT) }))
        .not.toBe('Allowed');
      expect(await decide({ principal: 'cloudwatch.amazonaws.com', ...topic(), action: 'sns:Publish', context: { ...fromAlarm(ACCOUNT), ...PLAIN_HTTP } }))
        .toBe('ExplicitlyDenied');
    });

    test('CloudWatch may use the key to publish to the encrypted topic', async () => {
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
        expect(await decide({ principal: 'cloudwatch.amazonaws.com', ...key, action, context: TLS })).toBe('Allowed');
      }
    });
  });
});
