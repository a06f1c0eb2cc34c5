import { RemovalPolicy } from 'aws-cdk-lib';
import { describe, isWholeNumberIn } from './values';

/** S3 lifecycle transitions and Object Lock retention count whole days, up to a hundred years. */
export const MAX_DAYS = 36500;
/** Days that S3 bills for each object moved to Glacier Flexible Retrieval, however soon it is deleted. */
export const GLACIER_MINIMUM_STORAGE_DAYS = 90;

/** How long audit records are kept: the settings of an audit bucket, by whatever names the caller gives them. */
export interface AuditRetention {
  readonly glacierTransitionDays: number;
  readonly objectLockDays?: number;
  readonly expirationDays?: number;
  readonly removalPolicy: RemovalPolicy;
}

/** The names of the settings, as the profile (`auditGlacierTransitionDays`...) or the bucket's props call them. */
export interface AuditRetentionNames {
  readonly glacier: string;
  readonly lock: string;
  readonly expiration: string;
}

/**
 * Every problem of how long audit records are kept: whole numbers of days, Object Lock only where
 * the data is retained, and an expiration no sooner than Glacier's minimum storage after the
 * transition, nor before Object Lock would let a version go. One set of rules for the profile and
 * for `AuditBucket`'s props, each with its own field names.
 */
export function auditRetentionProblems(retention: AuditRetention, names: AuditRetentionNames): string[] {
  const { glacierTransitionDays: glacierDays, objectLockDays: lockDays, expirationDays } = retention;
  const problems: string[] = [];
  const glacierValid = isWholeNumberIn(glacierDays, 1, MAX_DAYS);
  if (!glacierValid) {
    problems.push(`\`${names.glacier}\` is ${describe(glacierDays)}; it must be a whole number of days from 1 to ${MAX_DAYS}.`);
  }
  if (lockDays !== undefined) {
    if (!isWholeNumberIn(lockDays, 1, MAX_DAYS)) {
      problems.push(`\`${names.lock}\` is ${describe(lockDays)}; it must be a whole number of days from 1 to ${MAX_DAYS}.`);
    }
    if (retention.removalPolicy === RemovalPolicy.DESTROY) {
      problems.push(`\`${names.lock}\` needs a \`removalPolicy\` that retains data: locked audit records cannot be deleted with the stack.`);
    }
  }
  if (expirationDays === undefined) {
    return problems;
  }
  if (!isWholeNumberIn(expirationDays, 1, MAX_DAYS)) {
    return [...problems, `\`${names.expiration}\` is ${describe(expirationDays)}; it must be a whole number of days from 1 to ${MAX_DAYS}.`];
  }
  if (glacierValid && expirationDays < glacierDays + GLACIER_MINIMUM_STORAGE_DAYS) {
    problems.push(`\`${names.expiration}\` is ${expirationDays}; it must be at least \`${names.glacier}\` + ${GLACIER_MINIMUM_STORAGE_DAYS} `
      + `(${glacierDays + GLACIER_MINIMUM_STORAGE_DAYS}), since S3 bills ${GLACIER_MINIMUM_STORAGE_DAYS} days of Glacier for every object moved there.`);
  }
  if (lockDays !== undefined && expirationDays < lockDays) {
    problems.push(`\`${names.expiration}\` is ${expirationDays}; it must be at least \`${names.lock}\` (${lockDays}): a locked record cannot expire before its lock ends.`);
  }
  return problems;
}
