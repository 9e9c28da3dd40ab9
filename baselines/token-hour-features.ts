import type { TokenActivity } from '../schemas/token-activity.js';

/**
 * Per-token accumulator of the current event-time hour, turned into the feature vector the
 * peer-group isolation forests score (peer-models.ts).
 *
 * One {@link TokenHourState} per token keeps: first/last event time (for maturity), the last few
 * networks and client families it used (for novelty), and the open hour window's counters.
 * Everything is bounded (see {@link TOKEN_STATE_MAX_BYTES}), and nothing depends on the wall clock
 * or on iteration order of anything but the input, so a replay gives the same vectors.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/**
 * Features of a token-hour, in vector order. Counts and volumes are `log1p`-scaled (heavy-tailed;
 * iForest splits uniformly within a node's range, so the scale shapes where splits land); flags
 * are 0/1; the hour of day is cyclic (sin, cos). Every value is rounded to 1e-4 so vectors are
 * short in JSON and a snapshot round-trips exactly.
 */
export const TOKEN_HOUR_FEATURES = [
  /** log1p(events in the hour) */
  'events',
  /** log1p(distinct `tokenwatch.resource` type:name) */
  'distinct_resources',
  /** log1p(distinct `event.action`) */
  'distinct_actions',
  /** log1p(sum of `tokenwatch.volume.rows`) */
  'rows',
  /** log1p(sum of `tokenwatch.volume.bytes`) */
  'bytes',
  /** log1p(sum of `tokenwatch.volume.items`) */
  'items',
  /** 1 when the hour used a network prefix (`tokenwatch.network.ip_prefix`) the token had not used before */
  'new_network',
  /** 1 when the hour used a `user_agent.name` the token had not used before */
  'new_ua_family',
  /** failures / (events + 4): share of `event.outcome: failure`, shrunk for quiet hours */
  'error_ratio',
  /** sin(2π hour / 24), hour of day UTC */
  'hour_sin',
  /** cos(2π hour / 24) */
  'hour_cos',
] as const;
export type TokenHourFeature = (typeof TOKEN_HOUR_FEATURES)[number];
export const FEATURE_COUNT = TOKEN_HOUR_FEATURES.length;
/** Vector indices of the hour's sin and cos. */
export const HOUR_SIN_AT = TOKEN_HOUR_FEATURES.indexOf('hour_sin');
export const HOUR_COS_AT = TOKEN_HOUR_FEATURES.indexOf('hour_cos');

/** What an analyst sees: features grouped so the hour's sin and cos are one `hour_of_day`. */
export const DISPLAY_FEATURES = [
  'events',
  'distinct_resources',
  'distinct_actions',
  'rows',
  'bytes',
  'items',
  'new_network',
  'new_ua_family',
  'error_ratio',
  'hour_of_day',
] as const;
export type DisplayFeature = (typeof DISPLAY_FEATURES)[number];

/** Vector indices of each display feature (same order as {@link DISPLAY_FEATURES}). */
export const DISPLAY_GROUPS: readonly (readonly number[])[] = [
  [0],
  [1],
  [2],
  [3],
  [4],
  [5],
  [6],
  [7],
  [8],
  [9, 10],
];

/** Which display features are log1p counts (display value = expm1 of the vector value). */
const LOG_DISPLAY = new Set<DisplayFeature>([
  'events',
  'distinct_resources',
  'distinct_actions',
  'rows',
  'bytes',
  'items',
]);

/** Max prefixes and client families remembered per token for novelty (most recently used kept). */
export const SEEN_CAP = 8;
/** Distinct counters are exact up to this many values, then a 2,048-bit linear-counting sketch. */
export const EXACT_DISTINCT_CAP = 32;
const SKETCH_BITS = 2048;
const SKETCH_WORDS = SKETCH_BITS / 32;
/** Longest string kept (new prefix / client family / resource type shown in reasons). */
const MAX_LABEL = 64;

/**
 * Upper bound of the heap one token's state takes, in bytes. Measured (Node 20, x64): ~640 B with
 * an open hour of 3 events, ~740 B from ~40 events on (distinct counters switched to their 256-byte
 * bitmaps; thousands of events add nothing), ~260 B once the hour is closed (idle tokens: times
 * and the two 8-hash novelty lists). Three labels of ≤ 64 characters (new network, new client
 * family, resource type) add up to ~250 B. PeerModels adds the token id and a Map entry. The JSON
 * snapshot of a token is under ~1.4 KB (~400 B typical).
 */
export const TOKEN_STATE_MAX_BYTES = 1_536;

/**
 * error_ratio is failures / (events + 4): shrunk towards 0 so a single failed call in a quiet hour
 * (1/1) does not look like a failure storm (1/5 = 0.2; 50 of 60 failing: 0.78).
 */
export const ERROR_PRIOR_EVENTS = 4;

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;
const clip = (s: string): string => (s.length > MAX_LABEL ? s.slice(0, MAX_LABEL) : s);

/** 32-bit FNV-1a with a murmur3 finalizer (well-mixed low bits for the sketch). */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** JSON form of a {@link DistinctCounter}: exact hashes, or the sketch bitmap in base64. */
export type DistinctCounterJson = { e: number[] } | { b: string };

/**
 * Distinct count of hashed values: exact up to {@link EXACT_DISTINCT_CAP}, then linear counting
 * over a 2,048-bit bitmap (Whang et al. 1990: n ≈ -m ln(zero share); within a few % up to ~5k
 * values, saturating at ~15.6k). At most 256 bytes of payload whatever the input.
 */
export class DistinctCounter {
  private exact: number[] | undefined = [];
  private bits: Uint32Array | undefined;
  private ones = 0;

  /** Distinct values so far (an estimate once past the exact cap). */
  get count(): number {
    return this.exact !== undefined ? this.exact.length : estimate(this.ones);
  }

  /** Whether `h` was (probably, in sketch mode) added before. */
  has(h: number): boolean {
    if (this.exact !== undefined) return this.exact.includes(h);
    const bit = h & (SKETCH_BITS - 1);
    return (this.bits![bit >>> 5]! & (1 << (bit & 31))) !== 0;
  }

  /** The count after adding `h` (without adding it). */
  countWith(h: number): number {
    if (this.has(h)) return this.count;
    return this.exact !== undefined && this.exact.length < EXACT_DISTINCT_CAP
      ? this.exact.length + 1
      : estimate(this.ones + 1);
  }

  /** Adds `h`; returns whether it was new. */
  add(h: number): boolean {
    if (this.has(h)) return false;
    if (this.exact !== undefined) {
      if (this.exact.length < EXACT_DISTINCT_CAP) {
        // Copy instead of push: a pushed array reserves 17+ slots, this keeps exactly n.
        this.exact = this.exact.concat(h);
        return true;
      }
      const prior = this.exact;
      this.exact = undefined;
      this.bits = new Uint32Array(SKETCH_WORDS);
      for (const p of prior) this.setBit(p);
    }
    this.setBit(h);
    return true;
  }

  toJSON(): DistinctCounterJson {
    if (this.exact !== undefined) return { e: [...this.exact] };
    return {
      b: Buffer.from(this.bits!.buffer, this.bits!.byteOffset, this.bits!.byteLength).toString('base64'),
    };
  }

  static fromJSON(json: DistinctCounterJson): DistinctCounter {
    const c = new DistinctCounter();
    if ('e' in json) {
      c.exact = json.e.slice(0, EXACT_DISTINCT_CAP).map((h) => h >>> 0);
      return c;
    }
    const buf = Buffer.from(json.b, 'base64');
    if (buf.length !== SKETCH_WORDS * 4)
      throw new RangeError(`distinct sketch must be ${SKETCH_WORDS * 4} bytes, got ${buf.length}`);
    c.exact = undefined;
    c.bits = new Uint32Array(SKETCH_WORDS);
    new Uint8Array(c.bits.buffer).set(buf);
    for (const w of c.bits) c.ones += popcount(w);
    return c;
  }

  private setBit(h: number): void {
    const bit = h & (SKETCH_BITS - 1);
    const word = bit >>> 5;
    const mask = 1 << (bit & 31);
    if ((this.bits![word]! & mask) === 0) {
      this.bits![word] = this.bits![word]! | mask;
      this.ones++;
    }
  }
}

const estimate = (ones: number): number =>
  ones >= SKETCH_BITS
    ? Math.round(SKETCH_BITS * Math.log(SKETCH_BITS))
    : Math.round(-SKETCH_BITS * Math.log(1 - ones / SKETCH_BITS));

const popcount = (w: number): number => {
  let v = w - ((w >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
};

/** Counters of one token-hour. */
export interface HourWindow {
  /** epoch ms, start of the UTC hour */
  hourStart: number;
  events: number;
  failures: number;
  rows: number;
  bytes: number;
  items: number;
  resources: DistinctCounter;
  actions: DistinctCounter;
  /** the first never-seen network prefix of the hour, if any */
  newNetwork: string | undefined;
  /** the first never-seen client family of the hour, if any */
  newUaFamily: string | undefined;
  /** `tokenwatch.resource.type` of the hour's first resource (`repo`, `sobject`...) */
  resourceType: string | undefined;
  /** peer group keys from the hour's first event (see peer-models.ts) */
  group: string;
  appGroup: string | undefined;
}

/** Read-only summary of a token-hour in natural units (for reasons and contributions). */
export interface TokenHourSummary {
  hourStart: number;
  events: number;
  failures: number;
  distinctResources: number;
  distinctActions: number;
  rows: number;
  bytes: number;
  items: number;
  /** the first never-seen network prefix of the hour */
  newNetwork: string | undefined;
  /** the first never-seen client family of the hour */
  newUaFamily: string | undefined;
  resourceType: string | undefined;
}

/** Everything an activity changes, computed once and applied by {@link TokenHourState.apply}. */
export interface ActivityDelta {
  /** event time, epoch ms */
  t: number;
  hourStart: number;
  /** the activity is older than the token's newest hour (already closed): not counted in any window */
  late: boolean;
  /** the activity opens a new hour (the open one, if any, is complete) */
  opensHour: boolean;
  resourceHash: number | undefined;
  resourceType: string | undefined;
  actionHash: number;
  prefix: string | undefined;
  prefixHash: number | undefined;
  /** the prefix is new for the token and novelty counts (token old enough) */
  prefixNew: boolean;
  ua: string | undefined;
  uaHash: number | undefined;
  uaNew: boolean;
  failure: boolean;
  rows: number;
  bytes: number;
  items: number;
}

/** JSON form of a {@link TokenHourState}. */
export interface TokenHourStateJson {
  /** null while unset (JSON has no ±Infinity) */
  firstSeen: number | null;
  lastSeen: number | null;
  lastHour: number | null;
  prefixes: number[];
  uas: number[];
  window?: {
    hourStart: number;
    events: number;
    failures: number;
    rows: number;
    bytes: number;
    items: number;
    resources: DistinctCounterJson;
    actions: DistinctCounterJson;
    newNetwork?: string;
    newUaFamily?: string;
    resourceType?: string;
    group: string;
    appGroup?: string;
  };
}

const finiteVolume = (v: number | undefined): number =>
  v !== undefined && Number.isFinite(v) && v > 0 ? v : 0;

/**
 * `list` with `h` moved (or added) to the front, capped at {@link SEEN_CAP}; the same array when
 * `h` is already first. A new exact-size array otherwise (splice/unshift would reserve 17+ slots).
 */
function touch(list: number[], h: number): number[] {
  if (list[0] === h) return list;
  const out = [h];
  for (const x of list) if (x !== h && out.length < SEEN_CAP) out.push(x);
  return out.slice();
}

/**
 * One token's hour accumulator and novelty memory.
 *
 * Novelty: a network prefix / client family counts as new when the token does not remember it
 * (last {@link SEEN_CAP} used, most recent kept) and the token is at least `noveltyMinHistoryMs`
 * old (on a young token everything is "new"; training rows come from mature tokens only, so
 * young tokens would otherwise look novel all the time). A token that rotates through more than
 * {@link SEEN_CAP} networks keeps looking novel; so do its peers' training rows, which is what
 * the model compares with.
 *
 * Late events (older than the token's newest hour) update first-seen and novelty memory but are
 * counted in no window: the hour they belong to was already emitted.
 */
export class TokenHourState {
  firstSeen = Number.POSITIVE_INFINITY;
  lastSeen = Number.NEGATIVE_INFINITY;
  /** start of the newest hour a window was opened for */
  lastHour = Number.NEGATIVE_INFINITY;
  /** hashes of recently used network prefixes, most recent first */
  prefixes: number[] = [];
  /** hashes of recently used client families, most recent first */
  uas: number[] = [];
  window: HourWindow | undefined;

  /** Days between first and last event. */
  historyDays(): number {
    return this.lastSeen >= this.firstSeen ? (this.lastSeen - this.firstSeen) / DAY_MS : 0;
  }

  /** What `activity` at event time `t` would change (pure). */
  delta(activity: TokenActivity, t: number, noveltyMinHistoryMs: number): ActivityDelta {
    const hourStart = Math.floor(t / HOUR_MS) * HOUR_MS;
    const late = hourStart < this.lastHour || (hourStart === this.lastHour && this.window === undefined);
    const opensHour = !late && (this.window === undefined || hourStart > this.window.hourStart);
    const resource = activity.tokenwatch.resource;
    const prefix = activity.tokenwatch.network?.ip_prefix;
    const ua = activity.user_agent?.name;
    const prefixHash = prefix === undefined ? undefined : hash32(prefix);
    const uaHash = ua === undefined ? undefined : hash32(ua);
    const oldEnough = this.firstSeen <= t - noveltyMinHistoryMs;
    const volume = activity.tokenwatch.volume;
    return {
      t,
      hourStart,
      late,
      opensHour,
      resourceHash: resource === undefined ? undefined : hash32(`${resource.type}:${resource.name}`),
      resourceType: resource?.type,
      actionHash: hash32(activity.event.action),
      prefix,
      prefixHash,
      prefixNew:
        oldEnough &&
        prefixHash !== undefined &&
        this.prefixes.length > 0 &&
        !this.prefixes.includes(prefixHash),
      ua,
      uaHash,
      uaNew: oldEnough && uaHash !== undefined && this.uas.length > 0 && !this.uas.includes(uaHash),
      failure: activity.event.outcome === 'failure',
      rows: finiteVolume(volume?.rows),
      bytes: finiteVolume(volume?.bytes),
      items: finiteVolume(volume?.items),
    };
  }

  /**
   * Summary of the open hour with `delta` folded in, without changing anything (the "current
   * hour including this activity" detectors see). Undefined for a late activity.
   */
  preview(d: ActivityDelta): TokenHourSummary | undefined {
    if (d.late) return undefined;
    const w = d.opensHour ? undefined : this.window;
    return {
      hourStart: d.hourStart,
      events: (w?.events ?? 0) + 1,
      failures: (w?.failures ?? 0) + (d.failure ? 1 : 0),
      distinctResources:
        d.resourceHash === undefined
          ? (w?.resources.count ?? 0)
          : w
            ? w.resources.countWith(d.resourceHash)
            : 1,
      distinctActions: w ? w.actions.countWith(d.actionHash) : 1,
      rows: (w?.rows ?? 0) + d.rows,
      bytes: (w?.bytes ?? 0) + d.bytes,
      items: (w?.items ?? 0) + d.items,
      newNetwork: w?.newNetwork ?? (d.prefixNew ? clip(d.prefix!) : undefined),
      newUaFamily: w?.newUaFamily ?? (d.uaNew ? clip(d.ua!) : undefined),
      resourceType: w?.resourceType ?? (d.resourceType === undefined ? undefined : clip(d.resourceType)),
    };
  }

  /**
   * Folds `delta` in. When it opens a new hour, the previous window is closed and returned
   * (complete; the caller decides whether it trains a model). `group`/`appGroup` label a newly
   * opened window.
   */
  apply(d: ActivityDelta, group: string, appGroup: string | undefined): HourWindow | undefined {
    if (d.t < this.firstSeen) this.firstSeen = d.t;
    let closed: HourWindow | undefined;
    if (!d.late) {
      if (d.opensHour) {
        closed = this.window;
        this.window = {
          hourStart: d.hourStart,
          events: 0,
          failures: 0,
          rows: 0,
          bytes: 0,
          items: 0,
          resources: new DistinctCounter(),
          actions: new DistinctCounter(),
          newNetwork: undefined,
          newUaFamily: undefined,
          resourceType: undefined,
          group,
          appGroup,
        };
        this.lastHour = d.hourStart;
      }
      const w = this.window!;
      w.events++;
      if (d.failure) w.failures++;
      w.rows += d.rows;
      w.bytes += d.bytes;
      w.items += d.items;
      if (d.resourceHash !== undefined) {
        w.resources.add(d.resourceHash);
        if (w.resourceType === undefined && d.resourceType !== undefined)
          w.resourceType = clip(d.resourceType);
      }
      w.actions.add(d.actionHash);
      if (d.prefixNew && w.newNetwork === undefined) w.newNetwork = clip(d.prefix!);
      if (d.uaNew && w.newUaFamily === undefined) w.newUaFamily = clip(d.ua!);
    }
    if (d.t > this.lastSeen) this.lastSeen = d.t;
    if (d.prefixHash !== undefined) this.prefixes = touch(this.prefixes, d.prefixHash);
    if (d.uaHash !== undefined) this.uas = touch(this.uas, d.uaHash);
    return closed;
  }

  /** Closes and returns the open window (end of hour reached without a new event). */
  close(): HourWindow | undefined {
    const w = this.window;
    this.window = undefined;
    return w;
  }

  toJSON(): TokenHourStateJson {
    const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
    const json: TokenHourStateJson = {
      firstSeen: finite(this.firstSeen),
      lastSeen: finite(this.lastSeen),
      lastHour: finite(this.lastHour),
      prefixes: [...this.prefixes],
      uas: [...this.uas],
    };
    const w = this.window;
    if (w !== undefined) {
      json.window = {
        hourStart: w.hourStart,
        events: w.events,
        failures: w.failures,
        rows: w.rows,
        bytes: w.bytes,
        items: w.items,
        resources: w.resources.toJSON(),
        actions: w.actions.toJSON(),
        group: w.group,
        ...(w.newNetwork !== undefined ? { newNetwork: w.newNetwork } : {}),
        ...(w.newUaFamily !== undefined ? { newUaFamily: w.newUaFamily } : {}),
        ...(w.resourceType !== undefined ? { resourceType: w.resourceType } : {}),
        ...(w.appGroup !== undefined ? { appGroup: w.appGroup } : {}),
      };
    }
    return json;
  }

  static fromJSON(json: TokenHourStateJson): TokenHourState {
    const s = new TokenHourState();
    s.firstSeen = json.firstSeen ?? Number.POSITIVE_INFINITY;
    s.lastSeen = json.lastSeen ?? Number.NEGATIVE_INFINITY;
    s.lastHour = json.lastHour ?? Number.NEGATIVE_INFINITY;
    s.prefixes = json.prefixes.slice(0, SEEN_CAP).map((h) => h >>> 0);
    s.uas = json.uas.slice(0, SEEN_CAP).map((h) => h >>> 0);
    const w = json.window;
    if (w !== undefined) {
      s.window = {
        hourStart: w.hourStart,
        events: w.events,
        failures: w.failures,
        rows: w.rows,
        bytes: w.bytes,
        items: w.items,
        resources: DistinctCounter.fromJSON(w.resources),
        actions: DistinctCounter.fromJSON(w.actions),
        newNetwork: w.newNetwork,
        newUaFamily: w.newUaFamily,
        resourceType: w.resourceType,
        group: w.group,
        appGroup: w.appGroup,
      };
    }
    return s;
  }
}

/** {@link TokenHourSummary} of a window. */
export function summarize(w: HourWindow): TokenHourSummary {
  return {
    hourStart: w.hourStart,
    events: w.events,
    failures: w.failures,
    distinctResources: w.resources.count,
    distinctActions: w.actions.count,
    rows: w.rows,
    bytes: w.bytes,
    items: w.items,
    newNetwork: w.newNetwork,
    newUaFamily: w.newUaFamily,
    resourceType: w.resourceType,
  };
}

/** The feature vector of a token-hour (order of {@link TOKEN_HOUR_FEATURES}). */
export function featureVector(s: TokenHourSummary): number[] {
  const hour = utcHour(s.hourStart);
  return [
    round4(Math.log1p(s.events)),
    round4(Math.log1p(s.distinctResources)),
    round4(Math.log1p(s.distinctActions)),
    round4(Math.log1p(s.rows)),
    round4(Math.log1p(s.bytes)),
    round4(Math.log1p(s.items)),
    s.newNetwork !== undefined ? 1 : 0,
    s.newUaFamily !== undefined ? 1 : 0,
    round4(s.failures / (s.events + ERROR_PRIOR_EVENTS)),
    HOUR_SIN[hour]!,
    HOUR_COS[hour]!,
  ];
}

/** UTC hour of day (0..23) of an epoch-ms time. */
export const utcHour = (ms: number): number => ((Math.floor(ms / HOUR_MS) % 24) + 24) % 24;

/** (hour_sin, hour_cos) per UTC hour, rounded like every feature. */
export const HOUR_SIN: readonly number[] = Array.from({ length: 24 }, (_, h) =>
  round4(Math.sin((2 * Math.PI * h) / 24)),
);
export const HOUR_COS: readonly number[] = Array.from({ length: 24 }, (_, h) =>
  round4(Math.cos((2 * Math.PI * h) / 24)),
);

/** UTC hour of day (0..23) encoded by a vector's (hour_sin, hour_cos). */
export function hourOfVector(v: readonly number[]): number {
  const angle = Math.atan2(v[HOUR_SIN_AT] ?? 0, v[HOUR_COS_AT] ?? 1);
  return ((Math.round((angle * 24) / (2 * Math.PI)) % 24) + 24) % 24;
}

/**
 * A display feature's value in natural units, from a feature vector (counts and volumes are
 * rounded, so within ~1e-4 relative of the original; the hour from its sin/cos).
 */
export function displayValue(feature: DisplayFeature, v: readonly number[]): number {
  if (feature === 'hour_of_day') return hourOfVector(v);
  const idx = DISPLAY_GROUPS[DISPLAY_FEATURES.indexOf(feature)]![0]!;
  const x = v[idx] ?? 0;
  return LOG_DISPLAY.has(feature) ? Math.round(Math.expm1(x)) : x;
}

/**
 * Whether the step from `before` (undefined: the hour had no event yet) to `after` reaches a
 * scoring checkpoint: the hour's first event; the event count or distinct resources reaching a
 * power of 4 (4, 16, 64, ...); rows, bytes or items crossing a power of 16 (a bulk export jumps
 * several at once: one checkpoint); a novelty flag turning on. A quiet hour (~10 events) gets
 * 2-4 checkpoints, a 10k-event hour ~15, so scoring stays off the per-event hot path.
 */
export function isCheckpoint(before: TokenHourSummary | undefined, after: TokenHourSummary): boolean {
  if (before === undefined) return true;
  if (after.events > before.events && isPowerOf4(after.events)) return true;
  if (after.distinctResources > before.distinctResources && isPowerOf4(after.distinctResources)) return true;
  if (level16(after.rows) > level16(before.rows)) return true;
  if (level16(after.bytes) > level16(before.bytes)) return true;
  if (level16(after.items) > level16(before.items)) return true;
  if (after.newNetwork !== undefined && before.newNetwork === undefined) return true;
  return after.newUaFamily !== undefined && before.newUaFamily === undefined;
}

const isPowerOf4 = (n: number): boolean => {
  let p = 1;
  while (p < n) p *= 4;
  return p === n;
};
const LN16 = Math.log(16);
const level16 = (x: number): number => (x > 0 ? Math.floor(Math.log1p(x) / LN16) : 0);
