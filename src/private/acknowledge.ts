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
