/**
 * What reading a request costs: the JSON reader, the card-data guard and the whole of
 * `parsePaymentRequest`, per request, against `JSON.parse` of the same body as the floor; the guard
 * of contract version 3 against version 2's on worst-case bodies; and how often the guard refuses
 * the seeded corpus of ordinary payment text (`test/handlers/ordinary-text.ts`).
 */
import { performance } from 'node:perf_hooks';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { containsCardNumber as containsCardNumberV2 } from './card-guard-v2';
import { median, PairedRatio, pairedRatio } from './stats';
import { containsCardNumber, stringContainsCardNumber } from '../src/handlers/card-guard';
import { readJsonObject } from '../src/handlers/json-reader';
import { parsePaymentRequest } from '../src/handlers/payment-request';
import { CORPUS_SEED, ordinaryTextCorpus } from '../test/handlers/ordinary-text';

export interface GuardCase {
  readonly name: string;
  readonly bytes: number;
  /** Microseconds per request, medians of rounds. */
  readonly jsonParseUs: number;
  readonly readerUs: number;
  readonly guardUs: number;
  readonly parseRequestUs: number;
}

/** The guard of contract version 3 against version 2's on one body, in alternating rounds. */
export interface GuardVersions {
  readonly name: string;
  readonly bytes: number;
  /** Microseconds per body, medians of rounds. */
  readonly v3Us: number;
  readonly v2Us: number;
  /** Version 3's time over version 2's, round by round. */
  readonly ratio: PairedRatio;
}

/** What the guard refuses of one class of the corpus. */
export interface CorpusClassResult {
  readonly name: string;
  readonly ambiguous?: string;
  readonly lines: number;
  readonly refused: string[];
}

export interface GuardMeasurement {
  readonly cases: GuardCase[];
  readonly versions: GuardVersions[];
  readonly corpusSeed: number;
  readonly corpusLines: number;
  readonly corpusRefused: string[];
  readonly corpusClasses: CorpusClassResult[];
}

/** The floor decodes as the reader does, with one decoder made once. */
const DECODER = new TextDecoder('utf-8', { fatal: true });

export function measureRequestGuard(options: { rounds: number; requestsPerRound: number }): GuardMeasurement {
  const classes = ordinaryTextCorpus(CORPUS_SEED);
  const corpus = classes.flatMap(({ lines }) => lines);
  const handWritten = classes[classes.length - 1].lines;
  const base = { amount: 1999, currency: 'EUR', merchantId: 'm_1', paymentMethodToken: 'tok_visa_4242' };
  const bodies: Array<[string, string]> = [
    ['typical: description and 3 metadata entries', JSON.stringify({ ...base, description: handWritten[0], metadata: { order: 'ORD-2026-000123', customer: 'c_829', channel: 'web' } })],
    ['16 KiB of ordinary text (description and 20 metadata values)', JSON.stringify({
      ...base,
      description: handWritten.slice(1, 12).join(' ').slice(0, 480),
      metadata: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, handWritten.slice(20 + i * 8, 28 + i * 8).join(' ').slice(0, 480)])),
    })],
    ['16 KiB worst case: single digits between separators in an unknown field', JSON.stringify({ ...base, notes: WORST_CASES[0][1] })],
  ];
  // Each guard reads the strings as the handler hands them over, from the JSON reader, and both are
  // warmed up on every text of both measurements first, so that neither has met a kind of string
  // or a path through its code that the other has not.
  const worst = WORST_CASES.map(([name, text]) => ({ name, texts: readJsonObject(Buffer.from(JSON.stringify({ notes: text }))).texts }));
  const everyText = [...worst.map(({ texts }) => texts), ...bodies.map(([, body]) => readJsonObject(Buffer.from(body)).texts)];
  for (let i = 0; i < options.requestsPerRound; i++) {
    for (const texts of everyText) {
      containsCardNumber(texts);
      containsCardNumberV2(texts);
    }
  }
  const versions = worst.map(({ name, texts }) => measureVersions(name, texts, options));
  const cases = bodies.map(([name, body]) => measureCase(name, body, options));
  const corpusClasses = classes.map(({ name, ambiguous, lines }) => ({
    name,
    ...(ambiguous !== undefined ? { ambiguous } : {}),
    lines: lines.length,
    refused: lines.filter((line) => stringContainsCardNumber(line)),
  }));
  return {
    cases,
    versions,
    corpusSeed: CORPUS_SEED,
    corpusLines: corpus.length,
    corpusRefused: corpusClasses.flatMap(({ refused }) => refused),
    corpusClasses,
  };
}

/**
 * Texts of about 16 KiB that make each guard work hardest: every separator ends a group and starts
 * a walk back over the last 19 digits, or the text keeps starting identifiers that are not one.
 */
const WORST_CASES: Array<[string, string]> = [
  ['single digits between separators', '1 '.repeat(8000)],
  ['single digits between underscores (a separator of version 3 only)', '1_'.repeat(8000)],
  ['digit pairs between dots', '12.'.repeat(5400)],
  // Every window passes Luhn, so version 3 looks up every start; version 2 refused at the first.
  ['zeros between separators', '0 '.repeat(8000)],
  ['IBAN-like text that is no IBAN', 'DE00 1234 5678 9012 3456 78 '.repeat(580)],
  ['UUID-like text that is no UUID', '41111111-1111-1111-1111-11111111111x '.repeat(440)],
];

/** Both guards on `texts`, in rounds that alternate which goes first. */
function measureVersions(name: string, texts: string[], { rounds, requestsPerRound }: { rounds: number; requestsPerRound: number }): GuardVersions {
  const time = (guard: (texts: string[]) => boolean) => {
    const started = performance.now();
    for (let i = 0; i < requestsPerRound; i++) {
      guard(texts);
    }
    return ((performance.now() - started) * 1000) / requestsPerRound;
  };
  const v3: number[] = [];
  const v2: number[] = [];
  for (let round = 0; round < rounds * 2; round++) {
    if (round % 2 === 0) {
      v3.push(time(containsCardNumber));
      v2.push(time(containsCardNumberV2));
    } else {
      v2.push(time(containsCardNumberV2));
      v3.push(time(containsCardNumber));
    }
  }
  const bytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  return { name, bytes, v3Us: median(v3), v2Us: median(v2), ratio: pairedRatio(v3, v2) };
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
