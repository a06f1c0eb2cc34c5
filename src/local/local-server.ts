import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { EmbeddedDynamoDB } from './embedded-dynamodb';
import { Handler, importHandler, lambdaContext, LocalFunction } from './lambda-runtime';
import { LOCAL_TABLES } from './tables';
import { gatewayAnswer } from '../private/gateway-answers';
import { openApiDocument } from '../private/openapi-document';

/** The largest request that API Gateway takes (REST APIs: 10 MB). */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
/** The most bytes of request line and headers that API Gateway takes (REST APIs: 10,240). */
export const MAX_HEADER_BYTES = 10_240;
/** How long API Gateway waits for the handler (REST APIs: 29 seconds). */
export const INTEGRATION_TIMEOUT_MS = 29_000;
/** The handler's timeout, as `PaymentApi` sets it. */
const HANDLER_TIMEOUT_MS = 30_000;
/** The completer's timeout, as `PaymentApi` sets it. */
const COMPLETER_TIMEOUT_MS = 120_000;
const PROCESSOR_FUNCTION = 'payments-processor';

/** Which processor the local server charges payments through. */
export type LocalProcessor =
  | { readonly kind: 'simulated' }
  | { readonly kind: 'none' }
  /** A team's adapter: an ES module that exports `handler(request)`, as its Lambda function would. */
  | { readonly kind: 'module'; readonly file: string };

export interface LocalServerOptions {
  /** The port on 127.0.0.1; 0 for any free one. */
  readonly port: number;
  /** API keys, by value: the name is the key's id, which the handler sees as the client. */
  readonly apiKeys: ReadonlyMap<string, string>;
  /** A directory to keep the data in; in memory without one. */
  readonly dataDir?: string;
  readonly processor: LocalProcessor;
  readonly processorTimeoutMs: number;
  /** How often the completer runs (every minute, deployed). */
  readonly completerIntervalMs: number;
  /** The package's `assets/` directory, which holds the bundled handlers. */
  readonly assetsDir: string;
}

/** What the local server runs behind its HTTP front: the store, the processor and the bundled functions. */
export interface LocalRuntime {
  readonly store: EmbeddedDynamoDB;
  readonly processor?: LocalFunction;
  /** The payment handler, as the Lambda runtime would call it. */
  readonly handler: Handler;
  /** The completer, where a processor is configured. */
  readonly completer?: Handler;
  stop(): Promise<void>;
}

/**
 * Starts the embedded DynamoDB with the tables, the processor behind its loopback Lambda Invoke
 * API, and imports the bundled handler (and completer) with the environment that `PaymentApi`
 * gives them. The environment of this process is theirs from then on, as a Lambda container's is.
 */
export async function startRuntime(options: Pick<LocalServerOptions, 'dataDir' | 'processor' | 'processorTimeoutMs' | 'assetsDir'>): Promise<LocalRuntime> {
  const store = await EmbeddedDynamoDB.start(options.dataDir);
  let processor: LocalFunction | undefined;
  try {
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: store.endpoint,
      ...handlerEnvironment(options),
    });
    await createTables(options.processor.kind === 'simulated');
    if (options.processor.kind !== 'none') {
      const file = options.processor.kind === 'module' ? options.processor.file : bundle(options.assetsDir, 'simulated-processor.lambda');
      processor = await LocalFunction.start(PROCESSOR_FUNCTION, await importHandler(file), options.processorTimeoutMs);
      process.env.AWS_ENDPOINT_URL_LAMBDA = processor.endpoint;
    }
    // Each bundle reads its settings from the environment as it is imported, as in Lambda.
    process.env.POWERTOOLS_SERVICE_NAME = 'payments-api';
    const handler = await importHandler(bundle(options.assetsDir, processor ? 'processor-payment-handler.lambda' : 'payment-handler.lambda'));
    let completer: Handler | undefined;
    if (processor) {
      process.env.POWERTOOLS_SERVICE_NAME = 'payments-completer';
      completer = await importHandler(bundle(options.assetsDir, 'payment-completer.lambda'));
    }
    const running = processor;
    return {
      store,
      processor,
      handler,
      completer,
      stop: async () => {
        await running?.stop();
        await store.stop();
      },
    };
  } catch (error) {
    await processor?.stop();
    await store.stop();
    throw error;
  }
}

/**
 * The payments API on loopback: the bundled handler, called with API Gateway's REST proxy events
 * by a front that answers as API Gateway does in front of it (API keys, unknown routes, request
 * size and header limits, the integration timeout, request ids, the contract's gateway
 * responses), on an embedded DynamoDB with the constructs' key schemas, with the processor and the
 * completer where a processor is configured.
 */
export class LocalPaymentServer {
  public static async start(options: LocalServerOptions): Promise<LocalPaymentServer> {
    const server = new LocalPaymentServer(options, await startRuntime(options));
    try {
      await server.listen(options.port);
      return server;
    } catch (error) {
      await server.stop();
      throw error;
    }
  }

  private readonly server: Server;
  private readonly completerTimer?: NodeJS.Timeout;
  private completing?: Promise<void>;

  private constructor(private readonly options: LocalServerOptions, private readonly runtime: LocalRuntime) {
    this.server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (request, response) => {
      this.serve(request, response).catch((error) => {
        process.stderr.write(`payment-platform-local: ${(error as Error).stack ?? error}\n`);
        if (!response.headersSent) {
          this.answerAsGateway(response, 'DEFAULT_5XX', randomUUID(), 502);
        }
      });
    });
    if (runtime.completer) {
      this.completerTimer = setInterval(() => this.complete(), options.completerIntervalMs);
    }
  }

  /** `http://127.0.0.1:<port>`. */
  public get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Runs the completer once, as its schedule does; resolves when it has finished. */
  public complete(): Promise<void> {
    const completer = this.runtime.completer;
    if (!completer) {
      return Promise.resolve();
    }
    this.completing ??= completer({ 'source': 'aws.events', 'detail-type': 'Scheduled Event', 'time': new Date().toISOString(), 'detail': {} },
      lambdaContext('payments-completer', COMPLETER_TIMEOUT_MS))
      .then(() => undefined, (error) => {
        process.stderr.write(`payment-platform-local: the completer failed: ${(error as Error).message}\n`);
      })
      .finally(() => {
        this.completing = undefined;
      });
    return this.completing;
  }

  public async stop(): Promise<void> {
    clearInterval(this.completerTimer);
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
    await this.completing;
    await this.runtime.stop();
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE'
        ? new Error(`Port ${port} of 127.0.0.1 is in use; choose another with --port (0 takes any free one).`)
        : error));
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method === 'GET' && url.pathname === '/openapi.json') {
      // The document as the package ships it, with this server as the one to send requests to.
      const document = JSON.stringify({ ...openApiDocument(), servers: [{ url: this.url, description: 'payment-platform-local' }] }, undefined, 2);
      response.writeHead(200, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
      response.end(document);
      return;
    }
    const route = routeOf(request.method ?? '', url.pathname);
    if (!route) {
      request.resume();
      this.answerAsGateway(response, 'MISSING_AUTHENTICATION_TOKEN', requestId);
      return;
    }
    const apiKey = headerOf(request, 'x-api-key');
    const client = apiKey === undefined ? undefined : this.options.apiKeys.get(apiKey);
    if (client === undefined) {
      request.resume();
      this.answerAsGateway(response, 'INVALID_API_KEY', requestId);
      return;
    }
    const body = await readLimited(request, MAX_REQUEST_BYTES);
    if (!body) {
      this.answerAsGateway(response, 'REQUEST_TOO_LARGE', requestId);
      return;
    }
    const event = proxyEvent(request, url, route, body, { requestId, apiKey: apiKey!, apiKeyId: client });
    const answer = await withTimeout(this.runtime.handler(event, lambdaContext('payments-handler', HANDLER_TIMEOUT_MS, randomUUID())), INTEGRATION_TIMEOUT_MS);
    if (answer === 'timeout') {
      this.answerAsGateway(response, 'INTEGRATION_TIMEOUT', requestId);
      return;
    }
    const result = answer as { statusCode?: unknown; headers?: Record<string, unknown>; body?: unknown; isBase64Encoded?: boolean };
    if (typeof result?.statusCode !== 'number') {
      // API Gateway's answer to a malformed Lambda proxy response.
      this.answerAsGateway(response, 'DEFAULT_5XX', requestId, 502);
      return;
    }
    const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]));
    const text = typeof result.body === 'string' ? result.body : '';
    const bytes = result.isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
    response.writeHead(result.statusCode, { ...headers, 'x-amzn-RequestId': requestId, 'Content-Length': bytes.length });
    response.end(bytes);
  }

  /** The contract's gateway response of `type`, as `PaymentApi` configures API Gateway to answer it. */
  private answerAsGateway(response: ServerResponse, type: string, requestId: string, defaultStatus = 500): void {
    const answer = gatewayAnswer(type);
    const body = JSON.stringify({ error: { code: answer.code, message: answer.message, requestId } });
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/json',
      'X-Content-Type-Options': 'nosniff',
      'x-amzn-RequestId': requestId,
      'Content-Length': Buffer.byteLength(body),
    };
    if (answer.retryAfterSeconds !== undefined) {
      headers['Retry-After'] = String(answer.retryAfterSeconds);
    }
    response.writeHead(answer.status ?? defaultStatus, headers);
    response.end(body);
  }
}

interface Route {
  readonly resource: '/payments' | '/payments/{transactionId}';
  readonly pathParameters: Record<string, string> | null;
}

/** The API's resource and method for a request, as API Gateway routes it; undefined for any other. */
function routeOf(method: string, path: string): Route | undefined {
  if (method === 'POST' && path === '/payments') {
    return { resource: '/payments', pathParameters: null };
  }
  const match = /^\/payments\/([^/]+)$/.exec(path);
  if (method === 'GET' && match) {
    return { resource: '/payments/{transactionId}', pathParameters: { transactionId: decoded(match[1]) } };
  }
  return undefined;
}

/** A path segment with its percent-escapes decoded; as it came where they do not decode (`%E0%A4`). */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function headerOf(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/** The request's body, or undefined if it is longer than `limit` bytes (the rest is read and dropped). */
function readLimited(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
      }
    });
    request.on('end', () => resolve(size <= limit ? Buffer.concat(chunks) : undefined));
    request.on('error', reject);
  });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The REST proxy integration's event for a request, as API Gateway builds it. */
function proxyEvent(request: IncomingMessage, url: URL, route: Route, body: Buffer, caller: { requestId: string; apiKey: string; apiKeyId: string }) {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const [name, value] = [request.rawHeaders[i], request.rawHeaders[i + 1]];
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    (query[name] ??= []).push(value);
  }
  let text: string | null = null;
  let isBase64Encoded = false;
  if (body.length > 0) {
    try {
      text = UTF8.decode(body);
    } catch {
      text = body.toString('base64');
      isBase64Encoded = true;
    }
  }
  const now = Date.now();
  return {
    resource: route.resource,
    path: url.pathname,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters: Object.keys(query).length > 0
      ? Object.fromEntries(Object.entries(query).map(([name, values]) => [name, values[values.length - 1]]))
      : null,
    multiValueQueryStringParameters: Object.keys(query).length > 0 ? query : null,
    pathParameters: route.pathParameters,
    stageVariables: null,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      resourceId: 'local',
      resourcePath: route.resource,
      httpMethod: request.method,
      path: `/local${url.pathname}`,
      stage: 'local',
      protocol: `HTTP/${request.httpVersion}`,
      requestId: caller.requestId,
      requestTime: new Date(now).toUTCString(),
      requestTimeEpoch: now,
      domainName: request.headers.host ?? '127.0.0.1',
      identity: {
        apiKey: caller.apiKey,
        apiKeyId: caller.apiKeyId,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: request.headers['user-agent'] ?? null,
        accessKey: null,
        accountId: null,
        caller: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        user: null,
        userArn: null,
        clientCert: null,
      },
      authorizer: null,
    },
    body: text,
    isBase64Encoded,
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function bundle(assetsDir: string, name: string): string {
  return join(assetsDir, 'handlers', name, 'index.mjs');
}

/**
 * What `PaymentApi` sets in the handler's and the completer's environment, and `SimulatedProcessor`
 * in its function's, for the local tables and processor.
 */
export function handlerEnvironment(options: Pick<LocalServerOptions, 'processor' | 'processorTimeoutMs'>): Record<string, string> {
  const retentionSeconds = String(24 * 60 * 60);
  return {
    POWERTOOLS_METRICS_NAMESPACE: 'PaymentPlatform',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    PAYMENTS_ENVIRONMENT: 'local',
    PAYMENTS_PLATFORM: 'local',
    LEDGER_TABLE_NAME: LOCAL_TABLES.ledger.TableName,
    IDEMPOTENCY_TABLE_NAME: LOCAL_TABLES.idempotency.TableName,
    IDEMPOTENCY_TTL_SECONDS: retentionSeconds,
    IAM_AUTHORIZATION: 'false',
    ...(options.processor.kind === 'none' ? {} : {
      PROCESSOR_FUNCTION_NAME: PROCESSOR_FUNCTION,
      PROCESSOR_TIMEOUT_MS: String(options.processorTimeoutMs),
      PROCESSOR_KEY_RETENTION_SECONDS: retentionSeconds,
    }),
    ...(options.processor.kind === 'simulated' ? {
      SIMULATED_PROCESSOR_TABLE_NAME: LOCAL_TABLES.simulatedProcessor.TableName,
      SIMULATED_LATE_MS: String(options.processorTimeoutMs + 1_000),
      SIMULATED_KEY_RETENTION_SECONDS: retentionSeconds,
    } : {}),
  };
}

/** Creates the tables that are not there yet (a data directory keeps them). */
async function createTables(simulatedProcessor: boolean): Promise<void> {
  const dynamodb = new DynamoDBClient({});
  const tables = [LOCAL_TABLES.ledger, LOCAL_TABLES.idempotency, ...(simulatedProcessor ? [LOCAL_TABLES.simulatedProcessor] : [])];
  for (const table of tables) {
    try {
      await dynamodb.send(new CreateTableCommand(table));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) {
        throw error;
      }
    }
  }
  dynamodb.destroy();
}
