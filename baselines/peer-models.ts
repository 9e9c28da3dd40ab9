import { z } from 'zod';
import type { TokenActivity } from '../schemas/token-activity.js';
import { BaselineConfigError, BaselineInputError, BaselineStateError } from './errors.js';
import { IsolationForestModel } from './isolation-forest.js';
import { SeededRandom } from './seeded-random.js';
import {
  type ActivityDelta,
  DAY_MS,
  DISPLAY_FEATURES,
  DISPLAY_GROUPS,
  type DisplayFeature,
  displayValue,
  FEATURE_COUNT,
  featureVector,
  HOUR_COS,
  HOUR_COS_AT,
  HOUR_MS,
  HOUR_SIN,
  HOUR_SIN_AT,
  type HourWindow,
  hash32,
  hourOfVector,
  isCheckpoint,
  summarize,
  TOKEN_HOUR_FEATURES,
  TOKEN_STATE_MAX_BYTES,
  TokenHourState,
  type TokenHourSummary,
  utcHour,
} from './token-hour-features.js';

/**
 * Peer-group isolation forests over token-hours (capability 15, "multivariate outlier").
 *
 * Every token's activity is cut into event-time UTC hours (token-hour-features.ts). When a
 * token-hour completes and the token is mature (≥ `matureDays` of history, tracked here from the
 * first event seen), its feature vector joins its **peer group**: `<event.module>:<token.type>`
 * (`github:pat_classic`), and also `<module>:<type>:app:<client id>` once that OAuth app / client
 * has `appGroups.minTokens` mature tokens (up to `appGroups.maxGroups` app groups; an app group
 * with a model is preferred over the type group). Each group keeps a uniform sample of its rows
 * (reservoir of `reservoirSize`, Algorithm R with a seeded PRNG) and an isolation forest
 * (isolation-forest.ts) trained on it.
 *
 * Training is triggered by counts only (never the wall clock): new rows wait in `pending`; the
 * first model is trained when reservoir + pending reach `minTrainRows`, later ones when
 * `retrainEvery` rows are pending. Pending rows are merged into the reservoir only at training
 * time, so between trainings the reservoir *is* the training set: a snapshot stores rows, not
 * trees, and {@link PeerModels.restore} retrains bit-identical models (same rows, same seed).
 *
 * Use like the baseline store, evaluate-then-update: `contextFor(a)` (the token's hour including
 * `a`, nothing changed), run detectors, then `update(a)`. Scoring is lazy: `PeerContext.score()`
 * runs the forest (100 trees, ~10 µs; contributions, one more pass per display feature, only when
 * read) and `scoreAbove(threshold)` stops early for benign hours; call either only when
 * `checkpoint` is true (a handful of times per token-hour).
 *
 * Memory: per token at most {@link TOKEN_STATE_MAX_BYTES} (measured ~650-750 B with an open
 * hour, ~260 B once closed, plus the token id and Map entry); tokens idle for `idleTokenTtlDays`
 * are dropped (they come back as new, immature tokens). Per group: reservoir (`reservoirSize` ×
 * 11 doubles, ~230 KB at 2,048 rows) + pending (≤ `retrainEvery` rows) + model (~330 KB measured,
 * ≤ 1.5 MB); at most 3 modules × 11 token types type groups plus `appGroups.maxGroups` app groups.
 * Snapshot JSON: ~400 B per token, ~160 KB per full group.
 *
 * Cost (CPU time, 2-core box under load): contextFor + update ~3 µs per event, of which
 * Date.parse is ~0.5; scoring at checkpoints with `scoreAbove` adds ~0.5 µs per event on a quiet
 * group (5 events per token-hour); a (re)training ~10-20 ms (forest, per-feature medians sorted
 * as typed arrays), once per `retrainEvery` completed token-hours of a group; the 512 scores of
 * training rows behind `trainingScores` (about as much again) only when a detector reads them.
 */

export const peerModelsConfigSchema = z.strictObject({
  /** Days of history (last - first event) before a token's hours train its peer group. */
  matureDays: z.number().nonnegative().default(7),
  /** Rows kept per peer group (uniform reservoir sample of every mature token-hour). */
  reservoirSize: z.number().int().min(16).max(65_536).default(2048),
  /** Rows a group needs before its first model. */
  minTrainRows: z.number().int().min(16).default(256),
  /** New rows after which a group's model is retrained. */
  retrainEvery: z.number().int().min(1).default(512),
  /** Isolation forest: trees per model. */
  trees: z.number().int().min(1).max(1000).default(100),
  /** Isolation forest: rows per tree (ψ). */
  sampleSize: z.number().int().min(2).max(4096).default(256),
  /** Base seed of the reservoirs and models. */
  seed: z.number().int().default(1),
  /** A token-hour is complete this long (ms, event time) after its end, even without a later event. */
  allowedLatenessMs: z
    .number()
    .int()
    .min(0)
    .max(7 * DAY_MS)
    .default(HOUR_MS),
  /** Tokens without an event for this many days (event time) are forgotten. */
  idleTokenTtlDays: z.number().positive().default(120),
  appGroups: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Distinct mature tokens an app needs before it gets its own peer group. */
      minTokens: z.number().int().min(2).max(1000).default(20),
      /** Max app groups (first come, first served). */
      maxGroups: z.number().int().min(0).max(1000).default(32),
      /** Max apps tracked while counting their tokens. */
      maxCandidates: z.number().int().min(0).max(100_000).default(4096),
    })
    .prefault({}),
});
export type PeerModelsConfig = Readonly<z.output<typeof peerModelsConfigSchema>>;
export type PeerModelsConfigInput = z.input<typeof peerModelsConfigSchema>;

/** One display feature's share of a score and the peer group's typical value. */
export interface FeatureContribution {
  feature: DisplayFeature;
  /** the token-hour's value in natural units (count, bytes, 0/1 flag, ratio, UTC hour) */
  value: number;
  /** the peers' median in the same units (for hour_of_day: their most common hour) */
  baseline_median: number;
  /** for 0/1 flags: share of peer hours with the flag set */
  baseline_share?: number;
  /** score drop when this feature is set to the peer median (> 0: it makes the hour anomalous) */
  drop: number;
}

/** Result of {@link PeerContext.score}. */
export interface PeerScore {
  /** isolation-forest anomaly score in (0, 1]: ~0.4-0.6 typical, ≥ 0.7 unlike the peers */
  score: number;
  /** every display feature, largest drop first (computed on first access: ~10 forest passes) */
  readonly contributions: FeatureContribution[];
}

/** The peer-group view of the token's current hour, as of this activity (for detectors). */
export interface PeerContext {
  /** `github:pat_classic`, or `google_workspace:oauth_access_token:app:<client id>` */
  group: string;
  groupKind: 'type' | 'app';
  /** the token's current hour INCLUDING this activity, as the model sees it */
  features: number[];
  featureNames: readonly string[];
  /** the same hour in natural units */
  window: TokenHourSummary;
  /** true when this activity moved the hour to a scoring checkpoint (see `isCheckpoint`); score only then */
  checkpoint: boolean;
  /** the token's own history as tracked here (days between first and this event) */
  tokenHistoryDays: number;
  tokenMature: boolean;
  /** rows the group's model was trained on */
  trainedOn: number;
  /** days between the group's first and last training row hour */
  trainingSpanDays: number;
  /**
   * Scores of the model's own training rows (a sample of up to 512): what benign looks like.
   * In-sample, so a little lower than fresh benign hours.
   */
  trainingScores: Readonly<{ p50: number; p99: number }>;
  /** Scores the hour (memoized; one forest pass, contributions on first access). Undefined if it cannot be scored. */
  score(): PeerScore | undefined;
  /**
   * {@link score} when the score is at least `floor`, else undefined; about twice as cheap on
   * benign hours (stops once the remaining trees cannot reach the floor). What a detector with a
   * threshold should call.
   */
  scoreAbove(floor: number): PeerScore | undefined;
}

const jsonRow = z.array(z.number()).length(FEATURE_COUNT);
const counterJson = z.union([z.strictObject({ e: z.array(z.number()) }), z.strictObject({ b: z.string() })]);
const tokenJson = z.strictObject({
  firstSeen: z.number().nullable(),
  lastSeen: z.number().nullable(),
  lastHour: z.number().nullable(),
  prefixes: z.array(z.number()),
  uas: z.array(z.number()),
  window: z
    .strictObject({
      hourStart: z.number(),
      events: z.number(),
      failures: z.number(),
      rows: z.number(),
      bytes: z.number(),
      items: z.number(),
      resources: counterJson,
      actions: counterJson,
      newNetwork: z.string().optional(),
      newUaFamily: z.string().optional(),
      resourceType: z.string().optional(),
      group: z.string(),
      appGroup: z.string().optional(),
    })
    .optional(),
});
const groupJson = z.strictObject({
  key: z.string(),
  kind: z.enum(['type', 'app']),
  rng: z.number(),
  offered: z.number(),
  generation: z.number(),
  firstHour: z.number().nullable(),
  lastHour: z.number().nullable(),
  reservoir: z.array(jsonRow),
  pending: z.array(jsonRow),
});
export const PEER_MODELS_SNAPSHOT_VERSION = 1;
const snapshotSchema = z.strictObject({
  version: z.literal(PEER_MODELS_SNAPSHOT_VERSION),
  watermark: z.number().nullable(),
  lastSweepHour: z.number().nullable(),
  tokens: z.array(z.tuple([z.string(), tokenJson])),
  groups: z.array(groupJson),
  appCandidates: z.array(z.tuple([z.string(), z.array(z.number())])),
  appCandidatesClosed: z.boolean(),
});
/** Plain-JSON state of {@link PeerModels} (rows, not trees: models are retrained on restore). */
export type PeerModelsSnapshot = z.infer<typeof snapshotSchema>;

/** Summary for metrics and logs. */
export interface PeerGroupStats {
  key: string;
  kind: 'type' | 'app';
  reservoir: number;
  pending: number;
  /** rows ever merged into the reservoir */
  offered: number;
  /** trainings so far */
  generation: number;
  trainedOn: number;
}

/** Group keys shared between windows (type keys are few; app keys one per client id). */
const MAX_INTERNED_KEYS = 10_000;

const FLAG_FEATURES = new Set<DisplayFeature>(['new_network', 'new_ua_family']);

/** One peer group: reservoir, pending rows and model. */
class PeerGroup {
  readonly rng: SeededRandom;
  reservoir: number[][] = [];
  pending: number[][] = [];
  /** rows merged so far (Algorithm R's n) */
  offered = 0;
  generation = 0;
  firstHour = Number.POSITIVE_INFINITY;
  lastHour = Number.NEGATIVE_INFINITY;
  model: IsolationForestModel | undefined;
  /** substitution reference for contributions (vector space) */
  reference: number[] = [];
  displayMedians: number[] = [];
  flagShares: number[] = [];
  /** what benign looks like to the current model (scored on first read) */
  benign: TrainingScores = NO_TRAINING_SCORES;

  constructor(
    readonly key: string,
    readonly kind: 'type' | 'app',
    private readonly config: PeerModelsConfig,
  ) {
    this.rng = new SeededRandom(hash32(`${config.seed}:${key}`));
  }

  /** Adds a completed row; trains when the count trigger is reached. */
  offer(row: number[], hourStart: number): void {
    this.pending.push(row);
    if (hourStart < this.firstHour) this.firstHour = hourStart;
    if (hourStart > this.lastHour) this.lastHour = hourStart;
    const due =
      this.generation === 0
        ? this.reservoir.length + this.pending.length >= this.config.minTrainRows
        : this.pending.length >= this.config.retrainEvery;
    if (due) {
      this.merge();
      this.generation++;
      this.train();
    }
  }

  /** Algorithm R over the pending rows, in arrival order. */
  private merge(): void {
    const cap = this.config.reservoirSize;
    for (const row of this.pending) {
      this.offered++;
      if (this.reservoir.length < cap) {
        this.reservoir.push(row);
      } else {
        const j = this.rng.int(this.offered);
        if (j < cap) this.reservoir[j] = row;
      }
    }
    this.pending = [];
  }

  /** (Re)trains on the reservoir with the seed of the current generation. */
  train(): void {
    const rows = this.reservoir;
    if (rows.length < 2) return;
    const seed = (hash32(`${this.config.seed}:${this.key}`) + Math.imul(this.generation, 0x9e3779b9)) >>> 0;
    // All features, constant ones included: a count that never varied among the peers (rows on
    // a GitHub group) still isolates a first non-zero value (see isolation-forest.ts, `x <= split`),
    // and the extra splits lengthen inlier paths more than outlier ones (measured: lower benign
    // tail, same attack scores, than splitting only on varying features).
    const model = new IsolationForestModel().train(rows, {
      trees: this.config.trees,
      sampleSize: this.config.sampleSize,
      seed,
      // Peers' ranges are where exfiltration shows (more repos than any peer): see isolation-forest.ts.
      extrapolateAbove: true,
    });

    // Reference for substitution: per-feature medians; the hour as the peers' most common hour.
    const medians: number[] = [];
    const column = new Float64Array(rows.length);
    for (let j = 0; j < FEATURE_COUNT; j++) {
      for (let i = 0; i < rows.length; i++) column[i] = rows[i]![j]!;
      medians.push(median(column));
    }
    const hourCounts = new Array<number>(24).fill(0);
    for (const r of rows) hourCounts[hourOfVector(r)]!++;
    const modeHour = hourCounts.indexOf(Math.max(...hourCounts));
    medians[HOUR_SIN_AT] = HOUR_SIN[modeHour]!;
    medians[HOUR_COS_AT] = HOUR_COS[modeHour]!;
    this.reference = medians;
    this.displayMedians = DISPLAY_FEATURES.map((f) => displayValue(f, medians));
    this.flagShares = DISPLAY_FEATURES.map((f, g) => {
      if (!FLAG_FEATURES.has(f)) return 0;
      const j = DISPLAY_GROUPS[g]![0]!;
      return rows.reduce((acc, r) => acc + r[j]!, 0) / rows.length;
    });

    // What benign looks like: scores of (up to) 512 training rows, evenly strided; scored only
    // when a detector first reads them (an alert's explanation), not at every training.
    const stride = Math.max(1, Math.ceil(rows.length / 512));
    const sample: number[][] = [];
    for (let i = 0; i < rows.length; i += stride) sample.push(rows[i]!);
    this.benign = new TrainingScores(model, sample);
    this.model = model;
  }

  stats(): PeerGroupStats {
    return {
      key: this.key,
      kind: this.kind,
      reservoir: this.reservoir.length,
      pending: this.pending.length,
      offered: this.offered,
      generation: this.generation,
      trainedOn: this.model?.trainedOn ?? 0,
    };
  }
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * The scores one trained model gives a sample of its own training rows (median and p99, rounded
 * to 3 decimals): computed on first read, since only an alert's explanation quotes them (512
 * forest passes, about as much as the training itself, saved at every other retraining).
 */
class TrainingScores {
  private scores: Readonly<{ p50: number; p99: number }> | undefined;

  constructor(
    private readonly model: IsolationForestModel | undefined,
    /** training rows (references; rows are never mutated) */
    private readonly sample: readonly number[][],
  ) {}

  get value(): Readonly<{ p50: number; p99: number }> {
    if (this.scores !== undefined) return this.scores;
    const scores = new Float64Array(this.sample.length);
    if (this.model !== undefined)
      for (let i = 0; i < scores.length; i++) scores[i] = this.model.score(this.sample[i]!);
    scores.sort();
    this.scores = { p50: round3(quantile(scores, 0.5)), p99: round3(quantile(scores, 0.99)) };
    return this.scores;
  }
}

const NO_TRAINING_SCORES = new TrainingScores(undefined, []);

/**
 * Median (lower of the two middle values for an even count, so it is an observed value); sorts
 * `values` in place (a typed array sorts numerically without a comparator call per pair).
 */
function median(values: Float64Array): number {
  if (values.length === 0) return 0;
  values.sort();
  return values[(values.length - 1) >> 1]!;
}

/** Quantile of sorted values (nearest rank). */
function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Peer group key of an activity: `<event.module>:<token.type>`. */
export const peerGroupKey = (activity: TokenActivity): string =>
  `${activity.event.module}:${activity.token.type}`;

/** App peer group key: `<module>:<type>:app:<client id>`, when the activity has a client id. */
export const appPeerGroupKey = (activity: TokenActivity): string | undefined => {
  const client = activity.token.client?.id;
  return client === undefined || client === '' ? undefined : `${peerGroupKey(activity)}:app:${client}`;
};

/**
 * Peer-group models and per-token hour accumulators; see the module comment.
 *
 * @example
 * const peers = new PeerModels();
 * for (const a of activities) {
 *   const peer = peers.contextFor(a);      // before detectors
 *   runDetectors(a, { ...baselineCtx, peer });
 *   peers.update(a);                      // after
 * }
 * const saved = peers.snapshot();          // plain JSON
 * new PeerModels().restore(saved);         // same models, same state
 */
export class PeerModels {
  readonly config: PeerModelsConfig;
  private readonly tokens = new Map<string, TokenHourState>();
  private readonly groups = new Map<string, PeerGroup>();
  private readonly appCandidates = new Map<string, number[]>();
  private readonly keys = new Map<string, string>();
  private appCandidatesClosed = false;
  private watermark = Number.NEGATIVE_INFINITY;
  private lastSweepHour = Number.NEGATIVE_INFINITY;
  /** the delta computed by the last contextFor, reused by update for the same activity object */
  private cached: { activity: TokenActivity; state: TokenHourState; delta: ActivityDelta } | undefined;

  /** @throws BaselineConfigError when the configuration is invalid */
  constructor(config: PeerModelsConfigInput = {}) {
    const r = peerModelsConfigSchema.safeParse(config);
    if (!r.success) {
      const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new BaselineConfigError(`invalid peer models config: ${issues}`, { cause: r.error });
    }
    this.config = Object.freeze(r.data);
  }

  private get matureMs(): number {
    return this.config.matureDays * DAY_MS;
  }

  /**
   * The peer view of the token's current hour including `activity`, without changing anything.
   * Undefined when neither its app group nor its type group has a model yet, or when the activity
   * is late (its hour was already closed).
   * @throws BaselineInputError on an unparseable `@timestamp`
   */
  contextFor(activity: TokenActivity): PeerContext | undefined {
    const appKey = this.config.appGroups.enabled ? appPeerGroupKey(activity) : undefined;
    const app = appKey === undefined ? undefined : this.groups.get(appKey);
    const group = app?.model !== undefined ? app : this.groups.get(peerGroupKey(activity));
    const model = group?.model;
    if (group === undefined || model === undefined) return undefined;
    const benign = group.benign;

    const t = eventTime(activity);
    const state = this.tokens.get(activity.token.id) ?? new TokenHourState();
    const delta = state.delta(activity, t, this.matureMs);
    this.cached = { activity, state, delta };
    const window = state.preview(delta);
    if (window === undefined) return undefined;
    const before = delta.opensHour || state.window === undefined ? undefined : summarize(state.window);
    const features = featureVector(window);
    const historyMs = Number.isFinite(state.firstSeen) ? Math.max(0, t - state.firstSeen) : 0;
    let memo: PeerScore | undefined;
    const scorable = features.every(Number.isFinite);
    return {
      group: group.key,
      groupKind: group.kind,
      features,
      featureNames: TOKEN_HOUR_FEATURES,
      window,
      checkpoint: isCheckpoint(before, window),
      tokenHistoryDays: historyMs / DAY_MS,
      tokenMature: historyMs >= this.matureMs,
      trainedOn: model.trainedOn,
      trainingSpanDays: Number.isFinite(group.firstHour)
        ? (group.lastHour - group.firstHour + HOUR_MS) / DAY_MS
        : 0,
      // scored on first read (the explanation of an alert), by the model of this context
      get trainingScores() {
        return benign.value;
      },
      score: () => {
        if (scorable) memo ??= scoreWindow(group, model, features, window, model.score(features));
        return memo;
      },
      scoreAbove: (floor) => {
        if (!scorable) return undefined;
        if (memo === undefined) {
          // 1e-4 below: the score is rounded to 4 decimals before the comparison.
          const raw = model.scoreAbove(features, floor - 1e-4);
          if (raw === undefined) return undefined;
          memo = scoreWindow(group, model, features, window, raw);
        }
        return memo.score >= floor ? memo : undefined;
      },
    };
  }

  /**
   * Folds `activity` into its token's hour; a completed hour of a mature token joins its peer
   * groups (which may train). Also closes hours that ended more than `allowedLatenessMs` before
   * the newest event time seen, and forgets idle tokens (once per event-time hour).
   * @throws BaselineInputError on an unparseable `@timestamp`
   */
  update(activity: TokenActivity): void {
    const c = this.cached;
    this.cached = undefined;
    let state: TokenHourState;
    let delta: ActivityDelta;
    const id = activity.token.id;
    // Reuse contextFor's work when nothing happened in between (a new token's fresh state included).
    if (c !== undefined && c.activity === activity && (this.tokens.get(id) ?? c.state) === c.state) {
      state = c.state;
      delta = c.delta;
    } else {
      state = this.tokens.get(id) ?? new TokenHourState();
      delta = state.delta(activity, eventTime(activity), this.matureMs);
    }
    if (!this.tokens.has(id)) this.tokens.set(id, state);
    // Only a newly opened window keeps the keys (interned: one string per group, not per window).
    let typeKey = '';
    let appKey: string | undefined;
    if (delta.opensHour) {
      typeKey = this.intern(peerGroupKey(activity));
      const app = this.config.appGroups.enabled ? appPeerGroupKey(activity) : undefined;
      appKey = app === undefined ? undefined : this.intern(app);
    }
    const closed = state.apply(delta, typeKey, appKey);
    if (closed !== undefined) this.complete(id, state, closed);

    if (delta.t > this.watermark) this.watermark = delta.t;
    const hour = Math.floor(this.watermark / HOUR_MS);
    if (hour > this.lastSweepHour) {
      this.lastSweepHour = hour;
      this.sweep();
    }
  }

  /** Number of tokens tracked. */
  get tokenCount(): number {
    return this.tokens.size;
  }

  /** Per-group sizes and training counts, groups in creation order. */
  stats(): PeerGroupStats[] {
    return [...this.groups.values()].map((g) => g.stats());
  }

  /** Plain-JSON state: tokens, group reservoirs and pending rows, PRNG states. */
  snapshot(): PeerModelsSnapshot {
    return {
      version: PEER_MODELS_SNAPSHOT_VERSION,
      watermark: Number.isFinite(this.watermark) ? this.watermark : null,
      lastSweepHour: Number.isFinite(this.lastSweepHour) ? this.lastSweepHour : null,
      tokens: [...this.tokens].map(([id, s]) => [id, s.toJSON()]),
      groups: [...this.groups.values()].map((g) => ({
        key: g.key,
        kind: g.kind,
        rng: g.rng.state,
        offered: g.offered,
        generation: g.generation,
        firstHour: Number.isFinite(g.firstHour) ? g.firstHour : null,
        lastHour: Number.isFinite(g.lastHour) ? g.lastHour : null,
        reservoir: g.reservoir.map((r) => [...r]),
        pending: g.pending.map((r) => [...r]),
      })),
      appCandidates: [...this.appCandidates].map(([k, v]) => [k, [...v]]),
      appCandidatesClosed: this.appCandidatesClosed,
    };
  }

  /**
   * Replaces all state with a {@link snapshot} (also after a JSON round trip) and retrains every
   * group that had a model: same rows, same seed, same config => the same scores as before.
   * Retraining costs a few ms per group.
   * @throws BaselineStateError (`BASELINE_STATE_VERSION` / `BASELINE_STATE_CORRUPT`)
   */
  restore(snapshot: unknown): this {
    const version = (snapshot as { version?: unknown } | null)?.version;
    if (version !== PEER_MODELS_SNAPSHOT_VERSION) {
      throw new BaselineStateError(
        'BASELINE_STATE_VERSION',
        'peer-models',
        `unknown snapshot version ${String(version)}`,
      );
    }
    const r = snapshotSchema.safeParse(snapshot);
    if (!r.success) {
      const issues = r.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ');
      throw new BaselineStateError('BASELINE_STATE_CORRUPT', 'peer-models', `invalid snapshot: ${issues}`, {
        cause: r.error,
      });
    }
    const s = r.data;
    this.tokens.clear();
    this.groups.clear();
    this.appCandidates.clear();
    this.keys.clear();
    this.cached = undefined;
    this.watermark = s.watermark ?? Number.NEGATIVE_INFINITY;
    this.lastSweepHour = s.lastSweepHour ?? Number.NEGATIVE_INFINITY;
    for (const [id, json] of s.tokens) {
      const state = TokenHourState.fromJSON(json);
      const w = state.window;
      if (w !== undefined) {
        w.group = this.intern(w.group);
        if (w.appGroup !== undefined) w.appGroup = this.intern(w.appGroup);
      }
      this.tokens.set(id, state);
    }
    for (const gj of s.groups) {
      const g = new PeerGroup(gj.key, gj.kind, this.config);
      g.rng.state = gj.rng >>> 0;
      g.offered = gj.offered;
      g.generation = gj.generation;
      g.firstHour = gj.firstHour ?? Number.POSITIVE_INFINITY;
      g.lastHour = gj.lastHour ?? Number.NEGATIVE_INFINITY;
      g.reservoir = gj.reservoir.slice(0, this.config.reservoirSize);
      g.pending = gj.pending;
      if (g.generation > 0) g.train();
      this.groups.set(g.key, g);
    }
    for (const [k, v] of s.appCandidates) this.appCandidates.set(k, v);
    this.appCandidatesClosed = s.appCandidatesClosed;
    return this;
  }

  /** The canonical copy of a group key (bounded; past the bound keys are simply not shared). */
  private intern(key: string): string {
    const known = this.keys.get(key);
    if (known !== undefined) return known;
    if (this.keys.size < MAX_INTERNED_KEYS) this.keys.set(key, key);
    return key;
  }

  /** A closed window of a token: joins its peer groups if the token was mature at the hour's end. */
  private complete(tokenId: string, state: TokenHourState, w: HourWindow): void {
    if (w.hourStart + HOUR_MS - state.firstSeen < this.matureMs) return;
    const row = featureVector(summarize(w));
    this.groupFor(w.group, 'type').offer(row, w.hourStart);
    if (w.appGroup === undefined) return;
    const app = this.groups.get(w.appGroup);
    if (app !== undefined) {
      app.offer(row, w.hourStart);
      return;
    }
    this.countAppToken(w.appGroup, hash32(tokenId));
  }

  /** Counts distinct mature tokens of an app until it earns its own group. */
  private countAppToken(appKey: string, tokenHash: number): void {
    const { minTokens, maxGroups, maxCandidates } = this.config.appGroups;
    if (this.appCandidatesClosed) return;
    let seen = this.appCandidates.get(appKey);
    if (seen === undefined) {
      if (this.appCandidates.size >= maxCandidates) return;
      seen = [];
      this.appCandidates.set(appKey, seen);
    }
    if (!seen.includes(tokenHash)) seen.push(tokenHash);
    if (seen.length < minTokens) return;
    this.appCandidates.delete(appKey);
    this.groupFor(appKey, 'app');
    if ([...this.groups.values()].filter((g) => g.kind === 'app').length >= maxGroups) {
      this.appCandidatesClosed = true;
      this.appCandidates.clear();
    }
  }

  private groupFor(key: string, kind: 'type' | 'app'): PeerGroup {
    let g = this.groups.get(key);
    if (g === undefined) {
      g = new PeerGroup(key, kind, this.config);
      this.groups.set(key, g);
    }
    return g;
  }

  /** Closes hours past the lateness allowance and forgets idle tokens (O(tokens), once per hour). */
  private sweep(): void {
    const closeBefore = this.watermark - this.config.allowedLatenessMs - HOUR_MS;
    const forgetBefore = this.watermark - this.config.idleTokenTtlDays * DAY_MS;
    for (const [id, state] of this.tokens) {
      if (state.window !== undefined && state.window.hourStart <= closeBefore) {
        const w = state.close()!;
        this.complete(id, state, w);
      }
      if (state.lastSeen < forgetBefore) this.tokens.delete(id);
    }
  }
}

/**
 * Scores a window. Contributions cost one forest pass per display feature (~10x the score), so
 * they are computed on first access of `contributions` (then kept).
 */
function scoreWindow(
  group: PeerGroup,
  model: IsolationForestModel,
  features: number[],
  window: TokenHourSummary,
  raw: number,
): PeerScore {
  const score = Math.round(raw * 10_000) / 10_000;
  let contributions: FeatureContribution[] | undefined;
  return {
    score,
    get contributions(): FeatureContribution[] {
      contributions ??= model
        .contributions(features, group.reference, DISPLAY_GROUPS)
        .map((c): FeatureContribution => {
          const feature = DISPLAY_FEATURES[c.group]!;
          const out: FeatureContribution = {
            feature,
            value: naturalValue(feature, window),
            baseline_median: group.displayMedians[c.group] ?? 0,
            drop: Math.round(c.drop * 10_000) / 10_000,
          };
          if (FLAG_FEATURES.has(feature))
            out.baseline_share = Math.round((group.flagShares[c.group] ?? 0) * 10_000) / 10_000;
          return out;
        });
      return contributions;
    },
  };
}

/** A display feature's value in natural units from the hour's summary. */
function naturalValue(feature: DisplayFeature, w: TokenHourSummary): number {
  switch (feature) {
    case 'events':
      return w.events;
    case 'distinct_resources':
      return w.distinctResources;
    case 'distinct_actions':
      return w.distinctActions;
    case 'rows':
      return w.rows;
    case 'bytes':
      return w.bytes;
    case 'items':
      return w.items;
    case 'new_network':
      return w.newNetwork !== undefined ? 1 : 0;
    case 'new_ua_family':
      return w.newUaFamily !== undefined ? 1 : 0;
    case 'error_ratio':
      return w.events > 0 ? Math.round((w.failures / w.events) * 1000) / 1000 : 0;
    case 'hour_of_day':
      return utcHour(w.hourStart);
  }
}

function eventTime(activity: TokenActivity): number {
  const t = Date.parse(activity['@timestamp']);
  if (!Number.isFinite(t)) throw new BaselineInputError(`unparseable @timestamp "${activity['@timestamp']}"`);
  return t;
}
