import type { TokenActivity } from '../../schemas/token-activity.js';
import type { MessageOrigin } from '../kafka/messages.js';
import { compareEventOrder, type EventOrderKey, eventOrderKey } from '../pipeline/event-order.js';

/** An activity normalized by stage 1, waiting for stage 2 in the {@link ReorderBuffer}. */
export interface Buffered extends EventOrderKey {
  origin: MessageOrigin;
  /** Insertion number (unique in the buffer, kept in checkpoints): names it in a {@link ReorderDelta}. */
  seq: number;
}

/** One buffered activity as saved. */
export interface BufferedJSON {
  order: number;
  origin: MessageOrigin;
  activity: TokenActivity;
  /** Absent in checkpoints written before incremental checkpoints (numbered on load). */
  seq?: number;
}

/** JSON form of a {@link ReorderBuffer} (kept in serve's checkpoint, see checkpoint.ts). */
export interface ReorderSnapshot {
  version: 1;
  /** Highest event time read so far per partition (epoch ms). */
  partitions: { topic: string; partition: number; maxTs: number }[];
  buffered: BufferedJSON[];
  /** The next insertion number (absent in older checkpoints). */
  nextSeq?: number;
}

/**
 * What changed in a {@link ReorderBuffer} since its last persisted form (an incremental
 * checkpoint, checkpoint.ts): activities added (with their `seq`), the `seq`s of persisted ones
 * released since, and every partition's highest event time.
 */
export interface ReorderDelta {
  partitions: ReorderSnapshot['partitions'];
  added: BufferedJSON[];
  removed: number[];
  nextSeq: number;
}

/**
 * Applies a {@link ReorderDelta} to a saved snapshot (restoring base + deltas in order gives the
 * buffer as it was when the last delta was written). Pure.
 */
export function applyReorderDelta(snap: ReorderSnapshot | undefined, delta: ReorderDelta): ReorderSnapshot {
  const removed = new Set(delta.removed);
  const numbered = numberBuffered(snap?.buffered ?? []);
  return {
    version: 1,
    partitions: delta.partitions,
    buffered: [...numbered.filter((b) => !removed.has(b.seq as number)), ...delta.added],
    nextSeq: delta.nextSeq,
  };
}

/** Gives entries saved without a `seq` (older checkpoints) their position as one. */
function numberBuffered(buffered: readonly BufferedJSON[]): BufferedJSON[] {
  return buffered.map((b, i) => (typeof b.seq === 'number' ? b : { ...b, seq: i }));
}

/** What {@link ReorderBuffer.release} hands to stage 2. */
export interface Release {
  /** In the shared stage-2 order (pipeline/event-order.ts). */
  released: Buffered[];
  /** Of those, released because the buffer was over its cap, before the watermark passed them. */
  forced: number;
}

interface Progress {
  /** Highest event time read from the partition (epoch ms); -Infinity before any. */
  maxTs: number;
  /** Next offset to read, once known (from a delivered batch or the start-up lookup). */
  next?: bigint;
  /** The partition's end (high watermark) as last seen. */
  end?: bigint;
  assigned: boolean;
}

const key = (topic: string, partition: number): string => `${partition}:${topic}`;

/**
 * Serve's event-time release buffer: makes the order in which stage 2 (detection) sees
 * activities depend only on the contents of the raw topics, not on how Kafka interleaves their
 * partitions or batches them. It is the plain-serve counterpart of the topology's org stage
 * (src/topology/org-stage.ts, ordering time from detect-stage.ts).
 *
 * - Each activity stage 1 produced gets an *ordering time*: its event time, or, when it arrives
 *   more than `latenessMs` behind the highest event time read from its partition so far (a
 *   record later than the lateness allows), that partition watermark minus `latenessMs`
 *   (counted as `late`). The ordering time depends only on the partition's own contents.
 * - Activities are released in the shared stage-2 order (pipeline/event-order.ts: ordering time,
 *   event time, source, `event.id`, content; the same order `tokenwatch run` uses) once the low
 *   watermark passes them: the smallest `partition watermark - latenessMs` over the assigned
 *   partitions that still have messages to read. A partition read up to its end (high
 *   watermark) does not hold the watermark back; one whose extent is not known yet (not
 *   delivered, start-up lookup not done) holds it at -Infinity. When every assigned partition is
 *   read to its end, everything is released.
 * - Bounded: past `maxBuffered` activities, the oldest are released before the watermark passes
 *   them (`forced`; the caller logs it): order is then no longer guaranteed.
 *
 * Consequence: over the same topic contents (read from the start), activities reach stage 2 in
 * the same order whatever the partition interleaving, and when no record is later than
 * `latenessMs` within its partition, in exactly `tokenwatch run`'s order over the same records.
 */
export class ReorderBuffer {
  private buffer: Buffered[] = [];
  private nextSeq = 0;
  /** Entries with a `seq` up to this one are in the persisted form (checkpoint base + deltas). */
  private persistedSeq = -1;
  /** `seq`s of persisted entries released since the last persisted form. */
  private releasedPersisted: number[] = [];
  private readonly parts = new Map<string, Progress>();
  /** The assignment is known (before it, nothing is released). */
  private assignmentKnown = false;

  /**
   * @param latenessMs how far (event time, ms) a record may trail its partition's highest event time
   * @param maxBuffered activities held before the oldest are released early
   */
  constructor(
    readonly latenessMs: number,
    readonly maxBuffered: number,
  ) {}

  /** Restores a buffer from its {@link ReorderSnapshot} (junk entries are ignored). */
  static fromJSON(json: unknown, latenessMs: number, maxBuffered: number): ReorderBuffer {
    const out = new ReorderBuffer(latenessMs, maxBuffered);
    const snap = json as Partial<ReorderSnapshot> | undefined;
    if (snap?.version !== 1) return out;
    for (const p of snap.partitions ?? [])
      out.progress(p.topic, p.partition).maxTs = typeof p.maxTs === 'number' ? p.maxTs : -Infinity;
    for (const b of numberBuffered(snap.buffered ?? [])) {
      const seq = b.seq as number;
      out.buffer.push({ ...eventOrderKey(b.activity, b.order), origin: b.origin, seq });
      if (seq >= out.nextSeq) out.nextSeq = seq + 1;
    }
    if (typeof snap.nextSeq === 'number' && snap.nextSeq > out.nextSeq) out.nextSeq = snap.nextSeq;
    out.persistedSeq = out.nextSeq - 1;
    return out;
  }

  /** The whole buffer (a full checkpoint); call {@link markPersisted} once it is written. */
  toJSON(): ReorderSnapshot {
    return {
      version: 1,
      partitions: this.partitionsJSON(),
      buffered: this.buffer.map((b) => ({
        order: b.order,
        origin: b.origin,
        activity: b.activity,
        seq: b.seq,
      })),
      nextSeq: this.nextSeq,
    };
  }

  /**
   * What changed since the last persisted form (an incremental checkpoint): only the activities
   * added since are serialized. Call {@link markPersisted} once it is written.
   */
  delta(): ReorderDelta {
    return {
      partitions: this.partitionsJSON(),
      added: this.buffer
        .filter((b) => b.seq > this.persistedSeq)
        .map((b) => ({ order: b.order, origin: b.origin, activity: b.activity, seq: b.seq })),
      removed: [...this.releasedPersisted],
      nextSeq: this.nextSeq,
    };
  }

  /** The last {@link toJSON} or {@link delta} is durably written: later deltas start from it. */
  markPersisted(): void {
    this.persistedSeq = this.nextSeq - 1;
    this.releasedPersisted = [];
  }

  private partitionsJSON(): ReorderSnapshot['partitions'] {
    return [...this.parts.entries()]
      .filter(([, p]) => p.maxTs > -Infinity)
      .map(([k, p]) => {
        const at = k.indexOf(':');
        return { topic: k.slice(at + 1), partition: Number(k.slice(0, at)), maxTs: p.maxTs };
      });
  }

  /** Activities waiting. */
  get size(): number {
    return this.buffer.length;
  }

  private progress(topic: string, partition: number): Progress {
    const k = key(topic, partition);
    let p = this.parts.get(k);
    if (!p) {
      p = { maxTs: Number.NEGATIVE_INFINITY, assigned: false };
      this.parts.set(k, p);
    }
    return p;
  }

  /**
   * The consumer's assignment (after every group join): only these partitions hold the
   * watermark back. Returns the assigned partitions whose extent is unknown (see {@link setExtent}).
   */
  assign(assignment: readonly { topic: string; partitions: readonly number[] }[]): {
    topic: string;
    partition: number;
  }[] {
    for (const p of this.parts.values()) p.assigned = false;
    const unknown: { topic: string; partition: number }[] = [];
    for (const { topic, partitions } of assignment)
      for (const partition of partitions) {
        const p = this.progress(topic, partition);
        p.assigned = true;
        if (p.next === undefined || p.end === undefined) unknown.push({ topic, partition });
      }
    this.assignmentKnown = true;
    return unknown;
  }

  /**
   * What the start-up lookup found for a partition not delivered yet: where reading starts
   * (`start`) and its end (`end`, the high watermark). Ignored for a partition already delivered.
   */
  setExtent(topic: string, partition: number, start: string, end: string): void {
    const p = this.progress(topic, partition);
    if (p.next !== undefined) return;
    p.next = BigInt(start);
    p.end = BigInt(end);
  }

  /**
   * Adds an activity read from `origin` (call in offset order per partition). Returns whether it
   * was late (more than `latenessMs` behind its partition's highest event time).
   */
  add(origin: MessageOrigin, activity: TokenActivity): boolean {
    const p = this.progress(origin.topic, origin.partition);
    const ts = Date.parse(activity['@timestamp']);
    const floor = p.maxTs - this.latenessMs;
    const late = ts < floor;
    this.buffer.push({ ...eventOrderKey(activity, late ? floor : ts), origin, seq: this.nextSeq++ });
    if (ts > p.maxTs) p.maxTs = ts;
    return late;
  }

  /** A delivered chunk of a partition was read up to `next`; `end` is its batch's high watermark. */
  read(topic: string, partition: number, next: string, end: string): void {
    const p = this.progress(topic, partition);
    p.next = BigInt(next);
    p.end = BigInt(end);
  }

  /** The low watermark (see the class comment); +Infinity when every assigned partition is read to its end. */
  lowWatermark(): number {
    if (!this.assignmentKnown) return Number.NEGATIVE_INFINITY;
    let low = Number.POSITIVE_INFINITY;
    for (const p of this.parts.values()) {
      if (!p.assigned) continue;
      if (p.next !== undefined && p.end !== undefined && p.next >= p.end) continue;
      if (p.next === undefined) return Number.NEGATIVE_INFINITY;
      low = Math.min(low, p.maxTs - this.latenessMs);
    }
    return low;
  }

  /** Takes out what the low watermark passed (and the oldest past the cap), in stage-2 order. */
  release(): Release {
    const low = this.lowWatermark();
    let ready: Buffered[] = [];
    let rest: Buffered[] = [];
    if (low === Number.POSITIVE_INFINITY) ready = this.buffer;
    else if (low === Number.NEGATIVE_INFINITY) rest = this.buffer;
    else for (const b of this.buffer) (b.order < low ? ready : rest).push(b);
    let forced = 0;
    if (rest.length > this.maxBuffered) {
      rest.sort(compareEventOrder);
      forced = rest.length - this.maxBuffered;
      ready = ready.concat(rest.slice(0, forced));
      rest = rest.slice(forced);
    }
    this.buffer = rest;
    ready.sort(compareEventOrder);
    for (const b of ready) if (b.seq <= this.persistedSeq) this.releasedPersisted.push(b.seq);
    return { released: ready, forced };
  }

  /** The smallest offset of a partition still buffered (its messages must not be committed), if any. */
  minOffset(topic: string, partition: number): string | undefined {
    let min: bigint | undefined;
    for (const b of this.buffer) {
      if (b.origin.topic !== topic || b.origin.partition !== partition) continue;
      const o = BigInt(b.origin.offset);
      if (min === undefined || o < min) min = o;
    }
    return min?.toString();
  }

  /** Partitions (as `topic`, `partition`) with activities buffered. */
  bufferedPartitions(): { topic: string; partition: number }[] {
    const seen = new Map<string, { topic: string; partition: number }>();
    for (const b of this.buffer) {
      const k = key(b.origin.topic, b.origin.partition);
      if (!seen.has(k)) seen.set(k, { topic: b.origin.topic, partition: b.origin.partition });
    }
    return [...seen.values()];
  }
}
