import { CfnElement, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EncryptedLedgerTable, LedgerBilling, Profiles } from '../src';
import { grantedActions } from './setup/iam';
import { newStack } from './setup/stacks';

describe('EncryptedLedgerTable with default props', () => {
  let template: Template;
  beforeAll(() => {
    const stack = newStack();
    new EncryptedLedgerTable(stack, 'Ledger');
    template = Template.fromStack(stack);
  });

  test('is keyed by transaction_id and timestamp, both strings', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'transaction_id', KeyType: 'HASH' },
        { AttributeName: 'timestamp', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'transaction_id', AttributeType: 'S' },
        { AttributeName: 'timestamp', AttributeType: 'S' },
      ]),
    });
  });

  test('is encrypted with its own customer-managed key, which rotates', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('LedgerKey'), 'Arn'] },
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('bills on demand, with point-in-time recovery', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  test('streams every change with new and old images for the audit pipeline', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  test('is retained with deletion protection, and so is its key', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  test('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

/** The production profile with the seed's provisioned 5/5 ledger, which the stock profile departs from. */
const SEED_BILLING = LedgerBilling.provisioned({ read: 5, write: 5 });
const PROVISIONED_PRODUCTION = Profiles.derive(Profiles.production, { ledgerBilling: SEED_BILLING });
/** The seed's ledger with auto scaling options. */
const provisionedWith = (autoScaling: NonNullable<Parameters<typeof LedgerBilling.provisioned>[0]['autoScaling']>) =>
  Profiles.derive(Profiles.production, { ledgerBilling: LedgerBilling.provisioned({ read: 5, write: 5, autoScaling }) });

describe('EncryptedLedgerTable per profile', () => {
  const synth = (profile: typeof Profiles.dev) => {
    const stack = newStack(profile);
    new EncryptedLedgerTable(stack, 'Ledger', { profile });
    return Template.fromStack(stack);
  };
  let dev: Template;
  let staging: Template;
  let production: Template;
  let provisioned: Template;
  beforeAll(() => {
    dev = synth(Profiles.dev);
    staging = synth(Profiles.staging);
    production = synth(Profiles.production);
    provisioned = synth(PROVISIONED_PRODUCTION);
  });

  test('only where point-in-time recovery is off does checkov learn why', () => {
    dev.hasResource('AWS::DynamoDB::Table', { Metadata: { checkov: { skip: [{ id: 'CKV_AWS_28', comment: Match.stringLikeRegexp('dev profile') }] } } });
    production.hasResource('AWS::DynamoDB::Table', { Metadata: Match.absent() });
  });

  test('dev: on demand, no point-in-time recovery, destroyed with the stack', () => {
    dev.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
        DeletionProtectionEnabled: false,
      }),
    });
    dev.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  test('staging: on demand, point-in-time recovery, destroyed with the stack', () => {
    staging.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: false,
      }),
    });
  });

  test('production: on demand, point-in-time recovery, retained with deletion protection', () => {
    production.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        ProvisionedThroughput: Match.absent(),
        WarmThroughput: Match.absent(),
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
    production.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    production.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
  });

  test('provisioned (the seed\'s production billing): 5 RCU / 5 WCU', () => {
    provisioned.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: Match.absent(),
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    });
  });

  test('provisioned: auto scales from the floor up to the API rate', () => {
    for (const dimension of ['dynamodb:table:ReadCapacityUnits', 'dynamodb:table:WriteCapacityUnits']) {
      provisioned.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        ScalableDimension: dimension,
        MinCapacity: 5,
        MaxCapacity: 10000,
      });
    }
    provisioned.resourcePropertiesCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 70 }),
    }, 2);
  });

  test('production backs the ledger up daily (35 days) and monthly (a year) in a vault encrypted with its key', () => {
    production.hasResourceProperties('AWS::Backup::BackupVault', {
      EncryptionKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('LedgerKey'), 'Arn'] },
      // A vault lock (governance mode) refuses a retention shorter than the daily backups'.
      LockConfiguration: { MinRetentionDays: 35 },
      AccessPolicy: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Principal: { AWS: '*' }, Action: Match.arrayWith(['backup:DeleteRecoveryPoint']) })]) },
    });
    production.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanName: Match.anyValue(),
        BackupPlanRule: [
          Match.objectLike({ RuleName: 'Daily', ScheduleExpression: 'cron(0 3 * * ? *)', Lifecycle: { DeleteAfterDays: 35 } }),
          Match.objectLike({ RuleName: 'Monthly', ScheduleExpression: 'cron(0 4 1 * ? *)', Lifecycle: { DeleteAfterDays: 365 } }),
        ],
      },
    });
    production.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({ Resources: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('LedgerTable'), 'Arn'] }] }),
    });
    for (const template of [dev, staging]) {
      template.resourceCountIs('AWS::Backup::BackupPlan', 0);
    }
  });

  test('the backup role may restore the ledger as well as back it up, and is exposed for restore jobs', () => {
    const stack = newStack();
    const ledger = new EncryptedLedgerTable(stack, 'Ledger', { profile: Profiles.production });
    expect(ledger.backupRole).toBeDefined();
    const roleId = stack.getLogicalId(ledger.backupRole!.node.defaultChild as CfnElement);
    const role = Template.fromStack(stack).toJSON().Resources[roleId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Action: 'sts:AssumeRole', Principal: { Service: 'backup.amazonaws.com' } }),
    ]);
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain('service-role/AWSBackupServiceRolePolicyForBackup');
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain('service-role/AWSBackupServiceRolePolicyForRestores');
    expect(new EncryptedLedgerTable(newStack(), 'Ledger', { profile: Profiles.dev }).backupRole).toBeUndefined();
  });

  test('on-demand profiles have no auto scaling', () => {
    dev.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
    staging.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
  });

  test('props override the profile', () => {
    const stack = newStack(Profiles.dev);
    new EncryptedLedgerTable(stack, 'Ledger', {
      profile: Profiles.dev,
      pointInTimeRecovery: true,
      removalPolicy: RemovalPolicy.RETAIN,
      tableName: 'payments-ledger',
    });
    Template.fromStack(stack).hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        TableName: 'payments-ledger',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
  });

  test('explicit auto scaling ceilings and target utilisation are used', () => {
    const stack = newStack(Profiles.production);
    new EncryptedLedgerTable(stack, 'Ledger', {
      profile: provisionedWith({ maxRead: 50, maxWrite: 60, targetUtilizationPercent: 50 }),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScalableDimension: 'dynamodb:table:ReadCapacityUnits', MaxCapacity: 50,
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScalableDimension: 'dynamodb:table:WriteCapacityUnits', MaxCapacity: 60,
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 50 }),
    });
  });

  test('warm throughput makes an on-demand ledger take a step of that many writes per second at once', () => {
    const stack = newStack(Profiles.production);
    new EncryptedLedgerTable(stack, 'Ledger', { profile: Profiles.derive(Profiles.production, { ledgerBilling: LedgerBilling.onDemand({ warmThroughput: 10_000 }) }) });
    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', { WarmThroughput: { WriteUnitsPerSecond: 10_000 } });
  });

  test('refuses warm throughput below what a new table already has, or above the quota', () => {
    expect(() => LedgerBilling.onDemand({ warmThroughput: 1_000 })).toThrow('Invalid LedgerBilling.onDemand options:\n'
      + '  - `warmThroughput` is 1000; it must be a whole number of write units per second from 4000 (what a new on-demand table already serves) to 40000 (the default per-table quota).');
    expect(() => LedgerBilling.onDemand({ warmThroughput: 50_000 })).toThrow('`warmThroughput` is 50000;');
  });

  test('a billing of the table\'s own overrides the profile\'s, and without a profile the ceilings are DynamoDB\'s quota', () => {
    const stack = newStack(Profiles.production);
    new EncryptedLedgerTable(stack, 'Ledger', { billing: SEED_BILLING });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::DynamoDB::Table', { ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { ScalableDimension: 'dynamodb:table:WriteCapacityUnits', MinCapacity: 5, MaxCapacity: 40_000 });
    const onDemand = newStack(Profiles.production);
    new EncryptedLedgerTable(onDemand, 'Ledger', { profile: PROVISIONED_PRODUCTION, billing: LedgerBilling.onDemand() });
    Template.fromStack(onDemand).hasResourceProperties('AWS::DynamoDB::Table', { BillingMode: 'PAY_PER_REQUEST' });
  });

  test('scheduled floors hold write capacity up for a known daily peak, then return to the profile\'s floor', () => {
    const stack = newStack(Profiles.production);
    new EncryptedLedgerTable(stack, 'Ledger', {
      profile: provisionedWith({ writeSchedules: [{ startHourUtc: 8, endHourUtc: 20, minWriteCapacity: 800 }] }),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScalableDimension: 'dynamodb:table:WriteCapacityUnits',
      MinCapacity: 5,
      ScheduledActions: [
        Match.objectLike({ Schedule: 'cron(0 8 * * ? *)', ScalableTargetAction: { MinCapacity: 800 } }),
        Match.objectLike({ Schedule: 'cron(0 20 * * ? *)', ScalableTargetAction: { MinCapacity: 5 } }),
      ],
    });
  });

  test('refuses scheduled minimums at bad hours, outside the capacity and ceiling, or overlapping', () => {
    expect(() => LedgerBilling.provisioned({
      read: 5,
      write: 5,
      autoScaling: {
        maxWrite: 10_000,
        writeSchedules: [
          { startHourUtc: 8, endHourUtc: 24, minWriteCapacity: 800 },
          { startHourUtc: 6, endHourUtc: 9, minWriteCapacity: 20_000 },
          { startHourUtc: 22, endHourUtc: 7, minWriteCapacity: 100 },
        ],
      },
    })).toThrow('Invalid LedgerBilling.provisioned options:\n'
      + '  - `autoScaling.writeSchedules[0]` runs from hour 8 to hour 24; both must be whole hours from 0 to 23 (UTC), and differ.\n'
      + '  - `autoScaling.writeSchedules[1].minWriteCapacity` is 20000; it must be a whole number of capacity units from `write` (5) to the auto scaling ceiling (10000).\n'
      + '  - `autoScaling.writeSchedules[2]` overlaps `autoScaling.writeSchedules[1]` at hour 6; windows must not overlap.');
  });

  test('refuses a target utilisation outside 20 to 90 percent', () => {
    expect(() => LedgerBilling.provisioned({ read: 5, write: 5, autoScaling: { targetUtilizationPercent: 95 } })).toThrow(
      'Invalid LedgerBilling.provisioned options:\n  - `autoScaling.targetUtilizationPercent` is 95; it must be a whole number from 20 to 90.',
    );
  });

  test('refuses capacity outside 1 to 40,000 units, and a ceiling below it', () => {
    expect(() => LedgerBilling.provisioned({ read: 0, write: 5.5 })).toThrow('Invalid LedgerBilling.provisioned options:\n'
      + '  - `read` is 0; it must be a whole number of capacity units from 1 to 40000.\n'
      + '  - `write` is 5.5; it must be a whole number of capacity units from 1 to 40000.');
    expect(() => LedgerBilling.provisioned({ read: 5, write: 5, autoScaling: { maxWrite: 4 } })).toThrow(
      '`autoScaling.maxWrite` is 4; it must be a whole number of capacity units from `write` (5) to 40000.');
  });

  test('refuses an invalid profile', () => {
    expect(() => new EncryptedLedgerTable(newStack(), 'Ledger', {
      profile: { ...PROVISIONED_PRODUCTION, pointInTimeRecovery: 'yes' as unknown as boolean },
    })).toThrow("`pointInTimeRecovery` is 'yes'; it must be true or false.");
  });
});

describe('EncryptedLedgerTable keys and grants', () => {
  test('uses a given key and creates none', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'PlatformKey', { enableKeyRotation: true });
    const ledger = new EncryptedLedgerTable(stack, 'Ledger', { encryptionKey: key });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: Match.objectLike({
        KMSMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as CfnElement), 'Arn'] },
      }),
    });
    expect(ledger.key).toBe(key);
  });

  test('grantAppend allows PutItem and key use, and nothing that reads, changes or deletes', () => {
    const stack = newStack();
    const ledger = new EncryptedLedgerTable(stack, 'Ledger');
    const role = new iam.Role(stack, 'Writer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    ledger.grantAppend(role);
    const actions = grantedActions(Template.fromStack(stack), stack.getLogicalId(role.node.defaultChild as CfnElement));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'kms:Decrypt', 'kms:GenerateDataKey*']));
    for (const forbidden of ['kms:Encrypt', 'kms:ReEncrypt*', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']) {
      expect(actions).not.toContain(forbidden);
    }
  });

  test('grantReadData, grantWriteData, grantReadWriteData and grantStreamRead delegate to the table', () => {
    const stack = newStack();
    const ledger = new EncryptedLedgerTable(stack, 'Ledger');
    const grantee = (id: string) => new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal() });
    const roles = {
      reader: grantee('Reader'), writer: grantee('Writer'), readerWriter: grantee('ReaderWriter'), streamReader: grantee('StreamReader'),
    };
    ledger.grantReadData(roles.reader);
    ledger.grantWriteData(roles.writer);
    ledger.grantReadWriteData(roles.readerWriter);
    ledger.grantStreamRead(roles.streamReader);
    const template = Template.fromStack(stack);
    const actionsOf = (role: iam.Role) => grantedActions(template, stack.getLogicalId(role.node.defaultChild as CfnElement));

    expect(actionsOf(roles.reader)).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'kms:Decrypt']));
    expect(actionsOf(roles.reader)).not.toContain('dynamodb:PutItem');
    expect(actionsOf(roles.writer)).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'kms:Encrypt']));
    expect(actionsOf(roles.writer)).not.toContain('dynamodb:GetItem');
    expect(actionsOf(roles.readerWriter)).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:GetItem']));
    expect(actionsOf(roles.streamReader)).toEqual(expect.arrayContaining(['dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'kms:Decrypt']));
  });

  test('exposes the key names', () => {
    expect(EncryptedLedgerTable.PARTITION_KEY).toBe('transaction_id');
    expect(EncryptedLedgerTable.SORT_KEY).toBe('timestamp');
  });
});

describe('EncryptedLedgerTable.fromTableAttributes', () => {
  test('an imported ledger grants append and stream reads on its own ARNs and key', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:111111111111:key/abcd');
    const ledger = EncryptedLedgerTable.fromTableAttributes(stack, 'Ledger', {
      tableArn: 'arn:aws:dynamodb:us-east-1:111111111111:table/ledger',
      tableStreamArn: 'arn:aws:dynamodb:us-east-1:111111111111:table/ledger/stream/2026',
      encryptionKey: key,
    });
    const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    ledger.grantAppend(writer);
    ledger.grantStreamRead(reader);
    const template = Template.fromStack(stack);
    const writerActions = grantedActions(template, stack.getLogicalId(writer.node.defaultChild as CfnElement));
    expect(writerActions.sort()).toEqual(['dynamodb:DescribeTable', 'dynamodb:PutItem', 'kms:Decrypt', 'kms:GenerateDataKey*']);
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('arn:aws:dynamodb:us-east-1:111111111111:table/ledger/stream/2026');
    expect(policies).toContain('arn:aws:kms:us-east-1:111111111111:key/abcd');
    expect(ledger.tableStreamArn).toBe('arn:aws:dynamodb:us-east-1:111111111111:table/ledger/stream/2026');
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
  });
});
