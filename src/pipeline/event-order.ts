import type { TokenActivity } from '../../schemas/token-activity.js';

/**
 * The one order in which stage 2 (detection) sees activities, in every mode: `tokenwatch run`
 * (each input sorted, inputs merged: sort-by-time.ts, merge.ts) and `tokenwatch serve` (its
 * event-time release buffer: src/serve/reorder.ts). The key holds only what every mode has for
 * the same record, never where it was read (file name, topic, partition, offset):
 *
 * 1. `order`: the ordering time, epoch ms (the event time; serve raises a record that arrives
 *    later than its partition's lateness allows to the partition's watermark, see reorder.ts);
 * 2. `ts`: the event time (`@timestamp`), epoch ms;
 * 3. `source` (`event.module`);
 * 4. `id` (`event.id`);
 * 5. the activity's content (its JSON without `event.ingested`, which serve stamps on read): only
 *    when two records share source, id and time (an id collision), so the order stays total.
 */
export interface EventOrderKey {
  order: number;
  ts: number;
  source: string;
  id: string;
  activity: TokenActivity;
}

/** The activity as JSON without the per-mode `event.ingested` (the last tie-break). */
export function contentKey(activity: TokenActivity): string {
  const { ingested: _ingested, ...event } = activity.event;
  return JSON.stringify({ ...activity, event });
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Compares two keys in the order above (negative: `a` first). */
export function compareEventOrder(a: EventOrderKey, b: EventOrderKey): number {
  return (
    a.order - b.order ||
    a.ts - b.ts ||
    cmp(a.source, b.source) ||
    cmp(a.id, b.id) ||
    (a.activity === b.activity ? 0 : cmp(contentKey(a.activity), contentKey(b.activity)))
  );
}

/** The key of an activity whose ordering time is its event time (`run`, and serve when not late). */
export function eventOrderKey(activity: TokenActivity, order?: number): EventOrderKey {
  const ts = Date.parse(activity['@timestamp']);
  return { order: order ?? ts, ts, source: activity.event.module, id: activity.event.id, activity };
}
