import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { compareEventOrder, type EventOrderKey, eventOrderKey } from './event-order.js';
import { fileLines } from './file-lines.js';
import type { Normalized } from './pipeline.js';
import { SortBudget, sortByEventTime } from './sort-by-time.js';

/**
 * The event-time order of a whole `tokenwatch run`, in memory bounded by the input's event rate,
 * not by its size or its number of files.
 *
 * Stage 2 must see every activity of every input in the shared stage-2 order (event-order.ts), and
 * no input can be trusted to be sorted (vendors export newest-first, in delivery order, and a day
 * file holds records of the day before) or to cover the time range its name suggests. So
 * `runFiles` reads its inputs one after another (one open input file), normalizes each record once,
 * and hands every activity to {@link TimeOrder.add}:
 *
 * - up to `maxInMemory` activities are simply held (a small run never touches the disk);
 * - past that, every activity is written as one JSON line to the temporary file of its event-time
 *   partition (one hour of `@timestamp` by default), through a write buffer bounded in bytes;
 * - {@link TimeOrder.drain} then yields the activities partition by partition in time order, each
 *   partition read back and sorted on its own (past `maxInMemory` activities in one partition, in
 *   sorted runs on disk: sort-by-time.ts), and deletes each file once read.
 *
 * Every activity of an hour is in that hour's partition whatever file it came from, so the output
 * is exactly the global sort by the stage-2 order: the same sequence the previous per-file sort and
 * k-way merge gave, with nothing late and no assumption about file names or ranges. Memory: at most
 * `maxInMemory` activities, or one partition's (itself capped by the same budget), plus the write
 * buffer. Activities that went to disk come back as their JSON (`undefined` members dropped: the
 * same round trip the alert and activity outputs make).
 */

/** Options of {@link TimeOrder}. */
export interface TimeOrderOptions {
  /**
   * Activities held in memory: the whole run's while it has no more, then one partition's (a
   * partition holding more is sorted in runs on disk). Default {@link DEFAULT_MAX_IN_MEMORY}.
   */
  maxInMemory?: number;
  /** Event-time width of one partition, ms (default one hour). */
  partitionMs?: number;
  /** Serialized activities buffered across partitions before being appended to their files, bytes (default 8 MiB). */
  writeBufferBytes?: number;
  /** Parent of the temporary directory (default the OS temp dir). */
  dir?: string;
}

/**
 * Activities held in memory by default. Measured on the 5,000-token bench input: about 3 KB of
 * heap per held activity, so 50,000 is about 150 MB; a day of 5,000 tokens is about 31,000.
 */
export const DEFAULT_MAX_IN_MEMORY = 50_000;

/** What a {@link TimeOrder} did, for tests and the benchmark. */
export interface TimeOrderStats {
  /** Activities added. */
  activities: number;
  /** Most activities held in memory at once (read, not yet released). */
  peakInMemory: number;
  /** Activities written to partition files (0 when the run fit in memory). */
  spilled: number;
  /** Partition files written. */
  partitions: number;
}

/** Reads one partition file back, one activity at a time. */
function* readPartition(path: string): Generator<Normalized> {
  for (const line of fileLines(path)) yield { kind: 'activity', activity: JSON.parse(line) as TokenActivity };
}

/** Sorts the activities of a run by the stage-2 order in bounded memory (see the module comment). */
export class TimeOrder {
  readonly maxInMemory: number;
  readonly partitionMs: number;
  readonly writeBufferBytes: number;
  private readonly parentDir: string;
  private held: EventOrderKey[] = [];
  private dir: string | undefined;
  /** Pending serialized lines per partition index, and their total length. */
  private pending = new Map<number, string[]>();
  private pendingChars = 0;
  /** Partition indexes with a file. */
  private readonly written = new Set<number>();
  private draining = false;
  private readonly counters: TimeOrderStats = { activities: 0, peakInMemory: 0, spilled: 0, partitions: 0 };

  constructor(options: TimeOrderOptions = {}) {
    this.maxInMemory = options.maxInMemory ?? DEFAULT_MAX_IN_MEMORY;
    this.partitionMs = options.partitionMs ?? 3_600_000;
    this.writeBufferBytes = options.writeBufferBytes ?? 8 * 1024 * 1024;
    this.parentDir = options.dir ?? tmpdir();
    if (!(this.maxInMemory >= 1) || !(this.partitionMs >= 1))
      throw new RangeError('TimeOrder: maxInMemory and partitionMs must be at least 1');
  }

  /** Counters so far (see {@link TimeOrderStats}). */
  get stats(): Readonly<TimeOrderStats> {
    return this.counters;
  }

  /** True once activities went to partition files. */
  get spilling(): boolean {
    return this.dir !== undefined;
  }

  /**
   * Takes one activity (before {@link drain}).
   * @throws Error when called after drain started; fs errors when a partition file cannot be written.
   */
  add(activity: TokenActivity): void {
    if (this.draining) throw new Error('TimeOrder.add after drain');
    this.counters.activities += 1;
    if (this.dir === undefined) {
      this.held.push(eventOrderKey(activity));
      if (this.held.length > this.counters.peakInMemory) this.counters.peakInMemory = this.held.length;
      if (this.held.length > this.maxInMemory) this.spillHeld();
      return;
    }
    this.write(activity);
  }

  /**
   * Yields every activity added, in the stage-2 order, releasing each as it goes; partition files
   * are deleted as they are read and the temporary directory when the generator ends or is closed.
   */
  *drain(): Generator<TokenActivity> {
    this.draining = true;
    try {
      if (this.dir === undefined) {
        const held = this.held;
        this.held = [];
        held.sort(compareEventOrder);
        for (let i = 0; i < held.length; i++) {
          const k = held[i] as EventOrderKey;
          held[i] = undefined as unknown as EventOrderKey;
          yield k.activity;
        }
        return;
      }
      this.flush();
      // Partitions in time order; one whose time is not a number (an activity without a valid
      // `@timestamp`, which normalizers do not produce) last.
      const indexes = [...this.written].sort((a, b) => (Number.isNaN(a) ? 1 : Number.isNaN(b) ? -1 : a - b));
      const dir = this.dir;
      for (const index of indexes) {
        const path = join(dir, this.fileName(index));
        const budget = new SortBudget(this.maxInMemory, Math.min(4096, this.maxInMemory), dir);
        const counters = this.counters;
        const read = function* (): Generator<Normalized> {
          for (const item of readPartition(path)) {
            if (budget.used + 1 > counters.peakInMemory) counters.peakInMemory = budget.used + 1;
            yield item;
          }
        };
        try {
          for (const item of sortByEventTime(read(), budget))
            if (item.kind === 'activity') yield item.activity;
        } finally {
          rmSync(path, { force: true });
        }
      }
    } finally {
      this.close();
    }
  }

  /** Deletes the temporary files (also done by {@link drain} at its end). Idempotent. */
  close(): void {
    this.held = [];
    this.pending.clear();
    this.pendingChars = 0;
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
  }

  private fileName(index: number): string {
    return `p${Number.isNaN(index) ? 'nan' : index}.ndjson`;
  }

  private spillHeld(): void {
    this.dir = mkdtempSync(join(this.parentDir, 'tokenwatch-order-'));
    const held = this.held;
    this.held = [];
    for (const k of held) this.write(k.activity);
  }

  private write(activity: TokenActivity): void {
    const index = Math.floor(Date.parse(activity['@timestamp']) / this.partitionMs);
    const line = `${JSON.stringify(activity)}\n`;
    let parts = this.pending.get(index);
    if (parts === undefined) {
      parts = [];
      this.pending.set(index, parts);
    }
    parts.push(line);
    this.pendingChars += line.length;
    this.counters.spilled += 1;
    if (this.pendingChars >= this.writeBufferBytes) this.flush();
  }

  /** Appends every partition's pending lines to its file (one file open at a time). */
  private flush(): void {
    const dir = this.dir;
    if (dir === undefined) return;
    for (const [index, parts] of this.pending) {
      appendFileSync(join(dir, this.fileName(index)), parts.join(''));
      if (!this.written.has(index)) {
        this.written.add(index);
        this.counters.partitions += 1;
      }
    }
    this.pending.clear();
    this.pendingChars = 0;
  }
}
