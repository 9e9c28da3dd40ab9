import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { compareEventOrder, type EventOrderKey, eventOrderKey } from './event-order.js';
import { fileLines } from './file-lines.js';
import type { Normalized } from './pipeline.js';

/**
 * Event-time order inside one input (a file, an API page): vendors export newest-first (GitHub's
 * audit-log export, Google Reports API pages) or in delivery order, while stage 2 learns baselines
 * and judges each event against the history before it. {@link sortByEventTime} re-orders one
 * input's activities by the shared stage-2 order (event-order.ts: `@timestamp`, then source,
 * `event.id` and content, so the order does not depend on the input's own order), in bounded memory: activities are buffered up to a shared budget
 * ({@link SortBudget}); past it, sorted runs are spilled to temporary NDJSON files and merged.
 * Dead letters and skips pass through as soon as they are read.
 */

/** In-memory activity budget shared by every input of a run. */
export class SortBudget {
  used = 0;
  /**
   * @param maxActivities activities held in memory across all inputs before runs are spilled
   * @param minRun smallest run spilled while the budget is exhausted (avoids tiny runs)
   * @param dir parent of the temporary directory (default the OS temp dir)
   */
  constructor(
    readonly maxActivities = 200_000,
    readonly minRun = 4096,
    readonly dir: string = tmpdir(),
  ) {}
}

type Keyed = EventOrderKey;

const byTime = compareEventOrder;

const keyed = (activity: TokenActivity): Keyed => eventOrderKey(activity);

/**
 * Reads one spilled run back, one activity at a time, through a small buffer (file-lines.ts: lines
 * cut on bytes, so a multi-byte character across two reads stays whole).
 */
class RunReader {
  private readonly lines: Generator<string>;

  constructor(readonly path: string) {
    this.lines = fileLines(path, 256 * 1024);
  }

  next(): Keyed | undefined {
    const r = this.lines.next();
    return r.done ? undefined : keyed(JSON.parse(r.value) as TokenActivity);
  }

  close(): void {
    this.lines.return(undefined);
  }
}

/**
 * Yields `items` with the activities in event-time order (see the module comment). Lazy in its
 * output, but reads its whole input before the first activity comes out. Temporary files are
 * removed when the generator finishes or is closed.
 */
export function* sortByEventTime(
  items: Iterable<Normalized>,
  budget: SortBudget = new SortBudget(),
): Generator<Normalized> {
  let buffer: Keyed[] = [];
  const runs: string[] = [];
  let dir: string | undefined;
  const spill = (): void => {
    buffer.sort(byTime);
    dir ??= mkdtempSync(join(budget.dir, 'tokenwatch-sort-'));
    const path = join(dir, `run-${runs.length}.ndjson`);
    const fd = openSync(path, 'w');
    try {
      let text = '';
      for (const k of buffer) {
        text += `${JSON.stringify(k.activity)}\n`;
        if (text.length > 1 << 20) {
          writeSync(fd, text);
          text = '';
        }
      }
      if (text !== '') writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    runs.push(path);
    budget.used -= buffer.length;
    buffer = [];
  };
  const readers: RunReader[] = [];
  let released = 0;
  try {
    for (const item of items) {
      if (item.kind !== 'activity') {
        yield item;
        continue;
      }
      buffer.push(keyed(item.activity));
      budget.used += 1;
      if (budget.used > budget.maxActivities && buffer.length >= budget.minRun) spill();
    }
    if (runs.length === 0) {
      buffer.sort(byTime);
      // yield from the front, releasing each activity (and its budget share) as it goes
      for (let i = 0; i < buffer.length; i++) {
        const k = buffer[i] as Keyed;
        buffer[i] = undefined as unknown as Keyed;
        budget.used -= 1;
        released += 1;
        yield { kind: 'activity', activity: k.activity };
      }
      return;
    }
    if (buffer.length > 0) spill();
    // k-way merge of the sorted runs
    const heads: { reader: RunReader; head: Keyed }[] = [];
    for (const path of runs) {
      const reader = new RunReader(path);
      readers.push(reader);
      const head = reader.next();
      if (head) heads.push({ reader, head });
    }
    while (heads.length > 0) {
      let min = 0;
      for (let i = 1; i < heads.length; i++)
        if (byTime((heads[i] as (typeof heads)[0]).head, (heads[min] as (typeof heads)[0]).head) < 0) min = i;
      const h = heads[min] as (typeof heads)[0];
      yield { kind: 'activity', activity: h.head.activity };
      const next = h.reader.next();
      if (next) h.head = next;
      else heads.splice(min, 1);
    }
  } finally {
    budget.used -= buffer.length - released;
    for (const r of readers) r.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
