// Checks the consumer app's templates against the stock profiles' values (the seed's, but for production's on-demand ledger); exits non-zero on any mismatch.
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const outdir = process.argv[2];
const expected = {
  dev: { region: 'us-east-1', alarms: 0, rate: 100, dlqDays: 3, glacierDays: 30, billing: 'PAY_PER_REQUEST', pitr: false, retain: false },
  staging: { region: 'us-east-2', alarms: 7, rate: 1000, dlqDays: 7, glacierDays: 30, billing: 'PAY_PER_REQUEST', pitr: true, retain: false },
  production: { region: 'us-east-1', alarms: 7, rate: 10000, dlqDays: 14, glacierDays: 90, billing: 'PAY_PER_REQUEST', pitr: true, retain: true },
};

const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
const failures = [];
const check = (env, what, actual, wanted) => {
  const ok = JSON.stringify(actual) === JSON.stringify(wanted);
  if (!ok) failures.push(`${env}: ${what} is ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`);
  return actual;
};

for (const [env, want] of Object.entries(expected)) {
  const stackName = `Consumer-${env}`;
  const template = JSON.parse(readFileSync(join(outdir, `${stackName}.template.json`), 'utf8'));
  const resources = Object.values(template.Resources);
  const ofType = (type) => resources.filter((r) => r.Type === type);
  const ledger = ofType('AWS::DynamoDB::Table').find((t) => JSON.stringify(t.Properties.KeySchema).includes('transaction_id'));
  const auditBucket = ofType('AWS::S3::Bucket').find((b) => b.Properties.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault?.SSEAlgorithm === 'aws:kms');
  const functions = ofType('AWS::Lambda::Function').filter((f) => f.Properties.Runtime === 'nodejs24.x');

  check(env, 'region', manifest.artifacts[stackName].environment, `aws://unknown-account/${want.region}`);
  check(env, 'alarms', ofType('AWS::CloudWatch::Alarm').length, want.alarms);
  check(env, 'KMS keys', ofType('AWS::KMS::Key').length, 1);
  check(env, 'NAT gateways', ofType('AWS::EC2::NatGateway').length, 1);
  check(env, 'stage rate', ofType('AWS::ApiGateway::Stage')[0].Properties.MethodSettings[0].ThrottlingRateLimit, want.rate);
  check(env, 'rate of each client (usage plan)', ofType('AWS::ApiGateway::UsagePlan')[0].Properties.Throttle.RateLimit, want.rate / 2);
  check(env, 'DLQ retention (days)', ofType('AWS::SQS::Queue')[0].Properties.MessageRetentionPeriod / 86400, want.dlqDays);
  check(env, 'Glacier transition (days)', auditBucket.Properties.LifecycleConfiguration.Rules[0].Transitions[0].TransitionInDays, want.glacierDays);
  check(env, 'ledger billing', ledger.Properties.BillingMode ?? 'PROVISIONED', want.billing);
  check(env, 'ledger point-in-time recovery', ledger.Properties.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled, want.pitr);
  check(env, 'ledger deletion policy', ledger.DeletionPolicy, want.retain ? 'Retain' : 'Delete');
  check(env, 'Node.js 24 arm64 functions', functions.filter((f) => f.Properties.Architectures?.[0] === 'arm64').length, 2);

  const assets = JSON.parse(readFileSync(join(outdir, `${stackName}.assets.json`), 'utf8')).files;
  const handlerBundles = Object.values(assets).filter((a) => existsSync(join(outdir, a.source.path, 'index.mjs')));
  check(env, 'bundled handler assets from the package', handlerBundles.length >= 2, true);

  console.log(`${env}: ${resources.length} resources in ${want.region}, ${ofType('AWS::CloudWatch::Alarm').length} alarms, ` +
    `${want.rate} req/s, ledger ${want.billing.toLowerCase()}, DLQ ${want.dlqDays} days, Glacier after ${want.glacierDays} days`);
}

if (failures.length > 0) {
  console.error(`Consumer check failed:\n  - ${failures.join('\n  - ')}`);
  process.exit(1);
}
console.log('consumer check: 3 passed, 0 failed');
