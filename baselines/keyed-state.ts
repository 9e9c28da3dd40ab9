import type { TokenActivity } from '../schemas/token-activity.js';
import { appEntityId, ownerEntityId } from './entity-ids.js';

/**
 * Declared detector state: memory a detector asks for in its metadata (`state`), owned, saved and
 * restored by the pipeline, so no detector has to add a structure to `baselines/`.
 *
 * Each declaration is a table of small primitives keyed by one key kind of the activity
 * ({@link StateKeyKind}): the token, its app, its owner, the organization, or the source address.
 * Every table is bounded: at most `maxKeys` keys (least recently updated dropped) and, per key, a
 * cap on values; keys idle for `ttlMs` of event time are dropped. The state is a flat list of
 * `(table, key) -> primitive` entries, so a scaled-out deployment can partition it by key and
 * changelog the entries {@link KeyedStateStore.drainChanges} reports.
 */

/**
 * What a state table is keyed by (derived from the activity by the framework): the token, its
 * app, its owner entity (per source), the organization, the source address, its autonomous system
 * (`source_as`: `AS<number>`), or the person
 * (`identity`: lower-cased email, else login, of the admin action's target when the activity is
 * one, else of the credential's owner; links a person across sources by email).
 */
export type StateKeyKind = 'token' | 'app' | 'owner' | 'org' | 'source_ip' | 'source_as' | 'identity';

interface Bounds {
  key: StateKeyKind;
  /** keys kept (least recently updated dropped beyond it) */
  maxKeys: number;
  /** a key not updated for this long (event time, ms) is dropped */
  ttlMs: number;
}

/** Values first/last seen per key: value -> first time, last time, count (capped, LRU). */
export interface FirstSeenDecl extends Bounds {
  kind: 'first_seen';
  /** values kept per key (least recently seen dropped, counted in `evicted`) */
  cap: number;
}
/** Time-ordered entries with small attributes per key, within a window (sliding window). */
export interface WindowDecl extends Bounds {
  kind: 'window';
  /** entries older than the newest minus this are dropped (ms) */
  windowMs: number;
  /** entries kept per key (oldest dropped) */
  cap: number;
}
/** A number per key (sum of increments), reset after `ttlMs` idle. */
export interface CounterDecl extends Bounds {
  kind: 'counter';
}
/** Distinct values per key: exact up to `cap`, then saturated (a lower bound). */
export interface DistinctDecl extends Bounds {
  kind: 'distinct';
  cap: number;
}
export type StateDecl = FirstSeenDecl | WindowDecl | CounterDecl | DistinctDecl;

/** Attributes of a window entry (strings and numbers only, so they serialize as they are). */
export type EntryData = Readonly<Record<string, string | number>>;
/** One window entry. */
export interface WindowEntry {
  at: number;
  data: EntryData;
}
/** First/last time and count of one value. */
export interface SeenValue {
  first: number;
  last: number;
  count: number;
}

/** Read side of a first-seen table for the activity's key. */
export interface FirstSeenReader {
  get(value: string): SeenValue | undefined;
  /** distinct values kept */
  readonly size: number;
  /** values dropped by the cap */
  readonly evicted: number;
  /** values first seen at or after `sinceMs`, oldest first */
  firstSeenSince(sinceMs: number): [string, SeenValue][];
  /**
   * Every kept value with its times, least recently seen first, without a copy (a read loop over
   * the table; do not write the table while iterating).
   */
  seenValues(): Iterable<[string, SeenValue]>;
  /** the `limit` most recently seen values */
  recent(limit: number): string[];
}
export interface FirstSeenWriter extends FirstSeenReader {
  add(value: string, atMs: number): void;
}
export interface WindowReader {
  /** entries at or after `sinceMs` (default all kept), oldest first */
  entries(sinceMs?: number): readonly WindowEntry[];
}
export interface WindowWriter extends WindowReader {
  add(atMs: number, data?: EntryData): void;
}
export interface CounterReader {
  readonly value: number;
}
export interface CounterWriter extends CounterReader {
  add(n: number, atMs: number): void;
}
export interface DistinctReader {
  has(value: string): boolean;
  /** exact below the cap; the cap when saturated */
  readonly size: number;
  readonly saturated: boolean;
}
export interface DistinctWriter extends DistinctReader {
  add(value: string, atMs: number): void;
}

/** The reader type of a declaration. */
export type ReaderOf<D extends StateDecl> = D extends FirstSeenDecl
  ? FirstSeenReader
  : D extends WindowDecl
    ? WindowReader
    : D extends CounterDecl
      ? CounterReader
      : DistinctReader;
/** The writer type of a declaration. */
export type WriterOf<D extends StateDecl> = D extends FirstSeenDecl
  ? FirstSeenWriter
  : D extends WindowDecl
    ? WindowWriter
    : D extends CounterDecl
      ? CounterWriter
      : DistinctWriter;

/** Declarations of one detector by state name. */
export type StateDecls = Readonly<Record<string, StateDecl>>;
export type StateReaders<D extends StateDecls> = { readonly [K in keyof D]: ReaderOf<D[K]> };
export type StateWriters<D extends StateDecls> = { readonly [K in keyof D]: WriterOf<D[K]> };

/** Serialized state: `[table, key, last update, primitive data]`, each table least recently updated first. */
export interface KeyedStateJSON {
  v: 1;
  entries: [string, string, number, unknown][];
}

/** One key's primitive and its last update time, linked into its table's update order. */
interface Slot {
  key: string;
  last: number;
  data: unknown;
  /** neighbours in the table's update order (older, newer) */
  prev: Slot | undefined;
  next: Slot | undefined;
  /**
   * Set once the slot's `(table, key)` is in the store's change set, cleared when the changes are
   * drained: later writes to the same slot skip building the change key (hot path).
   */
  noted?: boolean;
}

type FirstSeenData = Map<string, SeenValue> & { evicted?: number };
interface WindowData {
  list: WindowEntry[];
}
interface CounterData {
  n: number;
}
interface DistinctData {
  set: Set<string>;
  saturated: boolean;
}

const EMPTY: readonly WindowEntry[] = Object.freeze([]);
const EMPTY_SEEN: ReadonlyMap<string, SeenValue> = new Map();

const newSlot = (key: string, last: number, data: unknown): Slot => ({
  key,
  last,
  data,
  prev: undefined,
  next: undefined,
});

/**
 * One declared table: its slots by key, and the same slots in update order (least recently
 * updated first) as a linked list. The order is kept outside the `Map` because moving a key to
 * the end of a `Map` (delete + set) leaves a deleted entry behind, and finding the oldest key with
 * `keys().next()` then walks every deleted entry before it, on every write.
 */
class Table {
  readonly keys = new Map<string, Slot>();
  oldest: Slot | undefined;
  newest: Slot | undefined;

  constructor(readonly decl: StateDecl) {}

  /** Makes `slot` the newest slot of `key` (replacing any other slot of that key). */
  moveToNewest(slot: Slot): void {
    const held = this.keys.get(slot.key);
    if (held !== undefined) this.unlink(held);
    if (held !== slot) this.keys.set(slot.key, slot);
    slot.prev = this.newest;
    slot.next = undefined;
    if (this.newest !== undefined) this.newest.next = slot;
    else this.oldest = slot;
    this.newest = slot;
  }

  /** Sets `key` as `Map.set` would order it: in place when held, else as the newest. */
  put(slot: Slot): void {
    const held = this.keys.get(slot.key);
    if (held === undefined) {
      this.moveToNewest(slot);
      return;
    }
    slot.prev = held.prev;
    slot.next = held.next;
    if (held.prev !== undefined) held.prev.next = slot;
    else this.oldest = slot;
    if (held.next !== undefined) held.next.prev = slot;
    else this.newest = slot;
    this.keys.set(slot.key, slot);
  }

  /** Removes `key` (no-op when not held). */
  remove(key: string): void {
    const held = this.keys.get(key);
    if (held === undefined) return;
    this.unlink(held);
    this.keys.delete(key);
  }

  /** Slots, least recently updated first. */
  *slots(): Generator<Slot> {
    for (let s = this.oldest; s !== undefined; s = s.next) yield s;
  }

  private unlink(slot: Slot): void {
    if (slot.prev !== undefined) slot.prev.next = slot.next;
    else if (this.oldest === slot) this.oldest = slot.next;
    if (slot.next !== undefined) slot.next.prev = slot.prev;
    else if (this.newest === slot) this.newest = slot.prev;
    slot.prev = undefined;
    slot.next = undefined;
  }
}

/** A new, empty primitive for a declaration. */
function initialData(decl: StateDecl): unknown {
  switch (decl.kind) {
    case 'first_seen':
      return new Map() as FirstSeenData;
    case 'window':
      return { list: [] } satisfies WindowData;
    case 'counter':
      return { n: 0 } satisfies CounterData;
    case 'distinct':
      return { set: new Set<string>(), saturated: false } satisfies DistinctData;
  }
}

/** The key of `kind` for an activity, or undefined when the activity has none. */
export function stateKeyOf(kind: StateKeyKind, a: TokenActivity): string | undefined {
  switch (kind) {
    case 'token':
      return a.token.id;
    case 'app':
      return appEntityId(a);
    case 'owner':
      return ownerEntityId(a);
    case 'org':
      return 'org';
    case 'source_ip':
      return a.source?.ip;
    case 'source_as': {
      const n = a.source?.as?.number;
      return n === undefined ? undefined : `AS${n}`;
    }
    case 'identity': {
      const t = a.user.target;
      const who =
        t?.email || t?.name || a.token.owner.email || a.user.email || a.token.owner.name || a.user.name;
      return who ? who.toLowerCase() : undefined;
    }
  }
}

/**
 * Every declared table of every detector, with LRU and TTL bounds. Handles are bound to one key
 * at a time (the activity being evaluated), so evaluation allocates nothing per event.
 */
export class KeyedStateStore {
  private readonly tables = new Map<string, Table>();
  private readonly changes = new Set<string>();

  /** Declares table `name` (`<detector id>/<state name>`); idempotent for the same declaration. */
  declare(name: string, decl: StateDecl): void {
    if (!this.tables.has(name)) this.tables.set(name, new Table(decl));
  }

  /** Table names with their declaration. */
  declarations(): [string, StateDecl][] {
    return [...this.tables].map(([n, t]) => [n, t.decl]);
  }

  /** Number of keys held by a table. */
  keyCount(name: string): number {
    return this.tables.get(name)?.keys.size ?? 0;
  }

  /** `(table, key)` pairs changed since the last call (for a changelog), then forgets them. */
  drainChanges(): [string, string][] {
    const out = [...this.changes].map((c) => c.split('\u0000') as [string, string]);
    this.changes.clear();
    for (const [name, key] of out) {
      const slot = this.tables.get(name)?.keys.get(key);
      if (slot !== undefined) slot.noted = false;
    }
    return out;
  }

  /**
   * One `(table, key)` entry in its serialized form `[last update, primitive data]` (the shape of
   * {@link KeyedStateJSON} entries), or undefined when the key is not held (dropped by a bound, or
   * never written): a changelog writes the first and a tombstone for the second.
   */
  exportEntry(name: string, key: string): [number, unknown] | undefined {
    const t = this.tables.get(name);
    const slot = t?.keys.get(key);
    return t && slot ? [slot.last, encode(t.decl, slot.data)] : undefined;
  }

  /**
   * Applies one changelog entry: sets `(table, key)` from {@link exportEntry}'s form, or removes
   * the key when `entry` is undefined. Entries of undeclared tables and malformed data are ignored.
   */
  importEntry(name: string, key: string, entry: [number, unknown] | undefined): void {
    const t = this.tables.get(name);
    if (!t) return;
    t.remove(key);
    if (entry === undefined) return;
    const decoded = decode(t.decl, entry[1]);
    if (decoded !== undefined) t.moveToNewest(newSlot(key, entry[0], decoded));
  }

  /** A handle on table `name` whose key is set with `bind` before each use. */
  handle(name: string): BoundHandle {
    const table = this.tables.get(name);
    if (!table) throw new Error(`undeclared state table ${name}`);
    return new BoundHandle(this, name, table);
  }

  /** @internal records a change of `slot` (now its key's slot) and enforces the table's key bounds. */
  touched(name: string, table: Table, slot: Slot): void {
    table.moveToNewest(slot);
    if (slot.noted !== true) {
      this.changes.add(`${name}\u0000${slot.key}`);
      slot.noted = true;
    }
    const decl = table.decl;
    while (table.keys.size > decl.maxKeys) table.remove((table.oldest as Slot).key);
    // slots are in update order: drop the expired ones from the old end
    const horizon = slot.last - decl.ttlMs;
    for (let s = table.oldest; s !== undefined && s.last < horizon; s = table.oldest) table.remove(s.key);
  }

  /** Serializable state. */
  toJSON(): KeyedStateJSON {
    const entries: KeyedStateJSON['entries'] = [];
    for (const [name, t] of this.tables) {
      for (const slot of t.slots()) entries.push([name, slot.key, slot.last, encode(t.decl, slot.data)]);
    }
    return { v: 1, entries };
  }

  /**
   * Restores state saved by {@link toJSON} into the declared tables; entries of tables no longer
   * declared are dropped (a removed detector), as are malformed ones.
   * @returns the number of entries restored
   */
  restore(state: KeyedStateJSON): number {
    let n = 0;
    for (const [name, key, last, data] of state.entries) {
      const t = this.tables.get(name);
      if (!t) continue;
      const decoded = decode(t.decl, data);
      if (decoded === undefined) continue;
      t.put(newSlot(key, last, decoded));
      n++;
    }
    return n;
  }
}

function encode(decl: StateDecl, data: unknown): unknown {
  switch (decl.kind) {
    case 'first_seen': {
      const m = data as FirstSeenData;
      return { e: m.evicted ?? 0, v: [...m].map(([v, s]) => [v, s.first, s.last, s.count]) };
    }
    case 'window':
      return (data as WindowData).list.map((x) => [x.at, x.data]);
    case 'counter':
      return (data as CounterData).n;
    case 'distinct': {
      const d = data as DistinctData;
      return { s: d.saturated, v: [...d.set] };
    }
  }
}

function decode(decl: StateDecl, raw: unknown): unknown {
  try {
    switch (decl.kind) {
      case 'first_seen': {
        const r = raw as { e: number; v: [string, number, number, number][] };
        const m: FirstSeenData = new Map(r.v.map(([v, first, last, count]) => [v, { first, last, count }]));
        m.evicted = r.e;
        return m;
      }
      case 'window':
        return { list: (raw as [number, EntryData][]).map(([at, data]) => ({ at, data })) };
      case 'counter':
        return typeof raw === 'number' ? { n: raw } : undefined;
      case 'distinct': {
        const r = raw as { s: boolean; v: string[] };
        return { set: new Set(r.v), saturated: r.s };
      }
    }
  } catch {
    return undefined;
  }
}

/**
 * A table handle bound to the current key: implements every reader/writer interface; the
 * declaration decides which one a detector sees. Reads with no key (activity without an owner,
 * say) see an empty value; writes with no key are ignored.
 */
export class BoundHandle
  implements FirstSeenWriter, WindowWriter, CounterWriter, Omit<DistinctWriter, 'size'>
{
  private key: string | undefined;

  constructor(
    private readonly store: KeyedStateStore,
    private readonly name: string,
    private readonly table: Table,
  ) {
    this.decl = table.decl;
    this.keys = table.keys;
  }

  private readonly decl: StateDecl;
  private readonly keys: Map<string, Slot>;

  /** Binds the handle to `key` (undefined: nothing to read, writes ignored). */
  bind(key: string | undefined): void {
    this.key = key;
  }

  private slot(): Slot | undefined {
    return this.key === undefined ? undefined : this.keys.get(this.key);
  }

  /**
   * The slot to write at `atMs` for the bound key (a new one when absent or idle past the TTL),
   * or undefined when no key is bound. Follow with {@link wrote}.
   */
  private slotToWrite(atMs: number): Slot | undefined {
    if (this.key === undefined) return undefined;
    const slot = this.keys.get(this.key);
    if (slot !== undefined && slot.last >= atMs - this.decl.ttlMs) return slot;
    return newSlot(this.key, atMs, initialData(this.decl));
  }

  /** Records a write of `slot` at `atMs` (last update, LRU order, change set, bounds). */
  private wrote(slot: Slot, atMs: number): void {
    slot.last = Math.max(slot.last, atMs);
    this.store.touched(this.name, this.table, slot);
  }

  // first_seen + distinct

  get(value: string): SeenValue | undefined {
    return (this.slot()?.data as FirstSeenData | undefined)?.get(value);
  }

  has(value: string): boolean {
    const d = this.slot()?.data;
    if (d === undefined) return false;
    return this.decl.kind === 'distinct'
      ? (d as DistinctData).set.has(value)
      : (d as FirstSeenData).has(value);
  }

  get size(): number {
    const d = this.slot()?.data;
    if (d === undefined) return 0;
    return this.decl.kind === 'distinct' ? (d as DistinctData).set.size : (d as FirstSeenData).size;
  }

  get evicted(): number {
    return (this.slot()?.data as FirstSeenData | undefined)?.evicted ?? 0;
  }

  get saturated(): boolean {
    return (this.slot()?.data as DistinctData | undefined)?.saturated ?? false;
  }

  firstSeenSince(sinceMs: number): [string, SeenValue][] {
    const m = this.slot()?.data as FirstSeenData | undefined;
    if (m === undefined) return [];
    return [...m].filter(([, s]) => s.first >= sinceMs).sort((a, b) => a[1].first - b[1].first);
  }

  seenValues(): Iterable<[string, SeenValue]> {
    return (this.slot()?.data as FirstSeenData | undefined) ?? EMPTY_SEEN;
  }

  recent(limit: number): string[] {
    const m = this.slot()?.data as FirstSeenData | undefined;
    return m === undefined ? [] : [...m.keys()].reverse().slice(0, limit);
  }

  // window

  entries(sinceMs?: number): readonly WindowEntry[] {
    const list = (this.slot()?.data as WindowData | undefined)?.list;
    if (list === undefined) return EMPTY;
    if (sinceMs === undefined) return list;
    if (Number.isNaN(sinceMs)) return [];
    // the list is in time order (add inserts in place): the first entry at or after sinceMs
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((list[mid] as WindowEntry).at < sinceMs) lo = mid + 1;
      else hi = mid;
    }
    return list.slice(lo);
  }

  // counter

  get value(): number {
    return (this.slot()?.data as CounterData | undefined)?.n ?? 0;
  }

  add(first: string | number, second?: number | EntryData): void {
    const decl = this.decl;
    switch (decl.kind) {
      case 'first_seen': {
        const value = first as string;
        const at = second as number;
        const slot = this.slotToWrite(at);
        if (slot === undefined) return;
        const m = slot.data as FirstSeenData;
        const seen = m.get(value);
        m.delete(value);
        m.set(
          value,
          seen
            ? { first: Math.min(seen.first, at), last: Math.max(seen.last, at), count: seen.count + 1 }
            : { first: at, last: at, count: 1 },
        );
        while (m.size > decl.cap) {
          m.delete(m.keys().next().value as string);
          m.evicted = (m.evicted ?? 0) + 1;
        }
        this.wrote(slot, at);
        return;
      }
      case 'window': {
        const at = first as number;
        const slot = this.slotToWrite(at);
        if (slot === undefined) return;
        const data = (second as EntryData | undefined) ?? {};
        const list = (slot.data as WindowData).list;
        let i = list.length;
        while (i > 0 && (list[i - 1] as WindowEntry).at > at) i--;
        if (i === list.length) list.push({ at, data });
        else list.splice(i, 0, { at, data });
        const latest = (list[list.length - 1] as WindowEntry).at;
        let k = 0;
        while (k < list.length && (list[k] as WindowEntry).at < latest - decl.windowMs) k++;
        if (list.length - k > decl.cap) k = list.length - decl.cap;
        if (k > 0) list.splice(0, k);
        this.wrote(slot, at);
        return;
      }
      case 'counter': {
        const at = second as number;
        const slot = this.slotToWrite(at);
        if (slot === undefined) return;
        (slot.data as CounterData).n += first as number;
        this.wrote(slot, at);
        return;
      }
      case 'distinct': {
        const at = second as number;
        const slot = this.slotToWrite(at);
        if (slot === undefined) return;
        const d = slot.data as DistinctData;
        if (!d.set.has(first as string)) {
          if (d.set.size >= decl.cap) d.saturated = true;
          else d.set.add(first as string);
        }
        this.wrote(slot, at);
        return;
      }
    }
  }
}
