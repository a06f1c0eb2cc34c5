import { DefaultStackSynthesizer, Fn, Stack } from 'aws-cdk-lib';

/**
 * The role CloudFormation deploys `stack` with (the CDK bootstrap's CloudFormation execution role),
 * where the stack uses the default synthesizer; with another synthesizer the deployer is unknown.
 */
export function deploymentRoleArn(stack: Stack): string | undefined {
  const synthesizer = stack.synthesizer;
  // The synthesizer's ARN holds `${AWS::Partition}` (and, without a concrete env, the account and
  // Region) as placeholders, which only Fn::Sub fills in a template.
  return synthesizer instanceof DefaultStackSynthesizer ? Fn.sub(synthesizer.cloudFormationExecutionRoleArn) : undefined;
}
