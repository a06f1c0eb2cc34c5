import { ChildProcess, spawn } from 'node:child_process';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import type { MotoServer } from './moto';

const ASSETS = join(__dirname, '..', '..', 'assets', 'handlers');

/** The bundles that ship in the package, as Lambda runs them. */
export const BUNDLES = {
  handler: join(ASSETS, 'processor-payment-handler.lambda', 'index.mjs'),
  completer: join(ASSETS, 'payment-completer.lambda', 'index.mjs'),
};

/**
 * Where a process dies: when the `occurrence`th DynamoDB call of `call` (`<operation> <table>`)
 * since the trip was set reaches the tripwire, before or after it lands.
 */
export interface DynamoDBTrip {
  readonly call: string;
  readonly moment: 'before' | 'after';
  /** Which of the calls of `call` it is, from 1. @default 1 */
  readonly occurrence?: number;
}

/**
 * A DynamoDB endpoint on 127.0.0.1 that passes every request to moto_server, and kills the process
 * under test (SIGKILL) at a chosen call: before the call reaches moto_server, or after it has
 * landed and before its answer goes back. What the process would have done next never happens,
 * as when Lambda's host dies at that moment.
 */
export class Tripwire {
  public static async start(moto: MotoServer): Promise<Tripwire> {
    const tripwire = new Tripwire(moto);
    await new Promise<void>((resolve) => tripwire.server.listen(0, '127.0.0.1', resolve));
    return tripwire;
  }

  /** The process to kill, and where; none by default. */
  public victim?: ChildProcess;
  private armed?: DynamoDBTrip;
  /** Calls of the armed trip's `call` that went by since it was set. */
  private seen = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(moto: MotoServer) {
    this.server = createServer(async (request, response) => {
      const body = await readBody(request);
      const call = `${String(request.headers['x-amz-target']).split('.')[1]} ${JSON.parse(body).TableName}`;
      const tripped = this.armed?.call === call && ++this.seen === (this.armed.occurrence ?? 1) ? this.armed : undefined;
      if (tripped?.moment === 'before') {
        this.kill();
        return;
      }
      const headers = Object.fromEntries(Object.entries(request.headers)
        .filter(([name]) => !['host', 'content-length', 'connection'].includes(name))) as Record<string, string>;
      const passed = await fetch(moto.endpoint, { method: 'POST', headers, body });
      const text = await passed.text();
      if (tripped) {
        this.kill();
        return;
      }
      if (!response.destroyed) {
        response.writeHead(passed.status, { 'content-type': passed.headers.get('content-type') ?? 'application/x-amz-json-1.0' });
        response.end(text);
      }
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The call at which the victim dies next; none to disarm. */
  public set trip(trip: DynamoDBTrip | undefined) {
    this.armed = trip;
    this.seen = 0;
  }

  public get trip(): DynamoDBTrip | undefined {
    return this.armed;
  }

  /** Kills the victim once, and disarms. */
  public kill(): void {
    this.trip = undefined;
    this.victim?.kill('SIGKILL');
  }

  public stop(): Promise<void> {
    for (const socket of this.sockets) {
      socket.destroy();
    }
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** How a bundled handler's process ended: its result, or killed before it gave one. */
export interface Run {
  readonly result?: { statusCode: number; headers?: Record<string, string>; body: string };
  readonly killed: boolean;
  readonly output: string;
}

/**
 * Runs one invocation of a bundle in a fresh Node.js process, as Lambda would in a new container,
 * with `environment` and the clock moved forward by `clockOffsetMs`. `started` receives the process
 * so that a tripwire can kill it.
 */
export function runBundle(
  bundle: string,
  event: unknown,
  environment: Record<string, string>,
  clockOffsetMs = 0,
  started: (child: ChildProcess) => void = () => undefined,
): Promise<Run> {
  const child = spawn(process.execPath, ['--import', join(__dirname, 'crash', 'clock-offset.mjs'), join(__dirname, 'crash', 'invoke.mjs'), bundle, JSON.stringify(event)], {
    env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1', ...environment, CLOCK_OFFSET_MS: String(clockOffsetMs) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const line = output.split('\n').find((l) => l.startsWith('RESULT '));
      if (signal === 'SIGKILL') {
        resolve({ killed: true, output });
      } else if (code === 0 && line) {
        resolve({ killed: false, result: JSON.parse(line.slice('RESULT '.length)) ?? undefined, output });
      } else {
        reject(new Error(`${bundle} exited with ${code ?? signal}: ${output}`));
      }
    });
  });
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
