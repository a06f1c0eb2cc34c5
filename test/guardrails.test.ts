import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  EnvironmentProfile, PaymentPlatform, PaymentPlatformOptions, Profiles, SecurityControl, SecurityException,
} from '../src';
import { unacknowledgedFindings } from './setup/nag';

/**
 * A setting of the app that weakens a security control is never hidden: its scanner findings stay
 * unacknowledged, synthesis warns naming the field, and where the data is Restricted (the
 * production profile) it synthesizes only with a stated exception, which the template records.
 */
interface Weakening {
  readonly control: SecurityControl;
  /** The field the error and the warning name. */
  readonly field: string;
  readonly profile: EnvironmentProfile;
  readonly options?: PaymentPlatformOptions;
  /** A cdk-nag rule that reports the weakening, where a pack has one. */
  readonly finding?: string;
}

const production = Profiles.production;
const WEAKENINGS: Record<string, Weakening> = {
  'point-in-time recovery off': {
    control: SecurityControl.POINT_IN_TIME_RECOVERY,
    field: 'pointInTimeRecovery',
    profile: { ...production, pointInTimeRecovery: false },
    finding: 'AwsSolutions-DDB3',
  },
  'no ledger backups': {
    control: SecurityControl.LEDGER_BACKUPS,
    field: 'ledgerBackups',
    profile: { ...production, ledgerBackups: false },
    finding: 'NIST.800.53.R5-DynamoDBInBackupPlan',
  },
  'no audit Object Lock': {
    control: SecurityControl.AUDIT_OBJECT_LOCK, field: 'auditObjectLockDays', profile: { ...production, auditObjectLockDays: undefined },
  },
  'IAM authorization off in the profile': {
    control: SecurityControl.IAM_AUTHORIZATION,
    field: 'apiIamAuthorization',
    profile: { ...production, apiIamAuthorization: false },
    finding: 'AwsSolutions-APIG4',
  },
  'IAM authorization off by option': {
    control: SecurityControl.IAM_AUTHORIZATION,
    field: 'iamAuthorization',
    profile: production,
    options: { iamAuthorization: false },
    finding: 'AwsSolutions-APIG4',
  },
  'WAF off': {
    control: SecurityControl.WAF, field: 'apiWaf', profile: { ...production, apiWaf: false }, finding: 'AwsSolutions-APIG3',
  },
  'logs kept a month': {
    control: SecurityControl.LOG_RETENTION, field: 'logRetention', profile: production, options: { logRetention: logs.RetentionDays.ONE_MONTH },
  },
};

const build = (profile: EnvironmentProfile, options?: PaymentPlatformOptions) => {
  const stack = new Stack(new App(), 'Payments', { env: { region: profile.region } });
  new PaymentPlatform(stack, 'Payments', profile, options);
  return stack;
};
const exception = (control: SecurityControl): SecurityException => ({ control, reason: 'Accepted by the risk committee, ticket RISK-1234.' });

describe.each(Object.entries(WEAKENINGS))('production with %s', (_name, weakening) => {
  test('is refused, naming the field and how to state an exception', () => {
    const key = Object.entries(SecurityControl).find(([, value]) => value === weakening.control)![0];
    expect(() => build(weakening.profile, weakening.options)).toThrow(new RegExp(
      `set by the (\`${weakening.field}\` prop|profile's \`${weakening.field}\`), in the production environment, whose data is Restricted\\. `
      + `Keep the control, or state the exception in the profile: securityExceptions: \\[\\{ control: SecurityControl\\.${key},`));
  });

  describe('with the exception stated', () => {
    const stated = { ...weakening.profile, securityExceptions: [exception(weakening.control)] };
    const stack = build(stated, weakening.options);
    const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Metadata?: Record<string, unknown> }> };

    test('synthesizes, warning with the field and the reason', () => {
      const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('Accepted by the risk committee, ticket RISK-1234\\.'));
      expect(warnings.length).toBeGreaterThan(0);
      for (const warning of warnings) {
        expect(String(warning.entry.data)).toContain(`\`${weakening.field}\``);
        expect(String(warning.entry.data)).toContain(`[ack: @org/payment-platform:weakened-${weakening.control}]`);
      }
    });

    test('records the exception in the template metadata of the resource it concerns', () => {
      const recorded = Object.values(template.Resources).flatMap((resource) =>
        (resource.Metadata?.PaymentPlatformSecurityExceptions ?? []) as Array<{ control: string; reason: string }>);
      expect(recorded.length).toBeGreaterThan(0);
      for (const entry of recorded) {
        expect(entry).toEqual({ control: weakening.control, setting: expect.stringContaining(weakening.field), reason: 'Accepted by the risk committee, ticket RISK-1234.' });
      }
    });

    if (weakening.finding) {
      test(`leaves ${weakening.finding} for the app's scanners to report`, () => {
        expect(unacknowledgedFindings(stack).some((finding) => finding.startsWith(`${weakening.finding} at `))).toBe(true);
      });
    }
  });
});

describe('where the library made the choice', () => {
  test.each(Profiles.names)('the stock %s profile synthesizes without a weakening warning', (name) => {
    const stack = build(Profiles.named(name));
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('\\[ack: @org/payment-platform:weakened-'))).toEqual([]);
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });
});

describe('outside Restricted data', () => {
  test('staging with point-in-time recovery off warns and keeps the finding, without being refused', () => {
    const stack = build({ ...Profiles.staging, pointInTimeRecovery: false });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('\\[ack: @org/payment-platform:weakened-point-in-time-recovery\\]'));
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0].entry.data)).toContain('set by the profile\'s `pointInTimeRecovery`');
    expect(unacknowledgedFindings(stack)).toEqual(expect.arrayContaining([expect.stringMatching(/^AwsSolutions-DDB3 at /)]));
  });

  test('dev with its stock settings but a custom name is no longer the library\'s choice, so it warns', () => {
    const stack = build(Profiles.derive(Profiles.dev, { envName: 'sandbox' }));
    const controls = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('\\[ack: @org/payment-platform:weakened-'))
      .map((warning) => String(warning.entry.data).match(/weakened-([a-z-]+)\]/)![1]);
    expect([...new Set(controls)].sort()).toEqual(['audit-object-lock', 'data-retention', 'iam-authorization', 'ledger-backups', 'point-in-time-recovery', 'waf']);
  });

  test('a destroy removal policy for Restricted data is refused too', () => {
    expect(() => build({ ...production, removalPolicy: RemovalPolicy.DESTROY, auditObjectLockDays: undefined })).toThrow(
      /The ledger \(and its key, if created here\) is deleted with the stack, set by the profile's `removalPolicy`/);
  });
});

describe('stated exceptions are checked like every profile field', () => {
  test.each([
    [{ control: 'no-such-control' as SecurityControl, reason: 'Accepted by the risk committee.' },
      '`securityExceptions[0].control` is \'no-such-control\'; it must be one of point-in-time-recovery,'],
    [{ control: SecurityControl.WAF, reason: 'because' }, '`securityExceptions[0].reason` is \'because\'; it must say why'],
  ])('%p is refused', (stated, message) => {
    expect(() => Profiles.derive(production, { securityExceptions: [stated] })).toThrow(message);
  });
});
