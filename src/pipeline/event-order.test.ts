import { describe, expect, it } from 'vitest';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { compareEventOrder, contentKey, eventOrderKey } from './event-order.js';
import { mergeByEventTime } from './merge.js';
import type { Normalized } from './pipeline.js';
import { sortByEventTime } from './sort-by-time.js';

const act = (id: string, ts: string, source: string, extra: Record<string, unknown> = {}): TokenActivity =>
  ({ '@timestamp': ts, event: { id, module: source, ...extra } }) as unknown as TokenActivity;
const item = (a: TokenActivity): Normalized => ({ kind: 'activity', activity: a });
const ids = (out: Iterable<Normalized>) =>
  [...out].flatMap((o) => (o.kind === 'activity' ? [o.activity.event.id] : []));

const T = '2025-06-01T10:00:00.000Z';

describe('the stage-2 order', () => {
  it('breaks event-time ties by source, then event.id, then content without event.ingested', () => {
    const keys = [
      act('b', T, 'salesforce'),
      act('z', T, 'github'),
      act('a', T, 'github'),
      act('a', '2025-06-01T09:00:00.000Z', 'salesforce'),
    ].map((a) => eventOrderKey(a));
    expect(keys.sort(compareEventOrder).map((k) => `${k.source}:${k.id}`)).toEqual([
      'salesforce:a',
      'github:a',
      'github:z',
      'salesforce:b',
    ]);
    const x = act('c', T, 'github', { ingested: '2026-01-01T00:00:00Z', action: 'b' });
    const y = act('c', T, 'github', { action: 'a' });
    expect(contentKey(x)).not.toContain('ingested');
    expect(compareEventOrder(eventOrderKey(x), eventOrderKey(y))).toBeGreaterThan(0);
  });

  it('makes run independent of how records are split over files and in which order files come', () => {
    const all = [
      act('g1', T, 'github'),
      act('s1', T, 'salesforce'),
      act('w1', T, 'google_workspace'),
      act('g0', '2025-06-01T09:59:00.000Z', 'github'),
      act('g2', T, 'github'),
    ];
    const run = (files: TokenActivity[][]) =>
      ids(mergeByEventTime(files.map((f) => sortByEventTime(f.map(item)))));
    const expected = ['g0', 'g1', 'g2', 'w1', 's1'];
    expect(run([all])).toEqual(expected);
    expect(
      run([
        [all[1] as TokenActivity, all[4] as TokenActivity],
        [all[0] as TokenActivity],
        [all[2] as TokenActivity, all[3] as TokenActivity],
      ]),
    ).toEqual(expected);
    expect(
      run([
        [all[2] as TokenActivity, all[3] as TokenActivity],
        [all[0] as TokenActivity],
        [all[4] as TokenActivity, all[1] as TokenActivity],
      ]),
    ).toEqual(expected);
  });
});
