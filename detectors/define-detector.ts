import type { z } from 'zod';
import {
  type BoundHandle,
  KeyedStateStore,
  type StateDecl,
  type StateDecls,
  type StateKeyKind,
  type StateReaders,
  type StateWriters,
  stateKeyOf,
} from '../baselines/keyed-state.js';
import type { Explanation, Severity } from '../schemas/alert.js';
import type { TokenActivity } from '../schemas/token-activity.js';
import { type MitreRef, resolveMitre } from './mitre.js';
import type { SeenBefore } from './seen-before.js';
import {
  NO_SETTINGS,
  type SettingsById,
  type SettingsOf,
  type SettingsSchema,
  type SettingsShape,
  settingFields,
} from './settings.js';
import type { Detector, DetectorContext, DetectorMetadata, Finding, StateContext } from './types.js';

const NO_HANDLES: Readonly<Record<string, BoundHandle>> = Object.freeze({});
/** What `evaluate` returns when nothing was found (shared, never written). */
const NO_FINDINGS: Finding[] = Object.freeze([]) as unknown as Finding[];

/**
 * Risk-score band of each severity (inclusive). The band floors are Elastic's severity scores
 * 21/47/73/99 (`alert-format.md` §4), so `event.severity` and `event.risk_score` never disagree:
 * a detector (or a finding override) with severity `high` has a risk score in 73..98.
 */
export const SEVERITY_BANDS: Readonly<Record<Severity, readonly [min: number, max: number]>> = {
  low: [21, 46],
  medium: [47, 72],
  high: [73, 98],
  critical: [99, 100],
};

/** True when `riskScore` lies in the band of `severity`. */
export const riskMatchesSeverity = (severity: Severity, riskScore: number): boolean => {
  const [min, max] = SEVERITY_BANDS[severity];
  return Number.isFinite(riskScore) && riskScore >= min && riskScore <= max;
};

/** The severity whose band holds `riskScore` (scores below 21 count as low). */
export const severityForRisk = (riskScore: number): Severity => {
  if (riskScore >= SEVERITY_BANDS.critical[0]) return 'critical';
  if (riskScore >= SEVERITY_BANDS.high[0]) return 'high';
  if (riskScore >= SEVERITY_BANDS.medium[0]) return 'medium';
  return 'low';
};

/** Stable dotted detector id: lower case segments, at least two (`token.geo.impossible_travel`). */
export const DETECTOR_ID_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/** The file a detector lives in: its id with `.` and `_` turned into `-` (`token-geo-impossible-travel.ts`). */
export const detectorFileName = (id: string): string => `${id.replaceAll(/[._]/g, '-')}.ts`;

/**
 * The folder of a detector in the folder layout (`detectors/<folder>/detector.ts` with its test,
 * `cases/` and `scenarios/`): its id with `.` and `_` turned into `-`.
 */
export const detectorFolderName = (id: string): string => id.replaceAll(/[._]/g, '-');

/** What `evaluate` returns: a finding without `detectorId`; `entity` defaults to `token.id`. */
export interface FindingDraft {
  entity?: string;
  reason: string;
  explanation: Explanation;
  /** Override of the detector's severity; the risk score defaults to the band floor. */
  severity?: Severity;
  /** Override of the detector's risk score; the severity follows its band unless also given. */
  riskScore?: number;
}

/** What a detector's `evaluate` gets besides the activity and the baselines. */
export interface DetectorEnv<S extends SettingsShape, D extends StateDecls = NoState> {
  /** This detector's effective settings (config over the defaults declared in `settings`). */
  settings: SettingsOf<S>;
  /** Its declared state for this activity's keys, as of before the activity (read only). */
  state: StateReaders<D>;
}

/** What `observe` gets: the settings and the declared state, writable. */
export interface ObserveEnv<S extends SettingsShape, D extends StateDecls> {
  settings: SettingsOf<S>;
  state: StateWriters<D>;
}

/** No declared state. */
export type NoState = Record<never, never>;

/** Detector metadata as written in a detector file: MITRE as `'TA0005:T1550.001'` references. */
export interface DetectorSpec<S extends SettingsShape = Record<never, never>, D extends StateDecls = NoState>
  extends Omit<DetectorMetadata, 'mitre' | 'settings' | 'defaultSettings' | 'state'> {
  mitre: readonly MitreRef[];
  /**
   * Thresholds as a zod object: every field with bounds, `.default(...)` and `.describe(...)`.
   * The config schema (`pipeline.detectors.<id>`) is derived from it; omit when there are none.
   */
  settings?: z.ZodObject<S>;
  /**
   * State the detector remembers across activities (detectors/state.ts: `firstSeenSet`,
   * `slidingWindow`, `keyedCounter`, `distinctCount`), owned, saved and restored by the pipeline.
   */
  state?: D;
  /**
   * Folds the activity into the declared state; called after every detector evaluated it
   * (evaluate-then-update), for activities of `sources`. Pure apart from the state.
   */
  observe?(activity: TokenActivity, env: ObserveEnv<S, D>): void;
  /** Pure: no I/O, no wall clock (time comes from `activity['@timestamp']`). */
  evaluate(activity: TokenActivity, ctx: DetectorContext, env: DetectorEnv<S, D>): FindingDraft[];
}

/**
 * Validates detector metadata and returns a frozen {@link Detector}.
 *
 * Checked when the module loads (so a bad detector fails `npm test` and startup, never in
 * production traffic): id format, severity/risk band, MITRE references, non-empty runbook,
 * false positives and sources, positive `groupWindowMs`. The returned `evaluate` returns nothing
 * for activities of other sources (`event.module` not in `sources`), stamps
 * `detectorId`, defaults `entity` to `token.id`, and makes severity and risk overrides agree with
 * {@link SEVERITY_BANDS} (a high override gets risk 73 unless a high-band score is given).
 *
 * @throws Error describing every problem found.
 */
export function defineDetector<
  S extends SettingsShape = Record<never, never>,
  D extends StateDecls = NoState,
>(spec: DetectorSpec<S, D>): Detector {
  const problems: string[] = [];
  const settingsSchema = ((spec.settings ?? NO_SETTINGS) as SettingsSchema).strict();
  let defaultSettings: Readonly<Record<string, unknown>> = {};
  try {
    settingFields(settingsSchema);
    defaultSettings = Object.freeze(settingsSchema.parse({}));
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (!DETECTOR_ID_PATTERN.test(spec.id)) problems.push(`id "${spec.id}" is not a dotted lower-case id`);
  if (!riskMatchesSeverity(spec.severity, spec.riskScore)) {
    problems.push(
      `riskScore ${spec.riskScore} is outside the ${spec.severity} band ${SEVERITY_BANDS[spec.severity]}`,
    );
  }
  if (!Number.isInteger(spec.version) || spec.version < 1)
    problems.push('version must be a positive integer');
  if (!(spec.groupWindowMs > 0)) problems.push('groupWindowMs must be > 0');
  for (const key of ['runbook', 'falsePositives', 'sources', 'mitre', 'requiredFields'] as const) {
    if (spec[key].length === 0) problems.push(`${key} must not be empty`);
  }
  if ([spec.name, spec.description, spec.summary, spec.knownGaps].some((t) => t.trim() === ''))
    problems.push('name, description, summary and knownGaps are required');
  const mitre = spec.mitre.flatMap((ref) => {
    try {
      return [resolveMitre(ref)];
    } catch (e) {
      problems.push((e as Error).message);
      return [];
    }
  });
  if (problems.length > 0) throw new Error(`detector ${spec.id}: ${problems.join('; ')}`);

  const { evaluate, observe, settings: _settings, state: _state, ...metadata } = spec;
  const sources = new Set(spec.sources);
  const declared = Object.entries(spec.state ?? {}) as [string, StateDecl][];
  const stateDecls: StateDecls = Object.freeze({ ...(spec.state ?? {}) });
  /** The handles of one store (by name, and in declaration order), and the event summary they were last bound for. */
  interface Bound {
    handles: Record<string, BoundHandle>;
    list: BoundHandle[];
    boundFor: SeenBefore | undefined;
  }
  const keyKinds = declared.map(([, decl]) => decl.key);
  const handles = new WeakMap<KeyedStateStore, Bound>();
  // the store of the last call (the pipeline has one): no WeakMap lookup per event
  let lastStore: KeyedStateStore | undefined;
  let lastBound: Bound | undefined;
  /** State of contexts without a store (hand-built test contexts): empty, never written. */
  const detached = new KeyedStateStore();
  const stateFor = (
    store: KeyedStateStore | undefined,
    activity: TokenActivity,
    seen: SeenBefore | undefined,
  ): Record<string, BoundHandle> => {
    const s = store ?? detached;
    let b = s === lastStore ? lastBound : handles.get(s);
    if (b === undefined) {
      const h: Record<string, BoundHandle> = {};
      const list: BoundHandle[] = [];
      for (const [name, decl] of declared) {
        s.declare(`${spec.id}/${name}`, decl);
        h[name] = s.handle(`${spec.id}/${name}`);
        list.push(h[name]);
      }
      b = { handles: h, list, boundFor: undefined };
      handles.set(s, b);
    }
    lastStore = s;
    lastBound = b;
    // The runner's summary of this activity: keys built once per event, and no second binding
    // for `observe` after `evaluate` of the same event.
    const summary = seen !== undefined && seen.activity === activity ? seen : undefined;
    if (summary === undefined || b.boundFor !== summary) {
      const list = b.list;
      for (let i = 0; i < list.length; i++) {
        const kind = keyKinds[i] as StateKeyKind;
        (list[i] as BoundHandle).bind(
          summary !== undefined ? summary.stateKey(kind) : stateKeyOf(kind, activity),
        );
      }
      b.boundFor = summary;
    }
    return b.handles;
  };
  // The settings of the last settings table seen (the pipeline passes one table for every event).
  let settingsTable: SettingsById | undefined;
  let settingsOfTable: SettingsOf<S> = defaultSettings as SettingsOf<S>;
  const settingsFor = (ctx: { settings?: SettingsById | undefined }): SettingsOf<S> => {
    const table = ctx.settings;
    if (table === undefined) return defaultSettings as SettingsOf<S>;
    if (table !== settingsTable) {
      settingsOfTable = (table[spec.id] ?? defaultSettings) as SettingsOf<S>;
      settingsTable = table;
    }
    return settingsOfTable;
  };
  const detector: Detector = {
    ...metadata,
    mitre,
    settings: settingsSchema,
    defaultSettings,
    state: stateDecls,
    sources: Object.freeze([...spec.sources]),
    ...(observe && declared.length > 0
      ? {
          observe(activity: TokenActivity, ctx: StateContext) {
            if (!sources.has(activity.event.module) || ctx.state === undefined) return;
            const state = stateFor(ctx.state, activity, ctx.seen) as unknown as StateWriters<D>;
            observe(activity, { settings: settingsFor(ctx), state });
          },
        }
      : {}),
    evaluate(activity, ctx) {
      if (!sources.has(activity.event.module)) return [];
      const env: DetectorEnv<S, D> = {
        settings: settingsFor(ctx),
        state: (declared.length > 0
          ? stateFor(ctx.state, activity, ctx.seen)
          : NO_HANDLES) as unknown as StateReaders<D>,
      };
      const drafts = evaluate(activity, ctx, env);
      if (drafts.length === 0) return NO_FINDINGS;
      return drafts.map((draft) => toFinding(spec.id, activity, draft));
    },
  };
  return Object.freeze(detector);
}

function toFinding(detectorId: string, activity: TokenActivity, draft: FindingDraft): Finding {
  const finding: Finding = {
    detectorId,
    entity: draft.entity ?? activity.token.id,
    reason: draft.reason,
    explanation: draft.explanation,
  };
  if (draft.severity !== undefined) {
    finding.severity = draft.severity;
    finding.riskScore =
      draft.riskScore !== undefined && riskMatchesSeverity(draft.severity, draft.riskScore)
        ? draft.riskScore
        : SEVERITY_BANDS[draft.severity][0];
  } else if (draft.riskScore !== undefined) {
    const riskScore = Math.min(100, Math.max(SEVERITY_BANDS.low[0], draft.riskScore));
    finding.severity = severityForRisk(riskScore);
    finding.riskScore = riskScore;
  }
  return finding;
}
