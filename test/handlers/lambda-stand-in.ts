import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProcessorRequest } from '../../src/handlers/processor-protocol';
import { keysSeenInMemory, simulate } from '../../src/handlers/simulated-processor';

/** What the stand-in answers to one call: a result (after `delayMs`), or a function error. */
export type InvokeAnswer =
  | { readonly kind: 'result'; readonly payload: unknown; readonly delayMs?: number }
  | { readonly kind: 'raw'; readonly body: string; readonly delayMs?: number }
  | { readonly kind: 'error'; readonly delayMs?: number };

/** One call that reached the stand-in. */
export interface InvokeCall {
  readonly functionName: string;
  readonly request: ProcessorRequest;
}

/**
 * A loopback server that speaks the Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`),
 * which moto_server runs only with Docker, in front of a processor: by default the simulated
 * processor (its `late` answers come after `lateMs`), or whatever `answer` decides for a test. It
 * records every call, including those whose caller gave up before the answer.
 */
export class LambdaStandIn {
  /**
   * @param options.keepAliveTimeoutMs how long an idle connection stays open (Node's default, 5 s,
   * unless given): a client that reuses one just as the server closes it gets a reset, which a
   * caller that does not retry (the processor's client) must then answer as a failure.
   */
  public static async start(options: { lateMs?: number; keepAliveTimeoutMs?: number } = {}): Promise<LambdaStandIn> {
    const standIn = new LambdaStandIn(options.lateMs ?? 60_000);
    if (options.keepAliveTimeoutMs !== undefined) {
      standIn.server.keepAliveTimeout = options.keepAliveTimeoutMs;
    }
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    return standIn;
  }

  public readonly calls: InvokeCall[] = [];
  /** Decides the answer to a call; the simulated processor unless a test sets its own. */
  public answer: (request: ProcessorRequest, call: number) => Promise<InvokeAnswer>;
  private readonly simulated: (request: ProcessorRequest) => Promise<InvokeAnswer>;
  private readonly server: Server;
  private readonly open = new Set<import('node:net').Socket>();

  private constructor(lateMs: number) {
    const firstCall = keysSeenInMemory();
    this.simulated = async (request) => {
      const simulated = await simulate(request, firstCall);
      if (simulated.kind === 'error') {
        return { kind: 'error' };
      }
      return { kind: 'result', payload: simulated.outcome, delayMs: simulated.kind === 'late' ? lateMs : 0 };
    };
    this.answer = this.simulated;
    this.server = createServer(async (request, response) => {
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(request.url ?? '');
      if (request.method !== 'POST' || !match) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ Type: 'User', message: 'not a Lambda Invoke request' }));
        return;
      }
      const payload = JSON.parse(await readBody(request)) as ProcessorRequest;
      this.calls.push({ functionName: decodeURIComponent(match[1]), request: payload });
      const answer = await this.answer(payload, this.calls.length);
      if (answer.delayMs) {
        await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      }
      if (response.destroyed) {
        return;
      }
      const headers = { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' };
      if (answer.kind === 'error') {
        response.writeHead(200, { ...headers, 'x-amz-function-error': 'Unhandled' });
        response.end(JSON.stringify({ errorType: 'Error', errorMessage: `declined to answer for ${payload.paymentMethodToken}` }));
        return;
      }
      response.writeHead(200, headers);
      response.end(answer.kind === 'raw' ? answer.body : JSON.stringify(answer.payload));
    });
    this.server.on('connection', (socket) => {
      this.open.add(socket);
      socket.on('close', () => this.open.delete(socket));
    });
  }

  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Answers as the simulated processor again, after a test set its own answers. */
  public simulate(): void {
    this.answer = this.simulated;
  }

  /** The idempotency keys of the calls so far, in order. */
  public keys(): string[] {
    return this.calls.map((call) => call.request.idempotencyKey);
  }

  public stop(): Promise<void> {
    for (const socket of this.open) {
      socket.destroy();
    }
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
