import { EnvironmentProfile, EnvironmentProfileOverrides } from './environment-profile-types';
import { assertValidProfile } from './private/profile-validation';
import { DEV, PRODUCTION, STAGING } from './private/stock-profiles';

/**
 * The stock environment profiles, with the values of the platform's environment table. Each row
 * names the `EnvironmentProfile` field; a field left out of a stock profile takes its default.
 *
 * | setting | dev | staging | production |
 * |---|---|---|---|
 * | `envName` | dev | staging | production |
 * | `region` | us-east-1 | us-east-2 | us-east-1 |
 * | `ledgerBilling` | on-demand | on-demand | on-demand |
 * | `pointInTimeRecovery` | off | on | on |
 * | `auditGlacierTransitionDays` | 30 | 30 | 90 |
 * | `auditObjectLockDays` (S3 Object Lock) | none | none | 365 |
 * | `ledgerBackups` (AWS Backup plan) | no | no | yes |
 * | `apiRateLimit` (requests per second) | 100 | 1000 | 10000 |
 * | `apiWaf` (AWS WAF on the API) | no | no | yes |
 * | `deadLetterRetention` | 3 days | 7 days | 14 days |
 * | `enableAlarms` | no | yes | yes |
 * | `apiIamAuthorization` | no (API key only) | yes | yes |
 * | `removalPolicy` (data on stack deletion) | destroy | destroy | retain |
 * | `natGateways` | 1 | 1 | 1 |
 * | `costCenter` tag | Engineering | Engineering | Finance |
 * | `owner` tag | payments-platform | payments-platform | payments-platform |
 * | `dataClassification` tag | Internal | Confidential | Restricted |
 */
export class Profiles {
  // Getters rather than static readonly fields: jsii renders those as constants (`Profiles.STAGING`
  // in Python), while a getter keeps the name users expect in every language (`Profiles.staging`).
  // Each call returns a fresh copy, so that no caller can change a stock profile for the others,
  // and the jsii kernel can tag the object it hands to another language (it cannot tag a frozen one).

  /** The development environment: cheap, disposable, no alarms. */
  public static get dev(): EnvironmentProfile {
    return { ...DEV };
  }

  /** The staging environment: production-like behaviour on on-demand capacity, easy to clean up. */
  public static get staging(): EnvironmentProfile {
    return { ...STAGING };
  }

  /** The production environment: longest retention, locked audit records, data retained on deletion. */
  public static get production(): EnvironmentProfile {
    return { ...PRODUCTION };
  }

  /** The names of the stock profiles, in the order dev, staging, production. */
  public static get names(): string[] {
    return [DEV.envName, STAGING.envName, PRODUCTION.envName];
  }

  /**
   * The stock profile with the given `envName`.
   *
   * @param envName `dev`, `staging` or `production`
   */
  public static named(envName: string): EnvironmentProfile {
    const found = [DEV, STAGING, PRODUCTION].find((p) => p.envName === envName);
    if (!found) {
      throw new Error(
        `Unknown environment '${envName}'. Valid environments: ${Profiles.names.join(', ')}.`,
      );
    }
    return { ...found };
  }

  /**
   * A new profile that is `base` with the given fields replaced, validated before it is returned.
   *
   * @param profile the profile to start from, usually a stock one
   * @param overrides the fields to replace
   */
  public static derive(profile: EnvironmentProfile, overrides: EnvironmentProfileOverrides): EnvironmentProfile {
    const merged: { [key: string]: unknown } = { ...profile };
    for (const [field, value] of Object.entries(overrides)) {
      if (value !== undefined) {
        merged[field] = value;
      }
    }
    const derived = merged as unknown as EnvironmentProfile;
    assertValidProfile(derived);
    return derived;
  }

  private constructor() {}
}

/**
 * The stock profiles as a plain object, so TypeScript users can write `profiles.staging`.
 */
export const profiles = Profiles;
