import { CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { PaymentAlarms, PaymentAlarmsOptions, PaymentApi, Profiles } from '../src';
import { newStack } from './setup/stacks';

const build = (options: PaymentAlarmsOptions = {}, stack: Stack = newStack(Profiles.staging)) => {
  const api = new PaymentApi(stack, 'Payments', { profile: Profiles.staging });
  const alarms = new PaymentAlarms(stack, 'Alarms', { ...options, api });
  return { stack, api, alarms, template: Template.fromStack(stack) };
};

describe('PaymentAlarms with default options', () => {
  let stack: Stack;
  let alarms: PaymentAlarms;
  let template: Template;
  beforeAll(() => {
    ({ stack, alarms, template } = build());
  });

  test('creates seven alarms', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
    expect(alarms.alarms).toHaveLength(7);
  });

  test('every alarm notifies the topic on alarm and on recovery', () => {
    const topic = { Ref: stack.getLogicalId(alarms.topic.node.defaultChild as CfnElement) };
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [topic], OKActions: [topic] });
  });

  test.each([
    ['handler error rate', 1, 'handlerErrorRate', 'AWS/Lambda', 'Errors', 'Invocations'],
    ['API 4XX rate', 10, 'clientErrorRate', 'AWS/ApiGateway', '4XXError', 'Count'],
    ['API 5XX rate', 1, 'serverErrorRate', 'AWS/ApiGateway', '5XXError', 'Count'],
  ])('the %s alarm is errors / requests in metric math, above %d %', (_name, threshold, prefix, namespace, failed, total) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: `IF(${prefix}Total > 0, 100 * ${prefix}Failed / ${prefix}Total, 0)`, ReturnData: true }),
        Match.objectLike({ Id: `${prefix}Failed`, MetricStat: Match.objectLike({ Metric: Match.objectLike({ Namespace: namespace, MetricName: failed }), Period: 300 }) }),
        Match.objectLike({ Id: `${prefix}Total`, MetricStat: Match.objectLike({ Metric: Match.objectLike({ Namespace: namespace, MetricName: total }), Period: 300 }) }),
      ]),
    });
  });

  test('any message in the dead-letter queue raises an alarm; an idle queue is not breaching', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  test('any ledger throttling raises an alarm', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 0,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'FILL(reads, 0) + FILL(writes, 0)' }),
        Match.objectLike({ Id: 'reads', MetricStat: Match.objectLike({ Metric: Match.objectLike({ Namespace: 'AWS/DynamoDB', MetricName: 'ReadThrottleEvents' }) }) }),
        Match.objectLike({ Id: 'writes', MetricStat: Match.objectLike({ Metric: Match.objectLike({ Namespace: 'AWS/DynamoDB', MetricName: 'WriteThrottleEvents' }) }) }),
      ]),
    });
  });

  test('audit writer errors and audit lag over a minute raise alarms', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Threshold: 0,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('PaymentsAuditWriter') } }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda', MetricName: 'IteratorAge', Statistic: 'Maximum', Threshold: 60_000,
    });
  });

  test('the topic is encrypted with the platform key and refuses plain HTTP', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('PaymentsKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowCloudWatchAlarmsToPublish', Principal: { Service: 'cloudwatch.amazonaws.com' } })]) },
    });
  });

  test('a dashboard shows the alarms and the same signals', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    for (const title of ['Alarms', 'Requests and payments', 'Error rates (%)', 'Latency (ms, p99)', 'Ledger throttling', 'Audit pipeline', 'Dead-letter queue']) {
      expect(body).toContain(title);
    }
    expect(body).toContain('PaymentsAccepted');
  });
});

describe('PaymentAlarms options', () => {
  test('thresholds, periods and evaluation periods are configurable', () => {
    const { template } = build({
      handlerErrorRatePercent: 2,
      clientErrorRatePercent: 25,
      serverErrorRatePercent: 0.5,
      period: Duration.minutes(1),
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      auditLagThreshold: Duration.minutes(5),
    });
    for (const threshold of [2, 25, 0.5]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: threshold, EvaluationPeriods: 5, DatapointsToAlarm: 3 });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'IteratorAge', Threshold: 300_000 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ MetricStat: Match.objectLike({ Period: 60 }) })]),
    });
  });

  test('an e-mail address is subscribed to the topic', () => {
    const { template } = build({ alarmEmail: 'oncall@example.com' });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
  });

  test('paging and chat endpoints, queues and further addresses subscribe through alarmSubscriptions', () => {
    const { template, alarms, stack } = build({
      alarmSubscriptions: [
        new subscriptions.UrlSubscription('https://events.pagerduty.com/integration/abc/enqueue'),
        new subscriptions.EmailSubscription('payments-leads@example.com'),
      ],
    });
    const topic = { Ref: stack.getLogicalId(alarms.topic.node.defaultChild as CfnElement) };
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'https', Endpoint: 'https://events.pagerduty.com/integration/abc/enqueue', TopicArn: topic });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'payments-leads@example.com', TopicArn: topic });
  });

  test('alarms that notify no one warn at synthesis, naming the ways to subscribe; any subscriber or a given topic silences it', () => {
    const warnings = (options: PaymentAlarmsOptions) => {
      const stack = newStack(Profiles.staging);
      if (options.alarmTopic === null) {
        options = { ...options, alarmTopic: new sns.Topic(stack, 'OnCall', { enforceSSL: true }) };
      }
      build(options, stack);
      return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('alarmsNotifyNoOne')).map((w) => w.entry.data);
    };
    expect(warnings({})).toEqual([expect.stringContaining(
      'The staging alarms notify a new topic that nobody subscribes to, so no alarm reaches anyone. Set `alarmEmail` or `alarmSubscriptions` (a paging or chat endpoint), give an `alarmTopic` that has subscribers, or subscribe to `alarms.topic` yourself and acknowledge this warning.')]);
    expect(warnings({ alarmEmail: 'oncall@example.com' })).toEqual([]);
    expect(warnings({ alarmSubscriptions: [new subscriptions.UrlSubscription('https://example.com/hook')] })).toEqual([]);
    expect(warnings({ alarmTopic: null as unknown as sns.ITopic })).toEqual([]);
  });

  test('where the API sweeps claims, an eighth alarm says when sweeps fall behind, at the threshold given', () => {
    const stack = newStack(Profiles.staging);
    const claims = dynamodb.Table.fromTableAttributes(stack, 'Claims', { tableName: 'claims' });
    const api = new PaymentApi(stack, 'Payments', { profile: Profiles.staging, idempotencyTable: claims });
    const alarms = new PaymentAlarms(stack, 'Alarms', { api, claimSweepLagThreshold: Duration.hours(12), alarmEmail: 'oncall@example.com' });
    expect(alarms.alarms).toHaveLength(8);
    expect(alarms.claimSweepAlarm).toBeDefined();
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'SweepPassAge',
      Threshold: 43_200,
      TreatMissingData: 'breaching',
      AlarmDescription: Match.stringLikeRegexp('^staging: the claim sweeper\'s pass over the idempotency table has run longer than 12 hours'),
    });
    expect(() => build({ claimSweepLagThreshold: Duration.minutes(30) })).toThrow(
      '`claimSweepLagThreshold` is 30 minutes; it must be at least 1 hour, since a pass over the claims begins once an hour.');
  });

  test('without a sweeper there is no sweep alarm', () => {
    expect(build().alarms.claimSweepAlarm).toBeUndefined();
  });

  test('CloudTrail\'s report of the key scheduled for deletion, disabled or re-policed reaches the topic', () => {
    const { template, api, alarms, stack } = build();
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.kms'],
        'detail-type': ['AWS API Call via CloudTrail'],
        'detail': {
          eventSource: ['kms.amazonaws.com'],
          eventName: ['ScheduleKeyDeletion', 'DisableKey', 'PutKeyPolicy'],
          resources: { ARN: [{ 'Fn::GetAtt': [stack.getLogicalId(api.key.node.defaultChild as CfnElement), 'Arn'] }] },
        },
      },
      Targets: [Match.objectLike({
        Arn: { Ref: stack.getLogicalId(alarms.topic.node.defaultChild as CfnElement) },
        InputTransformer: Match.objectLike({ InputTemplate: Match.stringLikeRegexp('ALARM: staging payment platform key: <detail-eventName> by <detail-userIdentity-arn>') }),
      })],
    });
  });

  test('a given topic is used and none is created', () => {
    const stack = newStack(Profiles.staging);
    const topic = new sns.Topic(stack, 'OnCall', { enforceSSL: true });
    const { template } = build({ alarmTopic: topic, dashboard: false }, stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: stack.getLogicalId(topic.node.defaultChild as CfnElement) }] });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });

  test('a given topic of the app lets CloudWatch publish alarms of this account', () => {
    const stack = newStack(Profiles.staging);
    const topic = new sns.Topic(stack, 'OnCall', { enforceSSL: true });
    const { template } = build({ alarmTopic: topic, dashboard: false }, stack);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'AllowCloudWatchAlarmsToPublish',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': Match.anyValue() } },
        })]),
      },
    });
  });

  test('an imported topic gets a warning that its policy must allow CloudWatch to publish', () => {
    const stack = newStack(Profiles.staging);
    const topic = sns.Topic.fromTopicArn(stack, 'Imported', 'arn:aws:sns:us-east-2:111111111111:oncall');
    build({ alarmTopic: topic, dashboard: false }, stack);
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('must allow cloudwatch.amazonaws.com to sns:Publish'));
  });

  test('refuses bad options, listing every problem', () => {
    expect(() => build({
      clientErrorRatePercent: 0,
      serverErrorRatePercent: 150,
      evaluationPeriods: 2,
      datapointsToAlarm: 3,
      period: Duration.seconds(90),
      alarmEmail: 'not-an-address',
    })).toThrow(
      'Invalid PaymentAlarms props:\n'
      + '  - `clientErrorRatePercent` is 0; it must be a percentage greater than 0 and less than 100.\n'
      + '  - `serverErrorRatePercent` is 150; it must be a percentage greater than 0 and less than 100.\n'
      + '  - `datapointsToAlarm` is 3; it must be a whole number from 1 to `evaluationPeriods` (2).\n'
      + '  - `period` is 1 minute 30 seconds; it must be a whole number of minutes (API Gateway and Lambda publish per minute).\n'
      + "  - `alarmEmail` is 'not-an-address'; it must be an e-mail address such as oncall@example.com.",
    );
  });

  test('one evaluation period needs one datapoint', () => {
    const { template } = build({ evaluationPeriods: 1 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 10, EvaluationPeriods: 1, DatapointsToAlarm: 1 });
  });
});
