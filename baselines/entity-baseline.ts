import { SeenOutcome, SeenSets } from './capped-set.js';
import type { BaselineConfig } from './config.js';
import { decodeEntityState, encodeEntityState } from './entity-codec.js';
import {
  decodeCreated,
  decodeLocation,
  type EntityStateJSON,
  encodeCreated,
  encodeLocation,
} from './entity-state.js';
import { ActiveHourProfile, HourOfWeekProfile } from './hour-of-week.js';
import { type CurrentHour, HOUR_MS, HourlySeries } from './hourly-series.js';
import {
  ACTION_DIM,
  type CreatedContext,
  DIM_INDEX,
  type Observation,
  RESOURCE_DIM,
  SCOPE_DIM,
} from './observation.js';
import { RecentTimes } from './recent-times.js';
import type {
  BaselineView,
  CurrentWindow,
  Dimension,
  EntityKind,
  LastLocation,
  Maturity,
  RobustStats,
  SeenStat,
  VolumeMetric,
} from './types.js';

const DAY_MS = 86_400_000;
// Hot-path constants as module locals (imported bindings can cost a getter call under tsx).
const KNOWN: number = SeenOutcome.Known;
const NEW: number = SeenOutcome.New;
const RESOURCE = RESOURCE_DIM;
const ACTION = ACTION_DIM;
const SCOPE = SCOPE_DIM;
/** Reused by syncCurrent (single-threaded). */
const scratchHour: CurrentHour = { h: 0, events: 0, rows: 0, bytes: 0, items: 0 };

/**
 * Behavioural baseline of one entity (token, app or owner), updated one event at a time in event
 * time, and itself the {@link BaselineView} detectors read.
 *
 * State (all bounded; see each helper for its order-of-events guarantees):
 * - `eventCount`, `firstSeen` = min event time, `lastSeen` = max event time: a late event never
 *   moves lastSeen back.
 * - {@link HourlySeries}: exact hour buckets for the last `lateToleranceHours` (48 h), older hours
 *   folded into log histograms of events/rows/bytes/items per active hour and inter-use gaps.
 * - {@link HourOfWeekProfile}: 168 UTC counters (hour of day derived).
 * - {@link SeenSets}: first/last-seen stats for every {@link Dimension}, `setCap` values each.
 * - scopes union (first `maxScopes`), last location (max `at` among located events), revocation
 *   and authorization times (max of each), context of the latest created/authorized event.
 * - {@link CurrentWindow}: the newest hour's counters and the first-seen resource/action times of
 *   the last `recentWindowMs` (sorted, `recentCap` max).
 *
 * Every event, lifecycle ones included, updates all of it: a `created` event's IP is then known
 * to the token, and its time counts as a use for gaps and lastSeen.
 *
 * The view is live: it reflects the state at the time a property is read. Read it before folding
 * the activity in (the store's evaluate-then-update order); nothing is copied per event.
 *
 * Size ({@link stateBytes}: the binary form persisted per entity, entity-codec.ts; measured in
 * entity-baseline.test.ts and entity-codec.test.ts): about half of the version 1 JSON, which for a
 * typical mature GitHub developer PAT (30-60 days, ~25 git operations per workday, 2 networks, 6
 * repos, 3 actions, 44-char hash id, items volume) is 1,630-1,720 bytes; over the 5,000 x 14
 * bench input, mature tokens take 918 bytes on average, 1,673 at p99 (JSON: 1,998 / 3,503). Size
 * stops growing once mature (a year is within 1.3x of a month). Heap: ~8.5 KiB per such entity
 * (Node 20, measured over 10,000 token+owner entities; see README.md).
 */
export class EntityBaseline implements BaselineView {
  readonly entity: string;
  readonly kind: EntityKind;
  private config: BaselineConfig;
  private n = 0;
  private first = 0;
  private last = 0;
  private readonly series: HourlySeries;
  private readonly week: HourOfWeekProfile;
  private readonly active: ActiveHourProfile;
  private readonly sets: SeenSets;
  private readonly scopeList: string[];
  private location: LastLocation | undefined;
  private lastRevoke = -1;
  private lastAuth = -1;
  private createdCtx: CreatedContext | undefined;
  private readonly newResources: RecentTimes;
  private readonly newActions: RecentTimes;
  readonly current: CurrentWindow;

  constructor(entity: string, kind: EntityKind, config: BaselineConfig, state?: EntityStateJSON) {
    this.entity = entity;
    this.kind = kind;
    this.config = config;
    this.series = new HourlySeries(state?.hs);
    this.week = state ? HourOfWeekProfile.fromJSON(state.hw) : new HourOfWeekProfile();
    this.active = ActiveHourProfile.fromJSON(state?.ah);
    this.sets = state ? SeenSets.fromJSON(state.s, state.f, state.l) : new SeenSets();
    this.scopeList = state ? [...state.sc] : [];
    this.newResources = new RecentTimes();
    this.newActions = new RecentTimes();
    this.current = {
      hourStart: 0,
      events: 0,
      rows: 0,
      bytes: 0,
      items: 0,
      newResourceTimes: this.newResources.times,
      newActionTimes: this.newActions.times,
    };
    if (state === undefined) return;
    this.n = state.n;
    this.first = state.f;
    this.last = state.l;
    this.location = state.ll === null ? undefined : decodeLocation(state.ll, state.l);
    this.lastRevoke = state.rv;
    this.lastAuth = state.au;
    this.createdCtx = state.cr === null ? undefined : decodeCreated(state.cr, state.f);
    this.newResources.times.push(...state.nr);
    this.newActions.times.push(...state.na);
    this.syncCurrent();
  }

  /** Uses a new (validated) configuration, e.g. after a restore; caps apply from the next insert. */
  reconfigure(config: BaselineConfig): void {
    this.config = config;
  }

  /** Folds one observed activity in (see class doc for what is kept). */
  apply(o: Observation): void {
    const t = o.t;
    const cfg = this.config;
    if (this.n === 0) {
      this.first = t;
      this.last = t;
    } else {
      if (t < this.first) this.first = t;
      if (t > this.last) this.last = t;
    }
    this.n++;
    const latest = this.last;
    this.week.add(o.how);
    const hour = Math.floor(t / HOUR_MS);
    const newHour = !this.series.hasBucket(hour);
    // an event older than the kept buckets cannot tell whether its hour was active already: not counted
    if (this.series.add(t, o.rows, o.bytes, o.items, cfg.lateToleranceHours) && newHour)
      this.active.add(o.how % 24);

    const keys = o.keys;
    const sets = this.sets;
    for (let d = 0; d < keys.length; d++) {
      const k = keys[d];
      if (k === undefined) continue;
      const outcome = sets.observe(d, k, t, cfg.setCap);
      if (outcome === KNOWN || (d !== RESOURCE && d !== ACTION)) continue;
      const recent = d === RESOURCE ? this.newResources : this.newActions;
      if (outcome === NEW) recent.insert(t, latest, cfg.recentWindowMs, cfg.recentCap);
      else recent.replace(sets.movedFrom, t, latest, cfg.recentWindowMs, cfg.recentCap);
    }
    const scopes = o.scopes;
    for (let i = 0; i < scopes.length; i++) {
      const s = scopes[i]!;
      sets.observe(SCOPE, s, t, cfg.setCap);
      if (this.scopeList.length < cfg.maxScopes && !this.scopeList.includes(s)) this.scopeList.push(s);
    }
    if (o.location !== undefined && (this.location === undefined || t >= this.location.at))
      this.location = o.location;
    if (o.lifecycle === 'revoke') {
      if (t > this.lastRevoke) this.lastRevoke = t;
    } else if (o.lifecycle === 'auth') {
      if (t > this.lastAuth) this.lastAuth = t;
      if (this.createdCtx === undefined || t >= this.createdCtx.at) this.createdCtx = o.created;
    }
    this.newResources.prune(latest, cfg.recentWindowMs);
    this.newActions.prune(latest, cfg.recentWindowMs);
    this.syncCurrent();
  }

  private syncCurrent(): void {
    const c = this.current;
    if (this.series.currentInto(scratchHour)) {
      c.hourStart = scratchHour.h * HOUR_MS;
      c.events = scratchHour.events;
      c.rows = scratchHour.rows;
      c.bytes = scratchHour.bytes;
      c.items = scratchHour.items;
    }
  }

  get firstSeen(): number {
    return this.first;
  }

  get lastSeen(): number {
    return this.last;
  }

  get eventCount(): number {
    return this.n;
  }

  get historyDays(): number {
    return this.n === 0 ? 0 : (this.last - this.first) / DAY_MS;
  }

  get maturity(): Maturity {
    return this.n >= this.config.learningEvents && this.last - this.first >= this.config.learningDays * DAY_MS
      ? 'mature'
      : 'learning';
  }

  seen(dim: Dimension, value: string): SeenStat | undefined {
    return this.sets.get(DIM_INDEX[dim], value);
  }

  distinct(dim: Dimension): number {
    return this.sets.distinct(DIM_INDEX[dim]);
  }

  /**
   * Values evicted from a dimension's capped set so far (0 while the entity has at most `setCap`
   * distinct values). When > 0, "first seen" on that dimension may be a value seen long ago.
   */
  evicted(dim: Dimension): number {
    return this.sets.evictedCount(DIM_INDEX[dim]);
  }

  top(dim: Dimension, limit: number): string[] {
    return this.sets.top(DIM_INDEX[dim], limit);
  }

  get hourlyEvents(): RobustStats {
    return this.series.stats('events');
  }

  hourlyVolume(metric: VolumeMetric): RobustStats {
    return this.series.stats(metric);
  }

  hourOfWeekShare(hourOfWeek: number): number {
    return this.week.weekShare(hourOfWeek);
  }

  hourOfDayShare(hour: number): number {
    return this.week.dayShare(hour);
  }

  get activeHours(): number {
    return this.active.total;
  }

  activeHourOfDayShare(hour: number): number {
    return this.active.dayShare(hour);
  }

  get gapP99(): number {
    return this.series.gapStats().p99;
  }

  get gapMax(): number {
    return this.series.gapStats().max;
  }

  /** Events too late (older than the kept hour buckets) to enter the hourly series and gaps. */
  get lateEvents(): number {
    return this.series.late;
  }

  get lastLocation(): LastLocation | undefined {
    return this.location;
  }

  get scopes(): readonly string[] {
    return this.scopeList;
  }

  get revokedAt(): number | undefined {
    return this.lastRevoke >= 0 && this.lastRevoke > this.lastAuth ? this.lastRevoke : undefined;
  }

  get created(): CreatedContext | undefined {
    return this.createdCtx;
  }

  /** The serializable state (see entity-state.ts for the layout). */
  toJSON(): EntityStateJSON {
    const s = this.sets.toJSON(this.first, this.last);
    return {
      id: this.entity,
      k: this.kind,
      n: this.n,
      f: this.first,
      l: this.last,
      hw: this.week.toJSON(),
      ...(this.active.total > 0 ? { ah: this.active.toJSON() } : {}),
      hs: this.series.toJSON(),
      s,
      sc: [...this.scopeList],
      ll: this.location === undefined ? null : encodeLocation(this.location, this.last),
      rv: this.lastRevoke,
      au: this.lastAuth,
      cr: this.createdCtx === undefined ? null : encodeCreated(this.createdCtx, this.first),
      nr: [...this.newResources.times],
      na: [...this.newActions.times],
    };
  }

  /** Rebuilds an entity from {@link toJSON} output (validate untrusted input with `entityStateSchema` first). */
  static fromJSON(state: EntityStateJSON, config: BaselineConfig): EntityBaseline {
    return new EntityBaseline(state.id, state.k, config, state);
  }

  /**
   * The persisted form: the binary entity state of entity-codec.ts (version byte 2), what saved
   * baseline files and changelog records hold per entity.
   */
  encode(): Uint8Array {
    return encodeEntityState(this.toJSON());
  }

  /**
   * Rebuilds an entity from {@link encode} output, or from the version 1 JSON bytes earlier
   * releases persisted (migrated). `what` (and `line`) name the source in errors.
   * @throws BaselineStateError `BASELINE_STATE_CORRUPT` / `BASELINE_STATE_VERSION` (entity-codec.ts)
   */
  static decode(bytes: Uint8Array, config: BaselineConfig, what: string, line?: number): EntityBaseline {
    return EntityBaseline.fromJSON(decodeEntityState(bytes, what, line), config);
  }
}

/**
 * Bytes of the entity's persisted state per entity ({@link EntityBaseline.encode}: the binary
 * version 2 form saved files and changelog records hold, before the file's gzip).
 */
export const stateBytes = (entity: EntityBaseline): number => entity.encode().length;
