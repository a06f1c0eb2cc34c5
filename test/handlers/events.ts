import type { APIGatewayProxyEvent, AttributeValue, Context, DynamoDBRecord } from 'aws-lambda';

let counter = 0;

/** Options of a request as API Gateway's Lambda proxy integration would deliver it. */
export interface RequestOptions {
  readonly headers?: Record<string, string | string[]>;
  readonly body?: string | null;
  readonly apiKeyId?: string;
  readonly userArn?: string;
  readonly isBase64Encoded?: boolean;
}

/** A `POST /payments` proxy event. */
export function postPayment(options: RequestOptions = {}): APIGatewayProxyEvent {
  return proxyEvent('POST', '/payments', '/payments', {}, options);
}

/** A `GET /payments/{transactionId}` proxy event. */
export function getPayment(transactionId: string, options: RequestOptions = {}): APIGatewayProxyEvent {
  return proxyEvent('GET', '/payments/{transactionId}', `/payments/${transactionId}`, { transactionId }, { body: null, ...options });
}

/** JSON headers with an idempotency key. */
export function jsonHeaders(idempotencyKey: string): Record<string, string> {
  return { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey };
}

/** A valid payment body. */
export function validBody(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({ amount: 1999, currency: 'USD', merchantId: 'm_1', paymentMethodToken: 'tok_visa_4242', ...overrides });
}

/** A ledger stream record of a new payment, as DynamoDB Streams hands it to the audit writer (NEW_IMAGE). */
export function ledgerInsert(eventID: string, transactionId: string, sequenceNumber: string): DynamoDBRecord {
  return ledgerChange({
    transaction_id: { S: transactionId },
    timestamp: { S: '2026-11-27T10:00:01.250Z' },
    status: { S: 'accepted' },
    amount: { N: '1999' },
    currency: { S: 'EUR' },
    merchant_id: { S: 'm_audit' },
    client_id: { S: 'key:client' },
    description: { S: 'a description' },
  }, { eventID, sequenceNumber });
}

/** 2026-11-27T10:00:01Z, when the changes of `ledgerChange` are made unless it is told otherwise. */
export const CHANGE_TIME = 1795773601;

/**
 * A ledger stream record as Lambda hands it over: an insert of `newImage`, a change from
 * `oldImage` to `newImage`, or a delete of `oldImage`, with the item's keys.
 */
export function ledgerChange(newImage: Record<string, AttributeValue> | undefined, options: {
  eventID: string; sequenceNumber: string; oldImage?: Record<string, AttributeValue>; approximateCreationDateTime?: number;
}): DynamoDBRecord {
  const image = (newImage ?? options.oldImage)!;
  return {
    eventID: options.eventID,
    eventName: newImage && options.oldImage ? 'MODIFY' : newImage ? 'INSERT' : 'REMOVE',
    eventSource: 'aws:dynamodb',
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/ledger/stream/2026-11-27T00:00:00.000',
    dynamodb: {
      ApproximateCreationDateTime: options.approximateCreationDateTime ?? CHANGE_TIME,
      Keys: { transaction_id: image.transaction_id, timestamp: image.timestamp },
      SequenceNumber: options.sequenceNumber,
      ...(newImage ? { NewImage: newImage } : {}),
      ...(options.oldImage ? { OldImage: options.oldImage } : {}),
    },
  };
}

export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'payment-handler',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:payment-handler',
    memoryLimitInMB: '512',
    awsRequestId: `lambda-request-${++counter}`,
    logGroupName: '/aws/lambda/payment-handler',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function proxyEvent(
  method: string,
  resource: string,
  path: string,
  pathParameters: Record<string, string>,
  options: RequestOptions,
): APIGatewayProxyEvent {
  const multiValueHeaders: Record<string, string[]> = {};
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    multiValueHeaders[name] = values;
    headers[name] = values[values.length - 1];
  }
  const requestId = `api-request-${++counter}`;
  return {
    httpMethod: method,
    resource,
    path,
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
    headers,
    multiValueHeaders,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    body: options.body === undefined ? validBody() : options.body,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      path: `/v1${path}`,
      stage: 'v1',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'resource',
      resourcePath: resource,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: options.apiKeyId ?? 'key-client-a',
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '127.0.0.1',
        user: null,
        userAgent: 'test',
        userArn: options.userArn ?? null,
      },
    },
  } as APIGatewayProxyEvent;
}

/** Everything written to stdout and stderr while `capture` is on: Powertools logs and EMF metrics. */
export class OutputCapture {
  private readonly chunks: string[] = [];
  private restore?: () => void;

  public start(): void {
    const stdout = process.stdout.write.bind(process.stdout);
    const stderr = process.stderr.write.bind(process.stderr);
    const record = (chunk: unknown) => {
      this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return true;
    };
    process.stdout.write = record as typeof process.stdout.write;
    process.stderr.write = record as typeof process.stderr.write;
    this.restore = () => {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
    };
  }

  public stop(): void {
    this.restore?.();
  }

  public text(): string {
    return this.chunks.join('');
  }

  /** A mark to read what is written after it with `textSince`. */
  public mark(): number {
    return this.chunks.length;
  }

  public textSince(mark: number): string {
    return this.chunks.slice(mark).join('');
  }

  /** The JSON lines written, parsed. */
  public lines(): Array<Record<string, unknown>> {
    return jsonLines(this.text());
  }

  /** The JSON lines written after `mark` (from `mark()`), parsed. */
  public linesSince(mark: number): Array<Record<string, unknown>> {
    return jsonLines(this.textSince(mark));
  }
}

function jsonLines(text: string): Array<Record<string, unknown>> {
  return text.split('\n').filter((line) => line.trim().startsWith('{')).map((line) => JSON.parse(line));
}

/**
 * Loads a handler module after the test has set the environment it reads at module scope, as the
 * Lambda runtime does when it starts a container. `load` is `() => require('<path>')` with the path
 * written out: jest finds a test's modules by their literal paths, and the mutation run
 * (`npx projen test:mutation`) picks the tests to run against a changed module that way.
 */
export function loadModule<T>(load: () => unknown): T {
  return load() as T;
}

/**
 * A cold start: sets `variables` in the environment (an undefined value removes the variable) and
 * loads a fresh copy of a handler module with `load`, as a new Lambda container does. `load` is
 * written as for `loadModule`. The caller puts the environment back.
 */
export function coldStart<T>(variables: Record<string, string | undefined>, load: () => unknown): T {
  for (const [name, value] of Object.entries(variables)) {
    if (value === undefined) {
      delete process.env[name];
    } else {
      process.env[name] = value;
    }
  }
  let loaded: T | undefined;
  jest.isolateModules(() => {
    loaded = loadModule<T>(load);
  });
  return loaded!;
}
