import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MotoServer } from './moto';

/** A DynamoDB error answer: its HTTP status and the `__type` name of the error. */
export interface DynamoDBFault {
  readonly status: number;
  readonly type: string;
}

/**
 * A DynamoDB endpoint on 127.0.0.1 that passes every request to moto_server, except those that
 * `fault` answers with an error of its choosing: for the faults that moto_server never produces
 * (a replicated write conflict, a server error). A request that `hold` names is held for that many
 * milliseconds before it is passed on, whether or not the client still waits: a write that reaches
 * DynamoDB after the client gave up on it. Every request's `<operation> <table>` is recorded in `seen`.
 */
export class DynamoDBStandIn {
  public static async start(
    moto: MotoServer,
    fault: (call: string) => DynamoDBFault | undefined,
    hold: (call: string) => number | undefined = () => undefined,
  ): Promise<DynamoDBStandIn> {
    const standIn = new DynamoDBStandIn(moto, fault, hold);
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    return standIn;
  }

  public readonly seen: string[] = [];
  private readonly server: Server;
  private readonly held: Array<Promise<void>> = [];

  private constructor(moto: MotoServer, fault: (call: string) => DynamoDBFault | undefined, hold: (call: string) => number | undefined) {
    this.server = createServer(async (request, response) => {
      const body = await readBody(request);
      const call = `${String(request.headers['x-amz-target']).split('.')[1]} ${JSON.parse(body).TableName}`;
      this.seen.push(call);
      const answer = fault(call);
      if (answer) {
        response.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${answer.type}`, message: `${answer.type} (stand-in)` }));
        return;
      }
      const headers = Object.fromEntries(Object.entries(request.headers)
        .filter(([name]) => !['host', 'content-length', 'connection'].includes(name))) as Record<string, string>;
      const pass = async () => {
        const passed = await fetch(moto.endpoint, { method: 'POST', headers, body });
        const text = await passed.text();
        if (!response.destroyed) {
          response.writeHead(passed.status, { 'content-type': passed.headers.get('content-type') ?? 'application/x-amz-json-1.0' });
          response.end(text);
        }
      };
      const holdMs = hold(call);
      if (holdMs === undefined) {
        await pass();
        return;
      }
      const landed = new Promise<void>((resolve) => setTimeout(resolve, holdMs)).then(pass);
      this.held.push(landed);
      await landed;
    });
  }

  /** Resolves once every request held so far has reached moto_server. */
  public async heldRequestsLanded(): Promise<void> {
    await Promise.all(this.held);
  }

  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public stop(): Promise<void> {
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
