import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { apiSettingProblems } from './api-rules';
import { auditRetentionProblems } from './audit-retention-rules';
import { ledgerBillingProblems } from './ledger-billing-rules';
import { describe, isWholeNumberIn } from './values';
import { DataClassification, EnvironmentProfile, SecurityControl } from '../environment-profile-types';
import { LedgerBilling } from '../ledger-billing';

/** One NAT gateway per availability zone at most, and the VPC spans three. */
const MAX_NAT_GATEWAYS = 3;
/** Allowed characters and length of an AWS tag value. */
export const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;
const ENV_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
export const ACCOUNT = /^\d{12}$/;

const ALLOWED_REMOVAL_POLICIES = [
  RemovalPolicy.RETAIN,
  RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
  RemovalPolicy.DESTROY,
];

/**
 * Collects every problem of a profile. Unresolved tokens are skipped: they are checked by
 * CloudFormation at deploy time.
 */
export function profileProblems(profile: EnvironmentProfile): string[] {
  const problems: string[] = [];
  const check = (field: string, value: unknown, ok: boolean, allowed: string) => {
    if (!ok) {
      problems.push(`\`${field}\` is ${describe(value)}; ${allowed}.`);
    }
  };
  const isResolved = (value: unknown) => !Token.isUnresolved(value);

  check('envName', profile.envName,
    typeof profile.envName === 'string' && ENV_NAME.test(profile.envName),
    'it must be lower-case letters, digits and hyphens, starting with a letter, at most 32 characters');

  if (isResolved(profile.region)) {
    check('region', profile.region,
      typeof profile.region === 'string' && REGION.test(profile.region),
      'it must be an AWS region code such as us-east-1');
  }
  if (profile.account !== undefined && isResolved(profile.account)) {
    check('account', profile.account, ACCOUNT.test(String(profile.account)),
      'it must be a 12-digit AWS account id');
  }

  if (!(profile.ledgerBilling instanceof LedgerBilling)) {
    check('ledgerBilling', profile.ledgerBilling, false, 'it must be LedgerBilling.onDemand(...) or LedgerBilling.provisioned({ read, write })');
  } else if (typeof profile.apiRateLimit === 'number') {
    // The factory has checked the billing alone; here its ceilings default to the API's rate.
    problems.push(...ledgerBillingProblems(profile.ledgerBilling, profile.apiRateLimit).map((problem) => problem.replace(/^`/, '`ledgerBilling.')));
  }

  check('pointInTimeRecovery', profile.pointInTimeRecovery, typeof profile.pointInTimeRecovery === 'boolean',
    'it must be true or false');

  problems.push(...auditRetentionProblems({
    glacierTransitionDays: profile.auditGlacierTransitionDays,
    objectLockDays: profile.auditObjectLockDays,
    expirationDays: profile.auditExpirationDays,
    removalPolicy: profile.removalPolicy,
  }, { glacier: 'auditGlacierTransitionDays', lock: 'auditObjectLockDays', expiration: 'auditExpirationDays' }));
  if (profile.apiWaf !== undefined) {
    check('apiWaf', profile.apiWaf, typeof profile.apiWaf === 'boolean', 'it must be true or false');
  }
  if (profile.ledgerBackups !== undefined) {
    check('ledgerBackups', profile.ledgerBackups, typeof profile.ledgerBackups === 'boolean', 'it must be true or false');
  }

  if (profile.apiRateLimit === undefined) {
    check('apiRateLimit', undefined, false, 'it must be a number of requests per second greater than 0');
  }
  if (profile.deadLetterRetention === undefined) {
    check('deadLetterRetention', undefined, false, 'it must be a Duration between 1 minute and 14 days');
  }
  problems.push(...apiSettingProblems(
    { rateLimit: profile.apiRateLimit, burstLimit: profile.apiBurstLimit, deadLetterRetention: profile.deadLetterRetention },
    { rateLimit: 'apiRateLimit', burstLimit: 'apiBurstLimit', deadLetterRetention: 'deadLetterRetention' }));

  check('enableAlarms', profile.enableAlarms, typeof profile.enableAlarms === 'boolean', 'it must be true or false');
  if (profile.apiIamAuthorization !== undefined) {
    check('apiIamAuthorization', profile.apiIamAuthorization, typeof profile.apiIamAuthorization === 'boolean',
      'it must be true or false');
  }

  check('removalPolicy', profile.removalPolicy, ALLOWED_REMOVAL_POLICIES.includes(profile.removalPolicy),
    `it must be one of ${ALLOWED_REMOVAL_POLICIES.join(', ')} (DynamoDB tables and S3 buckets cannot be snapshotted)`);

  if (profile.natGateways !== undefined) {
    check('natGateways', profile.natGateways, isWholeNumberIn(profile.natGateways, 1, MAX_NAT_GATEWAYS),
      `it must be a whole number from 1 to ${MAX_NAT_GATEWAYS} (the private subnets need a route out, and there is at most one per availability zone)`);
  }

  for (const field of ['costCenter', 'owner'] as const) {
    const value = profile[field];
    check(field, value, typeof value === 'string' && TAG_VALUE.test(value),
      'it must be a tag value of 1 to 256 letters, digits, spaces or _.:/=+-@');
  }
  const classifications = Object.values(DataClassification) as string[];
  check('dataClassification', profile.dataClassification, classifications.includes(profile.dataClassification),
    `it must be one of ${classifications.join(', ')}`);

  const controls = Object.values(SecurityControl) as string[];
  const exceptions = profile.securityExceptions ?? [];
  check('securityExceptions', exceptions, Array.isArray(exceptions), 'it must be a list of { control, reason }');
  (Array.isArray(exceptions) ? exceptions : []).forEach((exception, i) => {
    check(`securityExceptions[${i}].control`, exception?.control, controls.includes(exception?.control),
      `it must be one of ${controls.join(', ')}`);
    check(`securityExceptions[${i}].reason`, exception?.reason,
      typeof exception?.reason === 'string' && exception.reason.trim().length >= 20,
      'it must say why, for the auditor who reads it, in at least 20 characters');
  });

  return problems;
}

/**
 * Throws one error that lists every problem of the profile, or returns quietly.
 */
export function assertValidProfile(profile: EnvironmentProfile, scope?: IConstruct): void {
  const problems = profileProblems(profile);
  if (scope && problems.length === 0) {
    problems.push(...stackProblems(profile, Stack.of(scope)));
  }
  if (problems.length > 0) {
    const name = typeof profile.envName === 'string' ? `'${profile.envName}'` : '(unnamed)';
    throw new Error(`Invalid EnvironmentProfile ${name}:\n  - ${problems.join('\n  - ')}`);
  }
}

/**
 * A stack with a concrete region or account must be the profile's: a production profile in a stack
 * bound for another region would put the environment where its settings, quotas and alarms do not
 * apply. An environment-agnostic stack deploys wherever the CLI points, and cannot be checked here.
 */
function stackProblems(profile: EnvironmentProfile, stack: Stack): string[] {
  const problems: string[] = [];
  if (!Token.isUnresolved(stack.region) && stack.region !== profile.region) {
    problems.push(`\`region\` is '${profile.region}', but stack '${stack.node.path}' deploys to ${stack.region}; `
      + `give the stack env: { region: '${profile.region}' }, or derive a profile for ${stack.region}.`);
  }
  if (profile.account !== undefined && !Token.isUnresolved(stack.account) && stack.account !== profile.account) {
    problems.push(`\`account\` is '${profile.account}', but stack '${stack.node.path}' deploys to account ${stack.account}; `
      + `give the stack env: { account: '${profile.account}' }, or derive a profile for account ${stack.account}.`);
  }
  return problems;
}
