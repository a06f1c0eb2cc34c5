import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { resolveCapacity } from './ledger-billing-rules';
import { assertValidProfile } from './profile-validation';
import { EnvironmentProfile } from '../environment-profile-types';
import { LedgerBilling } from '../ledger-billing';

/**
 * The one mapping from an environment profile to the props of the platform's constructs. A
 * platform validates its profile once and hands each construct the props decided here; a construct
 * given a profile of its own (standalone use) goes through the same mapping.
 *
 * The guardrails must tell the library's choice (a stock profile's value) from the app's (a prop,
 * or a profile field that no stock profile holds), so props decided here remember the profile they
 * came from and which of their fields it set (`originOf`).
 */

/** Where a construct's decided props came from. */
export interface PropsOrigin {
  /** The profile that the props were mapped from. */
  readonly profile: EnvironmentProfile;
  /** The props whose values are the profile's (the others, if set, are the app's). */
  readonly fromProfile: ReadonlySet<string>;
}

const ORIGINS = new WeakMap<object, PropsOrigin>();

/**
 * The props mapped from `profile`, with `own` (the app's values, or what the platform decides
 * itself) over them, remembering which came from the profile.
 */
export function fromProfile<M extends object, O extends object>(profile: EnvironmentProfile, mapped: M, own: O): M & O {
  const decided: { [prop: string]: unknown } = { ...(mapped as object) };
  // A field that the profile leaves out is its choice too: the construct's default.
  const profileProps = new Set(Object.keys(mapped));
  for (const [prop, value] of Object.entries(own)) {
    if (value !== undefined) {
      decided[prop] = value;
      profileProps.delete(prop);
    }
  }
  ORIGINS.set(decided, { profile, fromProfile: profileProps });
  return decided as M & O;
}

/** The profile that `props` were decided from, and which of them it set, if they were. */
export function originOf(props: object): PropsOrigin | undefined {
  return ORIGINS.get(props);
}

/**
 * The props of a construct that may be given a profile of its own: without one, `props` as they
 * are; with one, validated against the construct's stack and mapped by `map`, the other props over
 * the mapping's values.
 */
export function standaloneProps<P extends { readonly profile?: EnvironmentProfile }>(
  scope: IConstruct, props: P, map: (profile: EnvironmentProfile) => Partial<P>): P {
  if (props.profile === undefined || originOf(props) !== undefined) {
    return props;
  }
  const { profile, ...own } = props;
  assertValidProfile(profile, scope);
  return fromProfile(profile, map(profile), own) as unknown as P;
}

/** What a profile decides for a `SecureVpc`. */
export function vpcPropsOf(profile: EnvironmentProfile) {
  return {
    natGateways: profile.natGateways,
    removalPolicy: profile.removalPolicy,
  };
}

/** What a profile decides for an `EncryptedLedgerTable`. */
export function ledgerPropsOf(profile: EnvironmentProfile) {
  return {
    billing: withCeilingsAtRate(profile.ledgerBilling, profile.apiRateLimit),
    pointInTimeRecovery: profile.pointInTimeRecovery,
    backupPlan: profile.ledgerBackups,
    removalPolicy: profile.removalPolicy,
  };
}

/** What a profile decides for an `AuditBucket`. */
export function auditBucketPropsOf(profile: EnvironmentProfile) {
  return {
    glacierTransitionDays: profile.auditGlacierTransitionDays,
    objectLockDays: profile.auditObjectLockDays,
    expirationDays: profile.auditExpirationDays,
    removalPolicy: profile.removalPolicy,
  };
}

/** What a profile decides for a `PaymentApi`. */
export function apiPropsOf(profile: EnvironmentProfile) {
  return {
    environmentName: profile.envName,
    rateLimit: profile.apiRateLimit,
    burstLimit: profile.apiBurstLimit,
    iamAuthorization: profile.apiIamAuthorization,
    webAcl: profile.apiWaf,
    deadLetterRetention: profile.deadLetterRetention as Duration,
    removalPolicy: profile.removalPolicy as RemovalPolicy,
    idempotencyWarmThroughput: profile.ledgerBilling.warmThroughput,
  };
}

/**
 * A provisioned billing's auto scaling ceilings, where left out, at the API's sustained rate: every
 * accepted payment writes one ledger item, and reads should keep up.
 */
function withCeilingsAtRate(billing: LedgerBilling, apiRateLimit: number): LedgerBilling {
  const capacity = billing.provisionedCapacity;
  if (capacity === undefined) {
    return billing;
  }
  const { maxRead, maxWrite } = resolveCapacity(capacity, apiRateLimit);
  return LedgerBilling.provisioned({ ...capacity, autoScaling: { ...capacity.autoScaling, maxRead, maxWrite } });
}

/**
 * The props of a construct that one decided from a profile creates for itself (a `PaymentApi`
 * outside a platform creating its VPC, ledger and bucket): the same profile's mapping, with `own`
 * over it; without a profile, `own` alone.
 */
export function sameProfileProps<M extends object, O extends object>(props: object, map: (profile: EnvironmentProfile) => M, own: O): Partial<M> & O {
  const origin = originOf(props);
  return origin ? fromProfile(origin.profile, map(origin.profile), own) : own;
}
