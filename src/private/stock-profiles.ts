import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { DataClassification, EnvironmentProfile } from '../environment-profile-types';
import { LedgerBilling } from '../ledger-billing';

/**
 * The values of the stock profiles, which `Profiles` hands out as copies; the guardrails read them
 * to tell the library's choice from an app's.
 */
export const DEV: EnvironmentProfile = {
  envName: 'dev',
  region: 'us-east-1',
  ledgerBilling: LedgerBilling.onDemand(),
  pointInTimeRecovery: false,
  auditGlacierTransitionDays: 30,
  apiRateLimit: 100,
  deadLetterRetention: Duration.days(3),
  enableAlarms: false,
  apiIamAuthorization: false,
  removalPolicy: RemovalPolicy.DESTROY,
  natGateways: 1,
  costCenter: 'Engineering',
  owner: 'payments-platform',
  dataClassification: DataClassification.INTERNAL,
};

export const STAGING: EnvironmentProfile = {
  envName: 'staging',
  region: 'us-east-2',
  ledgerBilling: LedgerBilling.onDemand(),
  pointInTimeRecovery: true,
  auditGlacierTransitionDays: 30,
  apiRateLimit: 1000,
  deadLetterRetention: Duration.days(7),
  enableAlarms: true,
  apiIamAuthorization: true,
  removalPolicy: RemovalPolicy.DESTROY,
  natGateways: 1,
  costCenter: 'Engineering',
  owner: 'payments-platform',
  dataClassification: DataClassification.CONFIDENTIAL,
};

export const PRODUCTION: EnvironmentProfile = {
  envName: 'production',
  region: 'us-east-1',
  // The seed's provisioned 5/5 throttles nearly every request of the first minutes of a step from
  // idle to a tenth of the rate limit (bench/capacity.ts); on-demand takes 4,000 writes per second
  // at once (docs/design.md, "Where the library departs from the seed system").
  ledgerBilling: LedgerBilling.onDemand(),
  pointInTimeRecovery: true,
  auditGlacierTransitionDays: 90,
  auditObjectLockDays: 365,
  ledgerBackups: true,
  apiRateLimit: 10000,
  apiWaf: true,
  deadLetterRetention: Duration.days(14),
  enableAlarms: true,
  apiIamAuthorization: true,
  removalPolicy: RemovalPolicy.RETAIN,
  natGateways: 1,
  costCenter: 'Finance',
  owner: 'payments-platform',
  dataClassification: DataClassification.RESTRICTED,
};

/** The stock profiles by name. */
export const STOCK_PROFILES: ReadonlyArray<EnvironmentProfile> = [DEV, STAGING, PRODUCTION];
