import { RemovalPolicy } from 'aws-cdk-lib';

/** Whether a value is a whole number from `min` to `max`. */
export function isWholeNumberIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** A value as an error message quotes it: strings in quotes, a missing one as "missing". */
export function describe(value: unknown): string {
  if (value === undefined) {
    return 'missing';
  }
  return typeof value === 'string' ? `'${value}'` : String(value);
}

/**
 * The policy for what a stack holds beside its data (logs, queues, keys, the VPC's flow logs):
 * deleted with the stack where the data is, retained otherwise. `RETAIN_ON_UPDATE_OR_DELETE` has
 * no meaning for resources that are never replaced on purpose, so it becomes `RETAIN`.
 */
export function keptOrDestroyed(removalPolicy: RemovalPolicy): RemovalPolicy {
  return removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}
