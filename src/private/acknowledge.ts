import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * A scanner finding that the library accepts on purpose, with the reason a reviewer will read.
 */
export interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
}

/**
 * Records acknowledgements on a construct and all its children, in the form that policy
 * validation plugins such as cdk-nag read.
 *
 * Granular findings (`AwsSolutions-IAM5[Action::kms:ReEncrypt*]`) contain `::`, which
 * `Validations.acknowledge()` of aws-cdk-lib 2.257 refuses as a prefix delimiter; those are
 * written to the same acknowledged-rules metadata directly.
 */
export function acknowledge(scope: IConstruct, findings: Acknowledgement[]): void {
  const plain = findings.filter((finding) => !finding.id.includes('::'));
  const granular = findings.filter((finding) => finding.id.includes('::'));
  if (plain.length > 0) {
    Validations.of(scope).acknowledge(...plain);
  }
  if (granular.length > 0) {
    scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY,
      Object.fromEntries(granular.map((finding) => [finding.id, finding.reason])));
  }
}

/** The cdk-nag packs that the library is checked against, by the prefix of their rule ids. */
export type NagPackName = 'NIST.800.53.R5' | 'PCI.DSS.321' | 'HIPAA.Security' | 'Serverless';

/**
 * The same acknowledgement for a rule that several packs share, in each of them.
 */
export function inPacks(rule: string, reason: string, packs: NagPackName[]): Acknowledgement[] {
  return packs.map((pack) => ({ id: `${pack}-${rule}`, reason }));
}

/** The packs of the compliance frameworks: NIST 800-53 R5, PCI DSS 3.2.1 and HIPAA Security. */
export const FRAMEWORKS: NagPackName[] = ['NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security'];

/**
 * How cdk-nag names a resource in a granular finding (`Resource::<Bucket1234.Arn>/audit/*`): the
 * resolved value, with references written as `<LogicalId>` and attributes as `<LogicalId.Attr>`.
 */
export function nagResourceName(scope: IConstruct, value: string): string {
  return flatten(Stack.of(scope).resolve(value));
}

function flatten(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  const intrinsic = value as { 'Ref'?: string; 'Fn::GetAtt'?: string[]; 'Fn::Join'?: [string, unknown[]] };
  if (intrinsic.Ref) {
    return `<${intrinsic.Ref}>`;
  }
  if (intrinsic['Fn::GetAtt']) {
    return `<${intrinsic['Fn::GetAtt'].join('.')}>`;
  }
  if (intrinsic['Fn::Join']) {
    const [separator, parts] = intrinsic['Fn::Join'];
    return parts.map(flatten).join(separator);
  }
  return JSON.stringify(value);
}

/**
 * The findings on a Lambda function's role that every function of the library has: the AWS
 * managed policies for logs and VPC attachment, the data-key actions on the platform's
 * customer-managed key, and the actions that have no resource-level permissions.
 *
 * @param resourceStarActions what the `Resource::*` statements allow, for the reason
 */
export function functionRoleFindings(resourceStarActions: string): Acknowledgement[] {
  return [
    {
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'Data keys of the one customer-managed key that encrypts the tables and queue the function writes, on that key only; nothing may encrypt or re-encrypt other data with it.',
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `${resourceStarActions} and the network interface actions that attach a function to its VPC support no resource-level permissions.`,
    },
    {
      id: 'Serverless-LambdaStarPermissions',
      reason: 'The only wildcard is the resource of the network interface actions that attach the function to its VPC, which support no resource-level permissions; logs go to the function\'s own log group only.',
    },
  ];
}

/**
 * Records checkov skips on one CloudFormation resource (`Metadata.checkov.skip`), for a finding that
 * is accepted for that resource only and must still fail anywhere else.
 */
export function skipCheckov(resource: CfnResource, checks: Array<{ id: string; comment: string }>): void {
  resource.addMetadata('checkov', { skip: checks });
}
