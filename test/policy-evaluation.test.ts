import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ApiGatewayAccount, AuditBucket, EncryptedLedgerTable, MultiRegionPaymentPlatform, PaymentApi, PaymentPlatform, Profiles, SecureVpc } from '../src';
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
  const queueId = model.logicalId(platform.api.deadLetterQueue);
  const queue = { resource: model.arn(queueId), resourceAccount: ACCOUNT, resourcePolicy: model.resourcePolicy('AWS::SQS::QueuePolicy', 'Queues', queueId) };
  const admin = {
    principal: `arn:aws:iam::${ACCOUNT}:role/administrator`,
    identityPolicies: [{ name: 'admin', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
  };
  /** What every request carries: TLS, and the caller's own ARN (which the audit bucket's policy checks). */
  const as = (caller: { principal: string }, extra: Record<string, string> = {}) => ({ ...TLS, 'aws:PrincipalArn': caller.principal, ...extra });

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
        expect(await decide({ ...handler, ...bucket, resource: auditObject, action, context: as(handler) })).not.toBe('Allowed');
      }
    });

    test('claims and releases idempotency keys', async () => {
      const onTable = { resource: model.arn(model.logicalId(platform.api.idempotencyTable)), resourceAccount: ACCOUNT, context: TLS };
      for (const action of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']) {
        expect(await decide({ ...handler, ...onTable, action })).toBe('Allowed');
      }
      expect(await decide({ ...handler, ...onTable, action: 'dynamodb:Scan' })).toBe('ImplicitlyDenied');
    });

    test('has nothing to send to the dead-letter queue (it is invoked synchronously) and may not', async () => {
      expect(await decide({ ...handler, ...queue, action: 'sqs:SendMessage', context: TLS })).toBe('ImplicitlyDenied');
      expect(await decide({ ...handler, ...queue, action: 'sqs:ReceiveMessage', context: TLS })).toBe('ImplicitlyDenied');
    });

    test('may decrypt and generate data keys, but not encrypt or re-encrypt arbitrary data', async () => {
      for (const action of ['kms:Decrypt', 'kms:GenerateDataKey']) {
        expect(await decide({ ...handler, ...key, action, context: TLS })).toBe('Allowed');
      }
      for (const action of ['kms:Encrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']) {
        expect(await decide({ ...handler, ...key, action, context: TLS })).toBe('ImplicitlyDenied');
      }
    });
  });

  describe('API Gateway', () => {
    const handlerId = model.logicalId(platform.api.handler);
    const fn = { resource: model.arn(handlerId), resourceAccount: ACCOUNT, resourcePolicy: model.functionPolicy(handlerId) };
    const stage = model.ref(model.logicalId(platform.api.restApi.deploymentStage));
    expect(stage).toBe('v1');
    const method = (api: string, verb: string, path: string) => ({
      ...TLS,
      'aws:SourceArn': `arn:aws:execute-api:${profile.region}:${ACCOUNT}:${api}/${stage}/${verb}${path}`,
    });
    const api = model.logicalId(platform.api.restApi);

    test('invokes the handler for the contract\'s two methods', async () => {
      expect(await decide({ principal: 'apigateway.amazonaws.com', ...fn, action: 'lambda:InvokeFunction', context: method(api, 'POST', '/payments') }))
        .toBe('Allowed');
      expect(await decide({ principal: 'apigateway.amazonaws.com', ...fn, action: 'lambda:InvokeFunction', context: method(api, 'GET', '/payments/tx_1') }))
        .toBe('Allowed');
    });

    test('invokes it for no other method and no other API', async () => {
      expect(await decide({ principal: 'apigateway.amazonaws.com', ...fn, action: 'lambda:InvokeFunction', context: method(api, 'DELETE', '/payments/tx_1') }))
        .toBe('ImplicitlyDenied');
      expect(await decide({ principal: 'apigateway.amazonaws.com', ...fn, action: 'lambda:InvokeFunction', context: method('otherapi', 'POST', '/payments') }))
        .toBe('ImplicitlyDenied');
    });
  });

  describe('CloudWatch Logs', () => {
    const logGroups = model.idsOfType('AWS::Logs::LogGroup');
    const logs = `logs.${profile.region}.amazonaws.com`;
    const forGroup = (id: string, account = ACCOUNT) => ({
      ...TLS,
      'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${profile.region}:${account}:log-group:${model.ref(id)}`,
    });

    test('every log group of the stack is encrypted with the platform key', () => {
      expect(logGroups.length).toBeGreaterThanOrEqual(5);
      for (const id of logGroups) {
        expect([id, model.properties(id).KmsKeyId]).toEqual([id, key.resource]);
      }
    });

    test('may use the key for each log group of the stack', async () => {
      for (const id of logGroups) {
        for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
          expect([id, action, await decide({ principal: logs, ...key, action, context: forGroup(id) })]).toEqual([id, action, 'Allowed']);
        }
      }
    });

    test('may not use the key for another account\'s log group, nor without a log group, nor from another region', async () => {
      expect(await decide({ principal: logs, ...key, action: 'kms:Decrypt', context: forGroup(logGroups[0], OTHER_ACCOUNT) })).toBe('ImplicitlyDenied');
      expect(await decide({ principal: logs, ...key, action: 'kms:Decrypt', context: TLS })).toBe('ImplicitlyDenied');
      expect(await decide({ principal: 'logs.eu-west-3.amazonaws.com', ...key, action: 'kms:Decrypt', context: forGroup(logGroups[0]) }))
        .toBe('ImplicitlyDenied');
    });

    test('the WAF log group is one of them, named as WAF requires', () => {
      if (!platform.api.webAcl) {
        return;
      }
      const wafLogs = model.idsOfType('AWS::WAFv2::LoggingConfiguration').map((id) => model.properties(id).LogDestinationConfigs);
      expect(wafLogs).toHaveLength(1);
      const [destination] = wafLogs[0] as string[];
      expect(destination).toMatch(new RegExp(`^arn:aws:logs:${profile.region}:${ACCOUNT}:log-group:`));
      const group = logGroups.find((id) => destination.endsWith(`:log-group:${model.ref(id)}`));
      expect(group).toBeDefined();
      expect(String(model.properties(group!).LogGroupName ?? '')).toMatch(/^aws-waf-logs-/);
    });

    test('flow logs may write their own log group and no other', async () => {
      const flowLogRoleIds = model.idsOfType('AWS::EC2::FlowLog').map((id) => {
        const roleArn = String(model.properties(id).DeliverLogsPermissionArn);
        return roleArn.slice(roleArn.lastIndexOf('/') + 1);
      });
      expect(flowLogRoleIds).toHaveLength(1);
      const flowLogs = { principal: model.arn(flowLogRoleIds[0]), identityPolicies: model.identityPolicies(flowLogRoleIds[0]) };
      const trust = model.properties(flowLogRoleIds[0]).AssumeRolePolicyDocument;
      expect(await decide({
        principal: 'vpc-flow-logs.amazonaws.com',
        resource: flowLogs.principal,
        resourceAccount: ACCOUNT,
        resourcePolicy: trust,
        action: 'sts:AssumeRole',
        context: TLS,
      })).toBe('Allowed');
      const streamOf = (id: string) => `${model.arn(id).replace(/:\*$/, '')}:log-stream:eni-1-all`;
      const flowLogGroup = model.logicalId(platform.network!.flowLogGroup);
      const other = logGroups.find((id) => id !== flowLogGroup)!;
      expect(await decide({ ...flowLogs, resource: streamOf(flowLogGroup), resourceAccount: ACCOUNT, action: 'logs:PutLogEvents', context: TLS })).toBe('Allowed');
      expect(await decide({ ...flowLogs, resource: streamOf(other), resourceAccount: ACCOUNT, action: 'logs:PutLogEvents', context: TLS })).toBe('ImplicitlyDenied');
    });
  });

  describe('the audit bucket', () => {
    test('S3 delivers the audit bucket\'s access logs under its prefix, from this bucket and account only', async () => {
      const logsId = model.logicalId((platform.auditBucket as AuditBucket).accessLogsBucket!);
      const target = { resourceAccount: ACCOUNT, resourcePolicy: model.resourcePolicy('AWS::S3::BucketPolicy', 'Bucket', logsId) };
      const delivery = (source: string, account = ACCOUNT) => ({ ...TLS, 'aws:SourceArn': source, 'aws:SourceAccount': account });
      const object = `${model.arn(logsId)}/audit-bucket/2026-12-01-00-00-00-ABC`;
      const put = { principal: 'logging.s3.amazonaws.com', ...target, action: 's3:PutObject' };
      expect(await decide({ ...put, resource: object, context: delivery(model.arn(bucketId)) })).toBe('Allowed');
      expect(await decide({ ...put, resource: object, context: delivery('arn:aws:s3:::another-bucket') })).toBe('ImplicitlyDenied');
      expect(await decide({ ...put, resource: object, context: delivery(model.arn(bucketId), OTHER_ACCOUNT) })).toBe('ImplicitlyDenied');
      expect(await decide({ ...put, resource: `${model.arn(logsId)}/elsewhere/x`, context: delivery(model.arn(bucketId)) })).toBe('ImplicitlyDenied');
    });

    test('no one but the audit writer may write under audit/, an administrator included', async () => {
      expect(await decide({ ...admin, ...bucket, resource: auditObject, action: 's3:PutObject', context: as(admin) })).toBe('ExplicitlyDenied');
      expect(await decide({ ...admin, ...bucket, resource: `${model.arn(bucketId)}/reports/x`, action: 's3:PutObject', context: as(admin) })).toBe('Allowed');
    });

    const deployer = { ...admin, principal: `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${profile.region}` };
    const bucketArn = model.arn(bucketId);

    test('no one may delete an audit record or a version of one, an administrator and the deployment role included', async () => {
      for (const caller of [admin, deployer, auditWriter]) {
        for (const action of ['s3:DeleteObject', 's3:DeleteObjectVersion']) {
          expect(await decide({ ...caller, ...bucket, resource: auditObject, action, context: as(caller) })).toBe('ExplicitlyDenied');
        }
      }
    });

    test('only the deployment role may change the lifecycle, versioning, Object Lock or policy; an administrator may not', async () => {
      for (const action of ['s3:PutLifecycleConfiguration', 's3:PutBucketVersioning', 's3:PutBucketObjectLockConfiguration', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy']) {
        expect(await decide({ ...admin, ...bucket, resource: bucketArn, action, context: as(admin) })).toBe('ExplicitlyDenied');
        expect(await decide({ ...deployer, ...bucket, resource: bucketArn, action, context: as(deployer) })).toBe('Allowed');
      }
    });

    const emptier = model.idsOfType('AWS::IAM::Role').find((id) => id.startsWith('CustomS3AutoDeleteObjectsCustomResourceProviderRole'));
    if (profile.removalPolicy === RemovalPolicy.DESTROY) {
      test('the role that empties the bucket before the stack deletes it may delete records, and set the policy that stops new writes', async () => {
        // Its only identity policy is the managed one for logs; the bucket policy grants it what it does to the bucket.
        const emptying = { principal: model.arn(emptier!), identityPolicies: [] };
        expect(await decide({ ...emptying, ...bucket, resource: auditObject, action: 's3:DeleteObjectVersion', context: as(emptying) })).toBe('Allowed');
        expect(await decide({ ...emptying, ...bucket, resource: bucketArn, action: 's3:PutBucketPolicy', context: as(emptying) })).toBe('Allowed');
        expect(await decide({ ...emptying, ...bucket, resource: bucketArn, action: 's3:PutLifecycleConfiguration', context: as(emptying) })).not.toBe('Allowed');
      });
    } else {
      test('nothing empties the bucket: no role of the stack may delete records', () => {
        expect(emptier).toBeUndefined();
      });
    }

    test('refuses an upload that asks for another encryption type or another key', async () => {
      const put = { ...auditWriter, ...bucket, resource: auditObject, action: 's3:PutObject' };
      const sse = 's3:x-amz-server-side-encryption';
      expect(await decide({ ...put, context: as(auditWriter, { [sse]: 'aws:kms', [`${sse}-aws-kms-key-id`]: key.resource }) })).toBe('Allowed');
      expect(await decide({ ...put, context: as(auditWriter, { [sse]: 'AES256' }) })).toBe('ExplicitlyDenied');
      expect(await decide({ ...put, context: as(auditWriter, { [sse]: 'aws:kms:dsse' }) })).toBe('ExplicitlyDenied');
      expect(await decide({ ...put, context: as(auditWriter, { [sse]: 'aws:kms', [`${sse}-aws-kms-key-id`]: `arn:aws:kms:${profile.region}:${ACCOUNT}:key/other` }) }))
        .toBe('ExplicitlyDenied');
      expect(await decide({ ...put, context: as(auditWriter, { [`${sse}-customer-algorithm`]: 'AES256' }) })).toBe('ExplicitlyDenied');
    });
  });

  describe('the VPC\'s gateway endpoints', () => {
    const endpointPolicy = (endpoint: { node: unknown }) =>
      model.resolve(Template.fromStack(stack).toJSON().Resources[model.logicalId(endpoint as never)].Properties.PolicyDocument);
    const through = (endpoint: { node: unknown }) => ({ resourceAccount: ACCOUNT, resourcePolicy: endpointPolicy(endpoint) });
    const principalOf = (caller: { principal: string }) => ({ ...TLS, 'aws:PrincipalAccount': ACCOUNT, 'aws:PrincipalArn': caller.principal });
    const network = platform.network!;

    test('DynamoDB\'s lets the functions reach the ledger and the claims, and no other table', async () => {
      const dynamodb = { ...handler, ...through(network.dynamoDbEndpoint) };
      expect(await decide({ ...dynamodb, resource: ledger, action: 'dynamodb:PutItem', context: principalOf(handler) })).toBe('Allowed');
      const claims = model.arn(model.logicalId(platform.api.idempotencyTable));
      expect(await decide({ ...dynamodb, resource: claims, action: 'dynamodb:UpdateItem', context: principalOf(handler) })).toBe('Allowed');
      const elsewhere = `arn:aws:dynamodb:${profile.region}:${ACCOUNT}:table/customers`;
      expect(await decide({ ...dynamodb, resource: elsewhere, action: 'dynamodb:GetItem', context: principalOf(handler) })).toBe('ImplicitlyDenied');
      expect(await decide({ ...dynamodb, resource: ledger, action: 'dynamodb:DeleteTable', context: principalOf(handler) })).toBe('ImplicitlyDenied');
    });

    test('S3\'s lets the audit writer put records, and nothing else out', async () => {
      const s3 = { ...auditWriter, ...through(network.s3Endpoint) };
      expect(await decide({ ...s3, resource: auditObject, action: 's3:PutObject', context: principalOf(auditWriter) })).toBe('Allowed');
      expect(await decide({ ...s3, resource: 'arn:aws:s3:::exfiltration-bucket/dump', action: 's3:PutObject', context: principalOf(auditWriter) })).toBe('ImplicitlyDenied');
      expect(await decide({ ...s3, resource: auditObject, action: 's3:GetObject', context: principalOf(auditWriter) })).toBe('ImplicitlyDenied');
      // A role of another account with its own credentials in the VPC: its own bucket is refused too.
      const stranger = { principal: `arn:aws:iam::${OTHER_ACCOUNT}:role/stranger`, identityPolicies: admin.identityPolicies };
      expect(await decide({
        ...stranger,
        ...through(network.s3Endpoint),
        resource: auditObject,
        action: 's3:PutObject',
        context: { ...TLS, 'aws:PrincipalAccount': OTHER_ACCOUNT, 'aws:PrincipalArn': stranger.principal },
      })).toBe('ImplicitlyDenied');
    });
  });

  describe('the audit writer', () => {
    test('writes audit records under audit/ over TLS, and nowhere else', async () => {
      expect(await decide({ ...auditWriter, ...bucket, resource: auditObject, action: 's3:PutObject', context: as(auditWriter) })).toBe('Allowed');
      expect(await decide({ ...auditWriter, ...bucket, resource: auditObject, action: 's3:PutObject', context: as(auditWriter, PLAIN_HTTP) }))
        .toBe('ExplicitlyDenied');
      const outside = `${model.arn(bucketId)}/elsewhere/batch.jsonl`;
      expect(await decide({ ...auditWriter, ...bucket, resource: outside, action: 's3:PutObject', context: as(auditWriter) })).toBe('ImplicitlyDenied');
      expect(await decide({ ...auditWriter, ...bucket, resource: auditObject, action: 's3:DeleteObject', context: as(auditWriter) })).toBe('ExplicitlyDenied');
    });

    test('sends failed batches to the dead-letter queue, and uses the key only as it needs', async () => {
      expect(await decide({ ...auditWriter, ...queue, action: 'sqs:SendMessage', context: TLS })).toBe('Allowed');
      expect(await decide({ ...auditWriter, ...queue, action: 'sqs:SendMessage', context: PLAIN_HTTP })).toBe('ExplicitlyDenied');
      for (const action of ['kms:Decrypt', 'kms:GenerateDataKey']) {
        expect(await decide({ ...auditWriter, ...key, action, context: TLS })).toBe('Allowed');
      }
      for (const action of ['kms:Encrypt', 'kms:ReEncryptFrom']) {
        expect(await decide({ ...auditWriter, ...key, action, context: TLS })).toBe('ImplicitlyDenied');
      }
    });

    test('reads the ledger\'s stream, and neither reads nor changes ledger items', async () => {
      const stream = `${ledger}/stream/2026-01-01T00:00:00.000`;
      expect(await decide({ ...auditWriter, resource: stream, resourceAccount: ACCOUNT, action: 'dynamodb:GetRecords', context: TLS })).toBe('Allowed');
      for (const action of ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem']) {
        expect(await decide({ ...auditWriter, resource: ledger, resourceAccount: ACCOUNT, action, context: TLS })).toBe('ImplicitlyDenied');
      }
    });
  });

  (profile.ledgerBackups ? describe : describe.skip)('AWS Backup', () => {
    // What the role may do comes from AWS managed policies, whose documents are not in the template;
    // the template's part is who may assume the role, and that the key leaves the decision to IAM.
    test('only AWS Backup may assume the backup role, which may back up and restore', async () => {
      const backupRole = (platform.ledger as EncryptedLedgerTable).backupRole;
      const roleId = backupRole ? model.logicalId(backupRole) : '';
      const trust = { resource: model.arn(roleId), resourceAccount: ACCOUNT, resourcePolicy: model.properties(roleId).AssumeRolePolicyDocument };
      expect(await decide({ principal: 'backup.amazonaws.com', ...trust, action: 'sts:AssumeRole', context: TLS })).toBe('Allowed');
      expect(await decide({ principal: 'lambda.amazonaws.com', ...trust, action: 'sts:AssumeRole', context: TLS })).toBe('ImplicitlyDenied');
      expect(JSON.stringify(model.properties(roleId).ManagedPolicyArns)).toMatch(/AWSBackupServiceRolePolicyForBackup.*AWSBackupServiceRolePolicyForRestores/);
    });

    test('no one may delete a recovery point of the vault, shorten its life or change the vault\'s policy, an administrator included', async () => {
      const vaults = model.idsOfType('AWS::Backup::BackupVault');
      if (!profile.ledgerBackups) {
        expect(vaults).toEqual([]);
        return;
      }
      const accessPolicy = Template.fromStack(stack).toJSON().Resources[vaults[0]].Properties.AccessPolicy;
      const vault = { resourceAccount: ACCOUNT, resourcePolicy: model.resolve(accessPolicy) };
      const point = `arn:aws:backup:${profile.region}:${ACCOUNT}:recovery-point:a1b2c3d4-5678-90ab-cdef-EXAMPLE11111`;
      for (const action of ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle']) {
        expect(await decide({ ...admin, ...vault, resource: point, action, context: TLS })).toBe('ExplicitlyDenied');
      }
      expect(await decide({ ...admin, ...vault, resource: `arn:aws:backup:${profile.region}:${ACCOUNT}:backup-vault:payments`, action: 'backup:PutBackupVaultAccessPolicy', context: as(admin) }))
        .toBe('ExplicitlyDenied');
      expect(await decide({ ...admin, ...vault, resource: point, action: 'backup:DescribeRecoveryPoint', context: TLS })).toBe('Allowed');
      const deployer = { ...admin, principal: `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${profile.region}` };
      expect(await decide({ ...deployer, ...vault, resource: `arn:aws:backup:${profile.region}:${ACCOUNT}:backup-vault:payments`, action: 'backup:PutBackupVaultAccessPolicy', context: { ...TLS, 'aws:PrincipalArn': deployer.principal } }))
        .toBe('Allowed');
      expect(await decide({ ...deployer, ...vault, resource: point, action: 'backup:DeleteRecoveryPoint', context: { ...TLS, 'aws:PrincipalArn': deployer.principal } }))
        .toBe('ExplicitlyDenied');
    });

    test('the key lets an identity policy of the account decide on its use, as the backup role\'s does', async () => {
      const backupRole = `arn:aws:iam::${ACCOUNT}:role/backup`;
      const allowKey = [{ name: 'k', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:CreateGrant'], Resource: key.resource }] } }];
      expect(await decide({ principal: backupRole, identityPolicies: allowKey, ...key, action: 'kms:CreateGrant', context: TLS })).toBe('Allowed');
      expect(await decide({ principal: backupRole, identityPolicies: [], ...key, action: 'kms:CreateGrant', context: TLS })).toBe('ImplicitlyDenied');
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

    test('the suite notices a missing statement: without the publish statement, no alarm reaches the topic', async () => {
      const policy = topic().resourcePolicy as { Statement: Array<{ Sid?: string }> };
      const withoutPublish = { ...policy, Statement: policy.Statement.filter((statement) => statement.Sid !== 'AllowCloudWatchAlarmsToPublish') };
      expect(withoutPublish.Statement.length).toBe(policy.Statement.length - 1);
      expect(await decide({ principal: 'cloudwatch.amazonaws.com', ...topic(), resourcePolicy: withoutPublish, action: 'sns:Publish', context: fromAlarm(ACCOUNT) }))
        .toBe('ImplicitlyDenied');
    });

    test('CloudWatch may not publish an alarm of another account, nor over plain HTTP', async () => {
      expect(await decide({ principal: 'cloudwatch.amazonaws.com', ...topic(), action: 'sns:Publish', context: fromAlarm(OTHER_ACCOUNT) }))
        .not.toBe('Allowed');
      expect(await decide({ principal: 'cloudwatch.amazonaws.com', ...topic(), action: 'sns:Publish', context: { ...fromAlarm(ACCOUNT), ...PLAIN_HTTP } }))
        .toBe('ExplicitlyDenied');
    });

    test('CloudWatch may use the key to publish to the encrypted topic, for alarms of this account only', async () => {
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
        expect(await decide({ principal: 'cloudwatch.amazonaws.com', ...key, action, context: fromAlarm(ACCOUNT) })).toBe('Allowed');
        expect(await decide({ principal: 'cloudwatch.amazonaws.com', ...key, action, context: fromAlarm(OTHER_ACCOUNT) })).toBe('ImplicitlyDenied');
      }
    });

    test('the key destruction rule may publish to the topic and use the key; another rule may not publish', async () => {
      const ruleArn = model.arn(model.logicalId(platform.alarms!.keyDestructionRule));
      const fromRule = (arn: string) => ({ ...TLS, 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': arn });
      expect(await decide({ principal: 'events.amazonaws.com', ...topic(), action: 'sns:Publish', context: fromRule(ruleArn) })).toBe('Allowed');
      const other = `arn:aws:events:${profile.region}:${ACCOUNT}:rule/other`;
      expect(await decide({ principal: 'events.amazonaws.com', ...topic(), action: 'sns:Publish', context: fromRule(other) })).toBe('ImplicitlyDenied');
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
        expect(await decide({ principal: 'events.amazonaws.com', ...key, action, context: fromRule(ruleArn) })).toBe('Allowed');
        expect(await decide({
          principal: 'events.amazonaws.com',
          ...key,
          action,
          context: { ...TLS, 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': `arn:aws:events:${profile.region}:${OTHER_ACCOUNT}:rule/x` },
        })).toBe('ImplicitlyDenied');
      }
    });
  });

  describe('the key\'s administration, apart from its use', () => {
    const deployer = { ...admin, principal: `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${profile.region}` };
    const asCaller = (caller: { principal: string }) => ({ ...TLS, 'aws:PrincipalArn': caller.principal });

    test('no administrator of the account, nor a role of the platform given every permission, may delete, disable or re-police the key', async () => {
      const overprivilegedHandler = { principal: handler.principal, identityPolicies: admin.identityPolicies };
      for (const caller of [admin, overprivilegedHandler]) {
        for (const action of ['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy']) {
          expect(await decide({ ...caller, ...key, action, context: asCaller(caller) })).toBe('ExplicitlyDenied');
        }
        // Use stays with IAM, as the account delegates it.
        expect(await decide({ ...caller, ...key, action: 'kms:Decrypt', context: asCaller(caller) })).toBe('Allowed');
      }
    });

    test('the role CloudFormation deploys with may, so that the stack can still change the key and delete it where the profile says so', async () => {
      for (const action of ['kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy']) {
        expect(await decide({ ...deployer, ...key, action, context: asCaller(deployer) })).toBe('Allowed');
      }
    });
  });
});

describe('key administrators named by keyAdminArns', () => {
  const app = new App();
  const stack = new Stack(app, 'Payments', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const officer = `arn:aws:iam::${ACCOUNT}:role/key-officer`;
  const platform = new PaymentPlatform(stack, 'P', Profiles.production, { keyAdminArns: [officer] });
  const model = new PolicyModel(stack, Template.fromStack(stack).toJSON() as never);
  const keyId = model.logicalId(platform.key);
  const key = { resource: model.arn(keyId), resourceAccount: ACCOUNT, resourcePolicy: model.keyPolicy(keyId) };

  test('may schedule the key\'s deletion and cancel it through the key policy alone; another role may not', async () => {
    for (const action of ['kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion', 'kms:DisableKey']) {
      expect(await decide({ principal: officer, identityPolicies: [], ...key, action, context: { ...TLS, 'aws:PrincipalArn': officer } })).toBe('Allowed');
    }
    const other = `arn:aws:iam::${ACCOUNT}:role/administrator`;
    const everything = [{ name: 'admin', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }];
    expect(await decide({ principal: other, identityPolicies: everything, ...key, action: 'kms:ScheduleKeyDeletion', context: { ...TLS, 'aws:PrincipalArn': other } }))
      .toBe('ExplicitlyDenied');
  });
});

describe('the account\'s API Gateway logging role', () => {
  const app = new App();
  const stack = new Stack(app, 'Account', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const account = new ApiGatewayAccount(stack, 'ApiGatewayAccount');
  const model = new PolicyModel(stack, Template.fromStack(stack).toJSON() as never);
  const roleId = model.logicalId(account.role);
  const trust = { resource: model.arn(roleId), resourceAccount: ACCOUNT, resourcePolicy: model.properties(roleId).AssumeRolePolicyDocument };

  test('API Gateway may assume it, and no other service or account', async () => {
    expect(await decide({ principal: 'apigateway.amazonaws.com', ...trust, action: 'sts:AssumeRole', context: TLS })).toBe('Allowed');
    expect(await decide({ principal: 'lambda.amazonaws.com', ...trust, action: 'sts:AssumeRole', context: TLS })).toBe('ImplicitlyDenied');
    const stranger = `arn:aws:iam::${OTHER_ACCOUNT}:role/stranger`;
    const strangerPolicy = [{ name: 'all', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] } }];
    expect(await decide({ principal: stranger, identityPolicies: strangerPolicy, ...trust, action: 'sts:AssumeRole', context: TLS })).toBe('ImplicitlyDenied');
  });
});

describe('callers granted by PaymentApi', () => {
  const profile = Profiles.production;
  const app = new App();
  const stack = new Stack(app, 'Payments', { env: { account: ACCOUNT, region: profile.region } });
  const platform = new PaymentPlatform(stack, 'P', profile);
  const caller = (id: string) => new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal() });
  const roles = { invoker: caller('Invoker'), creator: caller('Creator'), reader: caller('Reader') };
  platform.api.grantInvoke(roles.invoker);
  platform.api.grantCreatePayments(roles.creator);
  platform.api.grantReadPayments(roles.reader);
  const model = new PolicyModel(stack, Template.fromStack(stack).toJSON() as never);
  const api = model.ref(model.logicalId(platform.api.restApi));
  const stage = 'v1';
  const as = (role: iam.Role) => {
    const id = model.logicalId(role);
    return { principal: model.arn(id), identityPolicies: model.identityPolicies(id) };
  };
  const call = (method: string, path: string, apiId = api, stageName = stage) => ({
    action: 'execute-api:Invoke',
    resource: `arn:aws:execute-api:${profile.region}:${ACCOUNT}:${apiId}/${stageName}/${method}${path}`,
    resourceAccount: ACCOUNT,
    context: TLS,
  });

  test('grantInvoke allows exactly the contract\'s two methods on this API\'s stage', async () => {
    expect(await decide({ ...as(roles.invoker), ...call('POST', '/payments') })).toBe('Allowed');
    expect(await decide({ ...as(roles.invoker), ...call('GET', '/payments/2b1f0e4e-3f9a-4c63-9a55-1f6f0c5a1d2e') })).toBe('Allowed');
    expect(await decide({ ...as(roles.invoker), ...call('DELETE', '/payments/2b1f0e4e') })).toBe('ImplicitlyDenied');
    expect(await decide({ ...as(roles.invoker), ...call('PUT', '/payments') })).toBe('ImplicitlyDenied');
    expect(await decide({ ...as(roles.invoker), ...call('POST', '/payments', 'otherapi') })).toBe('ImplicitlyDenied');
    expect(await decide({ ...as(roles.invoker), ...call('POST', '/payments', api, 'test') })).toBe('ImplicitlyDenied');
  });

  test('grantCreatePayments allows POST only, grantReadPayments GET only', async () => {
    expect(await decide({ ...as(roles.creator), ...call('POST', '/payments') })).toBe('Allowed');
    expect(await decide({ ...as(roles.creator), ...call('GET', '/payments/x') })).toBe('ImplicitlyDenied');
    expect(await decide({ ...as(roles.reader), ...call('GET', '/payments/x') })).toBe('Allowed');
    expect(await decide({ ...as(roles.reader), ...call('POST', '/payments') })).toBe('ImplicitlyDenied');
  });
});

describe.each([['production', true], ['dev', false]] as const)('a private API (%s)', (name, iamAuthorization) => {
  const profile = Profiles.named(name);
  const app = new App();
  const stack = new Stack(app, 'Payments', { env: { account: ACCOUNT, region: profile.region } });
  const network = new SecureVpc(stack, 'Network', { profile });
  const endpoint = network.vpc.addInterfaceEndpoint('ExecuteApi', { service: ec2.InterfaceVpcEndpointAwsService.APIGATEWAY });
  const api = new PaymentApi(stack, 'Api', { profile, vpc: network.vpc, privateEndpoints: [endpoint] });
  const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
  api.grantInvoke(caller);
  const model = new PolicyModel(stack, Template.fromStack(stack).toJSON() as never);
  const apiId = model.logicalId(api.restApi);
  const apiArn = `arn:aws:execute-api:${profile.region}:${ACCOUNT}:${model.ref(apiId)}`;
  // API Gateway reads `execute-api:/` in its resource policy as the API's own ARN.
  const resourcePolicy = JSON.parse(JSON.stringify(model.properties(apiId).Policy).split('"execute-api:/').join(`"${apiArn}/`));
  const vpce = model.ref(model.logicalId(endpoint));
  const post = { action: 'execute-api:Invoke', resource: `${apiArn}/v1/POST/payments`, resourceAccount: ACCOUNT, resourcePolicy };
  const through = (endpointId?: string) => (endpointId ? { ...TLS, 'aws:SourceVpce': endpointId } : TLS);
  const callerId = model.logicalId(caller);
  const signed = { principal: model.arn(callerId), identityPolicies: model.identityPolicies(callerId) };

  test('is private, through the given endpoint', () => {
    expect(model.properties(apiId).EndpointConfiguration).toEqual({ Types: ['PRIVATE'], VpcEndpointIds: [vpce] });
  });

  if (iamAuthorization) {
    test('a granted caller of the account gets in through the endpoint, and nowhere else', async () => {
      expect(await decide({ ...signed, ...post, context: through(vpce) })).toBe('Allowed');
      expect(await decide({ ...signed, ...post, context: through() })).toBe('ExplicitlyDenied');
      expect(await decide({ ...signed, ...post, context: through('vpce-0123456789abcdef0') })).toBe('ExplicitlyDenied');
    });

    test('the endpoint lets in no caller of the account without its own grant', async () => {
      const ungranted = { principal: `arn:aws:iam::${ACCOUNT}:role/other`, identityPolicies: [] };
      expect(await decide({ ...ungranted, ...post, context: through(vpce) })).toBe('ImplicitlyDenied');
    });
  } else {
    test('without IAM authorization, any caller gets in through the endpoint (the API key still applies), and nowhere else', async () => {
      expect(await decide({ principal: { type: 'Anonymous' }, ...post, context: through(vpce) })).toBe('Allowed');
      expect(await decide({ principal: { type: 'Anonymous' }, ...post, context: through() })).toBe('ExplicitlyDenied');
    });
  }
});

describe('a handler with provisioned concurrency', () => {
  const profile = Profiles.production;
  const app = new App();
  const stack = new Stack(app, 'Payments', { env: { account: ACCOUNT, region: profile.region } });
  const platform = new PaymentPlatform(stack, 'P', profile, { handlerProvisionedConcurrency: 4 });
  const model = new PolicyModel(stack, Template.fromStack(stack).toJSON() as never);
  const aliasId = model.logicalId(platform.api.handlerAlias!);
  const alias = { resource: model.arn(aliasId), resourceAccount: ACCOUNT, resourcePolicy: model.functionPolicy(aliasId) };
  const api = model.logicalId(platform.api.restApi);
  const method = (apiId: string, verb: string, path: string) => ({
    ...TLS,
    'aws:SourceArn': `arn:aws:execute-api:${profile.region}:${ACCOUNT}:${apiId}/v1/${verb}${path}`,
  });

  test('API Gateway invokes the alias live for the contract\'s two methods, and for nothing else', async () => {
    expect(alias.resource).toMatch(/:function:PApiHandler[0-9A-F]{8}:live$/);
    const invoke = { principal: 'apigateway.amazonaws.com', ...alias, action: 'lambda:InvokeFunction' };
    expect(await decide({ ...invoke, context: method(api, 'POST', '/payments') })).toBe('Allowed');
    expect(await decide({ ...invoke, context: method(api, 'GET', '/payments/tx_1') })).toBe('Allowed');
    expect(await decide({ ...invoke, context: method(api, 'DELETE', '/payments/tx_1') })).toBe('ImplicitlyDenied');
    expect(await decide({ ...invoke, context: method('otherapi', 'POST', '/payments') })).toBe('ImplicitlyDenied');
  });

  test('the unqualified function, which the API no longer calls, grants API Gateway nothing', () => {
    expect(() => model.functionPolicy(model.logicalId(platform.api.handler))).toThrow('no AWS::Lambda::Permission');
  });
});

describe('a multi-Region platform: each Region\'s paths, on its own replicas and key', () => {
  const app = new App();
  const multi = new MultiRegionPaymentPlatform(app, 'Payments', {
    profile: Profiles.production,
    regions: ['us-east-1', 'us-east-2', 'us-west-2'],
    account: ACCOUNT,
  });
  const keyModels = Object.fromEntries(multi.regions.map((region) => {
    const stack = multi.keyStacks[region];
    return [region, new PolicyModel(stack, Template.fromStack(stack).toJSON() as never)];
  }));
  const other = (region: string) => multi.regions.find((r) => r !== region)!;
  const replica = (region: string, table: string) => `arn:aws:dynamodb:${region}:${ACCOUNT}:table/payments-production-${table}`;
  const keyOf = (region: string) => {
    const model = keyModels[region];
    const id = model.idsOfType('AWS::KMS::Key')[0];
    return { resource: model.arn(id), resourceAccount: ACCOUNT, resourcePolicy: model.keyPolicy(id) };
  };

  describe.each(['us-east-1', 'us-east-2', 'us-west-2'])('%s', (region) => {
    const stack = multi.regionStacks[region];
    const model = new PolicyModel(stack, Template.fromStack(stack).toJSON() as never, Object.values(keyModels));
    const platform = multi.platforms[region];
    const role = (construct: { role?: unknown }) => {
      const id = model.logicalId(construct.role as never);
      return { principal: model.arn(id), identityPolicies: model.identityPolicies(id) };
    };
    const handler = role(platform.api.handler);
    const sweeper = role(platform.api.claimSweeper!);
    const auditWriter = role(platform.api.auditWriter);
    const on = (resource: string) => ({ resource, resourceAccount: ACCOUNT, context: TLS });

    test('the handler writes this Region\'s replicas, and no other Region\'s', async () => {
      expect(await decide({ ...handler, ...on(replica(region, 'ledger')), action: 'dynamodb:PutItem' })).toBe('Allowed');
      expect(await decide({ ...handler, ...on(replica(region, 'idempotency')), action: 'dynamodb:PutItem' })).toBe('Allowed');
      expect(await decide({ ...handler, ...on(replica(other(region), 'ledger')), action: 'dynamodb:PutItem' })).toBe('ImplicitlyDenied');
      expect(await decide({ ...handler, ...on(replica(region, 'ledger')), action: 'dynamodb:DeleteItem' })).toBe('ImplicitlyDenied');
    });

    test('the handler encrypts with this Region\'s key, which its key policy lets IAM grant; not with another Region\'s', async () => {
      expect(await decide({ ...handler, ...keyOf(region), action: 'kms:GenerateDataKey', context: TLS })).toBe('Allowed');
      expect(await decide({ ...handler, ...keyOf(region), action: 'kms:Decrypt', context: TLS })).toBe('Allowed');
      expect(await decide({ ...handler, ...keyOf(other(region)), action: 'kms:Decrypt', context: TLS })).toBe('ImplicitlyDenied');
    });

    test('the sweeper reads and saves its place among the claims, and no claim', async () => {
      const claims = on(replica(region, 'idempotency'));
      const place = { ...TLS, 'dynamodb:LeadingKeys': [`sweep-position#${region}`] };
      expect(await decide({ ...sweeper, ...claims, action: 'dynamodb:GetItem', context: place })).toBe('Allowed');
      expect(await decide({ ...sweeper, ...claims, action: 'dynamodb:PutItem', context: place })).toBe('Allowed');
      expect(await decide({ ...sweeper, ...on(replica(region, 'ledger')), action: 'dynamodb:PutItem', context: place })).toBe('ImplicitlyDenied');
      const claim = { ...TLS, 'dynamodb:LeadingKeys': ['0f'.repeat(32)] };
      expect(await decide({ ...sweeper, ...claims, action: 'dynamodb:GetItem', context: claim })).toBe('ImplicitlyDenied');
    });

    test('the sweeper scans and deletes claims in this Region; it may not touch the ledger or write a claim', async () => {
      const claims = on(replica(region, 'idempotency'));
      expect(await decide({ ...sweeper, ...claims, action: 'dynamodb:Scan' })).toBe('Allowed');
      expect(await decide({ ...sweeper, ...claims, action: 'dynamodb:DeleteItem' })).toBe('Allowed');
      expect(await decide({ ...sweeper, ...claims, action: 'dynamodb:PutItem' })).toBe('ImplicitlyDenied');
      const claim = { ...TLS, 'dynamodb:LeadingKeys': ['0f'.repeat(32)] };
      expect(await decide({ ...sweeper, ...claims, action: 'dynamodb:PutItem', context: claim })).toBe('ImplicitlyDenied');
      expect(await decide({ ...sweeper, ...on(replica(region, 'ledger')), action: 'dynamodb:DeleteItem' })).toBe('ImplicitlyDenied');
      expect(await decide({ ...sweeper, ...keyOf(region), action: 'kms:Decrypt', context: TLS })).toBe('Allowed');
    });

    test('the audit writer reads this Region\'s replica stream, found at deploy time; not another Region\'s', async () => {
      const stream = (r: string) => `${replica(r, 'ledger')}/stream/2026-01-01T00:00:00.000`;
      expect(await decide({ ...auditWriter, ...on(stream(region)), action: 'dynamodb:GetRecords' })).toBe('Allowed');
      expect(await decide({ ...auditWriter, ...on(stream(other(region))), action: 'dynamodb:GetRecords' })).toBe('ImplicitlyDenied');
      expect(await decide({ ...auditWriter, ...keyOf(region), action: 'kms:Decrypt', context: TLS })).toBe('Allowed');
    });

    test('the sweeper\'s schedule may invoke it; another rule may not', async () => {
      const sweeperId = model.logicalId(platform.api.claimSweeper!);
      const fn = { resource: model.arn(sweeperId), resourceAccount: ACCOUNT, resourcePolicy: model.functionPolicy(sweeperId) };
      const rule = model.arn(model.idsOfType('AWS::Events::Rule').find((id) => id.includes('ClaimSweeperSchedule'))!);
      const invoke = { principal: 'events.amazonaws.com', ...fn, action: 'lambda:InvokeFunction' };
      expect(await decide({ ...invoke, context: { ...TLS, 'aws:SourceArn': rule, 'aws:SourceAccount': ACCOUNT } })).toBe('Allowed');
      expect(await decide({ ...invoke, context: { ...TLS, 'aws:SourceArn': `arn:aws:events:${region}:${ACCOUNT}:rule/other`, 'aws:SourceAccount': ACCOUNT } }))
        .toBe('ImplicitlyDenied');
    });

    test('the stream lookup may describe this Region\'s ledger replica, and nothing else', async () => {
      const lookup = model.idsOfType('AWS::IAM::Role').find((id) => id.startsWith('LedgerStreamRole'))!;
      const looker = { principal: model.arn(lookup), identityPolicies: model.identityPolicies(lookup) };
      expect(await decide({ ...looker, ...on(replica(region, 'ledger')), action: 'dynamodb:DescribeTable' })).toBe('Allowed');
      expect(await decide({ ...looker, ...on(replica(other(region), 'ledger')), action: 'dynamodb:DescribeTable' })).toBe('ImplicitlyDenied');
      expect(await decide({ ...looker, ...on(replica(region, 'ledger')), action: 'dynamodb:GetItem' })).toBe('ImplicitlyDenied');
    });
  });

  test.each(['us-east-1', 'us-east-2', 'us-west-2'])('%s: the key lets the account\'s deployer create the grants that DynamoDB replication and Secrets Manager replicas use; another account may not', async (region) => {
    const deployer = {
      principal: `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${region}`,
      identityPolicies: [{ name: 'admin', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
    };
    const stranger = { ...deployer, principal: `arn:aws:iam::${OTHER_ACCOUNT}:role/deployer` };
    for (const action of ['kms:CreateGrant', 'kms:DescribeKey', 'kms:GenerateDataKey', 'kms:Decrypt']) {
      expect(await decide({ ...deployer, ...keyOf(region), action, context: TLS })).toBe('Allowed');
      expect(await decide({ ...stranger, ...keyOf(region), action, context: TLS })).toBe('ImplicitlyDenied');
    }
  });

  test('the suite notices a missing grant: without the sweeper\'s table statement, its delete is denied', async () => {
    const stack = multi.regionStacks['us-east-1'];
    type Policy = { Type: string; Properties: { PolicyDocument: { Statement: Array<{ Action: unknown }> } } };
    const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, Policy> };
    const model = new PolicyModel(stack, template as never, Object.values(keyModels));
    const roleId = model.logicalId(multi.platforms['us-east-1'].api.claimSweeper!.role as never);
    for (const resource of Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::Policy')) {
      resource.Properties.PolicyDocument.Statement = resource.Properties.PolicyDocument.Statement
        .filter((statement) => !JSON.stringify(statement.Action).includes('dynamodb:DeleteItem'));
    }
    const stripped = new PolicyModel(stack, template as never, Object.values(keyModels));
    expect(await decide({
      principal: model.arn(roleId),
      identityPolicies: stripped.identityPolicies(roleId),
      resource: replica('us-east-1', 'idempotency'),
      resourceAccount: ACCOUNT,
      context: TLS,
      action: 'dynamodb:DeleteItem',
    })).toBe('ImplicitlyDenied');
  });
});
