import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { deploymentRoleArn } from './deployment-role';
import { perCreationName } from './names';

/**
 * An AWS Backup plan for a ledger table, in `scope` (`BackupVault`, `BackupPlan`): daily backups
 * kept 35 days and monthly ones kept a year, in a vault encrypted with `key`. Returns the plan and
 * the role that may back the table up and restore it.
 */
export function newLedgerBackupPlan(
  scope: Construct,
  table: dynamodb.ITable,
  key: kms.IKey,
  removalPolicy: RemovalPolicy,
): [backup.BackupPlan, iam.IRole] {
  const retained = removalPolicy !== RemovalPolicy.DESTROY;
  const vault = new backup.BackupVault(scope, 'BackupVault', {
    // Retained in production, so named anew for each creation of the stack.
    backupVaultName: perCreationName(scope, '', 50),
    encryptionKey: key,
    removalPolicy: retained ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    // Where the data is retained, no one may delete a recovery point, shorten its life or change
    // this policy (AWS Backup's own lifecycle still expires them), and a vault lock in governance
    // mode refuses a retention shorter than the daily backups' 35 days.
    blockRecoveryPointDeletion: retained,
    lockConfiguration: retained ? { minRetention: Duration.days(35) } : undefined,
  });
  if (retained) {
    const deployer = deploymentRoleArn(Stack.of(scope));
    vault.addToAccessPolicy(new iam.PolicyStatement({
      sid: 'DenyVaultGuardChanges',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['backup:PutBackupVaultAccessPolicy', 'backup:DeleteBackupVaultAccessPolicy', 'backup:DeleteBackupVaultLockConfiguration', 'backup:PutBackupVaultLockConfiguration'],
      resources: ['*'],
      // The deployment role keeps the stack updatable; without a known one, no one but the root user.
      conditions: deployer ? { ArnNotEquals: { 'aws:PrincipalArn': [deployer] } } : undefined,
    }));
  }
  const plan = new backup.BackupPlan(scope, 'BackupPlan', {
    backupVault: vault,
    backupPlanRules: [
      new backup.BackupPlanRule({
        ruleName: 'Daily',
        scheduleExpression: events.Schedule.cron({ hour: '3', minute: '0' }),
        deleteAfter: Duration.days(35),
      }),
      new backup.BackupPlanRule({
        ruleName: 'Monthly',
        scheduleExpression: events.Schedule.cron({ day: '1', hour: '4', minute: '0' }),
        deleteAfter: Duration.days(365),
      }),
    ],
  });
  // A backup that no role may restore is no recovery plan: the selection's role may do both.
  const selection = plan.addSelection('Ledger', { resources: [backup.BackupResource.fromDynamoDbTable(table)], allowRestores: true });
  acknowledge(selection, [
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason: 'The AWS managed policy that AWS Backup needs to back up the selected table.',
    },
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores]',
      reason: 'The AWS managed policy that AWS Backup needs to restore the table from its recovery points.',
    },
  ]);
  return [plan, selection.grantPrincipal as iam.IRole];
}
