import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../baselines/seeded-random.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { compareEventOrder, eventOrderKey } from './event-order.js';
import { fileLines } from './file-lines.js';
import { TimeOrder } from './time-partition.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2025-06-01T00:00:00.000Z');

const act = (id: string, ms: number, module = 'github', note = ''): TokenActivity =>
  ({
    '@timestamp': new Date(ms).toISOString(),
    event: { id, module },
    message: note,
  }) as unknown as TokenActivity;

/** `n` activities over `hours` hours in random order; ties in time and id-only differences included. */
function randomActivities(n: number, hours: number, seed: number): TokenActivity[] {
  const r = seededRandom(seed);
  const modules = ['github', 'google_workspace', 'salesforce'];
  return Array.from({ length: n }, (_, i) =>
    act(
      `e${Math.floor(r() * n)}`,
      T0 + Math.floor(r() * hours * 60) * 60_000,
      modules[i % 3] as string,
      // multi-byte text, so partition files hold characters that straddle read buffers
      `n${i} ${'äé€😀'.repeat(1 + (i % 5))}`,
    ),
  );
}

const expectedOrder = (xs: TokenActivity[]): string[] =>
  xs
    .map((a) => eventOrderKey(a))
    .sort(compareEventOrder)
    .map((k) => JSON.stringify(k.activity));

const dir = mkdtempSync(join(tmpdir(), 'tokenwatch-time-order-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TimeOrder', () => {
  it('in memory: yields the global stage-2 order and touches no file', () => {
    const xs = randomActivities(500, 30, 1);
    const order = new TimeOrder({ maxInMemory: 1000, dir });
    for (const a of xs) order.add(a);
    const out = [...order.drain()];
    const expected = expectedOrder(xs);
    expect(out.map((a) => JSON.stringify(a))).toEqual(expected);
    expect(out[0]).toBe(xs.find((a) => JSON.stringify(a) === expected[0])); // the same objects
    expect(order.stats).toEqual({ activities: 500, peakInMemory: 500, spilled: 0, partitions: 0 });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('past its budget: partitions by hour on disk, same order, never more than the budget in memory', () => {
    const xs = randomActivities(3000, 48, 2);
    const order = new TimeOrder({ maxInMemory: 100, writeBufferBytes: 4096, dir });
    for (const a of xs) order.add(a);
    expect(order.spilling).toBe(true);
    const out = [...order.drain()].map((a) => JSON.stringify(a));
    expect(out).toEqual(expectedOrder(xs));
    expect(order.stats.spilled).toBe(3000);
    expect(order.stats.partitions).toBe(48);
    expect(order.stats.peakInMemory).toBeLessThanOrEqual(101);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('sorts a partition larger than the budget in runs (one busy hour), same order', () => {
    const r = seededRandom(3);
    const xs = Array.from({ length: 1200 }, (_, i) => act(`b${i}`, T0 + Math.floor(r() * HOUR)));
    const order = new TimeOrder({ maxInMemory: 50, dir });
    for (const a of xs) order.add(a);
    expect([...order.drain()].map((a) => JSON.stringify(a))).toEqual(expectedOrder(xs));
    expect(order.stats.partitions).toBe(1);
    expect(order.stats.peakInMemory).toBeLessThanOrEqual(51);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('removes its files when the drain is closed early, and when closed without a drain', () => {
    const a = new TimeOrder({ maxInMemory: 10, dir });
    for (const x of randomActivities(200, 5, 4)) a.add(x);
    const it = a.drain();
    it.next();
    it.return(undefined);
    expect(readdirSync(dir)).toEqual([]);
    const b = new TimeOrder({ maxInMemory: 10, writeBufferBytes: 1, dir });
    for (const x of randomActivities(200, 5, 5)) b.add(x);
    expect(readdirSync(dir).length).toBe(1);
    b.close();
    expect(readdirSync(dir)).toEqual([]);
    expect(() => a.add(act('late', T0))).toThrow(/after drain/);
  });
});

describe('fileLines', () => {
  it('cuts lines on bytes: a multi-byte character split over two reads stays whole', () => {
    const path = join(dir, 'lines.ndjson');
    const lines = Array.from({ length: 40 }, (_, i) => `${i}:${'😀é'.repeat(i)}`);
    writeFileSync(path, `${lines.join('\n')}\n\n`);
    for (const readBytes of [1, 3, 7, 64]) expect([...fileLines(path, readBytes)]).toEqual(lines);
  });

  it('refuses a file cut inside a line', () => {
    const path = join(dir, 'cut.ndjson');
    writeFileSync(path, '{"a":1}\n{"a":');
    expect(() => [...fileLines(path, 4)]).toThrow(/ends inside a line/);
    expect(existsSync(path)).toBe(true);
    rmSync(path);
  });
});
