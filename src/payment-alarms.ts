import { Annotations, ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { PaymentApi } from './payment-api';
import { acknowledge, nagPackAcknowledgements } from './private/acknowledge';

/**
 * Options of `PaymentAlarms`, also accepted by `PaymentPlatform`.
 */
export interface PaymentAlarmsOptions {
  /**
   * Topic that every alarm notifies, on alarm and on recovery.
   *
   * @default - a new topic encrypted with the API's key
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * E-mail address subscribed to the alarm topic. The address must confirm the subscription.
   *
   * @default - no subscription
   */
  readonly alarmEmail?: string;

  /**
   * Subscriptions to the alarm topic: a paging or chat endpoint (`subscriptions.UrlSubscription`
   * for PagerDuty or Opsgenie), a queue, a function, more e-mail addresses. An AWS Chatbot channel
   * subscribes itself: give it `alarms.topic` as a notification topic.
   *
   * @default - none; synthesis warns when the alarms notify no one
   */
  readonly alarmSubscriptions?: sns.ITopicSubscription[];

  /**
   * Length of one evaluation period of the rate alarms.
   *
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;

  /**
   * Number of periods each rate alarm looks at.
   *
   * @default 3
   */
  readonly evaluationPeriods?: number;

  /**
   * Number of breaching periods, out of `evaluationPeriods`, that raise a rate alarm.
   *
   * @default - 2, or `evaluationPeriods` if that is 1
   */
  readonly datapointsToAlarm?: number;

  /**
   * Payment handler errors as a percentage of its invocations that raises the alarm.
   *
   * @default 1
   */
  readonly handlerErrorRatePercent?: number;

  /**
   * API Gateway 4XX responses as a percentage of requests that raises the alarm. Clients cause
   * these (bad requests, card data, reused keys), so the threshold is higher than for 5XX.
   *
   * @default 10
   */
  readonly clientErrorRatePercent?: number;

  /**
   * API Gateway 5XX responses as a percentage of requests that raises the alarm.
   *
   * @default 1
   */
  readonly serverErrorRatePercent?: number;

  /**
   * Age of the oldest ledger stream record not yet written to the audit bucket that raises the
   * alarm. Every accepted payment should be audited within a minute.
   *
   * @default Duration.minutes(1)
   */
  readonly auditLagThreshold?: Duration;

  /**
   * How long a pass of the claim sweeper over the idempotency table may take before the alarm says
   * sweeps are falling behind (expired claims piling up). Used where the API has a sweeper (a
   * multi-Region or an adopted idempotency table).
   *
   * @default Duration.hours(6)
   */
  readonly claimSweepLagThreshold?: Duration;

  /**
   * Requests whose processor call failed (503 `processor_unavailable`), as a percentage of the
   * requests that reached the processor, that raises the alarm. Used where the API has a processor.
   *
   * @default 5
   */
  readonly processorFailureRatePercent?: number;

  /**
   * Age of the oldest `pending` payment that raises the alarm: a payment whose charge may have
   * happened and whose outcome is not recorded. Used where the API has a processor.
   *
   * @default Duration.minutes(15)
   */
  readonly pendingPaymentAgeThreshold?: Duration;

  /**
   * Whether to create a CloudWatch dashboard with the same signals.
   *
   * @default true
   */
  readonly dashboard?: boolean;
}

/**
 * Properties of `PaymentAlarms`.
 */
export interface PaymentAlarmsProps extends PaymentAlarmsOptions {
  /** The payments API to watch, with its handler, audit writer, ledger and dead-letter queue. */
  readonly api: PaymentApi;
}

/**
 * Alarms for a `PaymentApi`, each with an SNS action on alarm and on recovery, and a dashboard
 * with the same signals:
 *
 * - payment handler error rate (errors / invocations)
 * - API Gateway 4XX and 5XX rates (errors / requests)
 * - messages in the dead-letter queue (any message is an audit batch or invocation that was not processed)
 * - ledger throttling (any throttled read or write)
 * - audit writer errors, and audit lag (the age of the oldest unwritten stream record)
 * - with a processor: the processor failure rate, a payment pending too long, and completer errors
 */
export class PaymentAlarms extends Construct {
  /** The topic every alarm notifies. */
  public readonly topic: sns.ITopic;
  /** Payment handler errors as a percentage of invocations. */
  public readonly handlerErrorRateAlarm: cloudwatch.Alarm;
  /** API Gateway 4XX responses as a percentage of requests. */
  public readonly clientErrorRateAlarm: cloudwatch.Alarm;
  /** API Gateway 5XX responses as a percentage of requests. */
  public readonly serverErrorRateAlarm: cloudwatch.Alarm;
  /** Any message in the dead-letter queue. */
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** Any throttled read or write on the ledger. */
  public readonly ledgerThrottlingAlarm: cloudwatch.Alarm;
  /** Any error of the audit writer. */
  public readonly auditWriterErrorAlarm: cloudwatch.Alarm;
  /** Audit records falling behind the ledger. */
  public readonly auditLagAlarm: cloudwatch.Alarm;
  /** Claim sweeps falling behind, or not running, where the API has a claim sweeper. */
  public readonly claimSweepAlarm?: cloudwatch.Alarm;
  /** Processor failures as a percentage of processor calls, where the API has a processor. */
  public readonly processorFailureRateAlarm?: cloudwatch.Alarm;
  /**
   * A payment pending for longer than `pendingPaymentAgeThreshold`, one past the processor's key
   * retention, or a completer that does not run, where the API has a processor.
   */
  public readonly pendingPaymentAlarm?: cloudwatch.Alarm;
  /** Any error of the completer, or any payment it could not complete for an unexpected error, where the API has a processor. */
  public readonly completerErrorAlarm?: cloudwatch.Alarm;
  /**
   * The EventBridge rule that notifies the topic, through CloudTrail, when anyone schedules the
   * deletion of the platform's key, disables it or replaces its policy.
   */
  public readonly keyDestructionRule: events.Rule;
  /** Every alarm above. */
  public readonly alarms: cloudwatch.Alarm[];
  /** The dashboard, unless turned off. */
  public readonly dashboard?: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PaymentAlarmsProps) {
    super(scope, id);
    validateOptions(props);
    const api = props.api;
    const envName = api.environmentName;
    const period = props.period ?? Duration.minutes(5);

    this.topic = props.alarmTopic ?? this.newTopic(api.key, envName);
    this.allowAlarmsToPublish();
    this.subscribe(props, envName);

    const rate = (alarmId: string, description: string, numerator: cloudwatch.IMetric, denominator: cloudwatch.IMetric, threshold: number) =>
      this.rateAlarm(alarmId, `${envName}: ${description} above ${threshold}%.`, `${description} (%)`, numerator, denominator, threshold, props);
    this.handlerErrorRateAlarm = rate('HandlerErrorRate', 'payment handler error rate',
      api.handler.metricErrors({ period }), api.handler.metricInvocations({ period }), props.handlerErrorRatePercent ?? 1);
    this.clientErrorRateAlarm = rate('ClientErrorRate', 'API 4XX rate',
      api.restApi.metricClientError({ period }), api.restApi.metricCount({ period }), props.clientErrorRatePercent ?? 10);
    this.serverErrorRateAlarm = rate('ServerErrorRate', 'API 5XX rate',
      api.restApi.metricServerError({ period }), api.restApi.metricCount({ period }), props.serverErrorRatePercent ?? 1);

    [this.deadLetterAlarm, this.ledgerThrottlingAlarm, this.auditWriterErrorAlarm, this.auditLagAlarm, this.claimSweepAlarm] =
      this.pipelineAlarms(props, envName);

    if (api.completer) {
      this.processorFailureRateAlarm = rate('ProcessorFailureRate', 'processor failure rate', api.metricProcessorFailures({ period }),
        new cloudwatch.MathExpression({
          expression: 'failed + authorized + declined',
          usingMetrics: {
            failed: api.metricProcessorFailures({ period }),
            authorized: api.metricPaymentsAuthorized({ period }),
            declined: api.metricPaymentsDeclined({ period }),
          },
          period,
          label: 'processor calls',
        }),
        props.processorFailureRatePercent ?? 5);
      [this.pendingPaymentAlarm, this.completerErrorAlarm] = this.completerAlarms(props, envName, api.completer);
    }

    this.alarms = [
      this.handlerErrorRateAlarm, this.clientErrorRateAlarm, this.serverErrorRateAlarm,
      this.deadLetterAlarm, this.ledgerThrottlingAlarm, this.auditWriterErrorAlarm, this.auditLagAlarm,
      ...[this.claimSweepAlarm, this.processorFailureRateAlarm, this.pendingPaymentAlarm, this.completerErrorAlarm]
        .filter((alarm): alarm is cloudwatch.Alarm => alarm !== undefined),
    ];

    this.keyDestructionRule = this.watchKeyDestruction(api, envName);

    if (props.dashboard ?? true) {
      this.dashboard = this.newDashboard(api, period);
    }
  }

  /**
   * The alarms of what runs behind the API: the dead-letter queue, ledger throttling, the audit
   * writer's errors and lag, and the claim sweeper where there is one.
   */
  private pipelineAlarms(props: PaymentAlarmsProps, envName: string):
  [cloudwatch.Alarm, cloudwatch.Alarm, cloudwatch.Alarm, cloudwatch.Alarm, cloudwatch.Alarm | undefined] {
    const api = props.api;
    const deadLetters = this.alarm('DeadLetterMessages', {
      alarmDescription: `${envName}: messages in the payments dead-letter queue. Each names a range of ledger changes that the audit writer failed to write 10 times `
        + '(their audit records are missing: see docs/payments-api.md of @org/payment-platform on recovering them), or a claim-sweeper run that failed three times (the next run sweeps again).',
      metric: api.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // SQS stops sending metrics for a queue that has been idle for six hours: that means empty.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const ledgerThrottling = this.alarm('LedgerThrottling', {
      alarmDescription: `${envName}: the ledger table throttled reads or writes; payments are being refused with 503.`,
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(reads, 0) + FILL(writes, 0)',
        usingMetrics: {
          reads: api.ledgerTable.metric('ReadThrottleEvents', { period: Duration.minutes(1), statistic: 'Sum' }),
          writes: api.ledgerTable.metric('WriteThrottleEvents', { period: Duration.minutes(1), statistic: 'Sum' }),
        },
        period: Duration.minutes(1),
        label: 'Ledger throttle events',
      }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // DynamoDB publishes throttle events only when there are some.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const auditWriterErrors = this.alarm('AuditWriterErrors', {
      alarmDescription: `${envName}: the audit writer failed; batches are being retried and may reach the dead-letter queue.`,
      metric: api.auditWriter.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // The writer runs only when payments arrive; no invocations, no errors.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const lag = props.auditLagThreshold ?? Duration.minutes(1);
    const auditLag = this.alarm('AuditLag', {
      alarmDescription: `${envName}: accepted payments are waiting longer than ${lag.toHumanString()} for their audit record.`,
      metric: api.auditWriter.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: lag.toMilliseconds(),
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // No records read means nothing is waiting.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    let claimSweep: cloudwatch.Alarm | undefined;
    if (api.claimSweeper) {
      const sweepLag = props.claimSweepLagThreshold ?? Duration.hours(6);
      claimSweep = this.alarm('ClaimSweepLag', {
        alarmDescription: `${envName}: the claim sweeper's pass over the idempotency table has run longer than ${sweepLag.toHumanString()}, `
          + 'or the sweeper has not reported for an hour: expired claims are piling up (they are never used again, but they are stored and scanned).',
        metric: api.metricClaimSweepPassAge(),
        threshold: sweepLag.toSeconds(),
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        // The sweeper reports every 15 minutes; an hour without a report is a sweeper that fails.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
    }
    return [deadLetters, ledgerThrottling, auditWriterErrors, auditLag, claimSweep];
  }

  /**
   * The alarms of the completer: a payment pending too long (or past the processor's key
   * retention, or a completer that does not report), and the completer's errors.
   */
  private completerAlarms(props: PaymentAlarmsProps, envName: string, completer: lambda.IFunction): [cloudwatch.Alarm, cloudwatch.Alarm] {
    const api = props.api;
    const threshold = props.pendingPaymentAgeThreshold ?? Duration.minutes(15);
    const pending = this.alarm('PendingPayment', {
      alarmDescription: `${envName}: a payment has been pending for more than ${threshold.toHumanString()}, one is past the processor's key retention `
        + '(the completer names it in its log: settle it with the processor by hand), or the completer has not reported for 5 minutes. '
        + 'A pending payment may have been charged; its outcome is not recorded yet. See docs/processor.md of @org/payment-platform.',
      metric: new cloudwatch.MathExpression({
        // A payment past the key retention breaches whatever its age.
        expression: `IF(abandoned > 0, ${threshold.toSeconds() + 1}, age)`,
        usingMetrics: { age: api.metricOldestPendingPaymentAge(), abandoned: api.metricAbandonedPayments() },
        period: Duration.minutes(1),
        label: 'oldest pending payment (s)',
      }),
      threshold: threshold.toSeconds(),
      evaluationPeriods: 5,
      datapointsToAlarm: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // The completer reports every minute; five minutes without a report is a completer that does not run.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    const errors = this.alarm('CompleterErrors', {
      alarmDescription: `${envName}: the payment completer failed, or could not complete a pending payment for an unexpected error (its log names the payment).`,
      metric: new cloudwatch.MathExpression({
        expression: 'functionErrors + completionErrors',
        usingMetrics: {
          functionErrors: completer.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' }),
          completionErrors: api.metricCompletionErrors(),
        },
        period: Duration.minutes(1),
        label: 'completer errors',
      }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    return [pending, errors];
  }

  /** Subscribes the e-mail address and the endpoints to the topic, and warns where nobody is. */
  private subscribe(props: PaymentAlarmsProps, envName: string): void {
    if (props.alarmEmail) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
      acknowledge(this.topic, [{
        id: 'Serverless-SNSRedrivePolicy',
        reason: 'SNS retries an undeliverable alarm e-mail and the alarm state stays on the dashboard; a redrive queue for it would only raise another alarm to the same address.',
      }]);
    }
    for (const subscription of props.alarmSubscriptions ?? []) {
      this.topic.addSubscription(subscription);
    }
    if (!props.alarmTopic && !props.alarmEmail && (props.alarmSubscriptions ?? []).length === 0) {
      Annotations.of(this).addWarningV2('@org/payment-platform:alarmsNotifyNoOne',
        `The ${envName} alarms notify a new topic that nobody subscribes to, so no alarm reaches anyone. `
        + 'Set `alarmEmail` or `alarmSubscriptions` (a paging or chat endpoint), give an `alarmTopic` that has subscribers, '
        + 'or subscribe to `alarms.topic` yourself and acknowledge this warning.');
    }
  }

  /**
   * An alarm on a rate in percent: `numerator` over `denominator`, each named apart, so that the
   * dashboard can draw all three rates in one graph.
   */
  private rateAlarm(alarmId: string, description: string, label: string, numerator: cloudwatch.IMetric, denominator: cloudwatch.IMetric,
    threshold: number, props: PaymentAlarmsProps): cloudwatch.Alarm {
    const period = props.period ?? Duration.minutes(5);
    const evaluationPeriods = props.evaluationPeriods ?? 3;
    const failed = `${alarmId.charAt(0).toLowerCase()}${alarmId.slice(1)}Failed`;
    const total = `${alarmId.charAt(0).toLowerCase()}${alarmId.slice(1)}Total`;
    return this.alarm(alarmId, {
      alarmDescription: description,
      metric: new cloudwatch.MathExpression({
        // No traffic is not an error: an empty period counts as 0 %.
        expression: `IF(${total} > 0, 100 * ${failed} / ${total}, 0)`,
        usingMetrics: { [failed]: numerator, [total]: denominator },
        period,
        label,
      }),
      threshold,
      evaluationPeriods,
      datapointsToAlarm: props.datapointsToAlarm ?? Math.min(2, evaluationPeriods),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // The expression always yields a value; missing data only means CloudWatch has none yet.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /**
   * Scheduling the deletion of the platform's key, disabling it or replacing its policy would make
   * every payment, audit record and backup unreadable; CloudTrail reports each such call to
   * EventBridge (where the account has a trail), and the rule sends it to the alarm topic.
   */
  private watchKeyDestruction(api: PaymentApi, envName: string): events.Rule {
    const keys = [api.key, ...(api.ledgerTable.encryptionKey && api.ledgerTable.encryptionKey !== api.key ? [api.ledgerTable.encryptionKey] : [])];
    const rule = new events.Rule(this, 'KeyDestruction', {
      description: `Notifies the ${envName} payments alarm topic when the platform's key is scheduled for deletion, disabled or given a new policy`,
      eventPattern: {
        source: ['aws.kms'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['kms.amazonaws.com'],
          eventName: ['ScheduleKeyDeletion', 'DisableKey', 'PutKeyPolicy'],
          resources: { ARN: keys.map((key) => key.keyArn) },
        },
      },
    });
    acknowledge(rule, nagPackAcknowledgements('EventBusDLQ',
      'EventBridge retries a notification that the topic does not take for 24 hours; the call stays in CloudTrail, and a key scheduled for deletion waits at least 7 days, so a dead-letter queue would add nothing an operator could act on sooner.',
      ['Serverless']));
    rule.addTarget(new AlarmTopicTarget(this.topic, events.RuleTargetInput.fromText(
      `ALARM: ${envName} payment platform key: ${events.EventField.fromPath('$.detail.eventName')} by ${events.EventField.fromPath('$.detail.userIdentity.arn')} `
      + `at ${events.EventField.time}. A key scheduled for deletion can be saved with CancelKeyDeletion during its waiting period.`)));
    const added = this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowKeyDestructionRuleToPublish',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
    }));
    if (!added.statementAdded) {
      Annotations.of(this).addWarningV2('@org/payment-platform:alarmTopicPolicyEvents',
        'The alarm topic was imported, so its policy cannot be changed here: it must allow events.amazonaws.com to sns:Publish from the key destruction rule, or that notification reaches no one.');
    }
    return rule;
  }

  private alarm(id: string, props: cloudwatch.AlarmProps): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, props);
    const action = new actions.SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    return alarm;
  }

  private newTopic(key: kms.IKey, envName: string): sns.Topic {
    // CloudWatch publishes to an encrypted topic only if the key lets it; for alarms of this account.
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: this.fromAlarmsOfThisAccount(),
    }));
    // EventBridge likewise, for rules of this account and Region (the key destruction rule).
    const stack = Stack.of(this);
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeRulesToPublish',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'events', resource: 'rule', resourceName: '*' }) },
      },
    }));
    return new sns.Topic(this, 'Topic', {
      displayName: `Payments alarms (${envName})`,
      masterKey: key,
      enforceSSL: true,
    });
  }

  /**
   * A topic policy replaces SNS's default policy, so CloudWatch may publish only if a statement says
   * so: for alarms of this account, which keeps another account's alarms (a confused deputy) out.
   */
  private allowAlarmsToPublish(): void {
    const added = this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions: this.fromAlarmsOfThisAccount(),
    }));
    if (!added.statementAdded) {
      Annotations.of(this).addWarningV2('@org/payment-platform:alarmTopicPolicy',
        'The alarm topic was imported, so its policy cannot be changed here: it must allow cloudwatch.amazonaws.com to sns:Publish, or no alarm notifies anyone.');
    }
  }

  /** Conditions that keep a statement for CloudWatch to alarms of this account and region. */
  private fromAlarmsOfThisAccount(): Record<string, unknown> {
    const stack = Stack.of(this);
    return {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    };
  }

  private newDashboard(api: PaymentApi, period: Duration): cloudwatch.Dashboard {
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
    });
    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width: 8, height: 6 });
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 3 }),
    );
    dashboard.addWidgets(
      graph('Requests and payments', [api.restApi.metricCount({ period }), api.metricPaymentsAccepted({ period }), api.metricIdempotentReplays({ period })]),
      graph('Error rates (%)', [
        this.handlerErrorRateAlarm.metric, this.clientErrorRateAlarm.metric, this.serverErrorRateAlarm.metric,
      ]),
      graph('Latency (ms, p99)', [api.restApi.metricLatency({ period, statistic: 'p99' }), api.metricHandlerLatency({ period })]),
    );
    dashboard.addWidgets(
      graph('Ledger throttling', [this.ledgerThrottlingAlarm.metric]),
      graph('Audit pipeline', [api.auditWriter.metricErrors({ period: Duration.minutes(1) })], [this.auditLagAlarm.metric]),
      graph('Dead-letter queue', [this.deadLetterAlarm.metric]),
    );
    if (this.processorFailureRateAlarm && this.pendingPaymentAlarm && this.completerErrorAlarm) {
      dashboard.addWidgets(
        graph('Processor outcomes', [api.metricPaymentsAuthorized({ period }), api.metricPaymentsDeclined({ period }), api.metricProcessorFailures({ period })]),
        graph('Processor failure rate (%)', [this.processorFailureRateAlarm.metric]),
        graph('Pending payments', [this.pendingPaymentAlarm.metric], [this.completerErrorAlarm.metric]),
      );
    }
    return dashboard;
  }
}

function validateOptions(props: PaymentAlarmsProps): void {
  const problems: string[] = [];
  for (const field of ['handlerErrorRatePercent', 'clientErrorRatePercent', 'serverErrorRatePercent', 'processorFailureRatePercent'] as const) {
    const value = props[field];
    if (value !== undefined && !(typeof value === 'number' && value > 0 && value < 100)) {
      problems.push(`\`${field}\` is ${value}; it must be a percentage greater than 0 and less than 100.`);
    }
  }
  const evaluationPeriods = props.evaluationPeriods ?? 3;
  if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1) {
    problems.push(`\`evaluationPeriods\` is ${evaluationPeriods}; it must be a whole number of at least 1.`);
  }
  const datapoints = props.datapointsToAlarm ?? Math.min(2, evaluationPeriods);
  if (props.datapointsToAlarm !== undefined && (!Number.isInteger(datapoints) || datapoints < 1 || datapoints > evaluationPeriods)) {
    problems.push(`\`datapointsToAlarm\` is ${datapoints}; it must be a whole number from 1 to \`evaluationPeriods\` (${evaluationPeriods}).`);
  }
  const period = props.period;
  if (period && !Token.isUnresolved(period.toSeconds())) {
    const seconds = period.toSeconds();
    if (seconds < 60 || seconds % 60 !== 0) {
      problems.push(`\`period\` is ${period.toHumanString()}; it must be a whole number of minutes (API Gateway and Lambda publish per minute).`);
    }
  }
  const sweepLag = props.claimSweepLagThreshold;
  if (sweepLag && !Token.isUnresolved(sweepLag.toSeconds()) && sweepLag.toSeconds() < 3600) {
    problems.push(`\`claimSweepLagThreshold\` is ${sweepLag.toHumanString()}; it must be at least 1 hour, since a pass over the claims begins once an hour.`);
  }
  const pendingAge = props.pendingPaymentAgeThreshold;
  if (pendingAge && !Token.isUnresolved(pendingAge.toSeconds()) && (pendingAge.toSeconds() < 120 || pendingAge.toSeconds() % 60 !== 0)) {
    problems.push(`\`pendingPaymentAgeThreshold\` is ${pendingAge.toHumanString()}; it must be a whole number of minutes, at least 2, since the completer reports once a minute.`);
  }
  const email = props.alarmEmail;
  if (email !== undefined && !Token.isUnresolved(email) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
    problems.push(`\`alarmEmail\` is '${email}'; it must be an e-mail address such as oncall@example.com.`);
  }
  if (problems.length > 0) {
    throw new Error(`Invalid PaymentAlarms props:\n  - ${problems.join('\n  - ')}`);
  }
}

/**
 * The alarm topic as an EventBridge target, sending the rule's text. Unlike aws-cdk-lib's
 * `SnsTopic` target, it grants nothing: the topic's policy names the one rule that may publish.
 */
class AlarmTopicTarget implements events.IRuleTarget {
  constructor(private readonly topic: sns.ITopic, private readonly message: events.RuleTargetInput) {}

  public bind(_rule: events.IRule): events.RuleTargetConfig {
    return { arn: this.topic.topicArn, input: this.message };
  }
}
