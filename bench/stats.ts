/** Small statistics and formatting helpers shared by the benchmarks. */

/** The nearest-rank percentile `p` (0–100) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) {
    throw new Error('percentile of no values');
  }
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/**
 * A 90% bootstrap confidence interval of the median of `values`: the 5th and 95th percentiles of
 * the medians of 1,000 resamples, drawn with a fixed seed so that one run's interval is repeatable.
 */
export function medianInterval(values: readonly number[]): [number, number] {
  // Park–Miller minimal standard generator: exact in double arithmetic.
  let seed = 20_261_127;
  const random = () => {
    seed = (seed * 16_807) % 2_147_483_647;
    return seed / 2_147_483_647;
  };
  const medians = Array.from({ length: 1000 }, () => median(values.map(() => values[Math.floor(random() * values.length)])));
  return [percentile(medians, 5), percentile(medians, 95)];
}

/** The median over rounds of one measure's ratio to the floor's in the same round. */
export interface PairedRatio {
  readonly median: number;
  /** A 90% confidence interval of `median`. */
  readonly interval: [number, number];
}

/**
 * The median of the per-round ratios `ours[i] / floor[i]`, with its interval. Pairing each round
 * with the floor's in the same round cancels the drift of a shared machine that a ratio of two
 * medians keeps.
 */
export function pairedRatio(ours: readonly number[], floor: readonly number[]): PairedRatio {
  if (ours.length !== floor.length || ours.length === 0) {
    throw new Error(`paired ratio needs one floor value per round: ${ours.length} against ${floor.length}`);
  }
  const ratios = ours.map((value, round) => value / floor[round]);
  return { median: median(ratios), interval: medianInterval(ratios) };
}

/** `0.98–1.07`: the interval of a paired ratio. */
export function formatInterval(ratio: PairedRatio): string {
  return ratio.interval.map((r) => r.toFixed(2)).join('–');
}

/** `1.03× (0.98–1.07)`: a paired ratio, with `unit` after it, and its interval. */
export function formatPairedRatio(ratio: PairedRatio, unit = ''): string {
  return `${ratio.median.toFixed(2)}${unit} (${formatInterval(ratio)})`;
}

/** A number for a table: integers as they are, others to `digits` decimals. */
export function formatNumber(value: number, digits = 1): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A dollar amount with cents, or more digits for amounts under a dollar. */
export function formatDollars(value: number): string {
  return `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: value < 1 && value > 0 ? 4 : 2 })}`;
}

/** One row of the benchmark table. */
export interface Row {
  readonly section: string;
  readonly measure: string;
  readonly ours: string;
  readonly floor: string;
  /** ours ÷ floor, where a ratio means something. */
  readonly ratio?: number;
  /** How the ratio compares with its target, e.g. `met (≤ 1.10)`. */
  readonly target?: string;
}

/** `met (≤ 1.10)` or `missed (≤ 1.10)` for a ratio that should stay at or below `limit`. */
export function atMost(ratio: number, limit: number): string {
  return `${ratio <= limit ? 'met' : 'missed'} (≤ ${limit.toFixed(2)})`;
}

/** `met (≥ 0.90)` or `missed (≥ 0.90)` for a ratio that should stay at or above `limit`. */
export function atLeast(ratio: number, limit: number): string {
  return `${ratio >= limit ? 'met' : 'missed'} (≥ ${limit.toFixed(2)})`;
}

/** The rows as one markdown table. */
export function markdownTable(rows: readonly Row[]): string {
  const lines = [
    '| section | measure | payment platform | floor | ratio | target |',
    '| --- | --- | ---: | ---: | ---: | --- |',
  ];
  for (const row of rows) {
    const ratio = row.ratio === undefined ? '' : row.ratio.toFixed(2);
    lines.push(`| ${row.section} | ${row.measure} | ${row.ours} | ${row.floor} | ${ratio} | ${row.target ?? ''} |`);
  }
  return lines.join('\n');
}
