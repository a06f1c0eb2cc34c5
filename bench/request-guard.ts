/**
 * What reading a request costs: the JSON reader, the card-data guard and the whole of
 * `parsePaymentRequest`, per request, against `JSON.parse` of the same body as the floor; and how
 * often the guard refuses ordinary payment text (`bench/ordinary-payment-text.txt`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { median } from './stats';
import { containsCardNumber, stringContainsCardNumber } from '../src/handlers/card-guard';
import { readJsonObject } from '../src/handlers/json-reader';
import { parsePaymentRequest } from '../src/handlers/payment-request';

export interface GuardCase {
  readonly name: string;
  readonly bytes: number;
  /** Microseconds per request, medians of rounds. */
  readonly jsonParseUs: number;
  readonly readerUs: number;
  readonly guardUs: number;
  readonly parseRequestUs: number;
}

export interface GuardMeasurement {
  readonly cases: GuardCase[];
  readonly corpusLines: number;
  readonly corpusRefused: string[];
}

const CORPUS = join(__dirname, 'ordinary-payment-text.txt');
/** The floor decodes as the reader does, with one decoder made once. */
const DECODER = new TextDecoder('utf-8', { fatal: true });

export function measureRequestGuard(options: { rounds: number; requestsPerRound: number }): GuardMeasurement {
  const corpus = readFileSync(CORPUS, 'utf8').split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
  const base = { amount: 1999, currency: 'EUR', merchantId: 'm_1', paymentMethodToken: 'tok_visa_4242' };
  const bodies: Array<[string, string]> = [
    ['typical: description and 3 metadata entries', JSON.stringify({ ...base, description: corpus[0], metadata: { order: 'ORD-2026-000123', customer: 'c_829', channel: 'web' } })],
    ['16 KiB of ordinary text (description and 20 metadata values)', JSON.stringify({
      ...base,
      description: corpus.slice(1, 12).join(' ').slice(0, 480),
      metadata: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, corpus.slice(20 + i * 8, 28 + i * 8).join(' ').slice(0, 480)])),
    })],
    ['16 KiB worst case: single digits between separators in an unknown field', JSON.stringify({ ...base, notes: '1 '.repeat(8000) })],
  ];
  const cases = bodies.map(([name, body]) => measureCase(name, body, options));
  return { cases, corpusLines: corpus.length, corpusRefused: corpus.filter((line) => stringContainsCardNumber(line)) };
}

function measureCase(name: string, body: string, { rounds, requestsPerRound }: { rounds: number; requestsPerRound: number }): GuardCase {
  const bytes = Buffer.from(body, 'utf8');
  const event = {
    httpMethod: 'POST',
    resource: '/payments',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'bench-key' },
    multiValueHeaders: { 'Content-Type': ['application/json'], 'Idempotency-Key': ['bench-key'] },
    body,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEvent;
  const texts = readJsonObject(bytes).texts;
  const perRequestUs = (work: () => unknown) => {
    const samples: number[] = [];
    for (let round = 0; round < rounds + 1; round++) {
      const started = performance.now();
      for (let i = 0; i < requestsPerRound; i++) {
        work();
      }
      // The first round warms the code up and is not counted.
      if (round > 0) {
        samples.push(((performance.now() - started) * 1000) / requestsPerRound);
      }
    }
    return median(samples);
  };
  return {
    name,
    bytes: bytes.length,
    jsonParseUs: perRequestUs(() => JSON.parse(DECODER.decode(bytes))),
    readerUs: perRequestUs(() => readJsonObject(bytes)),
    guardUs: perRequestUs(() => containsCardNumber(texts)),
    parseRequestUs: perRequestUs(() => {
      try {
        parsePaymentRequest(event);
      } catch {
        // The worst case is a validation error (an unknown field) after the guard has read it all.
      }
    }),
  };
}
