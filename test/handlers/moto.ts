import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  ScanCommand,
  StreamViewType,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { LOCAL_TABLES } from '../../src/local/tables';

/**
 * A moto_server on 127.0.0.1 with a free port, for tests that run handler code against real
 * DynamoDB and S3 APIs. Started by the test, stopped by the test; nothing leaves the machine.
 *
 * Where `MOTO_POOL_DIR` is set (by `test/mutation/run.sh`, which runs the handler tests once for
 * each of hundreds of mutants), `start` instead takes a server of that pool that no other test
 * file holds, empties it, and `stop` gives it back: the same fresh server, without a Python start
 * for every test file of every mutant.
 */
export class MotoServer {
  public static async start(): Promise<MotoServer> {
    const pool = process.env.MOTO_POOL_DIR;
    if (pool) {
      return MotoServer.fromPool(pool);
    }
    try {
      execFileSync('moto_server', ['--help'], { stdio: 'ignore' });
    } catch {
      throw new Error('moto_server is not installed. Install it with: pip install "moto[server]" (see test/requirements.txt).');
    }
    const port = await freePort();
    const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    const server = new MotoServer(child, port);
    await server.waitUntilListening();
    return server;
  }

  /** Holds one server of the pool in `directory` (`servers/<port>`, held by `locks/<port>`), waiting up to a minute for one. */
  private static async fromPool(directory: string): Promise<MotoServer> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      for (const port of readdirSync(join(directory, 'servers'))) {
        const lock = join(directory, 'locks', port);
        if (!holdLock(lock)) {
          continue;
        }
        const server = new MotoServer(undefined, Number(port), lock);
        // Every table, stream and bucket that the previous holder left goes.
        const reset = await fetch(`${server.endpoint}/moto-api/reset`, { method: 'POST' });
        if (!reset.ok) {
          rmSync(lock, { recursive: true, force: true });
          throw new Error(`moto_server on port ${port} of the pool in ${directory} refused a reset: ${reset.status}`);
        }
        return server;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no moto_server of the pool in ${directory} came free within a minute`);
  }

  public readonly endpoint: string;

  /** The server's process id, for measuring the CPU time it spends (none for a server of the pool). */
  public get pid(): number | undefined {
    return this.child?.pid;
  }

  private constructor(private readonly child: ChildProcess | undefined, public readonly port: number, private readonly lock?: string) {
    this.endpoint = `http://127.0.0.1:${port}`;
  }

  /** Points the AWS SDK of this process (clients created from now on) at the server. */
  public useAsAwsEndpoint(): void {
    process.env.AWS_ENDPOINT_URL = this.endpoint;
    process.env.AWS_REGION = 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID = 'testing';
    process.env.AWS_SECRET_ACCESS_KEY = 'testing';
    delete process.env.AWS_PROFILE;
  }

  public dynamodb(): DynamoDBClient {
    return new DynamoDBClient(this.clientConfig());
  }

  public s3(): S3Client {
    return new S3Client({ ...this.clientConfig(), forcePathStyle: true });
  }

  public clientConfig() {
    return {
      endpoint: this.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    };
  }

  /** The ledger's key schema and stream, as `EncryptedLedgerTable` declares them (`LOCAL_TABLES` is held against it). */
  public async createLedgerTable(name: string): Promise<void> {
    await this.dynamodb().send(new CreateTableCommand({
      ...LOCAL_TABLES.ledger,
      TableName: name,
      StreamSpecification: { StreamEnabled: true, StreamViewType: StreamViewType.NEW_AND_OLD_IMAGES },
    }));
  }

  /** The idempotency table, as `PaymentApi` declares it, with the index of pending payments that a processor needs. */
  public async createIdempotencyTable(name: string): Promise<void> {
    await this.dynamodb().send(new CreateTableCommand({ ...LOCAL_TABLES.idempotency, TableName: name }));
  }

  public async createBucket(name: string): Promise<void> {
    await this.s3().send(new CreateBucketCommand({ Bucket: name }));
  }

  /** Every item of a table. */
  public async scan(table: string) {
    const result = await this.dynamodb().send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    return result.Items ?? [];
  }

  public async stop(): Promise<void> {
    if (this.lock) {
      rmSync(this.lock, { recursive: true, force: true });
      return;
    }
    const child = this.child;
    if (!child || child.exitCode !== null) {
      return;
    }
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  private async waitUntilListening(): Promise<void> {
    const child = this.child!;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new Error(`moto_server exited with code ${child.exitCode} before listening on port ${this.port}`);
      }
      if (await canConnect(this.port)) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`moto_server did not listen on 127.0.0.1:${this.port} within 30 seconds`);
  }
}

/**
 * Takes the lock directory `lock` for this process, or one that a process no longer running left
 * behind; false where a live process holds it.
 */
function holdLock(lock: string): boolean {
  try {
    mkdirSync(lock);
  } catch {
    let holder: number | undefined;
    try {
      holder = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    } catch {
      // Taken a moment ago with its pid not written yet: held, unless the taker died in between.
      if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0) < 10_000) {
        return false;
      }
    }
    if (holder !== undefined && isRunning(holder)) {
      return false;
    }
    rmSync(lock, { recursive: true, force: true });
    return holdLock(lock);
  }
  writeFileSync(join(lock, 'pid'), String(process.pid));
  return true;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}
