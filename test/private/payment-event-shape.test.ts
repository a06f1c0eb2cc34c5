import { DeleteItemCommand, DescribeTableCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, DescribeStreamCommand } from '@aws-sdk/client-dynamodb-streams';
import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand, PutEventsRequestEntry, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import jsonata from 'jsonata';
import { Ledger, Payment, paymentBody } from '../../src/handlers/ledger';
import type { PaymentRequest } from '../../src/handlers/payment-request';
import { DEFAULT_PAYMENT_EVENT_SOURCE, paymentEventEntries, paymentEventFilters } from '../../src/private/payment-event-shape';
import { MotoServer } from '../handlers/moto';

/**
 * The payment events' filters and shape, driven with the stream records that the handler's own
 * ledger writes produce on moto_server: the filters run as rules of a bus on moto_server (the
 * pipe's filters are EventBridge patterns over the record), and the entries come from the
 * workflow's JSONata, evaluated by the language's reference implementation at the version that
 * Step Functions implements. Each event is then put on a bus and read by a consumer's rule.
 */

const ACCOUNT = '123456789012';
const BUS_ARN = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/payments`;
const CLIENT = 'key:client-a';
const REQUEST: PaymentRequest = {
  amount: 1999,
  currency: 'USD',
  merchantId: 'm_events',
  paymentMethodToken: 'tok_visa_4242',
  description: 'Order 42',
  metadata: { order: '42' },
};

let moto: MotoServer;
let events: EventBridgeClient;
let sqs: SQSClient;

function payment(transactionId: string, status: Payment['status']): Payment {
  return { transactionId, status, amount: 1999, currency: 'USD', merchantId: 'm_events', createdAt: `2026-12-07T10:00:0${transactionId.slice(-1)}.000Z` };
}

/** Every record on the stream of `table`, as a pipe receives them (the Lambda event form). */
async function streamRecords(table: string): Promise<DynamoDBRecord[]> {
  const streamArn = (await moto.dynamodb().send(new DescribeTableCommand({ TableName: table }))).Table!.LatestStreamArn!;
  const streams = new DynamoDBStreamsClient(moto.clientConfig());
  const records: DynamoDBRecord[] = [];
  for (const shard of (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription!.Shards!) {
    let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (iterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      for (const record of page.Records ?? []) {
        records.push({
          ...record,
          eventSourceARN: streamArn,
          dynamodb: { ...record.dynamodb, ApproximateCreationDateTime: Math.floor(record.dynamodb!.ApproximateCreationDateTime!.getTime() / 1000) },
        } as DynamoDBRecord);
      }
      iterator = (page.Records ?? []).length > 0 ? page.NextShardIterator : undefined;
    }
  }
  return records;
}

/** A queue on moto_server and its ARN. */
async function queue(name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  return { url: QueueUrl!, arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}` };
}

/** Every message in the queue at `url`, taken off it. */
async function drain(url: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    if (Messages.length === 0) {
      return bodies;
    }
    for (const message of Messages) {
      bodies.push(message.Body!);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle! }));
    }
  }
}

/**
 * The records that the filters let through, in stream order: each filter is a rule of a bus of its
 * own on moto_server, whose pattern is the filter applied to the event's detail, and each record is
 * put as the detail of one event; a record passes if any rule delivered it.
 */
async function filtered(name: string, filters: string[], records: DynamoDBRecord[]): Promise<DynamoDBRecord[]> {
  await events.send(new CreateEventBusCommand({ Name: name }));
  const target = await queue(`${name}-passed`);
  for (const [index, filter] of filters.entries()) {
    await events.send(new PutRuleCommand({ Name: `${name}-${index}`, EventBusName: name, EventPattern: JSON.stringify({ detail: JSON.parse(filter) }) }));
    await events.send(new PutTargetsCommand({ Rule: `${name}-${index}`, EventBusName: name, Targets: [{ Id: 'passed', Arn: target.arn }] }));
  }
  for (const record of records) {
    await events.send(new PutEventsCommand({ Entries: [{ EventBusName: name, Source: 'ledger-stream', DetailType: 'record', Detail: JSON.stringify(record) }] }));
  }
  const passed = new Set((await drain(target.url)).map((body) => (JSON.parse(body).detail as DynamoDBRecord).dynamodb!.SequenceNumber));
  return records.filter((record) => passed.has(record.dynamodb!.SequenceNumber));
}

/** The PutEvents entries that the workflow builds from one batch of records. */
async function entries(batch: DynamoDBRecord[], source = DEFAULT_PAYMENT_EVENT_SOURCE): Promise<PutEventsRequestEntry[]> {
  return jsonata(paymentEventEntries(BUS_ARN, source)).evaluate(undefined, { states: { input: batch } });
}

function statusOf(record: DynamoDBRecord): string {
  return `${record.eventName} ${record.dynamodb!.OldImage?.status?.S ?? '-'} -> ${record.dynamodb!.NewImage?.status?.S ?? '-'}`;
}

beforeAll(async () => {
  moto = await MotoServer.start();
  events = new EventBridgeClient(moto.clientConfig());
  sqs = new SQSClient(moto.clientConfig());
});

afterAll(async () => {
  await moto?.stop();
});

describe('in one Region', () => {
  let records: DynamoDBRecord[];
  let passed: DynamoDBRecord[];

  beforeAll(async () => {
    await moto.createLedgerTable('events-ledger');
    const ledger = new Ledger(moto.dynamodb(), 'events-ledger');
    // Without a processor: accepted at once. With one: written ahead as pending, then its outcome.
    await ledger.append(payment('tx-1', 'accepted'), REQUEST, CLIENT);
    await ledger.append(payment('tx-2', 'pending'), REQUEST, CLIENT);
    await ledger.settle('tx-2', payment('tx-2', 'pending').createdAt, { outcome: 'authorized', processorReference: 'ch_2' });
    await ledger.append(payment('tx-3', 'pending'), REQUEST, CLIENT);
    await ledger.settle('tx-3', payment('tx-3', 'pending').createdAt, { outcome: 'declined', processorReference: 'ch_3', declineCode: 'insufficient_funds' });
    // A payment whose processor has not answered yet.
    await ledger.append(payment('tx-4', 'pending'), REQUEST, CLIENT);
    // A later edit of a final item, and the delete of an expired one: neither is a new outcome.
    const key = (id: string) => ({ transaction_id: { S: id }, timestamp: { S: payment(id, 'accepted').createdAt } });
    await moto.dynamodb().send(new UpdateItemCommand({
      TableName: 'events-ledger', Key: key('tx-1'), UpdateExpression: 'SET note = :note', ExpressionAttributeValues: { ':note': { S: 'an operator\'s edit' } },
    }));
    await moto.dynamodb().send(new DeleteItemCommand({ TableName: 'events-ledger', Key: key('tx-3') }));
    records = await streamRecords('events-ledger');
    passed = await filtered('one-region', paymentEventFilters(), records);
  });

  test('the stream holds every write; the filters pass the three that made a payment final: nothing pending, edited later or deleted', () => {
    expect(records.map(statusOf)).toEqual([
      'INSERT - -> accepted',
      'INSERT - -> pending',
      'MODIFY pending -> authorized',
      'INSERT - -> pending',
      'MODIFY pending -> declined',
      'INSERT - -> pending',
      'MODIFY accepted -> accepted',
      'REMOVE declined -> -',
    ]);
    expect(passed.map(statusOf)).toEqual(['INSERT - -> accepted', 'MODIFY pending -> authorized', 'MODIFY pending -> declined']);
  });

  test('each passed record becomes the contract\'s event, byte for byte, without token, metadata, description or client id', async () => {
    expect(await entries(passed)).toEqual([
      {
        EventBusName: BUS_ARN,
        Source: 'payment-platform',
        DetailType: 'Payment Accepted',
        Detail: '{"transactionId":"tx-1","status":"accepted","amount":1999,"currency":"USD","merchantId":"m_events","createdAt":"2026-12-07T10:00:01.000Z"}',
      },
      {
        EventBusName: BUS_ARN,
        Source: 'payment-platform',
        DetailType: 'Payment Authorized',
        Detail: '{"transactionId":"tx-2","status":"authorized","amount":1999,"currency":"USD","merchantId":"m_events","createdAt":"2026-12-07T10:00:02.000Z",'
          + '"processorReference":"ch_2"}',
      },
      {
        EventBusName: BUS_ARN,
        Source: 'payment-platform',
        DetailType: 'Payment Declined',
        Detail: '{"transactionId":"tx-3","status":"declined","amount":1999,"currency":"USD","merchantId":"m_events","createdAt":"2026-12-07T10:00:03.000Z",'
          + '"processorReference":"ch_3","declineCode":"insufficient_funds"}',
      },
    ]);
  });

  test('an event\'s detail is the body that GET /payments/{id} answers for the payment', async () => {
    const [, authorized] = await entries(passed);
    expect(authorized.Detail).toBe(paymentBody({ ...payment('tx-2', 'authorized'), processorReference: 'ch_2' }));
  });

  test('a batch of one record gives one entry, and the configured source is used', async () => {
    expect(await entries([passed[0]], 'acme.payments')).toEqual([expect.objectContaining({ Source: 'acme.payments', DetailType: 'Payment Accepted' })]);
  });

  test('a consumer\'s rule receives the events; a batch delivered twice is told apart by transactionId and status', async () => {
    await events.send(new CreateEventBusCommand({ Name: 'payments' }));
    const consumer = await queue('fulfilment');
    await events.send(new PutRuleCommand({
      Name: 'final-payments',
      EventBusName: 'payments',
      EventPattern: JSON.stringify({ 'source': ['payment-platform'], 'detail-type': ['Payment Authorized', 'Payment Accepted'] }),
    }));
    await events.send(new PutTargetsCommand({ Rule: 'final-payments', EventBusName: 'payments', Targets: [{ Id: 'fulfilment', Arn: consumer.arn }] }));
    const batch = await entries(passed);
    // At least once: a pipe that retries a batch puts its events again.
    await events.send(new PutEventsCommand({ Entries: batch }));
    await events.send(new PutEventsCommand({ Entries: batch }));
    const received = (await drain(consumer.url)).map((body) => JSON.parse(body));
    expect(received).toHaveLength(4);
    const seen = new Set(received.map((event) => `${event.detail.transactionId} ${event.detail.status}`));
    expect([...seen].sort()).toEqual(['tx-1 accepted', 'tx-2 authorized']);
    expect(received[0]).toMatchObject({ 'source': 'payment-platform', 'detail-type': 'Payment Accepted', 'detail': { transactionId: 'tx-1', amount: 1999 } });
  });
});

describe('in a multi-Region platform, whose stream carries every Region\'s writes', () => {
  test('only the payments that this Region recorded pass its filters', async () => {
    await moto.createLedgerTable('events-global-ledger');
    const here = new Ledger(moto.dynamodb(), 'events-global-ledger', 'us-east-1');
    const there = new Ledger(moto.dynamodb(), 'events-global-ledger', 'us-west-2');
    await here.append(payment('tx-5', 'accepted'), REQUEST, CLIENT);
    await there.append(payment('tx-6', 'accepted'), REQUEST, CLIENT);
    await here.append(payment('tx-7', 'pending'), REQUEST, CLIENT);
    await here.settle('tx-7', payment('tx-7', 'pending').createdAt, { outcome: 'authorized', processorReference: 'ch_7' });
    await there.append(payment('tx-8', 'pending'), REQUEST, CLIENT);
    await there.settle('tx-8', payment('tx-8', 'pending').createdAt, { outcome: 'declined', processorReference: 'ch_8', declineCode: 'do_not_honor' });
    const records = await streamRecords('events-global-ledger');
    const ids = (passed: DynamoDBRecord[]) => passed.map((record) => record.dynamodb!.NewImage!.transaction_id.S);
    expect(ids(await filtered('us-east-1-filters', paymentEventFilters('us-east-1'), records))).toEqual(['tx-5', 'tx-7']);
    expect(ids(await filtered('us-west-2-filters', paymentEventFilters('us-west-2'), records))).toEqual(['tx-6', 'tx-8']);
  });
});
