import { MotoServer } from './moto';
import { IdempotencyRecord, IdempotencyStore, requestHash } from '../../src/handlers/idempotency';

/**
 * The idempotency store's conditional writes against moto_server: when a record binds its key,
 * which of two attempts holds a lease, and which may give a claim back.
 */
const TABLE = 'idempotency';
const TTL_SECONDS = 86_400;
let moto: MotoServer;
let store: IdempotencyStore;
let idCounter = 0;
const newId = () => `record-${++idCounter}`;

beforeAll(async () => {
  moto = await MotoServer.start();
  await moto.createIdempotencyTable(TABLE);
  store = new IdempotencyStore(moto.dynamodb(), TABLE, TTL_SECONDS);
});

afterAll(async () => {
  await moto?.stop();
});

function record(attempt: string, nowMs: number): IdempotencyRecord {
  return {
    requestHash: 'hash',
    transactionId: `tx-${attempt}`,
    createdAt: new Date(nowMs).toISOString(),
    response: `{"attempt":"${attempt}"}`,
    attempt,
    lockedUntil: nowMs + 10_000,
  };
}

const stored = async (id: string) => (await moto.scan(TABLE)).find((item) => item.id.S === id);

test('a record expires the configured number of seconds after its claim, counted in whole epoch seconds', async () => {
  const id = newId();
  const claimedAt = Date.UTC(2026, 11, 2, 12, 0, 0, 999);
  await store.claim(id, record('first', claimedAt), claimedAt);
  expect((await stored(id))?.expires_at.N).toBe(String(Math.floor(claimedAt / 1000) + TTL_SECONDS));
});

test('a record binds its key up to its expiry second, and no longer after it', async () => {
  const id = newId();
  const claimedAt = Date.UTC(2026, 11, 2, 12, 0, 0);
  await store.claim(id, record('first', claimedAt), claimedAt);
  const expiresAt = claimedAt + TTL_SECONDS * 1000;
  // At the expiry second itself the record still holds (DynamoDB has not removed it, and it is honoured).
  const atExpiry = await store.claim(id, record('second', expiresAt), expiresAt);
  expect({ kind: atExpiry.kind, attempt: atExpiry.record.attempt }).toEqual({ kind: 'existing', attempt: 'first' });
  const after = await store.claim(id, record('third', expiresAt + 1000), expiresAt + 1000);
  expect({ kind: after.kind, attempt: after.record.attempt }).toEqual({ kind: 'claimed', attempt: 'third' });
  expect((await stored(id))?.attempt.S).toBe('third');
});

test('of two takeovers of one expired lease, only the first wins', async () => {
  const id = newId();
  const now = Date.now();
  const claimed = await store.claim(id, record('stuck', now - 20_000), now - 20_000);
  const expired = claimed.record;
  expect(await store.takeOver(id, expired, 'winner', now + 10_000)).toBe(true);
  // The second read the same expired record before the first took it over.
  expect(await store.takeOver(id, expired, 'loser', now + 10_000)).toBe(false);
  const item = await stored(id);
  expect({ attempt: item?.attempt.S, lockedUntil: item?.locked_until.N }).toEqual({ attempt: 'winner', lockedUntil: String(now + 10_000) });
});

test('a claim is given back only by the attempt that holds it', async () => {
  const id = newId();
  const now = Date.now();
  const claimed = (await store.claim(id, record('first', now), now)).record;
  expect(await store.takeOver(id, claimed, 'second', now + 10_000)).toBe(true);
  // The first attempt, its lease taken over, cannot delete the second's claim.
  expect(await store.release(id, claimed)).toBe(false);
  expect((await stored(id))?.attempt.S).toBe('second');
  expect(await store.release(id, { ...claimed, attempt: 'second' })).toBe(true);
  expect(await stored(id)).toBeUndefined();
});

/** A pending payment's record, as a claim with a processor writes it. */
function pendingRecord(attempt: string, nowMs: number): IdempotencyRecord {
  const { response, ...claim } = record(attempt, nowMs);
  return {
    ...claim,
    pending: {
      request: { transactionId: `tx-${attempt}`, idempotencyKey: `tx-${attempt}`, amount: 1999, currency: 'USD', merchantId: 'm_1', paymentMethodToken: 'tok_visa' },
      clientId: 'client',
      retryAt: nowMs + 10_000,
      tries: 0,
    },
  };
}

test('a pending payment\'s final response is kept once: a later finish gets the first one back and changes nothing', async () => {
  const id = newId();
  const now = Date.now();
  const pending = (await store.claim(id, pendingRecord('first', now), now)).record;
  const first = await store.finish(id, pending, '{"status":"authorized"}', 201, now);
  expect(first).toMatchObject({ response: '{"status":"authorized"}', responseStatus: 201, pending: undefined });
  const kept = await stored(id);
  // Another attempt that settled the same payment, later: it is told what was recorded first.
  const second = await store.finish(id, { ...pending, attempt: 'second' }, '{"status":"declined"}', 402, now + 5_000);
  expect(second).toMatchObject({ response: '{"status":"authorized"}', responseStatus: 201, attempt: 'first' });
  expect(await stored(id)).toEqual(kept);
  expect(Object.keys(kept!).sort()).toEqual(['attempt', 'created_at', 'expires_at', 'id', 'locked_until', 'request_hash', 'response', 'response_status', 'transaction_id']);
});

test('a finish never writes a record that is gone: the claim was given back, and nothing of the payment is kept', async () => {
  const id = newId();
  const now = Date.now();
  const pending = (await store.claim(id, pendingRecord('gone', now), now)).record;
  expect(await store.release(id, pending)).toBe(true);
  await expect(store.finish(id, pending, '{"status":"authorized"}', 201, now)).rejects.toThrow(/conditional request failed/i);
  expect(await stored(id)).toBeUndefined();
});

test('the record id is the same for one client and key, and differs for another client or key', () => {
  const id = IdempotencyStore.recordId('key:a', 'k1');
  expect(id).toMatch(/^[0-9a-f]{64}$/);
  expect(IdempotencyStore.recordId('key:a', 'k1')).toBe(id);
  expect(IdempotencyStore.recordId('key:b', 'k1')).not.toBe(id);
  expect(IdempotencyStore.recordId('key:a', 'k2')).not.toBe(id);
  // No concatenation ambiguity: client "a" with key "bc" is not client "ab" with key "c".
  expect(IdempotencyStore.recordId('a', 'bc')).not.toBe(IdempotencyStore.recordId('ab', 'c'));
});

test('a takeover or a claim that fails for any reason but the condition fails loudly, not as a lost race', async () => {
  const missing = new IdempotencyStore(moto.dynamodb(), 'no-such-table', TTL_SECONDS);
  const now = Date.now();
  await expect(missing.claim(newId(), record('first', now), now)).rejects.toThrow(/non-existent table|not found/i);
  await expect(missing.takeOver(newId(), record('first', now), 'second', now + 10_000)).rejects.toThrow(/non-existent table|not found/i);
});

test('the request hash ignores the order of members at every level, and nothing else', () => {
  const names = Array.from({ length: 20 }, (_, i) => `key${String.fromCharCode(97 + ((i * 7) % 20))}${i}`);
  const metadata = (order: string[]) => Object.fromEntries(order.map((name) => [name, `value of ${name}`]));
  const request = (order: string[]) => ({ amount: 1999, currency: 'USD', merchantId: 'm_1', paymentMethodToken: 'tok_1', metadata: metadata(order) });
  const reordered = { metadata: metadata([...names].reverse()), paymentMethodToken: 'tok_1', merchantId: 'm_1', currency: 'USD', amount: 1999 };
  const shuffled = [...names].sort((a, b) => (a.slice(-1) < b.slice(-1) ? -1 : 1));
  const hash = requestHash(request(names));
  expect(requestHash(reordered)).toBe(hash);
  expect(requestHash(request(shuffled))).toBe(hash);
  expect(requestHash(request([...names].sort()))).toBe(hash);
  // Every name and value counts, numbers as numbers.
  expect(requestHash({ ...request(names), amount: 1998 })).not.toBe(hash);
  expect(requestHash({ ...request(names), metadata: { ...metadata(names), keya0: 'other' } })).not.toBe(hash);
  expect(requestHash({ ...request(names), metadata: { ...metadata(names), extra: '' } })).not.toBe(hash);
  expect(requestHash({ amount: 1, currency: 'USD', merchantId: 'm', paymentMethodToken: 't' }))
    .not.toBe(requestHash({ amount: '1' as never, currency: 'USD', merchantId: 'm', paymentMethodToken: 't' }));
});

test('the request hash of a request stays the same from version to version, so that records written before a deploy still replay', () => {
  const request = {
    amount: 1999,
    currency: 'EUR',
    merchantId: 'm_1',
    paymentMethodToken: 'tok_1',
    description: 'Zürich ☕',
    metadata: { order: 'A-1', Zeta: 'z', alpha: 'a', é: 'e' },
  };
  expect(requestHash(request)).toBe('f7a795f4fd008a715ab3ae632029e7cf604b181ea10566d0187fba5b7c4bcd7e');
});
