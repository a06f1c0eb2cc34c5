import { Annotations, Arn, ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { deploymentRoleArn } from './deployment-role';

/** What only a key's administrators may do: destroy it, or lock everyone out of it. */
export const KEY_DESTRUCTION_ACTIONS = ['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy'];

/**
 * A customer-managed key with yearly rotation, as every data store of the platform uses.
 *
 * Use and administration are apart: the account delegates use to IAM, as every key of aws-cdk-lib
 * does, but the key policy refuses scheduling the key's deletion, disabling it and replacing its
 * policy to every principal but the role CloudFormation deploys with and `adminArns`, who are also
 * the key's administrators. Deleting the key would destroy the ledger, the locked audit records and
 * the backups at once, so an IAM administrator, or a role of the platform given too much, cannot.
 */
export function newPlatformKey(scope: Construct, id: string, description: string, removalPolicy: RemovalPolicy, adminArns: string[] = []): kms.Key {
  const key = new kms.Key(scope, id, {
    description,
    enableKeyRotation: true,
    removalPolicy: removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    admins: adminArns.map((arn) => new iam.ArnPrincipal(arn)),
  });
  const deployer = deploymentRoleArn(Stack.of(key));
  const exempt = [...(deployer ? [deployer] : []), ...adminArns];
  if (exempt.length === 0) {
    Annotations.of(key).addWarningV2('@org/payment-platform:keyDeletionUnguarded',
      'The stack does not deploy through the default synthesizer\'s CloudFormation execution role and names no key administrator, so the key\'s policy leaves its deletion to IAM. '
      + 'Name the administrators in `keyAdminArns`.');
    return key;
  }
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenyKeyDestructionButByAdministrators',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: KEY_DESTRUCTION_ACTIONS,
    resources: ['*'],
    conditions: { ArnNotEquals: { 'aws:PrincipalArn': exempt } },
  }));
  return key;
}

/**
 * Lets CloudWatch Logs in this stack's region use the key for log groups of this account only.
 * A key passed in from elsewhere (not a `kms.Key` of this app) must carry this statement itself.
 */
export function allowLogsToUseKey(scope: Construct, key: kms.IKey): void {
  const stack = Stack.of(scope);
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchLogsOfThisAccount',
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': Arn.format(
          { service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME },
          stack,
        ),
      },
    },
  }));
}
