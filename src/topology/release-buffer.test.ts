import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../baselines/seeded-random.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { orderingTime } from './normalize-stage.js';
import { ReleaseBuffer } from './release-buffer.js';
import type { ChangelogRecord } from './task-state.js';

const T0 = Date.UTC(2025, 0, 6);
const MIN = 60_000;
const LATENESS = 10 * MIN;

/** A minimal activity (only what the release order reads). */
function activity(source: string, id: string, ts: number): TokenActivity {
  return {
    '@timestamp': new Date(ts).toISOString(),
    event: { module: source, id },
    token: { id: `t-${id}` },
  } as unknown as TokenActivity;
}

/** What a detect task's partition receives from one raw partition: records, then a watermark per batch. */
type Item =
  | { kind: 'activity'; key: string; order: number; activity: TokenActivity }
  | { kind: 'watermark'; source: string; watermark: number };

/**
 * One raw partition as the normalize stage writes it into an activity partition: records in
 * offset order (event times mostly rising, some up to 8 minutes out of order, one 30 minutes
 * late), ordering times by the normalize rule, a watermark after every batch of 1-5 records, the
 * last one marked read-to-end (+Infinity).
 */
function rawPartition(source: string, n: number, seed: number): Item[] {
  const r = seededRandom(seed);
  const out: Item[] = [];
  let maxTs = Number.NEGATIVE_INFINITY;
  let at = T0;
  let i = 0;
  while (i < n) {
    const batch = 1 + Math.floor(r() * 5);
    for (let b = 0; b < batch && i < n; b++, i++) {
      at += Math.floor(r() * 3 * MIN);
      const ts = i === Math.floor(n / 2) ? at - 30 * MIN : at - Math.floor(r() * 8 * MIN);
      const { order } = orderingTime(maxTs, ts, LATENESS);
      if (ts > maxTs) maxTs = ts;
      out.push({
        kind: 'activity',
        key: `${source}@${i}`,
        order,
        activity: activity(source, `${source}-${i}`, ts),
      });
    }
    out.push({ kind: 'watermark', source, watermark: i >= n ? Number.POSITIVE_INFINITY : maxTs - LATENESS });
  }
  return out;
}

/** A random interleaving of the sources' sequences (each source's order kept). */
function interleave(sources: readonly Item[][], seed: number): Item[] {
  const r = seededRandom(seed);
  const at = sources.map(() => 0);
  const out: Item[] = [];
  for (;;) {
    const open = sources.map((_s, k) => k).filter((k) => (at[k] as number) < (sources[k] as Item[]).length);
    if (open.length === 0) return out;
    const k = open[Math.floor(r() * open.length)] as number;
    out.push((sources[k] as Item[])[at[k] as number] as Item);
    at[k] = (at[k] as number) + 1;
  }
}

function feed(buffer: ReleaseBuffer, item: Item): void {
  if (item.kind === 'watermark') buffer.watermark(item.source, item.watermark);
  else buffer.add(item.key, item.order, item.activity, Buffer.from(JSON.stringify(item.activity)));
}

/** Latest record per key, as TaskState.restore hands them on. */
function latest(records: readonly ChangelogRecord[]): ChangelogRecord[] {
  const m = new Map<string, Buffer | null>();
  for (const r of records) {
    m.delete(r.key);
    m.set(r.key, r.value);
  }
  return [...m].map(([key, value]) => ({ key, value }));
}

/**
 * Feeds `items` in batches of random size, releasing after each; every `restoreEvery` batches the
 * buffer is rebuilt from its changelog (a moved task). Returns the released event ids in order.
 */
function drive(items: readonly Item[], sources: readonly string[], seed: number, restoreEvery = 0): string[] {
  const r = seededRandom(seed);
  let buffer = new ReleaseBuffer(1_000_000);
  buffer.expect(sources);
  const log: ChangelogRecord[] = [];
  const out: string[] = [];
  let i = 0;
  let batches = 0;
  while (i < items.length) {
    const size = 1 + Math.floor(r() * 7);
    for (const item of items.slice(i, i + size)) feed(buffer, item);
    i += size;
    for (const h of buffer.release().released) out.push(h.id);
    log.push(...buffer.drain());
    batches += 1;
    if (restoreEvery > 0 && batches % restoreEvery === 0) {
      buffer = new ReleaseBuffer(1_000_000);
      expect(buffer.restore(latest(log))).toEqual([]);
      buffer.expect(sources);
    }
  }
  return out;
}

describe('ReleaseBuffer', () => {
  const sources = ['github/0', 'google_workspace/0', 'salesforce/0'];
  const parts = sources.map((s, k) => rawPartition(s, 60, 11 + k));
  const all = parts.flat().filter((i) => i.kind === 'activity');

  it('releases the same sequence whatever the interleaving, batching and moves: the global stage-2 order', () => {
    const reference = drive(interleave(parts, 1), sources, 1);
    expect(reference).toHaveLength(all.length);
    // the shared order: ordering time, event time, source, id (what `run` and serve use)
    const sorted = [...all]
      .sort((a, b) => {
        if (a.kind !== 'activity' || b.kind !== 'activity') return 0;
        const ta = Date.parse(a.activity['@timestamp']);
        const tb = Date.parse(b.activity['@timestamp']);
        return a.order - b.order || ta - tb || (a.activity.event.id < b.activity.event.id ? -1 : 1);
      })
      .map((i) => (i.kind === 'activity' ? i.activity.event.id : ''));
    expect(reference).toEqual(sorted);
    // not trivially in input order: the interleaving differs from the released order
    const input = interleave(parts, 1).flatMap((i) => (i.kind === 'activity' ? [i.activity.event.id] : []));
    expect(input).not.toEqual(reference);
    for (let seed = 2; seed < 12; seed++) {
      expect(drive(interleave(parts, seed), sources, seed * 7), `seed ${seed}`).toEqual(reference);
      expect(drive(interleave(parts, seed), sources, seed * 13, 3), `seed ${seed}, restored`).toEqual(
        reference,
      );
    }
  });

  it('holds everything while an expected source has not spoken, unless it is known to be empty', () => {
    const buffer = new ReleaseBuffer(100);
    buffer.expect(['a/0', 'b/0']);
    buffer.add('1', T0, activity('github', '1', T0), Buffer.from('{}'));
    buffer.watermark('a/0', T0 + MIN);
    expect(buffer.release().released).toHaveLength(0);
    expect(buffer.lowWatermark()).toBe(Number.NEGATIVE_INFINITY);
    buffer.expect(['a/0', 'b/0'], ['b/0']);
    expect(buffer.release().released.map((h) => h.id)).toEqual(['1']);
    // once the empty source speaks, its watermark counts
    buffer.watermark('b/0', T0 - MIN);
    buffer.add('2', T0, activity('github', '2', T0), Buffer.from('{}'));
    expect(buffer.release().released).toHaveLength(0);
    buffer.watermark('b/0', Number.POSITIVE_INFINITY);
    expect(buffer.release()).toMatchObject({ released: [{ id: '2' }], low: T0 + MIN });
    buffer.watermark('a/0', Number.POSITIVE_INFINITY);
    expect(buffer.lowWatermark()).toBe(Number.POSITIVE_INFINITY);
  });

  it('releases the oldest early past its cap, and counts them', () => {
    const buffer = new ReleaseBuffer(2);
    buffer.expect(['a/0']);
    for (const k of [3, 1, 2, 5])
      buffer.add(String(k), T0 + k, activity('github', String(k), T0 + k), Buffer.from('{}'));
    const r = buffer.release();
    expect(r.forced).toBe(2);
    expect(r.released.map((h) => h.id)).toEqual(['1', '2']);
    expect(buffer.size).toBe(2);
  });

  it('writes its watermarks and buffered activities to the changelog and restores them (tombstones too)', () => {
    const buffer = new ReleaseBuffer(100);
    buffer.expect(['a/0']);
    buffer.add(
      '7',
      T0,
      activity('github', 'x', T0),
      Buffer.from(JSON.stringify(activity('github', 'x', T0))),
    );
    buffer.add(
      '8',
      T0 + MIN,
      activity('github', 'y', T0 + MIN),
      Buffer.from(JSON.stringify(activity('github', 'y', T0 + MIN))),
    );
    buffer.watermark('a/0', T0 + 1);
    expect(buffer.release().released.map((h) => h.id)).toEqual(['x']);
    const log = buffer.drain();
    expect(log.map((r) => [r.key, r.value === null])).toEqual([
      ['b\u00007', false],
      ['b\u00008', false],
      ['w\u0000a/0', false],
      ['b\u00007', true],
    ]);
    const other = { key: 'e\u0000token\u0000t', value: Buffer.from('j{}') };
    const copy = new ReleaseBuffer(100);
    expect(copy.restore([...latest(log), other])).toEqual([other]);
    copy.expect(['a/0']);
    expect(copy.size).toBe(1);
    expect(copy.lowWatermark()).toBe(T0 + 1);
    copy.watermark('a/0', Number.POSITIVE_INFINITY);
    expect(copy.release().released.map((h) => [h.id, h.value.toString()])).toEqual([
      ['y', JSON.stringify(activity('github', 'y', T0 + MIN))],
    ]);
    expect(() => copy.restore([{ key: 'w\u0000b/0', value: Buffer.from('j"soon"') }])).toThrow(
      /corrupt changelog/,
    );
  });
});

describe('orderingTime', () => {
  it('is the event time, or the partition watermark for a record later than the lateness (serve reorder rule)', () => {
    expect(orderingTime(Number.NEGATIVE_INFINITY, T0, LATENESS)).toEqual({ order: T0, late: false });
    expect(orderingTime(T0, T0 - LATENESS, LATENESS)).toEqual({ order: T0 - LATENESS, late: false });
    expect(orderingTime(T0, T0 - LATENESS - 1, LATENESS)).toEqual({ order: T0 - LATENESS, late: true });
  });
});
