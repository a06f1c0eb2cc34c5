import { createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

/** The operations whose `ReturnValuesOnConditionCheckFailure` the store answers (dynalite does not). */
const RETURNING_ON_FAILURE = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

/**
 * DynamoDB on loopback for the local server: dynalite, in memory or (with `dataDir`) journaled to
 * disk, behind a front that adds what the handlers use and dynalite lacks: the item that failed a
 * condition, where a write asks for it with `ReturnValuesOnConditionCheckFailure: ALL_OLD`. That item
 * is read right after the failure, so a write that lands in between shows in it; one process with
 * one client at a time, as a local server is, does not tell the difference.
 */
export class EmbeddedDynamoDB {
  public static async start(dataDir?: string): Promise<EmbeddedDynamoDB> {
    const store = dynalite({ path: dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await listen(store);
    const front = new EmbeddedDynamoDB(store);
    await listen(front.server);
    return front;
  }

  private readonly server: Server;

  private constructor(private readonly store: Server) {
    this.server = createServer((req, res) => {
      this.serve(req, res).catch((error) => {
        res.writeHead(500, { 'Content-Type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: String(error) }));
      });
    });
  }

  /** The endpoint to give the SDK (`AWS_ENDPOINT_URL_DYNAMODB`). */
  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    await Promise.all([this.server, this.store].map((server) => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    })));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^DynamoDB_\d+\./, '');
    const answer = await this.forward(req.headers, body);
    if (answer.status === 400 && RETURNING_ON_FAILURE.has(operation) && answer.body.includes('ConditionalCheckFailedException')) {
      const input = JSON.parse(body.toString('utf8'));
      if (input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD') {
        const key = input.Key ?? await this.keyOf(input.TableName, input.Item, req.headers);
        const current = await this.forward({ ...req.headers, 'x-amz-target': 'DynamoDB_20120810.GetItem' },
          Buffer.from(JSON.stringify({ TableName: input.TableName, Key: key, ConsistentRead: true })));
        const item = JSON.parse(current.body).Item;
        answer.body = JSON.stringify({ ...JSON.parse(answer.body), ...(item ? { Item: item } : {}) });
      }
    }
    res.writeHead(answer.status, { 'Content-Type': 'application/x-amz-json-1.0', 'Content-Length': Buffer.byteLength(answer.body) });
    res.end(answer.body);
  }

  /** The key attributes of `item` in `table`. */
  private async keyOf(table: string, item: Record<string, unknown>, headers: IncomingMessage['headers']): Promise<Record<string, unknown>> {
    const described = await this.forward({ ...headers, 'x-amz-target': 'DynamoDB_20120810.DescribeTable' }, Buffer.from(JSON.stringify({ TableName: table })));
    const schema = JSON.parse(described.body).Table.KeySchema as Array<{ AttributeName: string }>;
    return Object.fromEntries(schema.map(({ AttributeName }) => [AttributeName, item[AttributeName]]));
  }

  private forward(received: IncomingMessage['headers'], body: Buffer): Promise<{ status: number; body: string }> {
    const { port } = this.store.address() as AddressInfo;
    // The body goes on whole, with its length: never as chunks.
    const { 'transfer-encoding': _chunked, ...headers } = received;
    return new Promise((resolve, reject) => {
      const forwarded = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        headers: { ...headers, 'content-length': body.length },
      }, (res) => {
        readBody(res).then((answer) => resolve({ status: res.statusCode!, body: answer.toString('utf8') }), reject);
      });
      forwarded.on('error', reject);
      forwarded.end(body);
    });
  }
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
}

export function readBody(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
