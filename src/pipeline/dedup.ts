import { hash, randomBytes } from 'node:crypto';
import { canonicalJsonFilled } from '../../ingestors/common/ids.js';
import { type Hash64, type HashSeed, stringHash64, valueHash64 } from './content-hash.js';

export type { Hash64 } from './content-hash.js';

/**
 * Dedup memory: tells a real re-delivery (same `event.id` AND same content) from a different event
 * that happens to share an id (ingestors/IDS.md, "Duplicates and id collisions").
 *
 * Salesforce latent hourly files repeat rows, GitHub events arrive over two delivery paths, a
 * served restart re-reads its uncommitted batch, and a second `run --state` may overlap the first:
 * those records are dropped as duplicates. A record whose id was seen with other content is kept,
 * with the id suffix `~<hex 16 of SHA-256 of its canonical content>` ({@link sha256ContentHash}),
 * and counted as an id collision.
 *
 * Memory: each remembered id is two 64-bit hashes (seeded fast hashes of the id and of the record's
 * content, content-hash.ts; the seed is random per memory and saved with it) in an open-addressing
 * table of `Uint32Array`s, 16 bytes per slot at a load of at most 1/2; two generations of at most
 * `capacity / 2` ids each (when the current one is full, the older one is dropped), so an id is
 * remembered for at least the last `capacity / 2` distinct ids. The first location of the most
 * recent {@link LOCATIONS_KEPT} ids is kept to name them in duplicate reasons. The whole table is
 * saved with the pipeline state ({@link EventMemory.snapshot}).
 *
 * Saved memories of version 1 (before the fast hash: SHA-256 prefixes of the id and of the
 * canonical JSON) are restored as a read-only legacy generation, looked up with SHA-256 as before,
 * so a record re-delivered across the upgrade is still a duplicate (and a same-id record with other
 * content still a collision with the same suffixed id); new ids go to fast-hash generations, and
 * the legacy one is dropped when the first of those is full (by then the last `capacity / 2` ids
 * are all in the new generations). Until then the memory may hold up to 1.5 x `capacity` ids.
 */

/** First locations kept for duplicate reasons (older ones: "seen earlier"). */
export const LOCATIONS_KEPT = 100_000;

/** First 64 bits of SHA-256 of a UTF-16 string's UTF-8 bytes (never 0:0, the table's empty mark). */
export function sha256Hash64(text: string): Hash64 {
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
 * SHA-256 (first 64 bits) of a raw record's canonical JSON (keys sorted) with top-level members
 * that are `''`, null or absent left out (a CSV with an extra empty column is the same row): the
 * content hash of version 1 memories, and the suffix of a colliding id (IDS.md).
 */
export function sha256ContentHash(record: Readonly<Record<string, unknown>>): Hash64 {
  return sha256Hash64(canonicalJsonFilled(record));
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

/** Base64 of the occupied slots of one generation pair (4 words per slot: id hi, lo, content hi, lo). */
interface Generations {
  previous: string;
  current: string;
}

/** Version 1 snapshot: SHA-256 prefixes of ids and canonical content (restored as legacy). */
export interface EventMemorySnapshotV1 extends Generations {
  version: 1;
  capacity: number;
}

/** Version 2 snapshot: fast seeded hashes, the seed, and a restored version 1 memory if still kept. */
export interface EventMemorySnapshotV2 extends Generations {
  version: 2;
  capacity: number;
  /** The hash seed, 16 hex digits (content-hash.ts). */
  seed: string;
  /** The version 1 generations restored and not yet dropped (SHA-256 hashes). */
  legacy?: Generations;
}

/** Serializable form of an {@link EventMemory} ({@link EventMemory.snapshot} writes version 2). */
export type EventMemorySnapshot = EventMemorySnapshotV1 | EventMemorySnapshotV2;

/** Dedup memory (see the module comment). */
export class EventMemory {
  private current = new Table();
  private previous = new Table(4);
  /** Version 1 generations (SHA-256 hashes) restored from an older snapshot, until the first rollover. */
  private legacy: { previous: Table; current: Table } | undefined;
  private readonly seed: HashSeed;
  private readonly locations = new Map<string, string>();
  /**
   * The ids of {@link locations} in insertion order, from {@link locationsHead} on (a queue: taking
   * the oldest from a `Map` with `keys().next()` walks over every deleted entry before it, which
   * made each insertion cost a scan of ~100,000 holes once the map was full).
   */
  private locationOrder: string[] = [];
  private locationsHead = 0;

  /**
   * @param capacity ids remembered at least: `capacity / 2` (default 1,000,000).
   * @param seed hash seed (default random; tests pass one to be reproducible).
   */
  constructor(
    private readonly capacity = 1_000_000,
    seed?: HashSeed,
  ) {
    if (seed) this.seed = { a: seed.a | 0, b: seed.b | 0 };
    else {
      const r = randomBytes(8);
      this.seed = { a: r.readInt32LE(0), b: r.readInt32LE(4) };
    }
  }

  /**
   * Classifies one raw record (as parsed, secrets redacted) by its `event.id` and content, and
   * remembers it:
   * - `new`: never seen; keep `id`;
   * - `duplicate`: seen with the same content (under `id`, or earlier as a collision under the
   *   suffixed id returned); drop it;
   * - `collision`: seen with other content; keep it under the returned `<id>~<hex16>` (hex 16 of
   *   {@link sha256ContentHash}).
   */
  check(eventId: string, record: Readonly<Record<string, unknown>>, location: string): DedupVerdict {
    const idKey = stringHash64(eventId, this.seed);
    const content = valueHash64(record, this.seed, true);
    const known = this.lookup(idKey);
    if (known !== undefined) {
      if (known.hi === content.hi && known.lo === content.lo) {
        return { kind: 'duplicate', id: eventId, firstLocation: this.locations.get(eventId) };
      }
      return this.collision(eventId, record, content, location, undefined);
    }
    if (this.legacy !== undefined) {
      const old = this.legacyLookup(sha256Hash64(eventId));
      if (old !== undefined) {
        const sha = sha256ContentHash(record);
        if (old.hi === sha.hi && old.lo === sha.lo) {
          return { kind: 'duplicate', id: eventId, firstLocation: this.locations.get(eventId) };
        }
        return this.collision(eventId, record, content, location, sha);
      }
    }
    this.remember(idKey, content, eventId, location);
    return { kind: 'new', id: eventId };
  }

  /** A record whose id is known with other content: its suffixed id is a duplicate or a new collision. */
  private collision(
    eventId: string,
    record: Readonly<Record<string, unknown>>,
    content: Hash64,
    location: string,
    sha: Hash64 | undefined,
  ): DedupVerdict {
    const suffixed = `${eventId}~${hex64(sha ?? sha256ContentHash(record))}`;
    const suffixKey = stringHash64(suffixed, this.seed);
    if (
      this.lookup(suffixKey) !== undefined ||
      (this.legacy !== undefined && this.legacyLookup(sha256Hash64(suffixed)) !== undefined)
    ) {
      return { kind: 'duplicate', id: suffixed, firstLocation: this.locations.get(suffixed) };
    }
    this.remember(suffixKey, content, suffixed, location);
    return { kind: 'collision', id: suffixed };
  }

  /** Number of ids remembered (every generation, legacy included). */
  get size(): number {
    const legacy = this.legacy ? this.legacy.current.size + this.legacy.previous.size : 0;
    return this.current.size + this.previous.size + legacy;
  }

  private lookup(id: Hash64): Hash64 | undefined {
    return this.current.get(id) ?? this.previous.get(id);
  }

  private legacyLookup(id: Hash64): Hash64 | undefined {
    const l = this.legacy;
    return l === undefined ? undefined : (l.current.get(id) ?? l.previous.get(id));
  }

  private remember(id: Hash64, content: Hash64, eventId: string, location: string): void {
    if (this.current.size >= this.capacity / 2) {
      this.previous = this.current;
      this.current = new Table();
      // the last capacity / 2 ids are all in `previous` now: the restored version 1 ids may go
      this.legacy = undefined;
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

  /**
   * The remembered hashes and the seed, as version 2 (locations are not saved: after a restore,
   * duplicates say "seen earlier").
   */
  snapshot(): EventMemorySnapshotV2 {
    const b64 = (t: Table) => Buffer.from(t.entries().buffer).toString('base64');
    const seed = new Uint32Array([this.seed.a >>> 0, this.seed.b >>> 0]);
    const out: EventMemorySnapshotV2 = {
      version: 2,
      capacity: this.capacity,
      seed: hex64({ hi: seed[0] as number, lo: seed[1] as number }),
      previous: b64(this.previous),
      current: b64(this.current),
    };
    if (this.legacy) out.legacy = { previous: b64(this.legacy.previous), current: b64(this.legacy.current) };
    return out;
  }

  /**
   * Rebuilds a memory from {@link snapshot} (version 2), or from a version 1 snapshot (its
   * generations kept as the legacy generation, see the module comment).
   * @throws Error when the snapshot is not one (unknown version, bad seed, or lengths).
   */
  static restore(s: EventMemorySnapshot, capacity?: number): EventMemory {
    const words = (b64: unknown): Uint32Array => {
      if (typeof b64 !== 'string') throw new Error('event memory snapshot lacks a generation');
      const buf = Buffer.from(b64, 'base64');
      if (buf.length % 16 !== 0) throw new Error('event memory snapshot has a partial entry');
      const copy = new Uint8Array(buf.length);
      copy.set(buf);
      return new Uint32Array(copy.buffer);
    };
    const tables = (g: Generations) => ({
      previous: Table.from(words(g.previous)),
      current: Table.from(words(g.current)),
    });
    if (s === null || typeof s !== 'object') throw new Error('not an event memory snapshot');
    if (s.version === 1) {
      const m = new EventMemory(capacity ?? s.capacity);
      m.legacy = tables(s);
      return m;
    }
    if (s.version !== 2 || typeof s.seed !== 'string' || !/^[0-9a-f]{16}$/.test(s.seed))
      throw new Error('not an event memory snapshot (version 1 or 2)');
    const m = new EventMemory(capacity ?? s.capacity, {
      a: Number.parseInt(s.seed.slice(0, 8), 16),
      b: Number.parseInt(s.seed.slice(8), 16),
    });
    const t = tables(s);
    m.previous = t.previous;
    m.current = t.current;
    if (s.legacy !== undefined) m.legacy = tables(s.legacy);
    return m;
  }
}
