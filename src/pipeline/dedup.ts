import { hash } from 'node:crypto';
import { canonicalJsonFilled } from '../../ingestors/common/ids.js';

/**
 * Dedup memory: tells a real re-delivery (same `event.id` AND same content) from a different event
 * that happens to share an id (ingestors/IDS.md, "Duplicates and id collisions").
 *
 * Salesforce latent hourly files repeat rows, GitHub events arrive over two delivery paths, a
 * served restart re-reads its uncommitted batch, and a second `run --state` may overlap the first:
 * those records are dropped as duplicates. A record whose id was seen with other content is kept,
 * with the id suffix `~<hex 16 of its content hash>`, and counted as an id collision.
 *
 * Memory: each remembered id is two 64-bit hashes (SHA-256 prefixes of the id and of the record's
 * canonical content) in an open-addressing table of `Uint32Array`s, 16 bytes per slot at a load of
 * at most 1/2; two generations of at most `capacity / 2` ids each (when the current one is full,
 * the older one is dropped), so an id is remembered for at least the last `capacity / 2` distinct
 * ids. The first location of the most recent {@link LOCATIONS_KEPT} ids is kept to name them in
 * duplicate reasons. The whole table is saved with the pipeline state ({@link snapshot}).
 */

/** First locations kept for duplicate reasons (older ones: "seen earlier"). */
export const LOCATIONS_KEPT = 100_000;

/** A 64-bit hash as two unsigned 32-bit halves. */
export interface Hash64 {
  hi: number;
  lo: number;
}

/** First 64 bits of SHA-256 of a UTF-8 string (never 0:0, the table's empty mark). */
export function hash64(text: string): Hash64 {
  // one-shot hex digest: cheaper than a Hash object and a Buffer per call
  const hex = hash('sha256', text, 'hex');
  const hi = Number.parseInt(hex.slice(0, 8), 16);
  const lo = Number.parseInt(hex.slice(8, 16), 16);
  return hi === 0 && lo === 0 ? { hi: 0, lo: 1 } : { hi, lo };
}

/** 16 lower-case hex digits of a {@link Hash64}. */
export function hex64(h: Hash64): string {
  return h.hi.toString(16).padStart(8, '0') + h.lo.toString(16).padStart(8, '0');
}

/**
 * 64-bit hash of a raw record's content: its canonical JSON (keys sorted) with top-level members
 * that are `''`, null or absent left out (a CSV with an extra empty column is the same row).
 */
export function contentHash(record: Readonly<Record<string, unknown>>): Hash64 {
  return hash64(canonicalJsonFilled(record));
}

/** Open-addressing table of (id hash -> content hash); grows by doubling up to its limit. */
class Table {
  /** 4 words per slot: id hi, id lo, content hi, content lo; id 0:0 = empty. */
  slots: Uint32Array;
  size = 0;

  constructor(slotCount = 1024) {
    this.slots = new Uint32Array(slotCount * 4);
  }

  private find(id: Hash64): number {
    const mask = this.slots.length / 4 - 1;
    let i = (id.lo ^ Math.imul(id.hi, 0x9e3779b1)) & mask;
    for (;;) {
      const at = i * 4;
      const hi = this.slots[at] as number;
      const lo = this.slots[at + 1] as number;
      if ((hi === 0 && lo === 0) || (hi === id.hi && lo === id.lo)) return at;
      i = (i + 1) & mask;
    }
  }

  get(id: Hash64): Hash64 | undefined {
    const at = this.find(id);
    const s = this.slots;
    if (s[at] === 0 && s[at + 1] === 0) return undefined;
    return { hi: s[at + 2] as number, lo: s[at + 3] as number };
  }

  set(id: Hash64, content: Hash64): void {
    if ((this.size + 1) * 2 > this.slots.length / 4) this.grow();
    const at = this.find(id);
    const s = this.slots;
    if (s[at] === 0 && s[at + 1] === 0) this.size++;
    s[at] = id.hi;
    s[at + 1] = id.lo;
    s[at + 2] = content.hi;
    s[at + 3] = content.lo;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.size = 0;
    for (let at = 0; at < old.length; at += 4) {
      if (old[at] === 0 && old[at + 1] === 0) continue;
      this.set(
        { hi: old[at] as number, lo: old[at + 1] as number },
        { hi: old[at + 2] as number, lo: old[at + 3] as number },
      );
    }
  }

  /** Occupied slots only, 4 words each. */
  entries(): Uint32Array {
    const out = new Uint32Array(this.size * 4);
    let n = 0;
    for (let at = 0; at < this.slots.length; at += 4) {
      if (this.slots[at] === 0 && this.slots[at + 1] === 0) continue;
      out.set(this.slots.subarray(at, at + 4), n);
      n += 4;
    }
    return out;
  }

  static from(entries: Uint32Array): Table {
    let slots = 1024;
    while (slots < (entries.length / 4) * 2 + 2) slots *= 2;
    const t = new Table(slots);
    for (let at = 0; at + 3 < entries.length; at += 4) {
      t.set(
        { hi: entries[at] as number, lo: entries[at + 1] as number },
        { hi: entries[at + 2] as number, lo: entries[at + 3] as number },
      );
    }
    return t;
  }
}

/** What {@link EventMemory.check} decided for one record. */
export type DedupVerdict =
  | { kind: 'new'; id: string }
  | { kind: 'duplicate'; id: string; firstLocation: string | undefined }
  | { kind: 'collision'; id: string };

/** Serializable form of an {@link EventMemory}: base64 of the occupied slots of each generation. */
export interface EventMemorySnapshot {
  version: 1;
  capacity: number;
  previous: string;
  current: string;
}

/** Dedup memory (see the module comment). */
export class EventMemory {
  private current = new Table();
  private previous = new Table(4);
  private readonly locations = new Map<string, string>();
  /**
   * The ids of {@link locations} in insertion order, from {@link locationsHead} on (a queue: taking
   * the oldest from a `Map` with `keys().next()` walks over every deleted entry before it, which
   * made each insertion cost a scan of ~100,000 holes once the map was full).
   */
  private locationOrder: string[] = [];
  private locationsHead = 0;

  /** @param capacity ids remembered at least: `capacity / 2` (default 1,000,000). */
  constructor(private readonly capacity = 1_000_000) {}

  /**
   * Classifies one record by its `event.id` and {@link contentHash}, and remembers it:
   * - `new`: never seen; keep `id`;
   * - `duplicate`: seen with the same content (under `id`, or earlier as a collision under the
   *   suffixed id returned); drop it;
   * - `collision`: seen with other content; keep it under the returned `<id>~<hex16 content>`.
   */
  check(eventId: string, content: Hash64, location: string): DedupVerdict {
    const idKey = hash64(eventId);
    const known = this.lookup(idKey);
    if (known === undefined) {
      this.remember(idKey, content, eventId, location);
      return { kind: 'new', id: eventId };
    }
    if (known.hi === content.hi && known.lo === content.lo) {
      return { kind: 'duplicate', id: eventId, firstLocation: this.locations.get(eventId) };
    }
    const suffixed = `${eventId}~${hex64(content)}`;
    const suffixKey = hash64(suffixed);
    if (this.lookup(suffixKey) !== undefined) {
      return { kind: 'duplicate', id: suffixed, firstLocation: this.locations.get(suffixed) };
    }
    this.remember(suffixKey, content, suffixed, location);
    return { kind: 'collision', id: suffixed };
  }

  /** Number of ids remembered (both generations). */
  get size(): number {
    return this.current.size + this.previous.size;
  }

  private lookup(id: Hash64): Hash64 | undefined {
    return this.current.get(id) ?? this.previous.get(id);
  }

  private remember(id: Hash64, content: Hash64, eventId: string, location: string): void {
    if (this.current.size >= this.capacity / 2) {
      this.previous = this.current;
      this.current = new Table();
    }
    this.current.set(id, content);
    if (this.locations.size >= LOCATIONS_KEPT) {
      // the oldest id kept (ids only leave the map from this end)
      const oldest = this.locationOrder[this.locationsHead];
      if (oldest !== undefined) {
        this.locationOrder[this.locationsHead] = '';
        this.locationsHead += 1;
        this.locations.delete(oldest);
      }
      if (this.locationsHead >= LOCATIONS_KEPT) {
        this.locationOrder = this.locationOrder.slice(this.locationsHead);
        this.locationsHead = 0;
      }
    }
    if (!this.locations.has(eventId)) this.locationOrder.push(eventId);
    this.locations.set(eventId, location);
  }

  /** The remembered hashes (locations are not saved: after a restore, duplicates say "seen earlier"). */
  snapshot(): EventMemorySnapshot {
    const b64 = (t: Table) => Buffer.from(t.entries().buffer).toString('base64');
    return { version: 1, capacity: this.capacity, previous: b64(this.previous), current: b64(this.current) };
  }

  /**
   * Rebuilds a memory from {@link snapshot}.
   * @throws Error when the snapshot is not one (wrong version or lengths).
   */
  static restore(s: EventMemorySnapshot, capacity?: number): EventMemory {
    if (s.version !== 1 || typeof s.current !== 'string' || typeof s.previous !== 'string')
      throw new Error('not an event memory snapshot (version 1)');
    const words = (b64: string): Uint32Array => {
      const buf = Buffer.from(b64, 'base64');
      if (buf.length % 16 !== 0) throw new Error('event memory snapshot has a partial entry');
      const copy = new Uint8Array(buf.length);
      copy.set(buf);
      return new Uint32Array(copy.buffer);
    };
    const m = new EventMemory(capacity ?? s.capacity);
    m.previous = Table.from(words(s.previous));
    m.current = Table.from(words(s.current));
    return m;
  }
}
