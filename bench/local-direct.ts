/**
 * The local server's runtime without its HTTP front, in a process of its own, for
 * bench/local-server.ts: the same store, processor and bundled handler, the handler called with
 * the proxy events that the front would build. Reads one round per line on stdin
 * (`{"keys": [...], "concurrency": 8}`) and answers each with `{"seconds": …}` on file descriptor 3;
 * standard output carries the handler's logs, as the server's does.
 */
import { randomUUID } from 'node:crypto';
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BENCH_BODY } from './local-server';
import { lambdaContext } from '../src/local/lambda-runtime';
import { startRuntime } from '../src/local/local-server';


function event(key: string) {
  const headers = { 'Content-Type': 'application/json', 'Idempotency-Key': key, 'x-api-key': 'local-bench-key-0123456789' };
  return {
    resource: '/payments',
    path: '/payments',
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      resourcePath: '/payments',
      httpMethod: 'POST',
      stage: 'local',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      identity: { apiKeyId: 'bench', sourceIp: '127.0.0.1' },
    },
    body: BENCH_BODY,
    isBase64Encoded: false,
  };
}

async function main(): Promise<void> {
  const runtime = await startRuntime({ processor: { kind: 'simulated' }, processorTimeoutMs: 10_000, assetsDir: join(__dirname, '..', 'assets') });
  const reply = (line: string) => writeSync(3, `${line}\n`);
  reply('ready');
  for await (const line of createInterface({ input: process.stdin })) {
    const { keys, concurrency } = JSON.parse(line) as { keys: string[]; concurrency: number };
    let next = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < keys.length) {
        const answer = await runtime.handler(event(keys[next++]), lambdaContext('payments-handler', 30_000)) as { statusCode: number; body: string };
        if (answer.statusCode !== 201) {
          throw new Error(`the handler answered ${answer.statusCode}: ${answer.body}`);
        }
      }
    }));
    reply(JSON.stringify({ seconds: (performance.now() - started) / 1000 }));
  }
  await runtime.stop();
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
