// Starts `npx payment-platform-local` in the consumer app, from the installed package, as a user
// would, and sends the README's curl request twice: a payment, then its replay. Exits non-zero on any
// difference from what the README says. Usage: node local.js <path of the README>
const { execFileSync, spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { createInterface } = require('node:readline');

const readme = readFileSync(process.argv[2], 'utf8');
const block = /```bash\n(KEY=[\s\S]*?)```/.exec(readme);
if (!block) {
  console.error('The README has no bash block that starts with KEY=, the curl of a payment.');
  process.exit(1);
}

// In a process group of its own, so that npx and the server it starts stop together.
const server = spawn('npx', ['--no-install', 'payment-platform-local', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
const exited = new Promise((resolve) => server.once('exit', resolve));
let checking = false;
const finish = async (failure) => {
  clearTimeout(timer);
  try {
    process.kill(-server.pid, 'SIGINT');
  } catch {
    // Already gone.
  }
  await exited;
  if (failure) {
    console.error(failure);
    process.exit(1);
  }
  console.log(`payment-platform-local from the package answered the README's requests at ${url}`);
};
const timer = setTimeout(() => finish('payment-platform-local did not say where it serves within 30 seconds'), 30_000);
let url;
let key;
const lines = createInterface({ input: server.stdout });
lines.on('line', (line) => {
  url ??= /serving the payments API at (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
  key ??= /API key \(x-api-key\): (\S+)/.exec(line)?.[1];
  if (url && key && !checking) {
    checking = true;
    check().then(() => finish(), (error) => finish(error.message));
  }
});
void exited.then((code) => {
  if (!checking) {
    finish(`payment-platform-local exited (${code}) before it served`);
  }
});

/** The README's curl, with the printed key and port, as bash runs it: status, headers and body. */
function runReadmeCurl() {
  const script = block[1].replace(/^KEY=.*$/m, `KEY='${key}'`).replaceAll('http://127.0.0.1:4010', url);
  const output = execFileSync('bash', ['-c', script.replace(/curl /, 'curl -sS ')], { encoding: 'utf8' });
  const [head, body] = output.split(/\r\n\r\n/);
  return { status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body };
}

async function check() {
  const first = runReadmeCurl();
  const replay = runReadmeCurl();
  if (first.status !== 201 || JSON.parse(first.body).status !== 'authorized') {
    throw new Error(`the README's payment answered ${first.status}: ${first.body}`);
  }
  if (replay.status !== 201 || replay.body !== first.body || !replay.headers.includes('idempotent-replayed: true')) {
    throw new Error(`the README's replay answered ${replay.status}, ${replay.body}, not the first answer with Idempotent-Replayed: true`);
  }
  const shipped = JSON.parse(readFileSync(require.resolve('@org/payment-platform/openapi.json'), 'utf8'));
  const served = await (await fetch(`${url}/openapi.json`)).json();
  if (JSON.stringify({ ...served, servers: shipped.servers }) !== JSON.stringify(shipped)) {
    throw new Error('GET /openapi.json is not the openapi.json that the package ships');
  }
}
