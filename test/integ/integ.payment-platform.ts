/**
 * A deployable integration test of the dev profile, run by integ-runner: it deploys the platform,
 * sends `POST /payments` and its replay, waits for the audit record in the bucket and for the
 * payment's event on a queue that a rule on the platform's event bus delivers to, sets an alarm to
 * ALARM and waits for the notification on a queue subscribed to the alarm topic, then deletes
 * everything it deployed.
 *
 * CI only compares the synthesized snapshot (`npx projen integ:snapshot`, offline). Against an
 * account of one's own: `npx projen integ:deploy` (see CONTRIBUTING.md).
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ApiGatewayAccount, PaymentPlatform, Profiles } from '../../src';

const app = new App();
const profile = Profiles.derive(Profiles.dev, { enableAlarms: true });
// Environment-agnostic like the assertion stack beside it; integ-runner deploys both to one region.
const stack = new Stack(app, 'PaymentPlatformInteg');

// The account may not have API Gateway's logging role yet; an account stack would set it once. It is
// kept after the test, as an account-wide setting must be.
new ApiGatewayAccount(stack, 'ApiGatewayAccount');
const platform = new PaymentPlatform(stack, 'Payments', profile, { events: {} });
const apiKey = platform.api.addApiKey('IntegKey');

// A queue on the alarm topic stands in for the on-call inbox.
const inbox = new sqs.Queue(stack, 'AlarmInbox', {
  encryption: sqs.QueueEncryption.SQS_MANAGED,
  enforceSSL: true,
  removalPolicy: RemovalPolicy.DESTROY,
});
(platform.alarms!.topic as sns.Topic).addSubscription(new SqsSubscription(inbox, { rawMessageDelivery: true }));

// A consumer of payment events, as a team would subscribe one: a rule on the bus, to a queue.
const eventInbox = new sqs.Queue(stack, 'EventInbox', {
  encryption: sqs.QueueEncryption.SQS_MANAGED,
  enforceSSL: true,
  removalPolicy: RemovalPolicy.DESTROY,
});
new events.Rule(stack, 'AcceptedPayments', {
  eventBus: platform.api.eventBus,
  eventPattern: { source: ['payment-platform'], detailType: ['Payment Accepted'] },
  targets: [new targets.SqsQueue(eventInbox)],
});

const integ = new IntegTest(app, 'PaymentPlatformIntegTest', {
  testCases: [stack],
  diffAssets: false,
  stackUpdateWorkflow: false,
  cdkCommandOptions: { destroy: { args: { force: true } } },
});

const key = integ.assertions.awsApiCall('APIGateway', 'getApiKey', { apiKey: apiKey.keyId, includeValue: true });
const payment = {
  method: 'POST',
  headers: {
    'x-api-key': key.getAttString('value'),
    'Content-Type': 'application/json',
    'Idempotency-Key': 'integ-0f8fad5b-d9cb-469f-a165-70867728950e',
  },
  body: JSON.stringify({ amount: 1999, currency: 'USD', merchantId: 'm_integ', paymentMethodToken: 'tok_visa_4242' }),
};
const url = `${platform.api.restApi.url}payments`;

const created = integ.assertions.httpApiCall(url, payment);
created.expect(ExpectedResult.objectLike({ status: 201, body: Match.objectLike({ status: 'accepted', amount: 1999 }) }));
const replayed = integ.assertions.httpApiCall(url, payment);
replayed.expect(ExpectedResult.objectLike({ status: 201, headers: Match.objectLike({ 'idempotent-replayed': 'true' }) }));

const audited = integ.assertions.awsApiCall('S3', 'listObjectsV2', { Bucket: platform.auditBucket.bucketName, Prefix: 'audit/' });
audited.expect(ExpectedResult.objectLike({ KeyCount: 1 })).waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) });

const published = integ.assertions.awsApiCall('SQS', 'receiveMessage', { QueueUrl: eventInbox.queueUrl, WaitTimeSeconds: 20 });
published.expect(ExpectedResult.objectLike({
  Messages: Match.arrayWith([Match.objectLike({ Body: Match.stringLikeRegexp('"detail-type":"Payment Accepted".*"merchantId":"m_integ"') })]),
})).waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(10) });

const alarm = platform.alarms!.alarms[0];
const raised = integ.assertions.awsApiCall('CloudWatch', 'setAlarmState', {
  AlarmName: alarm.alarmName,
  StateValue: 'ALARM',
  StateReason: 'Integration test: the notification path from alarm to topic to inbox',
});
const notified = integ.assertions.awsApiCall('SQS', 'receiveMessage', { QueueUrl: inbox.queueUrl, WaitTimeSeconds: 20 });
notified.expect(ExpectedResult.objectLike({
  Messages: Match.arrayWith([Match.objectLike({ Body: Match.stringLikeRegexp('"NewStateValue":"ALARM"') })]),
})).waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(10) });

key.next(created).next(replayed).next(audited).next(published);
created.next(raised).next(notified);
