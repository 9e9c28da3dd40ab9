import type { TokenActivity } from '../../schemas/token-activity.js';
import { compareEventOrder, type EventOrderKey, eventOrderKey } from '../pipeline/event-order.js';
import { type ChangelogRecord, decodeValue, encodeValue } from './task-state.js';

/** An activity waiting in a {@link ReleaseBuffer}, with its message text (forwarded as is). */
export interface Held extends EventOrderKey {
  /** Buffer key: unique per input message (the detect stage: offset; the org stage: `<partition>/<offset>`). */
  key: string;
  /** The activity message value as read (JSON text). */
  value: Buffer;
}

/** What {@link ReleaseBuffer.release} hands on. */
export interface TopologyRelease {
  /** In the shared stage-2 order (pipeline/event-order.ts). */
  released: Held[];
  /** Of those, released because the buffer was over its cap, before the watermark passed them. */
  forced: number;
  /** The low watermark the release used (epoch ms; +Infinity: no source holds anything back). */
  low: number;
}

const SEP = '\u0000';
const BUFFERED = 'b';
const WATERMARK = 'w';

/**
 * The event-time release buffer of one topology task (a detect task: one activity partition; the
 * org task): the topology's counterpart of serve's src/serve/reorder.ts, with the same rule, so
 * the order in which a task's pipeline sees activities depends only on what its upstream
 * partitions contain, not on how they were interleaved, batched or moved.
 *
 * - **Sources** are the upstream partitions that feed the task: for a detect task every raw
 *   topic partition (the normalize stage writes each raw partition's records to every activity
 *   partition in that partition's order, then one watermark message per batch); for the org task
 *   every activity partition (the detect tasks forward released activities, then their low
 *   watermark). A source's *watermark* is the latest it sent: no later activity from it has an
 *   ordering time below it; +Infinity means the source was read to its end (it holds nothing back,
 *   as a partition read to its high watermark in serve).
 * - Each activity carries its *ordering time*, computed once by the normalize stage per raw
 *   partition exactly as serve does (event time, or the partition's watermark for a record later
 *   than the lateness allows).
 * - The **low watermark** is the smallest watermark over the expected sources, skipping sources
 *   read to their end and sources known to be empty (`idle`: a raw partition with no record,
 *   found by a start-up lookup, since no normalize batch will ever speak for it); a source that has
 *   not spoken yet and is not known to be empty holds it at -Infinity (nothing is released).
 * - Activities whose ordering time is below the low watermark are released in the shared stage-2
 *   order (ordering time, event time, source, `event.id`, content). Past `maxBuffered` the
 *   oldest are released early (`forced`), as in serve: the order is then no longer guaranteed.
 * - Every change (an activity buffered or released, a source watermark) is a changelog record
 *   (`b\0<key>`, `w\0<source>`), so a task restored from its changelog resumes with exactly the
 *   buffer and watermarks its previous owner committed.
 */
export class ReleaseBuffer {
  private readonly held = new Map<string, Held>();
  private readonly watermarks = new Map<string, number>();
  private expected: readonly string[] = [];
  private idle: ReadonlySet<string> = new Set();
  private changes: ChangelogRecord[] = [];

  /** @param maxBuffered activities held before the oldest are released early */
  constructor(readonly maxBuffered: number) {}

  /** Activities waiting. */
  get size(): number {
    return this.held.size;
  }

  /**
   * The sources whose watermarks gate the release, and those known to be empty (they hold
   * nothing back until they send a watermark).
   */
  expect(sources: readonly string[], idle: Iterable<string> = []): void {
    this.expected = [...sources];
    this.idle = new Set(idle);
  }

  /** Whether the expected sources were set (see {@link expect}). */
  get hasSources(): boolean {
    return this.expected.length > 0;
  }

  /** Records a source's watermark (epoch ms; +Infinity: read to its end); the latest wins. */
  watermark(source: string, watermarkMs: number): void {
    if (Number.isNaN(watermarkMs) || this.watermarks.get(source) === watermarkMs) return;
    this.watermarks.set(source, watermarkMs);
    this.changes.push({ key: `${WATERMARK}${SEP}${source}`, value: encodeValue(String(watermarkMs)) });
  }

  /** Buffers an activity read as `value` under `key` with its ordering time `orderMs`. */
  add(key: string, orderMs: number, activity: TokenActivity, value: Buffer): void {
    this.held.set(key, { ...eventOrderKey(activity, orderMs), key, value });
    this.changes.push({
      key: `${BUFFERED}${SEP}${key}`,
      value: encodeValue({ order: orderMs, value: value.toString('utf8') }),
    });
  }

  /** The low watermark (see the class comment). */
  lowWatermark(): number {
    if (this.expected.length === 0) return Number.NEGATIVE_INFINITY;
    let low = Number.POSITIVE_INFINITY;
    for (const s of this.expected) {
      const w = this.watermarks.get(s);
      if (w === undefined) {
        if (this.idle.has(s)) continue;
        return Number.NEGATIVE_INFINITY;
      }
      if (w < low) low = w;
    }
    return low;
  }

  /** Takes out what the low watermark passed (and the oldest past the cap), in stage-2 order. */
  release(): TopologyRelease {
    const low = this.lowWatermark();
    let ready: Held[] = [];
    const rest: Held[] = [];
    for (const h of this.held.values()) (h.order < low ? ready : rest).push(h);
    let forced = 0;
    if (rest.length > this.maxBuffered) {
      rest.sort(compareEventOrder);
      forced = rest.length - this.maxBuffered;
      ready = ready.concat(rest.slice(0, forced));
    }
    ready.sort(compareEventOrder);
    for (const h of ready) {
      this.held.delete(h.key);
      this.changes.push({ key: `${BUFFERED}${SEP}${h.key}`, value: null });
    }
    return { released: ready, forced, low };
  }

  /** Changelog records for every change since the last call, in the order they happened. */
  drain(): ChangelogRecord[] {
    const out = this.changes;
    this.changes = [];
    return out;
  }

  /**
   * Applies the changelog records this class owns (latest value per key, as TaskState.restore
   * hands them); returns the others.
   * @throws Error on a malformed record (a corrupt changelog is never skipped silently)
   */
  restore(records: readonly ChangelogRecord[]): ChangelogRecord[] {
    const other: ChangelogRecord[] = [];
    for (const r of records) {
      const at = r.key.indexOf(SEP);
      const head = at < 0 ? r.key : r.key.slice(0, at);
      const rest = r.key.slice(at + 1);
      if (at < 0 || (head !== BUFFERED && head !== WATERMARK)) {
        other.push(r);
        continue;
      }
      if (r.value === null) {
        if (head === BUFFERED) this.held.delete(rest);
        else this.watermarks.delete(rest);
        continue;
      }
      try {
        if (head === BUFFERED) {
          const { order, value } = decodeValue(r.value) as { order: number; value: string };
          const activity = JSON.parse(value) as TokenActivity;
          this.held.set(rest, {
            ...eventOrderKey(activity, order),
            key: rest,
            value: Buffer.from(value, 'utf8'),
          });
        } else {
          const w = Number(decodeValue(r.value));
          if (Number.isNaN(w)) throw new Error('watermark is not a number');
          this.watermarks.set(rest, w);
        }
      } catch (cause) {
        throw new Error(`corrupt changelog record ${JSON.stringify(r.key)}: ${(cause as Error).message}`, {
          cause,
        });
      }
    }
    return other;
  }
}
