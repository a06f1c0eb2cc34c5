/**
 * The local server (`payment-platform-local`): how long it takes to serve, and what its HTTP front
 * costs in warm throughput. The server, as users run it (the bundled CLI, a process of its own),
 * answers `POST /payments` over HTTP with keep-alive; against it, the same runtime without the front
 * (bench/local-direct.ts, a process of its own too) calls the handler with the proxy events that the
 * front would build. Both use the simulated processor and the embedded DynamoDB. Rounds alternate
 * which goes first; the target is judged on the median of per-round ratios.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface, Interface } from 'node:readline';
import { median, PairedRatio, pairedRatio, percentile } from './stats';
import { cpuMsOf } from './throughput';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'assets', 'local', 'cli', 'index.mjs');
const API_KEY = 'local-bench-key-0123456789';
/** The payment that every request of both makes. */
export const BENCH_BODY = JSON.stringify({ amount: 1999, currency: 'USD', merchantId: 'm_bench', paymentMethodToken: 'tok_visa' });

export interface LocalServerOptions {
  readonly starts: number;
  readonly concurrency: number;
  readonly requestsPerRound: number;
  readonly rounds: number;
}

export interface LocalServerResult {
  /** From starting the process to its line that says where it serves, in ms. */
  readonly startMs: { readonly median: number; readonly p90: number };
  /** Median requests per second over the counted rounds. */
  readonly httpRequestsPerSecond: number;
  readonly directRequestsPerSecond: number;
  /** The server's throughput over HTTP against the handler's, called directly, per round. */
  readonly httpAgainstDirect: PairedRatio;
  /** CPU of the server's process, and of the direct runtime's, per request (ms, median over rounds). */
  readonly httpCpuMs: number;
  readonly directCpuMs: number;
  readonly httpCpuAgainstDirect: PairedRatio;
}

export async function measureLocalServer(options: LocalServerOptions): Promise<LocalServerResult> {
  const starts: number[] = [];
  for (let i = 0; i < options.starts; i++) {
    const begun = performance.now();
    const server = await startServer();
    starts.push(performance.now() - begun);
    await stop(server.process);
  }
  const server = await startServer();
  const direct = await startDirect();
  try {
    const httpRound = async (keys: string[]) => {
      // Connections of its own, kept alive for the round only: between rounds they would wait out the
      // server's keep-alive timeout while the direct runtime runs, and one closed as it is reused
      // ends the benchmark with "socket hang up".
      const http = new Agent({ keepAlive: true, maxSockets: options.concurrency });
      const cpu = cpuMsOf(server.process.pid);
      const begun = performance.now();
      let next = 0;
      try {
        await Promise.all(Array.from({ length: options.concurrency }, async () => {
          while (next < keys.length) {
            await post(http, server.url, keys[next++]);
          }
        }));
      } finally {
        http.destroy();
      }
      return { rate: keys.length / ((performance.now() - begun) / 1000), cpuMs: (cpuMsOf(server.process.pid) - cpu) / keys.length };
    };
    const directRound = async (keys: string[]) => {
      const cpu = cpuMsOf(direct.process.pid);
      direct.process.stdin!.write(`${JSON.stringify({ keys, concurrency: options.concurrency })}\n`);
      const { seconds } = JSON.parse(await direct.next()) as { seconds: number };
      return { rate: keys.length / seconds, cpuMs: (cpuMsOf(direct.process.pid) - cpu) / keys.length };
    };
    type Round = { rate: number; cpuMs: number };
    const rounds = { http: [] as Round[], direct: [] as Round[] };
    // Round 0 warms up both and is not counted.
    for (let round = 0; round <= options.rounds; round++) {
      const keys = (kind: string) => Array.from({ length: options.requestsPerRound }, (_, i) => `local-bench-${kind}-${round}-${i}`);
      const httpFirst = round % 2 === 0;
      const first = httpFirst ? await httpRound(keys('http')) : await directRound(keys('direct'));
      const second = httpFirst ? await directRound(keys('direct')) : await httpRound(keys('http'));
      if (round > 0) {
        rounds.http.push(httpFirst ? first : second);
        rounds.direct.push(httpFirst ? second : first);
      }
    }
    const rates = (of: Round[]) => of.map(({ rate }) => rate);
    const cpus = (of: Round[]) => of.map(({ cpuMs }) => cpuMs);
    return {
      startMs: { median: median(starts), p90: percentile(starts, 90) },
      httpRequestsPerSecond: median(rates(rounds.http)),
      directRequestsPerSecond: median(rates(rounds.direct)),
      httpAgainstDirect: pairedRatio(rates(rounds.http), rates(rounds.direct)),
      httpCpuMs: median(cpus(rounds.http)),
      directCpuMs: median(cpus(rounds.direct)),
      httpCpuAgainstDirect: pairedRatio(cpus(rounds.http), cpus(rounds.direct)),
    };
  } finally {
    direct.process.stdin!.end();
    await Promise.all([stop(server.process), stop(direct.process)]);
  }
}

/**
 * The bundled CLI on a free port, once it answers. Its logs go to /dev/null, as the direct runtime's
 * do: a pipe that this busy process drained would make the server wait on its writes.
 */
async function startServer(): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, '--port', String(port), '--api-key', `bench=${API_KEY}`], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let waited = 0; ; waited += 20) {
    if (child.exitCode !== null) {
      throw new Error(`payment-platform-local exited with ${child.exitCode}`);
    }
    if (await answers(`${url}/openapi.json`)) {
      return { url, process: child };
    }
    if (waited > 30_000) {
      throw new Error('payment-platform-local did not answer within 30 seconds');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = request(url, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    probe.on('error', () => resolve(false));
    probe.end();
  });
}

/** bench/local-direct.ts, once it is ready; `next` reads its next answer. */
async function startDirect(): Promise<{ process: ChildProcess; next: () => Promise<string> }> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, 'local-direct.ts')], {
    stdio: ['pipe', 'ignore', 'ignore', 'pipe'],
    env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.dev.json') },
  });
  const replies = lineQueue(createInterface({ input: child.stdio[3] as NodeJS.ReadableStream }), child);
  const ready = await replies();
  if (ready !== 'ready') {
    throw new Error(`bench/local-direct.ts said ${ready} instead of ready`);
  }
  return { process: child, next: replies };
}

/** Each call resolves with the next line, or rejects if the process exits first. */
function lineQueue(lines: Interface, child: ChildProcess): () => Promise<string> {
  const queued: string[] = [];
  const waiting: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = [];
  lines.on('line', (line) => (waiting.length > 0 ? waiting.shift()!.resolve(line) : queued.push(line)));
  child.once('exit', (code) => waiting.splice(0).forEach(({ reject }) => reject(new Error(`bench/local-direct.ts exited with ${code}`))));
  return () => (queued.length > 0 ? Promise.resolve(queued.shift()!) : new Promise((resolve, reject) => waiting.push({ resolve, reject })));
}

function post(agent: Agent, url: string, key: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const sent = request(`${url}/payments`, {
      method: 'POST',
      agent,
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key, 'x-api-key': API_KEY, 'Content-Length': Buffer.byteLength(BENCH_BODY) },
    }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => (response.statusCode === 201 ? resolve()
        : reject(new Error(`the local server answered ${response.statusCode}: ${Buffer.concat(chunks).toString('utf8')}`))));
    });
    sent.on('error', reject);
    sent.end(BENCH_BODY);
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
}
