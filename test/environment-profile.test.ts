import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { DataClassification, EnvironmentProfile, LedgerBilling, LedgerBillingMode, Profiles, profiles } from '../src';
import { assertValidProfile } from '../src/private/profile-validation';

describe('stock profiles', () => {
  test('dev has the seed values', () => {
    const dev = Profiles.dev;
    expect(dev.envName).toBe('dev');
    expect(dev.region).toBe('us-east-1');
    expect(dev.ledgerBilling.mode).toBe(LedgerBillingMode.ON_DEMAND);
    expect(dev.auditGlacierTransitionDays).toBe(30);
    expect(dev.apiRateLimit).toBe(100);
    expect(dev.deadLetterRetention.toDays()).toBe(3);
    expect(dev.enableAlarms).toBe(false);
    expect(dev.pointInTimeRecovery).toBe(false);
    expect(dev.removalPolicy).toBe(RemovalPolicy.DESTROY);
  });

  test('staging has the seed values', () => {
    const staging = Profiles.staging;
    expect(staging.envName).toBe('staging');
    expect(staging.region).toBe('us-east-2');
    expect(staging.ledgerBilling.mode).toBe(LedgerBillingMode.ON_DEMAND);
    expect(staging.auditGlacierTransitionDays).toBe(30);
    expect(staging.apiRateLimit).toBe(1000);
    expect(staging.deadLetterRetention.toDays()).toBe(7);
    expect(staging.enableAlarms).toBe(true);
    expect(staging.pointInTimeRecovery).toBe(true);
    expect(staging.removalPolicy).toBe(RemovalPolicy.DESTROY);
  });

  test('production has the seed values, but an on-demand ledger, and keeps its data', () => {
    const production = Profiles.production;
    expect(production.envName).toBe('production');
    expect(production.region).toBe('us-east-1');
    // The seed's provisioned 5/5 cannot take a step to a tenth of the rate limit (bench/capacity.ts).
    expect(production.ledgerBilling.mode).toBe(LedgerBillingMode.ON_DEMAND);
    expect(production.ledgerBilling.provisionedCapacity).toBeUndefined();
    expect(production.ledgerBilling.warmThroughput).toBeUndefined();
    expect(production.auditGlacierTransitionDays).toBe(90);
    expect(production.apiRateLimit).toBe(10000);
    expect(production.deadLetterRetention.toDays()).toBe(14);
    expect(production.enableAlarms).toBe(true);
    expect(production.pointInTimeRecovery).toBe(true);
    expect(production.removalPolicy).toBe(RemovalPolicy.RETAIN);
  });

  test('only production locks audit records for a year, backs the ledger up and puts WAF in front of the API', () => {
    expect([Profiles.dev, Profiles.staging, Profiles.production].map((p) => [p.auditObjectLockDays, p.ledgerBackups, p.apiWaf]))
      .toEqual([[undefined, undefined, undefined], [undefined, undefined, undefined], [365, true, true]]);
  });

  test('tag values are set and data classification rises with the environment', () => {
    expect([Profiles.dev, Profiles.staging, Profiles.production].map((p) => p.dataClassification)).toEqual([
      DataClassification.INTERNAL, DataClassification.CONFIDENTIAL, DataClassification.RESTRICTED,
    ]);
    for (const p of [Profiles.dev, Profiles.staging, Profiles.production]) {
      expect(p.costCenter).toMatch(/^(Engineering|Finance)$/);
      expect(p.owner).toBe('payments-platform');
    }
  });

  test('every stock profile is valid', () => {
    for (const p of [Profiles.dev, Profiles.staging, Profiles.production]) {
      expect(() => assertValidProfile(p)).not.toThrow();
    }
  });

  test('profiles is the same set as Profiles', () => {
    expect(profiles.dev).toEqual(Profiles.dev);
    expect(profiles.staging).toEqual(Profiles.staging);
    expect(profiles.production).toEqual(Profiles.production);
  });

  test('changing a profile object does not change the stock profile', () => {
    const copy = Profiles.dev as { region: string };
    copy.region = 'eu-west-1';
    expect(Profiles.dev.region).toBe('us-east-1');
    expect(Profiles.named('dev').region).toBe('us-east-1');
  });
});

describe('Profiles.named', () => {
  test('finds each stock profile by name', () => {
    expect(Profiles.named('dev')).toEqual(Profiles.dev);
    expect(Profiles.named('staging')).toEqual(Profiles.staging);
    expect(Profiles.named('production')).toEqual(Profiles.production);
    expect(Profiles.names).toEqual(['dev', 'staging', 'production']);
  });

  test('refuses an unknown name and lists the valid ones', () => {
    expect(() => Profiles.named('prod')).toThrow("Unknown environment 'prod'. Valid environments: dev, staging, production.");
  });
});

describe('deriving a profile', () => {
  test('spread is a one-liner in TypeScript', () => {
    const custom: EnvironmentProfile = { ...profiles.staging, region: 'eu-west-1' };
    expect(custom.region).toBe('eu-west-1');
    expect(custom.apiRateLimit).toBe(1000);
  });

  test('Profiles.derive replaces only the given fields', () => {
    const custom = Profiles.derive(Profiles.production, { region: 'eu-central-1', apiRateLimit: 2500 });
    expect(custom).toEqual({ ...Profiles.production, region: 'eu-central-1', apiRateLimit: 2500 });
    expect(Profiles.production.region).toBe('us-east-1');
  });

  test('Profiles.derive validates the result', () => {
    expect(() => Profiles.derive(Profiles.dev, { apiRateLimit: -1 })).toThrow(
      "Invalid EnvironmentProfile 'dev':\n  - `apiRateLimit` is -1; it must be a number of requests per second greater than 0.",
    );
  });
});

describe('profile validation', () => {
  const invalid = (overrides: object) => () => assertValidProfile({ ...Profiles.dev, ...overrides } as EnvironmentProfile);

  test.each([
    [{ envName: 'Prod!' }, "`envName` is 'Prod!'; it must be lower-case letters, digits and hyphens, starting with a letter, at most 32 characters."],
    [{ region: 'mars-1' }, "`region` is 'mars-1'; it must be an AWS region code such as us-east-1."],
    [{ account: '1234' }, "`account` is '1234'; it must be a 12-digit AWS account id."],
    [{ ledgerBilling: 'CHEAP' }, "`ledgerBilling` is 'CHEAP'; it must be LedgerBilling.onDemand(...) or LedgerBilling.provisioned({ read, write })."],
    [{ pointInTimeRecovery: 'yes' }, "`pointInTimeRecovery` is 'yes'; it must be true or false."],
    [{ auditGlacierTransitionDays: 0 }, '`auditGlacierTransitionDays` is 0; it must be a whole number of days from 1 to 36500.'],
    [{ auditGlacierTransitionDays: 1.5 }, '`auditGlacierTransitionDays` is 1.5; it must be a whole number of days from 1 to 36500.'],
    [{ apiRateLimit: 0 }, '`apiRateLimit` is 0; it must be a number of requests per second greater than 0.'],
    [{ auditObjectLockDays: 0, removalPolicy: RemovalPolicy.RETAIN }, '`auditObjectLockDays` is 0; it must be a whole number of days from 1 to 36500.'],
    [{ auditObjectLockDays: 365 }, '`auditObjectLockDays` needs a `removalPolicy` that retains data: locked audit records cannot be deleted with the stack.'],
    [{ ledgerBackups: 'daily' }, "`ledgerBackups` is 'daily'; it must be true or false."],
    [{ apiWaf: 1 }, '`apiWaf` is 1; it must be true or false.'],
    [{ apiBurstLimit: 0 }, '`apiBurstLimit` is 0; it must be a whole number of requests of at least 1.'],
    [{ deadLetterRetention: Duration.seconds(30) }, "`deadLetterRetention` is '30 seconds'; SQS keeps messages from 1 minute to 14 days."],
    [{ deadLetterRetention: Duration.days(15) }, "`deadLetterRetention` is '15 days'; SQS keeps messages from 1 minute to 14 days."],
    [{ deadLetterRetention: 3 }, '`deadLetterRetention` is 3; it must be a Duration between 1 minute and 14 days.'],
    [{ enableAlarms: undefined }, '`enableAlarms` is missing; it must be true or false.'],
    [{ removalPolicy: RemovalPolicy.SNAPSHOT }, "`removalPolicy` is 'snapshot'; it must be one of retain, retain-on-update-or-delete, destroy (DynamoDB tables and S3 buckets cannot be snapshotted)."],
    [{ natGateways: 0 }, '`natGateways` is 0; it must be a whole number from 1 to 3 (the private subnets need a route out, and there is at most one per availability zone).'],
    [{ natGateways: 4 }, '`natGateways` is 4; it must be a whole number from 1 to 3 (the private subnets need a route out, and there is at most one per availability zone).'],
    [{ costCenter: '' }, "`costCenter` is ''; it must be a tag value of 1 to 256 letters, digits, spaces or _.:/=+-@."],
    [{ owner: 'team<script>' }, "`owner` is 'team<script>'; it must be a tag value of 1 to 256 letters, digits, spaces or _.:/=+-@."],
    [{ dataClassification: 'Secret' }, "`dataClassification` is 'Secret'; it must be one of Internal, Confidential, Restricted."],
  ])('refuses %j', (overrides, message) => {
    expect(invalid(overrides)).toThrow(`\n  - ${message}`);
  });

  test('names the profile in the first line', () => {
    expect(invalid({ natGateways: 0 })).toThrow(/^Invalid EnvironmentProfile 'dev':\n/);
  });

  test('a scheduled write minimum above the ceiling that the API\'s rate sets is refused with the profile', () => {
    const ledgerBilling = LedgerBilling.provisioned({
      read: 5,
      write: 5,
      autoScaling: { writeSchedules: [{ startHourUtc: 8, endHourUtc: 20, minWriteCapacity: 800 }] },
    });
    expect(invalid({ ledgerBilling, apiRateLimit: 500 })).toThrow(
      "Invalid EnvironmentProfile 'dev':\n  - `ledgerBilling.autoScaling.writeSchedules[0].minWriteCapacity` is 800; "
      + 'it must be a whole number of capacity units from `write` (5) to the auto scaling ceiling (500).',
    );
    expect(invalid({ ledgerBilling, apiRateLimit: 800 })).not.toThrow();
  });

  test('lists every problem at once', () => {
    expect(invalid({ apiRateLimit: -5, auditGlacierTransitionDays: -1, dataClassification: 'Public' })).toThrow(
      "Invalid EnvironmentProfile 'dev':\n" +
      '  - `auditGlacierTransitionDays` is -1; it must be a whole number of days from 1 to 36500.\n' +
      '  - `apiRateLimit` is -5; it must be a number of requests per second greater than 0.\n' +
      "  - `dataClassification` is 'Public'; it must be one of Internal, Confidential, Restricted.",
    );
  });
});
