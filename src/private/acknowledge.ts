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
export function nagPackAcknowledgements(rule: string, reason: string, packs: NagPackName[]): Acknowledgement[] {
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

/** The id of aws-cdk-lib's AwsCustomResource provider function, one per stack at its root. */
export const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

const DEPLOY_TIME = 'aws-cdk-lib\'s AwsCustomResource provider runs only while CloudFormation deploys the stack, for the platform\'s deploy-time lookups (a replica\'s stream ARN, the IDs of AWS-managed prefix lists); it handles no request and no payment data.';

/**
 * Acknowledges, once for every lookup of the stack, what scanners find on aws-cdk-lib's one
 * AwsCustomResource provider function, if `scope`'s stack has it.
 */
export function acknowledgeLookupProvider(scope: IConstruct): void {
  const provider = Stack.of(scope).node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
  if (!provider) {
    return;
  }
  acknowledge(provider, [
    { id: 'AwsSolutions-L1', reason: `${DEPLOY_TIME} Its runtime is aws-cdk-lib's and moves with aws-cdk-lib upgrades.` },
    ...nagPackAcknowledgements('LambdaLatestVersion', `${DEPLOY_TIME} Its runtime is aws-cdk-lib's and moves with aws-cdk-lib upgrades.`, ['Serverless']),
    ...nagPackAcknowledgements('LambdaInsideVPC', `${DEPLOY_TIME} It calls the AWS APIs of the lookups and CloudFormation's response endpoint only.`, FRAMEWORKS),
    ...nagPackAcknowledgements('LambdaDLQ', `${DEPLOY_TIME} CloudFormation invokes it synchronously and receives its failure; there is no event to keep.`, ['NIST.800.53.R5', 'HIPAA.Security', 'Serverless']),
    ...nagPackAcknowledgements('LambdaConcurrency', `${DEPLOY_TIME} It runs once per deployment.`, ['NIST.800.53.R5', 'HIPAA.Security']),
    ...nagPackAcknowledgements('LambdaDefaultMemorySize', `${DEPLOY_TIME} One describe call per lookup needs no more memory.`, ['Serverless']),
    ...nagPackAcknowledgements('LambdaTracing', `${DEPLOY_TIME} No request passes through it to trace.`, ['Serverless']),
  ]);
}
