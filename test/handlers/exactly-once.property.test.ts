import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { APIGatewayProxyResult } from 'aws-lambda';
import * as fc from 'fast-check';
import { jsonHeaders, postPayment, validBody } from './events';
import { LambdaStandIn } from './lambda-stand-in';
import { MotoServer } from './moto';
import { IDEMPOTENCY, LEDGER, propertyRuns } from './payment-harness';
import { Charges } from '../../src/handlers/charges';
import { Completer } from '../../src/handlers/completer';
import { chargeLeaseMs } from '../../src/handlers/deadline';
import { IdempotencyStore } from '../../src/handlers/idempotency';
import { LambdaProcessor } from '../../src/handlers/lambda-processor';
import { Ledger } from '../../src/handlers/ledger';
import { routePaymentRequest } from '../../src/handlers/payment-routes';
import { PaymentService } from '../../src/handlers/payments';
import type { ProcessorOutcome } from '../../src/handlers/processor-protocol';
import { simulatedReference } from '../../src/handlers/simulated-processor';

/**
 * Exactly-once charging as a property: over random crash points of the first request, its
 * retries and the completer's runs, random interleavings of those that run at once (fast-check's
 * scheduler decides the order in which their calls to DynamoDB and the processor go out), random
 * processor failures and random clock moves, every payment ends with one idempotency key at the
 * processor, one recorded outcome, and one final answer that every client and every replay gets.
 *
 * Each request or completer run is an actor with SDK clients of its own, against moto_server and a
 * loopback Lambda Invoke server. An actor that "crashes" at its n-th call (before the call goes
 * out, or after it has landed) reaches nothing outside from then on, whatever its code does next:
 * the world sees what it would see if the process had been killed there. The processor honours
 * its idempotency keys as the contract requires: the first answer that is not a failure decides
 * the outcome of a key, and every later answer for that key repeats it.
 */
const TIMEOUT_MS = 5_000;
const LEASE_MS = chargeLeaseMs(TIMEOUT_MS);
const RETENTION_MS = 24 * 3600_000;
const MINUTE = 60_000;

let moto: MotoServer;
let processor: LambdaStandIn;

beforeAll(async () => {
  moto = await MotoServer.start();
  await moto.createLedgerTable(LEDGER);
  await moto.createIdempotencyTable(IDEMPOTENCY);
  processor = await LambdaStandIn.start();
});

afterAll(async () => {
  await processor?.stop();
  await moto?.stop();
});

class Crashed extends Error {
  public readonly name = 'Crashed';
}

/** Where an actor dies: at its `call`-th call to DynamoDB or the processor, before it goes out or after it landed. */
interface Crash {
  readonly call: number;
  readonly moment: 'before' | 'after';
}

interface Actor {
  readonly kind: 'retry' | 'completer';
  readonly crash?: Crash;
}

interface Wave {
  readonly actors: readonly Actor[];
  /** How far the clock moves after the wave. */
  readonly advanceMs: number;
}

const crashArb: fc.Arbitrary<Crash | undefined> = fc.option(
  fc.record({ call: fc.nat({ max: 7 }), moment: fc.constantFrom('before' as const, 'after' as const) }),
  { nil: undefined, freq: 2 },
);
const actorArb: fc.Arbitrary<Actor> = fc.record({ kind: fc.constantFrom('retry' as const, 'completer' as const), crash: crashArb });
const waveArb: fc.Arbitrary<Wave> = fc.record({
  actors: fc.array(actorArb, { minLength: 1, maxLength: 3 }),
  advanceMs: fc.constantFrom(0, 1_000, LEASE_MS + 1, 61 * MINUTE),
});
/** What the processor does on each call, in order: fail, or give the key's outcome. */
const processorPlanArb = fc.array(fc.constantFrom('answer', 'answer', 'fail'), { minLength: 0, maxLength: 12 });

let runs = 0;

test('one idempotency key at the processor, one outcome, one final answer: under crashes, retries, completer runs and their interleavings', async () => {
  await fc.assert(fc.asyncProperty(
    fc.scheduler(),
    crashArb,
    fc.array(waveArb, { minLength: 0, maxLength: 4 }),
    processorPlanArb,
    fc.constantFrom('tok_visa', 'tok_decline_card_declined'),
    async (scheduler, firstCrash, waves, plan, token) => {
      const run = ++runs;
      const client = `property-${run}`;
      const event = () => postPayment({ headers: jsonHeaders(`key-${run}`), body: validBody({ paymentMethodToken: token }), apiKeyId: client });
      let clock = Date.now();
      const now = () => clock;

      // The processor: idempotent per key; the plan says which calls fail.
      const decided = new Map<string, ProcessorOutcome>();
      const keys: string[] = [];
      let call = 0;
      processor.answer = async (request) => {
        keys.push(request.idempotencyKey);
        if ((plan[call++] ?? 'answer') === 'fail') {
          return { kind: 'error' };
        }
        const reference = simulatedReference(request.idempotencyKey);
        const outcome: ProcessorOutcome = token === 'tok_visa'
          ? { outcome: 'authorized', processorReference: reference }
          : { outcome: 'declined', processorReference: reference, declineCode: 'card_declined' };
        if (!decided.has(request.idempotencyKey)) {
          decided.set(request.idempotencyKey, outcome);
        }
        return { kind: 'result', payload: decided.get(request.idempotencyKey) };
      };

      const answers: APIGatewayProxyResult[] = [];
      const act = async (actor: Actor) => {
        const world = actorWorld(scheduler, actor.crash);
        const idempotency = new IdempotencyStore(world.dynamodb, IDEMPOTENCY, 86400);
        const ledger = new Ledger(world.dynamodb, LEDGER);
        const lambda = new LambdaProcessor(world.lambda, 'payments-processor', TIMEOUT_MS);
        try {
          if (actor.kind === 'retry') {
            const settings = { processor: lambda, timeoutMs: TIMEOUT_MS, keyRetentionMs: RETENTION_MS };
            const service = new PaymentService({ ledger, idempotency, processor: settings, now });
            const outcome = await routePaymentRequest(event(), service, false);
            if (!world.dead()) {
              answers.push(outcome.response);
            }
          } else {
            const charges = new Charges(ledger, idempotency, lambda, now);
            const completer = new Completer({ idempotency, charges, leaseMs: LEASE_MS, keyRetentionMs: RETENTION_MS, now });
            await completer.run(`completer-${run}`, clock + 10 * LEASE_MS);
          }
        } catch (error) {
          if (!world.dead()) {
            throw error;
          }
        }
      };

      const perform = (...actors: Actor[]) => scheduler.waitFor(Promise.all(actors.map(act)));
      await perform({ kind: 'retry', crash: firstCrash });
      for (const wave of waves) {
        await perform(...wave.actors);
        clock += wave.advanceMs;
      }
      // Then nobody crashes and the processor answers: the completer finishes whatever is left,
      // and the client's last retry gets the final answer.
      plan.length = 0;
      const store = new IdempotencyStore(moto.dynamodb(), IDEMPOTENCY, 86400);
      const id = IdempotencyStore.recordId(`key:${client}`, `key-${run}`);
      for (let round = 0; round < 10 && (await store.read(id))?.pending; round++) {
        clock += 61 * MINUTE;
        await perform({ kind: 'completer' });
      }
      await perform({ kind: 'retry' });

      const items = (await moto.scan(LEDGER)).filter((item) => item.client_id.S === `key:${client}`);
      expect(items).toHaveLength(1);
      const transactionId = items[0].transaction_id.S!;
      // One key at the processor, the payment's; one outcome decided for it, and recorded.
      expect(new Set(keys)).toEqual(new Set(keys.length ? [transactionId] : []));
      expect(decided.size).toBe(1);
      expect(items[0].status.S).toBe(decided.get(transactionId)!.outcome);
      // Every answer a client got is allowed, and every final one is the same bytes.
      expect(answers.every((answer) => [201, 402, 409, 503].includes(answer.statusCode))).toBe(true);
      const finals = answers.filter((answer) => answer.statusCode === 201 || answer.statusCode === 402);
      expect(finals.length).toBeGreaterThanOrEqual(1);
      expect(new Set(finals.map((answer) => `${answer.statusCode} ${answer.body}`)).size).toBe(1);
      expect(finals[finals.length - 1]).toBe(answers[answers.length - 1]);
      if (finals.length > 1) {
        expect(finals[finals.length - 1].headers?.['Idempotent-Replayed']).toBe('true');
      }
    },
  ), { numRuns: propertyRuns(1_000) });
}, 30 * 60_000);

/**
 * The SDK clients of one actor: every call first waits for the scheduler's turn, and from the
 * crash on, nothing the actor sends goes out.
 */
function actorWorld(scheduler: fc.Scheduler, crash?: Crash): { dynamodb: DynamoDBClient; lambda: LambdaClient; dead: () => boolean } {
  let calls = 0;
  let dead = false;
  const gate = (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
    await scheduler.schedule(Promise.resolve());
    if (dead) {
      throw new Crashed();
    }
    const number = calls++;
    if (crash?.call === number && crash.moment === 'before') {
      dead = true;
      throw new Crashed();
    }
    const result = await next(args);
    if (crash?.call === number || dead) {
      dead = true;
      throw new Crashed();
    }
    return result;
  };
  const dynamodb = new DynamoDBClient({ ...moto.clientConfig(), maxAttempts: 1 });
  const lambda = new LambdaClient({ ...moto.clientConfig(), endpoint: processor.endpoint, maxAttempts: 1 });
  dynamodb.middlewareStack.add(gate as never, { step: 'initialize', name: 'crashGate' });
  lambda.middlewareStack.add(gate as never, { step: 'initialize', name: 'crashGate' });
  return { dynamodb, lambda, dead: () => dead };
}
