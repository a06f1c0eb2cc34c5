import { formatPairedRatio, median, medianInterval, pairedRatio, percentile } from '../../bench/stats';

test('percentile is the nearest rank, whatever the order of the values', () => {
  const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
  expect(percentile(values, 50)).toBe(5);
  expect(percentile(values, 90)).toBe(9);
  expect(percentile(values, 100)).toBe(10);
  expect(percentile(values, 0)).toBe(1);
  expect(median([3, 1, 2])).toBe(2);
  expect(() => percentile([], 50)).toThrow('percentile of no values');
});

test('the bootstrap interval of the median holds the median, narrows with more data and repeats', () => {
  const few = [1.0, 1.2, 0.9, 1.1, 1.3, 0.8, 1.05];
  const many = Array.from({ length: 20 }, () => few).flat();
  const [fewLow, fewHigh] = medianInterval(few);
  const [manyLow, manyHigh] = medianInterval(many);
  expect(fewLow).toBeLessThanOrEqual(median(few));
  expect(fewHigh).toBeGreaterThanOrEqual(median(few));
  expect(manyHigh - manyLow).toBeLessThan(fewHigh - fewLow);
  expect(medianInterval(few)).toEqual([fewLow, fewHigh]);
});

test('a paired ratio is the median of the per-round ratios, which a slow phase in one round cannot move', () => {
  // Ours is 10% slower than the floor in every round but one, which met a slow phase of the machine.
  const floor = [100, 100, 100, 200, 200];
  const ours = [110, 110, 220, 220, 220];
  const paired = pairedRatio(ours, floor);
  expect(paired.median).toBeCloseTo(1.1);
  expect(median(ours) / median(floor)).toBeCloseTo(2.2);
  expect(paired.interval[0]).toBeLessThanOrEqual(paired.median);
  expect(paired.interval[1]).toBeGreaterThanOrEqual(paired.median);
  expect(formatPairedRatio({ median: 1.034, interval: [0.981, 1.07] }, '×')).toBe('1.03× (0.98–1.07)');
  expect(() => pairedRatio([1, 2], [1])).toThrow('paired ratio needs one floor value per round: 2 against 1');
});
