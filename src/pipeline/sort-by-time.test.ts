import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TokenActivity } from '../../schemas/token-activity.js';
import type { Normalized } from './pipeline.js';
import { SortBudget, sortByEventTime } from './sort-by-time.js';

const act = (id: string, ms: number): Normalized => ({
  kind: 'activity',
  activity: { '@timestamp': new Date(ms).toISOString(), event: { id } } as unknown as TokenActivity,
});
const ids = (out: Normalized[]) => out.flatMap((o) => (o.kind === 'activity' ? [o.activity.event.id] : []));

/** A seeded shuffle (mulberry32), so the test is reproducible. */
function shuffled<T>(xs: T[], seed: number): T[] {
  let a = seed;
  const rnd = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'tokenwatch-sort-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sortByEventTime', () => {
  it('orders by time, ties by event.id, whatever the input order; dead letters pass first', () => {
    const dead: Normalized = { kind: 'skipped', source: 'github', reason: 'x', location: 'f:9' };
    const input = [act('c', 3000), act('b', 1000), dead, act('a', 1000), act('d', 2000)];
    const out = [...sortByEventTime(input)];
    expect(out[0]).toBe(dead);
    expect(ids(out)).toEqual(['a', 'b', 'd', 'c']);
    expect(ids([...sortByEventTime([...input].reverse())])).toEqual(['a', 'b', 'd', 'c']);
  });

  it('spills sorted runs past the budget and merges them into the same order; removes its files', () => {
    const all = Array.from({ length: 500 }, (_, i) => act(`e${String(i).padStart(4, '0')}`, (i % 97) * 1000));
    const expected = ids([...sortByEventTime(all)]);
    const budget = new SortBudget(50, 20, dir);
    const spilled = ids([...sortByEventTime(shuffled(all, 7), budget)]);
    expect(spilled).toEqual(expected);
    expect(budget.used).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('releases its budget and files when closed early', () => {
    const budget = new SortBudget(10, 5, dir);
    const gen = sortByEventTime(
      Array.from({ length: 40 }, (_, i) => act(`x${i}`, 40 - i)),
      budget,
    );
    gen.next();
    gen.return(undefined);
    expect(budget.used).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });
});
