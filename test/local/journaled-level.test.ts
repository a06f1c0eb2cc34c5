import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JOURNAL_FILE, Level } from '../../src/local/journaled-level';

/** The local server's store on disk: dynalite's database, journaled. */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'journaled-level-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function opened(): Promise<Level> {
  const db = new Level(dir, { valueEncoding: 'json' });
  await db.open();
  return db;
}

async function contents(db: Level): Promise<Array<[string, unknown]>> {
  return db.iterator().all() as Promise<Array<[string, unknown]>>;
}

test('keeps every put, delete and batch across a reopen', async () => {
  const db = await opened();
  await db.put('a', { n: 1 });
  await db.put('b', { n: 2 });
  await db.put('a', { n: 3 });
  await db.del('b');
  await db.batch([{ type: 'put', key: 'c', value: [1, 'x'] }, { type: 'del', key: 'a' }, { type: 'put', key: 'd', value: 'é😀' }]);
  const before = await contents(db);
  await db.close();
  const reopened = await opened();
  expect(await contents(reopened)).toEqual(before);
  expect(before).toEqual([['c', [1, 'x']], ['d', 'é😀']]);
  // The same database, closed and opened again, reads what it wrote since.
  await reopened.put('e', 5);
  await reopened.close();
  await reopened.open();
  expect(await contents(reopened)).toEqual([...before, ['e', 5]]);
  await reopened.close();
});

test('rewrites the journal as the data it holds when it opens', async () => {
  const db = await opened();
  for (let i = 0; i < 50; i++) {
    await db.put('counter', i);
  }
  await db.close();
  expect(readFileSync(join(dir, JOURNAL_FILE), 'utf8').trim().split('\n')).toHaveLength(50);
  await (await opened()).close();
  expect(readFileSync(join(dir, JOURNAL_FILE), 'utf8')).toBe(`${JSON.stringify(['put', 'counter', '49'])}\n`);
});

test('drops a last line cut short by a crash, whose write was never acknowledged', async () => {
  const db = await opened();
  await db.put('kept', 1);
  await db.close();
  appendFileSync(join(dir, JOURNAL_FILE), '["put","lost","');
  const reopened = await opened();
  expect(await contents(reopened)).toEqual([['kept', 1]]);
  await reopened.close();
});

test('refuses a journal damaged before its last line, naming the file and line', async () => {
  writeFileSync(join(dir, JOURNAL_FILE), '["put","a","1"]\nnot json\n["put","b","2"]\n');
  expect(() => new Level(dir)).toThrow(/journal\.jsonl, line 2, is not a journal entry: .*The data directory is damaged\./);
});
