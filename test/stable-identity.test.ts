import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MultiRegionPaymentPlatform, PaymentPlatform, Profiles } from '../src';

/**
 * The logical IDs and types of every stateful resource of `PaymentPlatform`, pinned for each stock
 * profile (a platform with construct id `Payments`). CloudFormation identifies a resource by its
 * logical ID: a changed ID, or a changed type, makes it create a new, empty resource and delete or
 * orphan the old one. In production that sends payments to a new ledger and leaves the old one
 * behind. Changing a pinned entry is therefore a breaking change (`feat!:` or `fix!:`, with the
 * migration in the commit body); adding a new stateful resource only adds an entry.
 *
 * The audit writer's event source mapping counts as stateful: it holds the position in the ledger's
 * stream, and a new mapping starts again from the stream's trim horizon, writing up to a day of audit
 * records a second time.
 */
const STATEFUL_TYPES = new Set([
  'AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable', 'AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Logs::LogGroup',
  'AWS::Backup::BackupVault', 'AWS::SQS::Queue', 'AWS::Lambda::EventSourceMapping',
]);

const EVERY_PROFILE: Record<string, string> = {
  PaymentsKeyB60DCB49: 'AWS::KMS::Key',
  PaymentsLedgerTableED004DC0: 'AWS::DynamoDB::Table',
  PaymentsAuditBucket1BB8A8D0: 'AWS::S3::Bucket',
  PaymentsAuditAccessLogs3D422953: 'AWS::S3::Bucket',
  PaymentsApiIdempotencyTable22D2FD2E: 'AWS::DynamoDB::Table',
  PaymentsApiDeadLetterQueueA5B5A901: 'AWS::SQS::Queue',
  PaymentsApiAccessLogs7F73B3DC: 'AWS::Logs::LogGroup',
  PaymentsApiExecutionLogsD720CFFD: 'AWS::Logs::LogGroup',
  PaymentsApiHandlerLogs6C6273AF: 'AWS::Logs::LogGroup',
  PaymentsApiAuditWriterLogsFE5CB94C: 'AWS::Logs::LogGroup',
  PaymentsNetworkFlowLogs158DDAC7: 'AWS::Logs::LogGroup',
  PaymentsApiServicePrefixListsLookupLogs31F3DDC7: 'AWS::Logs::LogGroup',
  PaymentsApiAuditWriterDynamoDBEventSourcePaymentPlatformPaymentsLedgerTable2194DE2A6AF6ABFF: 'AWS::Lambda::EventSourceMapping',
};

const PINNED: Record<string, Record<string, string>> = {
  dev: EVERY_PROFILE,
  staging: EVERY_PROFILE,
  production: {
    ...EVERY_PROFILE,
    PaymentsApiWafLogsE65752AA: 'AWS::Logs::LogGroup',
    PaymentsLedgerBackupVault52391AD5: 'AWS::Backup::BackupVault',
  },
};

test.each(Profiles.names)('%s: every stateful resource keeps its logical ID and type', (name) => {
  const app = new App();
  const stack = new Stack(app, 'PaymentPlatform', { env: { region: Profiles.named(name).region } });
  new PaymentPlatform(stack, 'Payments', Profiles.named(name));
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>;
  const actual = Object.fromEntries(Object.entries(resources).filter(([, r]) => STATEFUL_TYPES.has(r.Type)).map(([id, r]) => [id, r.Type]));
  const pinned = PINNED[name];

  const lost = Object.keys(pinned).filter((id) => actual[id] !== pinned[id])
    .map((id) => `  ${id} (${pinned[id]}) is ${actual[id] ? `now a ${actual[id]}` : 'gone'}`);
  if (lost.length > 0) {
    throw new Error(`Stateful resources of the ${name} profile lost their identity:\n${lost.join('\n')}\n`
      + 'CloudFormation would create each anew, empty, and delete or orphan the old one: in production, payments, audit '
      + 'records, keys or logs would be replaced, and a new stream mapping would write audit records again. Restore the construct ids (or pin the logical ID with overrideLogicalId). '
      + 'If the change is meant, it is a breaking change: commit it as feat!/fix! with the migration, and update this pin.');
  }
  const unpinned = Object.keys(actual).filter((id) => !(id in pinned)).map((id) => `  ${id}: '${actual[id]}'`);
  if (unpinned.length > 0) {
    throw new Error(`New stateful resources of the ${name} profile are not pinned yet; add them to PINNED:\n${unpinned.join('\n')}`);
  }
});

describe('MultiRegionPaymentPlatform (production, three Regions, construct id Payments)', () => {
  const regions = ['us-east-1', 'us-east-2', 'us-west-2'];
  const app = new App();
  const multi = new MultiRegionPaymentPlatform(app, 'Payments', { profile: Profiles.production, regions });
  const resourcesOf = (stack: Stack) => Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>;
  const stateful = (stack: Stack) => Object.fromEntries(Object.entries(resourcesOf(stack))
    .filter(([, r]) => STATEFUL_TYPES.has(r.Type) || r.Type === 'AWS::SecretsManager::Secret').map(([id, r]) => [id, r.Type]));

  test.each(regions)('the key stack of %s keeps its key', (region) => {
    expect(stateful(multi.keyStacks[region])).toEqual({ Key961B73FD: 'AWS::KMS::Key' });
  });

  test('the data stack keeps its tables, backup vault and secret', () => {
    expect(stateful(multi.dataStack)).toEqual({
      LedgerB7379752: 'AWS::DynamoDB::GlobalTable',
      LedgerBackupVault2CF478A4: 'AWS::Backup::BackupVault',
      IdempotencyClaims4C515F76: 'AWS::DynamoDB::GlobalTable',
      ApiKeydefault6328E28C: 'AWS::SecretsManager::Secret',
    });
  });

  test.each([
    ['us-east-1', 'PaymentsApiAuditWriterDynamoDBEventSourcePaymentsRegionuseast1LedgerTableD64DC60AA3A41407'],
    ['us-east-2', 'PaymentsApiAuditWriterDynamoDBEventSourcePaymentsRegionuseast2LedgerTableCCC2F615B8BBBC2E'],
    ['us-west-2', 'PaymentsApiAuditWriterDynamoDBEventSourcePaymentsRegionuswest2LedgerTable5383FCFAE696D33A'],
  ])('the platform stack of %s keeps its buckets, queue, log groups and stream mapping', (region, mapping) => {
    const actual = stateful(multi.regionStacks[region]);
    const [mappingId] = Object.entries(actual).find(([, type]) => type === 'AWS::Lambda::EventSourceMapping')!;
    expect(mappingId).toEqual(mapping);
    delete actual[mappingId];
    expect(actual).toEqual({
      LedgerStreamLogsEC4B7A16: 'AWS::Logs::LogGroup',
      PaymentsNetworkFlowLogs158DDAC7: 'AWS::Logs::LogGroup',
      PaymentsAuditAccessLogs3D422953: 'AWS::S3::Bucket',
      PaymentsAuditBucket1BB8A8D0: 'AWS::S3::Bucket',
      PaymentsApiDeadLetterQueueA5B5A901: 'AWS::SQS::Queue',
      PaymentsApiHandlerLogs6C6273AF: 'AWS::Logs::LogGroup',
      PaymentsApiAuditWriterLogsFE5CB94C: 'AWS::Logs::LogGroup',
      PaymentsApiClaimSweeperLogs69DFA435: 'AWS::Logs::LogGroup',
      PaymentsApiAccessLogs7F73B3DC: 'AWS::Logs::LogGroup',
      PaymentsApiExecutionLogsD720CFFD: 'AWS::Logs::LogGroup',
      PaymentsApiWafLogsE65752AA: 'AWS::Logs::LogGroup',
      PaymentsApiServicePrefixListsLookupLogs31F3DDC7: 'AWS::Logs::LogGroup',
    });
  });
});
