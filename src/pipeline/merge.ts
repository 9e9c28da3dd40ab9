import { compareEventOrder, type EventOrderKey, eventOrderKey } from './event-order.js';
import type { Normalized } from './pipeline.js';

interface Head {
  it: Iterator<Normalized>;
  next: Normalized & { kind: 'activity' };
  key: EventOrderKey;
}

/**
 * Merges several per-input streams of {@link Normalized} items into one stream in which the
 * activities are ordered by the shared stage-2 order across inputs (event-order.ts: event time,
 * then source, `event.id`, content; never the input's name or position, so `serve`, which has no
 * files, can release the same records in the same order). k-way merge; each input is expected in
 * that order: `runFiles` sorts each one first with `sort-by-time.ts`; disorder within one
 * input would pass through as late events). Dead letters and skips are yielded as soon as they are read. Lazy: holds one
 * item per input.
 */
export function* mergeByEventTime(inputs: Iterable<Normalized>[]): Generator<Normalized> {
  const heads: Head[] = [];
  const pending: Normalized[] = [];
  const advance = (it: Iterator<Normalized>): Head | undefined => {
    for (let r = it.next(); !r.done; r = it.next()) {
      const v = r.value;
      if (v.kind === 'activity') return { it, next: v, key: eventOrderKey(v.activity) };
      pending.push(v);
    }
    return undefined;
  };
  for (const input of inputs) {
    const h = advance(input[Symbol.iterator]());
    if (h) heads.push(h);
  }
  while (pending.length > 0 || heads.length > 0) {
    while (pending.length > 0) yield pending.shift() as Normalized;
    if (heads.length === 0) break;
    let min = 0;
    for (let i = 1; i < heads.length; i++)
      if (compareEventOrder((heads[i] as Head).key, (heads[min] as Head).key) < 0) min = i;
    const head = heads[min] as Head;
    yield head.next;
    const h = advance(head.it);
    if (h) heads[min] = h;
    else heads.splice(min, 1);
  }
}
