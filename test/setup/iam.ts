import { Template } from 'aws-cdk-lib/assertions';

/** Every action that the template's IAM policies grant to one role. */
export function grantedActions(template: Template, roleLogicalId: string): string[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleLogicalId }]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
    .flatMap((statement: { Action: string | string[] }) => ([] as string[]).concat(statement.Action));
}
