import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The bundled local server, as the package's `payment-platform-local` runs it. */
export const LOCAL_CLI = join(__dirname, '..', '..', 'assets', 'local', 'cli', 'index.mjs');

/** An API key value that API Gateway would take (20 characters or more). */
export const API_KEY = 'local-test-key-0123456789';

/** A running `payment-platform-local`, with everything it wrote. */
export interface RunningLocalServer {
  readonly url: string;
  readonly process: ChildProcess;
  /** Everything it has written to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Stops it as Ctrl-C would, and waits for it to exit. */
  stop(): Promise<number | null>;
}

/**
 * Starts the bundled local server on a free port of 127.0.0.1 with `args` (and one API key,
 * `API_KEY`, named `tester`, unless `args` give keys or `apiKey` is false), and waits for the line that says where it serves.
 */
export async function startLocalServer(
  args: string[] = [],
  options: { cwd?: string; cli?: string; apiKey?: boolean } = {},
): Promise<RunningLocalServer> {
  const keys = options.apiKey === false || args.includes('--api-key') ? [] : ['--api-key', `tester=${API_KEY}`];
  const child = spawn(process.execPath, [options.cli ?? LOCAL_CLI, '--port', '0', ...keys, ...args], {
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = /serving the payments API at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (match) {
        resolve(match[1]);
      }
    });
    void exited.then((code) => reject(new Error(`payment-platform-local exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    process: child,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: async () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

/** Runs the local server with `args` until it exits by itself (a refusal of its options), with its output. */
export function runLocalCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [LOCAL_CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
