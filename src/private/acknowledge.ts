import { Stack, Validations } from 'aws-cdk-lib';
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
 */
export function acknowledge(scope: IConstruct, findings: Acknowledgement[]): void {
  Validations.of(scope).acknowledge(...findings);
}

/**
 * Acknowledges findings on a stack-level singleton that aws-cdk-lib creates outside the calling
 * construct (custom resource providers), if it exists.
 */
export function acknowledgeStackSingleton(scope: IConstruct, singletonId: string, findings: Acknowledgement[]): void {
  const singleton = Stack.of(scope).node.tryFindChild(singletonId);
  if (singleton) {
    acknowledge(singleton, findings);
  }
}

/**
 * The same acknowledgement for a rule that the NIST 800-53 R5 and PCI DSS 3.2.1 packs share.
 */
export function inNistAndPci(rule: string, reason: string): Acknowledgement[] {
  return [
    { id: `NIST.800.53.R5-${rule}`, reason },
    { id: `PCI.DSS.321-${rule}`, reason },
  ];
}

/**
 * The findings on a custom resource provider Lambda that aws-cdk-lib owns: it runs only when
 * CloudFormation deploys or deletes the stack, and touches no payment data.
 *
 * @param provider what the provider is, such as "default-security-group provider"
 * @param work what it does and when, such as "calls only the EC2 API at deploy time"
 */
export function cdkProviderFindings(provider: string, work: string): Acknowledgement[] {
  return [
    { id: 'AwsSolutions-IAM4', reason: `aws-cdk-lib's ${provider} uses AWSLambdaBasicExecutionRole only to write its own logs.` },
    { id: 'AwsSolutions-L1', reason: `The runtime of aws-cdk-lib's ${provider} is chosen by aws-cdk-lib and moves with its releases.` },
    { id: 'NIST.800.53.R5-LambdaConcurrency', reason: `aws-cdk-lib's ${provider} ${work}; concurrency limits add nothing.` },
    { id: 'NIST.800.53.R5-LambdaDLQ', reason: `aws-cdk-lib's ${provider} is invoked synchronously by CloudFormation, which reports its failures.` },
    ...inNistAndPci('LambdaInsideVPC', `aws-cdk-lib's ${provider} ${work} and handles no payment data.`),
  ];
}
