import { describe, expect, it } from 'vitest';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { ReorderBuffer } from './reorder.js';

const MIN = 60_000;
const T0 = Date.parse('2025-06-01T00:00:00Z');

const act = (id: string, min: number, source = 'github'): TokenActivity =>
  ({
    '@timestamp': new Date(T0 + min * MIN).toISOString(),
    event: { id, module: source },
  }) as unknown as TokenActivity;

interface Msg {
  topic: string;
  partition: number;
  offset: number;
  activity: TokenActivity;
}

/** Two partitions' contents: each in its own (event-time, mostly) order. */
const P0: Msg[] = [0, 2, 4, 9, 6, 12, 15].map((m, i) => ({
  topic: 'raw.github',
  partition: 0,
  offset: i,
  activity: act(`g${m}`, m),
}));
const P1: Msg[] = [1, 2, 3, 7, 8, 11, 14, 16].map((m, i) => ({
  topic: 'raw.salesforce',
  partition: 0,
  offset: i,
  activity: act(`s${m}`, m, 'salesforce'),
}));

/**
 * Feeds the partitions chunk by chunk in the interleaving `plan` (a list of partition indexes,
 * one chunk of `size` messages each) and returns the ids in the order they were released.
 */
function drive(plan: number[], size: number, latenessMs = 5 * MIN, max = 1000): string[] {
  const parts = [P0, P1];
  const buf = new ReorderBuffer(latenessMs, max);
  buf.assign([
    { topic: 'raw.github', partitions: [0] },
    { topic: 'raw.salesforce', partitions: [0] },
  ]);
  const at = [0, 0];
  const out: string[] = [];
  for (const i of plan) {
    const p = parts[i] as Msg[];
    const chunk = p.slice(at[i], (at[i] as number) + size);
    if (chunk.length === 0) continue;
    for (const m of chunk)
      buf.add({ topic: m.topic, partition: m.partition, offset: String(m.offset) }, m.activity);
    at[i] = (at[i] as number) + chunk.length;
    const first = p[0] as Msg;
    buf.read(first.topic, first.partition, String(at[i]), String(p.length));
    out.push(...buf.release().released.map((b) => b.id));
  }
  return out;
}

describe('ReorderBuffer', () => {
  it('releases in the same order whatever the interleaving and chunking of the partitions', () => {
    const sorted = [...P0, ...P1]
      .map((m) => m.activity)
      .sort(
        (a, b) =>
          Date.parse(a['@timestamp']) - Date.parse(b['@timestamp']) ||
          (a.event.module < b.event.module ? -1 : 1),
      )
      .map((a) => a.event.id);
    const a = drive([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1], 1);
    const b = drive([1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1], 1);
    const c = drive([1, 1, 0, 0, 1, 0], 3);
    // g6 comes after g9 in its partition: 3 minutes behind, within the 5-minute lateness
    expect(a).toEqual(sorted);
    expect(b).toEqual(sorted);
    expect(c).toEqual(sorted);
  });

  it('orders a record later than the lateness at its partition watermark, the same in every interleaving', () => {
    const a = drive([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1], 1, 2 * MIN);
    const b = drive([1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], 1, 2 * MIN);
    expect(a).toEqual(b);
    // g6 arrives after g9 (3 min behind, lateness 2): ordered at 9 - 2 = 7 min, which ties s7's
    // ordering time; the event time (6 < 7) breaks the tie
    expect(a.indexOf('g6')).toBeGreaterThan(a.indexOf('s3'));
    expect(a.indexOf('g6')).toBeLessThan(a.indexOf('s7'));
  });

  it('holds everything while an assigned partition has not been read, then releases when it is empty', () => {
    const buf = new ReorderBuffer(MIN, 1000);
    const unknown = buf.assign([{ topic: 't', partitions: [0, 1] }]);
    expect(unknown).toEqual([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
    buf.add({ topic: 't', partition: 0, offset: '0' }, act('a', 0));
    buf.read('t', 0, '1', '1');
    expect(buf.release().released).toEqual([]);
    buf.setExtent('t', 1, '0', '0'); // partition 1 is empty
    expect(buf.release().released.map((b) => b.id)).toEqual(['a']);
  });

  it('lets the oldest out early past its cap and counts them as forced', () => {
    const buf = new ReorderBuffer(MIN, 2);
    buf.assign([{ topic: 't', partitions: [0, 1] }]);
    for (const [i, m] of [5, 1, 3, 4].entries())
      buf.add({ topic: 't', partition: 0, offset: String(i) }, act(`a${m}`, m));
    buf.read('t', 0, '4', '10');
    const r = buf.release();
    expect(r.forced).toBe(2);
    expect(r.released.map((b) => b.id)).toEqual(['a1', 'a3']);
    expect(buf.size).toBe(2);
  });

  it('keeps the oldest buffered offset per partition and survives its JSON form', () => {
    const buf = new ReorderBuffer(MIN, 1000);
    buf.assign([{ topic: 't', partitions: [0, 1] }]);
    buf.add({ topic: 't', partition: 0, offset: '7' }, act('a', 10));
    buf.add({ topic: 't', partition: 0, offset: '9' }, act('b', 0));
    buf.read('t', 0, '10', '20');
    expect(buf.release().released).toEqual([]);
    expect(buf.minOffset('t', 0)).toBe('7');
    expect(buf.minOffset('t', 1)).toBeUndefined();
    const back = ReorderBuffer.fromJSON(JSON.parse(JSON.stringify(buf.toJSON())), MIN, 1000);
    expect(back.size).toBe(2);
    back.assign([{ topic: 't', partitions: [0] }]);
    back.read('t', 0, '20', '20');
    expect(back.release().released.map((b) => b.id)).toEqual(['b', 'a']);
    // the partition watermark (10 min) came back too: with a 1-minute lateness, 9 is in time, 5 late
    expect(back.add({ topic: 't', partition: 0, offset: '20' }, act('c', 9))).toBe(false);
    expect(back.add({ topic: 't', partition: 0, offset: '21' }, act('d', 5))).toBe(true);
  });
});
