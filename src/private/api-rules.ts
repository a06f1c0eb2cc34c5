import { Duration, Token } from 'aws-cdk-lib';
import { describe, isWholeNumberIn } from './values';

/** SQS keeps a message from 60 seconds to 14 days. */
const SQS_MIN_RETENTION_SECONDS = 60;
const SQS_MAX_RETENTION_SECONDS = Duration.days(14).toSeconds();

/** The stage's rates and the dead-letter queue's retention, by whatever names the caller gives them. */
export interface ApiSettings {
  readonly rateLimit?: unknown;
  readonly burstLimit?: unknown;
  readonly deadLetterRetention?: unknown;
}

/**
 * Every problem of an API's rates and dead-letter retention: one set of rules for the profile
 * (`apiRateLimit`...) and for `PaymentApi`'s props (`rateLimit`...), each with its own names. A
 * setting left out is not checked; the profile checks that its required ones are there.
 */
export function apiSettingProblems(settings: ApiSettings, names: { [field in keyof ApiSettings]-?: string }): string[] {
  const problems: string[] = [];
  const { rateLimit, burstLimit, deadLetterRetention: retention } = settings;
  if (rateLimit !== undefined && !(typeof rateLimit === 'number' && Number.isFinite(rateLimit) && rateLimit > 0)) {
    problems.push(`\`${names.rateLimit}\` is ${describe(rateLimit)}; it must be a number of requests per second greater than 0.`);
  }
  if (burstLimit !== undefined && !isWholeNumberIn(burstLimit, 1, Number.MAX_SAFE_INTEGER)) {
    problems.push(`\`${names.burstLimit}\` is ${describe(burstLimit)}; it must be a whole number of requests of at least 1.`);
  }
  if (retention !== undefined) {
    if (!(retention instanceof Duration)) {
      problems.push(`\`${names.deadLetterRetention}\` is ${describe(retention)}; it must be a Duration between 1 minute and 14 days.`);
    } else if (!Token.isUnresolved(retention.toSeconds())) {
      const seconds = retention.toSeconds();
      if (seconds < SQS_MIN_RETENTION_SECONDS || seconds > SQS_MAX_RETENTION_SECONDS) {
        problems.push(`\`${names.deadLetterRetention}\` is '${retention.toHumanString()}'; SQS keeps messages from 1 minute to 14 days.`);
      }
    }
  }
  return problems;
}
