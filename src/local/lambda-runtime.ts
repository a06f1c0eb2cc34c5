import { randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { readBody } from './embedded-dynamodb';

/** A Lambda handler as a module exports it. */
export type Handler = (event: unknown, context: LambdaContext) => Promise<unknown>;

/** What the Lambda runtime hands a handler beside its event, as far as the bundled handlers read it. */
export interface LambdaContext {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

/** A context for one invocation of `functionName`, whose timeout is `timeoutMs`. */
export function lambdaContext(functionName: string, timeoutMs: number, requestId: string = randomUUID()): LambdaContext {
  const deadline = Date.now() + timeoutMs;
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/** The `handler` that an ES module (a bundle, or a team's adapter) exports. */
export async function importHandler(file: string): Promise<Handler> {
  const module = await import(pathToFileURL(file).href) as { handler?: unknown; default?: { handler?: unknown } };
  const handler = module.handler ?? module.default?.handler;
  if (typeof handler !== 'function') {
    throw new Error(`${file} exports no function named handler; a processor module exports \`handler(request)\`, as its Lambda function would.`);
  }
  return handler as Handler;
}

/**
 * The Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`) on loopback, in front of
 * one function in this process: the handler and the completer reach the processor through it as
 * they reach the deployed function, with the SDK's per-service endpoint (`AWS_ENDPOINT_URL_LAMBDA`).
 * A handler that throws answers as Lambda does, a function error whose payload names the error type.
 */
export class LocalFunction {
  public static async start(functionName: string, handler: Handler, timeoutMs: number): Promise<LocalFunction> {
    const local = new LocalFunction(functionName, handler, timeoutMs);
    await new Promise<void>((resolve) => local.server.listen(0, '127.0.0.1', resolve));
    return local;
  }

  private readonly server: Server;

  private constructor(private readonly functionName: string, handler: Handler, timeoutMs: number) {
    this.server = createServer((request, response) => {
      const match = /^\/2015-03-31\/functions\/([^/?]+)\/invocations(?:\?.*)?$/.exec(request.url ?? '');
      if (request.method !== 'POST' || !match || decodeURIComponent(match[1]) !== functionName) {
        response.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
        response.end(JSON.stringify({ Type: 'User', message: `Function not found: ${decodeURIComponent(match?.[1] ?? request.url ?? '')}` }));
        return;
      }
      const headers = { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' };
      readBody(request)
        .then((body) => handler(JSON.parse(body.toString('utf8') || 'null'), lambdaContext(functionName, timeoutMs)))
        .then((result) => {
          response.writeHead(200, headers);
          response.end(JSON.stringify(result ?? null));
        }, (error: Error) => {
          response.writeHead(200, { ...headers, 'x-amz-function-error': 'Unhandled' });
          response.end(JSON.stringify({ errorType: error?.name ?? 'Error', errorMessage: error?.message ?? String(error) }));
        });
    });
  }

  /** The endpoint to give the SDK (`AWS_ENDPOINT_URL_LAMBDA`). */
  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public get name(): string {
    return this.functionName;
  }

  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
