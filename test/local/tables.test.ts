import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PaymentApi, Profiles, SimulatedProcessor } from '../../src';
import { handlerEnvironment } from '../../src/local/local-server';
import { LOCAL_TABLES } from '../../src/local/tables';
import { newStack } from '../setup/stacks';

/** The local server's tables and settings against what the constructs deploy. */
const stack = newStack(Profiles.dev);
const simulated = new SimulatedProcessor(stack, 'Processor');
const api = new PaymentApi(stack, 'Payments', { profile: Profiles.dev, processor: simulated.processor });
const template = Template.fromStack(stack);

/** What decides a table's shape: keys, attribute types and indexes (names and capacity are the deployment's). */
function shapeOf(table: { KeySchema: unknown; AttributeDefinitions: unknown; GlobalSecondaryIndexes?: unknown[] }) {
  const indexes = (table.GlobalSecondaryIndexes ?? []) as Array<{ IndexName: string; KeySchema: unknown; Projection: unknown }>;
  return {
    KeySchema: table.KeySchema,
    AttributeDefinitions: table.AttributeDefinitions,
    GlobalSecondaryIndexes: indexes.map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection })),
  };
}

function deployed(construct: { node: { defaultChild?: unknown } }) {
  const logicalId = Stack.of(stack).getLogicalId(construct.node.defaultChild as never);
  return shapeOf(template.toJSON().Resources[logicalId].Properties);
}

test.each([
  ['ledger', () => api.ledgerTable, LOCAL_TABLES.ledger],
  ['idempotency', () => api.idempotencyTable, LOCAL_TABLES.idempotency],
  ['simulated processor', () => simulated.table, LOCAL_TABLES.simulatedProcessor],
])('the %s table has the key schema and indexes that the constructs deploy', (_name, table, local) => {
  expect(shapeOf(local)).toEqual(deployed(table()));
});

test('the handler, the completer and the simulated processor get every setting that the constructs give them', () => {
  const functions = Object.values(template.findResources('AWS::Lambda::Function'))
    .map((fn) => fn.Properties.Environment?.Variables as Record<string, unknown> | undefined)
    .filter((variables) => variables?.LEDGER_TABLE_NAME || variables?.SIMULATED_PROCESSOR_TABLE_NAME);
  expect(functions).toHaveLength(3);
  const local = { ...handlerEnvironment({ processor: { kind: 'simulated' }, processorTimeoutMs: 10_000 }), POWERTOOLS_SERVICE_NAME: 'set as each is loaded' };
  for (const variables of functions) {
    expect(Object.keys(variables!).filter((name) => !(name in local))).toEqual([]);
  }
  const handler = functions.find((variables) => variables!.POWERTOOLS_SERVICE_NAME === 'payments-api')!;
  const settings = ['POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_LOG_LEVEL', 'IDEMPOTENCY_TTL_SECONDS', 'IAM_AUTHORIZATION', 'PROCESSOR_TIMEOUT_MS', 'PROCESSOR_KEY_RETENTION_SECONDS'];
  expect(Object.fromEntries(settings.map((name) => [name, local[name as keyof typeof local]])))
    .toEqual(Object.fromEntries(settings.map((name) => [name, handler[name]])));
});
