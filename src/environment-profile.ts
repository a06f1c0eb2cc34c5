import { EnvironmentProfile, EnvironmentProfileOverrides } from './environment-profile-types';
import { assertValidProfile } from './private/profile-validation';
import { DEV, PRODUCTION, STAGING } from './private/stock-profiles';

/**
 * The stock environment profiles, with the values of the platform's environment table.
 *
 * | | dev | staging | production |
 * |---|---|---|---|
 * | region | us-east-1 | us-east-2 | us-east-1 |
 * | ledger billing | on-demand | on-demand | on-demand |
 * | point-in-time recovery | no | yes | yes |
 * | Glacier transition | 30 days | 30 days | 90 days |
 * | API rate | 100 req/s | 1000 req/s | 10000 req/s |
 * | DLQ retention | 3 days | 7 days | 14 days |
 * | alarms | no | yes | yes |
 * | IAM authorization on the API | no (API key only) | yes | yes |
 * | data on stack deletion | destroyed | destroyed | retained |
 * | audit records locked (S3 Object Lock) | no | no | 365 days |
 * | ledger in an AWS Backup plan | no | no | yes |
 * | AWS WAF on the API | no | no | yes |
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
