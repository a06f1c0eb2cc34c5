/**
 * Creates one payment on a staging or production payments API, as a service would: SigV4
 * (`execute-api`) with the caller's AWS credentials, plus the API key, one `Idempotency-Key` per
 * payment, and retries after a 503 that wait as `Retry-After` says, with the same key.
 *
 *   PAYMENTS_URL=https://<api>.execute-api.us-east-2.amazonaws.com/v1/payments API_KEY=<key> \
 *     AWS_REGION=us-east-2 npx ts-node examples/create-payment.ts
 *
 * Credentials come from the usual chain (environment, profile, SSO, instance role).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

export interface CreatePaymentOptions {
  readonly url: string;
  readonly apiKey: string;
  readonly region: string;
  readonly body: Record<string, unknown>;
  /** One key per payment, kept across retries: a retry then never pays twice. */
  readonly idempotencyKey?: string;
  readonly maxAttempts?: number;
}

export async function createPayment(options: CreatePaymentOptions): Promise<{ status: number; body: unknown; attempts: number }> {
  const url = new URL(options.url);
  const signer = new SignatureV4({
    service: 'execute-api',
    region: options.region,
    credentials: defaultProvider(),
    sha256: Hash.bind(null, 'sha256'),
  });
  const idempotencyKey = options.idempotencyKey ?? randomUUID();
  const body = JSON.stringify(options.body);
  const maxAttempts = options.maxAttempts ?? 4;
  for (let attempt = 1; ; attempt++) {
    // Signed anew for each attempt: a signature is valid for five minutes.
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      body,
      headers: {
        'host': url.host,
        'content-type': 'application/json',
        'idempotency-key': idempotencyKey,
        'x-api-key': options.apiKey,
      },
    });
    const { host: _host, ...headers } = signed.headers; // fetch sets Host from the URL itself
    const response = await fetch(url, { method: 'POST', headers, body });
    const text = await response.text();
    if (response.status === 503 && attempt < maxAttempts) {
      const seconds = Number(response.headers.get('retry-after'));
      await sleep(1000 * (Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 30) : 2 ** attempt));
      continue;
    }
    return { status: response.status, body: text ? JSON.parse(text) : undefined, attempts: attempt };
  }
}

if (require.main === module) {
  const { PAYMENTS_URL, API_KEY, AWS_REGION } = process.env;
  if (!PAYMENTS_URL || !API_KEY || !AWS_REGION) {
    process.stderr.write('Set PAYMENTS_URL, API_KEY and AWS_REGION.\n');
    process.exit(2);
  }
  createPayment({
    url: PAYMENTS_URL,
    apiKey: API_KEY,
    region: AWS_REGION,
    body: { amount: 1999, currency: 'USD', merchantId: 'm_1', paymentMethodToken: 'tok_visa_4242' },
  }).then((result) => process.stdout.write(`${JSON.stringify(result)}\n`), (error) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  });
}
