import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryLevel } from 'memory-level';

/** The file in the data directory that holds every write, one JSON line each. */
export const JOURNAL_FILE = 'journal.jsonl';

type Operation = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };
type Entry = ['put', string, string] | ['del', string] | ['batch', Array<['put', string, string] | ['del', string]>];

/** The storage hooks of abstract-level that `MemoryLevel` implements (not in its typings). */
interface StorageHooks {
  _put(key: string, value: string, options: object): Promise<void>;
  _del(key: string, options: object): Promise<void>;
  _batch(operations: Operation[], options: object): Promise<void>;
}
const memory = MemoryLevel.prototype as unknown as StorageHooks;

/**
 * The local server's store on disk (`--data-dir`): dynalite's database in memory, with every write
 * appended to a journal before it is acknowledged and replayed at the next start. The journal is
 * rewritten as the data it holds at each start, so that it does not grow without end. A last line
 * cut short (the process died while writing it, before the write was acknowledged) is dropped.
 *
 * Stands in for `level` (LevelDB, a native addon) in the local server's bundle, which brings no
 * native code; dynalite opens it as `new Level(path, { valueEncoding: 'json' })`.
 */
export class Level extends MemoryLevel<string, unknown> {
  private readonly file: string;
  /** The journal as the constructor read it, until the first open loads it. */
  private unopened?: Map<string, string>;
  private descriptor?: number;

  /** Reads the journal at once, so that a damaged one stops the server as it starts, saying where. */
  constructor(location: string, options: object = {}) {
    super({ ...options, storeEncoding: 'utf8' });
    this.file = join(location, JOURNAL_FILE);
    this.unopened = readJournal(this.file);
  }

  protected async _open(): Promise<void> {
    mkdirSync(join(this.file, '..'), { recursive: true });
    const data = this.unopened ?? readJournal(this.file);
    this.unopened = undefined;
    // Rewritten whole, then renamed over the journal: a crash leaves the old one or the new one.
    const compacted = `${this.file}.compacting`;
    writeFileSync(compacted, [...data].map(([key, value]) => `${JSON.stringify(['put', key, value])}\n`).join(''));
    const written = openSync(compacted, 'r+');
    fsyncSync(written);
    closeSync(written);
    renameSync(compacted, this.file);
    await memory._batch.call(this, [...data].map(([key, value]) => ({ type: 'put' as const, key, value })), {});
    this.descriptor = openSync(this.file, 'a');
  }

  protected async _close(): Promise<void> {
    if (this.descriptor !== undefined) {
      closeSync(this.descriptor);
      this.descriptor = undefined;
    }
  }

  protected async _put(key: string, value: string, options: object): Promise<void> {
    this.append(['put', key, value]);
    return memory._put.call(this, key, value, options);
  }

  protected async _del(key: string, options: object): Promise<void> {
    this.append(['del', key]);
    return memory._del.call(this, key, options);
  }

  protected async _batch(operations: Operation[], options: object): Promise<void> {
    this.append(['batch', operations.map((op) => (op.type === 'put' ? ['put', op.key, op.value] : ['del', op.key]))]);
    return memory._batch.call(this, operations, options);
  }

  protected async _clear(): Promise<void> {
    throw new Error('The local server\'s store does not clear ranges of keys.');
  }

  private append(entry: Entry): void {
    writeSync(this.descriptor!, `${JSON.stringify(entry)}\n`);
  }
}

/** The data that a journal holds, by key; an empty map where there is none yet. */
function readJournal(file: string): Map<string, string> {
  const data = new Map<string, string>();
  if (!existsSync(file)) {
    return data;
  }
  const lines = readFileSync(file, 'utf8').split('\n');
  const last = lines.length - 1;
  lines.forEach((line, index) => {
    if (line === '') {
      return;
    }
    let entry: Entry;
    try {
      entry = JSON.parse(line) as Entry;
    } catch (error) {
      if (index === last) {
        // Cut short by a crash: its write was never acknowledged.
        return;
      }
      throw new Error(`${file}, line ${index + 1}, is not a journal entry: ${(error as Error).message}. The data directory is damaged.`);
    }
    apply(data, entry);
  });
  return data;
}

function apply(data: Map<string, string>, entry: Entry): void {
  if (entry[0] === 'put') {
    data.set(entry[1], entry[2]);
  } else if (entry[0] === 'del') {
    data.delete(entry[1]);
  } else {
    for (const operation of entry[1]) {
      apply(data, operation);
    }
  }
}
