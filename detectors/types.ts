import type { KeyedStateStore, StateDecls } from '../baselines/keyed-state.js';
import type { PeerContext } from '../baselines/peer-models.js';
import type { BaselineView, EntityKind, OrgView } from '../baselines/types.js';
import type { Explanation, Severity } from '../schemas/alert.js';
import type { Source, TokenActivity } from '../schemas/token-activity.js';
import type { AppVettingLookup } from './lookups.js';
import type { SeenBefore } from './seen-before.js';
import type { SettingsById, SettingsSchema } from './settings.js';

/** A MITRE ATT&CK technique (https://attack.mitre.org/techniques/<id>/) with its tactic. */
export interface MitreTechnique {
  /** `T1550.001` */
  id: string;
  name: string;
  tactic: { id: string; name: string };
}

/** Detector metadata: everything an analyst and the alert document need besides the finding. */
export interface DetectorMetadata {
  /** Stable dotted id, also `rule.id` and `event.action` of the alert (`token.geo.new_country`). */
  id: string;
  name: string;
  description: string;
  /**
   * What it catches, for the catalogue (markdown, a few sentences): the rule, its severity
   * variations, what keeps it quiet, the scenarios (S1-S10, N1-N7) it serves.
   */
  summary: string;
  /** What it cannot see and which benign activity still looks like it (catalogue, markdown). */
  knownGaps: string;
  version: number;
  severity: Severity;
  /** 0..100, finer than severity for ranking. */
  riskScore: number;
  /** ECS `event.category` of the alert. */
  category: string;
  mitre: MitreTechnique[];
  /** Sources the detector applies to. */
  sources: readonly Source[];
  /** Token-activity fields the detector reads (dotted paths). */
  requiredFields: string[];
  falsePositives: string[];
  /**
   * Known false positives on the bundled benign data (goodlog, `test/e2e/goodlog.test.ts`): the
   * most alerts allowed per look-alike class of samples/labels.json (`N1`..`N7`, or `unlabeled`
   * for benign traffic no look-alike explains). Anything beyond fails CI.
   */
  goodlog?: Readonly<Record<string, number>>;
  /**
   * Known false positives on the simulator's benign population (`test/e2e/goodlog-simulated.test.ts`:
   * fixed seed, no incidents, look-alikes N1..N7 and N13): the most alerts allowed per look-alike class or
   * `unlabeled`. Anything beyond fails CI.
   */
  goodlogSimulated?: Readonly<Record<string, number>>;
  runbook: string[];
  /** Findings for the same entity within this window (event time) are grouped into one alert. */
  groupWindowMs: number;
  /** Thresholds with defaults, bounds and descriptions (strict zod object; see settings.ts). */
  settings: SettingsSchema;
  /** `settings` parsed from `{}`. */
  defaultSettings: Readonly<Record<string, unknown>>;
  /** Declared state tables by name (baselines/keyed-state.ts); empty when it remembers nothing. */
  state: StateDecls;
}

/** What `Detector.observe` needs: the pipeline's state store and the settings. */
export interface StateContext {
  state?: KeyedStateStore | undefined;
  settings?: SettingsById | undefined;
  /** The event's seen-before summary (seen-before.ts), when the runner built one for this activity. */
  seen?: SeenBefore | undefined;
}

/** A baseline chosen for comparison and which entity it belongs to. */
export interface ReferenceBaseline {
  view: BaselineView;
  entity: EntityKind;
}

/** What a detector sees besides the activity: baselines as of just before this activity. */
export interface DetectorContext {
  /** The token's own baseline (empty on its first event). */
  token: BaselineView;
  /** The OAuth app / client baseline across its tokens, if the activity has a client. */
  app: BaselineView | undefined;
  /** The owner's baseline across their tokens, if the activity has an owner. */
  owner: BaselineView | undefined;
  /**
   * The baseline to compare with: the token's own when mature; else the app's or owner's when
   * mature (cold-start fallback); else undefined (nothing mature to compare with).
   */
  reference: ReferenceBaseline | undefined;
  /**
   * Effective settings of every detector by id (`pipeline.detectors` of the config, defaults
   * filled; see settings.ts). Absent in hand-built test contexts: each detector then uses its
   * declared defaults. A detector reads its own as the `settings` argument of `evaluate`.
   */
  settings?: SettingsById;
  /**
   * Declared detector state (baselines/keyed-state.ts), owned by the pipeline. Absent in
   * hand-built test contexts: detectors then see empty state.
   */
  state?: KeyedStateStore;
  /** The app vetting registry (lookups.ts); absent: every app's vetting is `unknown`. */
  apps?: AppVettingLookup;
  /**
   * Organization-wide state (baselines/org-baseline.ts): networks several people use (corporate
   * egress), failed attempts per account, users impersonated per delegation client. Optional so
   * hand-built test contexts need not provide it; the pipeline always does.
   */
  org?: OrgView;
  /**
   * The token's current event-time hour against its peer group's isolation forest
   * (`PeerModels.contextFor`, baselines/peer-models.ts); absent when the group has no model yet.
   */
  peer?: PeerContext;
  /**
   * The event's seen-before summary (seen-before.ts): built once per event by the detector
   * runner and read by the shared lookups; absent in hand-built contexts (lookups then compute
   * directly, with the same answers).
   */
  seen?: SeenBefore;
}

/** One anomaly, before grouping. */
export interface Finding {
  detectorId: string;
  /** Entity the finding is about (usually `token.id`; an app or owner id for their detectors). */
  entity: string;
  /** One plain sentence: what was seen and what was expected. */
  reason: string;
  explanation: Explanation;
  /** Optional override of the metadata severity/risk for this finding (e.g. blatant cases). */
  severity?: Severity;
  riskScore?: number;
}

/** A detector: metadata plus a pure function from (activity, baselines) to findings. */
export interface Detector extends DetectorMetadata {
  evaluate(activity: TokenActivity, ctx: DetectorContext): Finding[];
  /** Folds the activity into the detector's declared state (only detectors that declare state). */
  observe?(activity: TokenActivity, ctx: StateContext): void;
}
