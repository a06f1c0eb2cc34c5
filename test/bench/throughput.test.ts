import { joinRuns, requestsPerSecond, Run } from '../../bench/throughput';

/** Blocks of one handler in a round add up to one run: time, requests and calls summed, per-request measures weighted. */
describe('joinRuns', () => {
  const run = (requests: number, seconds: number, cpuMs: number, calls: Record<string, number>, log: string): Run => ({
    seconds,
    latencies: Array.from({ length: requests }, (_, i) => i + 1),
    calls: new Map(Object.entries(calls)),
    log,
    handlerCpuMs: cpuMs,
    motoCpuMs: cpuMs * 2,
    dynamodbBytes: cpuMs * 100,
    otherBytes: cpuMs * 10,
  });

  test('adds the blocks\' time, requests, calls and output; weighs per-request measures by requests', () => {
    const joined = joinRuns([run(50, 1, 4, { PutItem: 100, Invoke: 50 }, 'a\n'), run(150, 2, 8, { PutItem: 300, UpdateItem: 150 }, 'b\n')]);
    expect(joined.seconds).toBe(3);
    expect(joined.latencies).toHaveLength(200);
    expect(requestsPerSecond(joined)).toBeCloseTo(200 / 3);
    expect(Object.fromEntries(joined.calls)).toEqual({ PutItem: 400, Invoke: 50, UpdateItem: 150 });
    expect(joined.log).toBe('a\nb\n');
    // (50 × 4 + 150 × 8) / 200
    expect(joined.handlerCpuMs).toBeCloseTo(7);
    expect(joined.motoCpuMs).toBeCloseTo(14);
    expect(joined.dynamodbBytes).toBeCloseTo(700);
    expect(joined.otherBytes).toBeCloseTo(70);
  });
});
