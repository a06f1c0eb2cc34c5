import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalPaymentServer, LocalProcessor } from './local-server';

const USAGE = `Usage: payment-platform-local [options]

Serves the payments API on 127.0.0.1 with the handler that PaymentApi deploys, on an embedded DynamoDB.

Options:
  --port <number>               port on 127.0.0.1 (default 4010; 0 for any free one)
  --api-key <name>=<value>      an API key that clients send in x-api-key; repeat for more
                                (default: one key named "local", with a random value printed at start)
  --data-dir <directory>        keep the data in this directory (default: in memory)
  --processor <module>          charge payments through this adapter: an ES module that exports
                                handler(request), as its Lambda function would (default: the simulated
                                processor; "none" accepts payments without a processor)
  --processor-timeout <seconds> how long a processor call may take (default 10)
  --completer-interval <seconds> how often the completer runs (default 60)
  --help                        show this text
`;

/** Reads the command line; throws an error that names the bad option and what it takes. */
function parseCommandLine(args: readonly string[], cwd: string) {
  const { values } = parseArgs({
    args: [...args],
    options: {
      'port': { type: 'string', default: '4010' },
      'api-key': { type: 'string', multiple: true },
      'data-dir': { type: 'string' },
      'processor': { type: 'string', default: 'simulated' },
      'processor-timeout': { type: 'string', default: '10' },
      'completer-interval': { type: 'string', default: '60' },
      'help': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const port = wholeNumber('--port', values.port!, 0, 65_535);
  const processorTimeoutSeconds = wholeNumber('--processor-timeout', values['processor-timeout']!, 1, 15);
  const completerIntervalSeconds = wholeNumber('--completer-interval', values['completer-interval']!, 1, 3_600);
  const apiKeys = new Map<string, string>();
  for (const option of values['api-key'] ?? []) {
    const match = /^([A-Za-z0-9_-]{1,64})=([\x21-\x7e]{20,128})$/.exec(option);
    if (!match) {
      throw new Error(`--api-key ${option}: give NAME=VALUE, the name 1 to 64 characters of A-Z, a-z, 0-9, _ and -, `
        + 'the value 20 to 128 visible ASCII characters (API Gateway\'s rule for key values).');
    }
    apiKeys.set(match[2], match[1]);
  }
  const generated = apiKeys.size === 0 ? randomBytes(24).toString('base64url') : undefined;
  if (generated) {
    apiKeys.set(generated, 'local');
  }
  const processor: LocalProcessor = values.processor === 'simulated' ? { kind: 'simulated' }
    : values.processor === 'none' ? { kind: 'none' } : { kind: 'module', file: resolve(cwd, values.processor!) };
  return {
    help: values.help!,
    generatedKey: generated,
    options: {
      port,
      apiKeys,
      dataDir: values['data-dir'] === undefined ? undefined : resolve(cwd, values['data-dir']),
      processor,
      processorTimeoutMs: processorTimeoutSeconds * 1000,
      completerIntervalMs: completerIntervalSeconds * 1000,
    },
  };
}

function wholeNumber(option: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new Error(`${option} ${text}: give a whole number from ${min} to ${max}.`);
  }
  return value;
}

/** Each bundle's SDK warns about the Node.js version it runs on; once is enough. */
function warnOncePerKind(): void {
  const seen = new Set<string>();
  const emit = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const kind = typeof warning === 'string' ? `${String((rest[0] as { type?: string })?.type ?? rest[0])}:${warning}` : `${warning.name}:${warning.message}`;
    if (!seen.has(kind)) {
      seen.add(kind);
      (emit as (...args: unknown[]) => void)(warning, ...rest);
    }
  }) as typeof process.emitWarning;
}

async function main(): Promise<void> {
  warnOncePerKind();
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(process.argv.slice(2), process.cwd());
  } catch (error) {
    process.stderr.write(`payment-platform-local: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    return;
  }
  // This file is assets/local/cli/index.mjs in the package; the handlers are in assets/handlers/.
  const assetsDir = join(dirname(realpathSync(process.argv[1])), '..', '..');
  const started = performance.now();
  const server = await LocalPaymentServer.start({ ...parsed.options, assetsDir });
  const { options } = parsed;
  const processor = options.processor.kind === 'module' ? options.processor.file : options.processor.kind;
  process.stdout.write([
    `payment-platform-local: serving the payments API at ${server.url} (started in ${Math.round(performance.now() - started)} ms)`,
    `  POST ${server.url}/payments, GET ${server.url}/payments/{transactionId}, GET ${server.url}/openapi.json`,
    ...(parsed.generatedKey ? [`  API key (x-api-key): ${parsed.generatedKey}`] : [`  API keys: ${[...options.apiKeys.values()].join(', ')}`]),
    `  processor: ${processor}; data: ${options.dataDir ?? 'in memory'}`,
    '',
  ].join('\n'));
  const stop = () => {
    server.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** An error's message and those of its causes (a store that fails to open says why in its cause). */
function explain(error: unknown): string {
  const messages: string[] = [];
  for (let cause = error; cause !== undefined && messages.length < 5; cause = (cause as Error).cause) {
    messages.push(cause instanceof Error ? cause.message : String(cause));
  }
  return messages.join(': ');
}

main().catch((error) => {
  process.stderr.write(`payment-platform-local: ${explain(error)}\n`);
  process.exit(1);
});
