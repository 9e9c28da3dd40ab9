import { activityFixture, type DeepPartial, trainStore } from '../baselines/testing.js';
import type {
  BaselineView,
  CurrentWindow,
  Dimension,
  EntityKind,
  LastLocation,
  RobustStats,
  SeenStat,
  VolumeMetric,
} from '../baselines/types.js';
import type { TokenActivity } from '../schemas/token-activity.js';
import { detectors, resolveSettings } from './registry.js';
import { DetectorRunner } from './runner.js';
import type { Detector, DetectorContext, Finding } from './types.js';

/** Settings overrides by detector id, e.g. `{ 'token.lifecycle.dormant_reactivated': { dormantDays: 21 } }`. */
export type SettingsInput = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/**
 * Test helpers for detector tests.
 *
 * - {@link trainedContext}: the REAL baseline (`baselines/testing.ts` `trainStore`) trained on a
 *   history, and the context a detector sees for a probe activity. Use this by default.
 * - {@link plainView} / {@link contextOf}: a plain object implementing {@link BaselineView}, for
 *   states that are hard to train (a precise MAD, a saturated capped set, a view without history).
 * - {@link dailyTimes}: deterministic event times for building histories.
 */

const DAY_MS = 86_400_000;

/** A plain description of a baseline; everything optional. */
export interface ViewSpec {
  entity?: string;
  kind?: EntityKind;
  /** epoch ms; defaults to `lastSeen - historyDays` */
  firstSeen?: number;
  lastSeen?: number;
  eventCount?: number;
  /** defaults to 30 when `maturity` is mature, else 1 */
  historyDays?: number;
  maturity?: 'learning' | 'mature';
  /** Seen values per dimension: `{ ip_prefix: ['203.0.113.0/24'] }` or with stats. */
  seen?: Partial<Record<Dimension, readonly string[] | Readonly<Record<string, Partial<SeenStat>>>>>;
  hourlyEvents?: Partial<RobustStats>;
  hourlyVolume?: Partial<Record<VolumeMetric, Partial<RobustStats>>>;
  /** 24 shares (hour of day); defaults to flat 1/24 */
  hourOfDay?: readonly number[];
  gapP99?: number;
  gapMax?: number;
  lastLocation?: LastLocation;
  current?: Partial<CurrentWindow>;
  scopes?: readonly string[];
  revokedAt?: number;
  created?: BaselineView['created'];
}

const EMPTY_STATS: RobustStats = { n: 0, median: 0, mad: 0, p99: 0, max: 0 };

/** A {@link BaselineView} built from a {@link ViewSpec}. */
export function plainView(spec: ViewSpec = {}): BaselineView {
  const maturity = spec.maturity ?? 'mature';
  const historyDays = spec.historyDays ?? (maturity === 'mature' ? 30 : 1);
  const lastSeen = spec.lastSeen ?? Date.UTC(2025, 7, 4, 9, 0, 0);
  const firstSeen = spec.firstSeen ?? lastSeen - historyDays * DAY_MS;
  const seen = new Map<Dimension, Map<string, SeenStat>>();
  type SeenSpec = NonNullable<ViewSpec['seen']>[Dimension];
  for (const [dim, values] of Object.entries(spec.seen ?? {}) as [Dimension, SeenSpec][]) {
    const m = new Map<string, SeenStat>();
    const entries: [string, Partial<SeenStat>][] = Array.isArray(values)
      ? (values as string[]).map((v, i) => [v, { count: 100 - i }])
      : Object.entries(values ?? {});
    for (const [value, stat] of entries) {
      m.set(value, {
        count: stat.count ?? 1,
        firstSeen: stat.firstSeen ?? firstSeen,
        lastSeen: stat.lastSeen ?? lastSeen,
      });
    }
    seen.set(dim, m);
  }
  const shares = spec.hourOfDay ?? Array.from({ length: 24 }, () => 1 / 24);
  return {
    entity: spec.entity ?? 'github:hash:fixturetoken',
    kind: spec.kind ?? 'token',
    firstSeen,
    lastSeen,
    eventCount: spec.eventCount ?? (maturity === 'mature' ? 500 : 5),
    historyDays,
    maturity,
    seen: (dim, value) => seen.get(dim)?.get(value),
    distinct: (dim) => seen.get(dim)?.size ?? 0,
    top: (dim, limit) =>
      [...(seen.get(dim) ?? new Map<string, SeenStat>()).entries()]
        .sort((a, b) => b[1].count - a[1].count)
        .slice(0, limit)
        .map(([v]) => v),
    hourlyEvents: { ...EMPTY_STATS, ...spec.hourlyEvents },
    hourlyVolume: (metric) => ({ ...EMPTY_STATS, ...spec.hourlyVolume?.[metric] }),
    hourOfWeekShare: (how) => (shares[how % 24] ?? 0) / 7,
    hourOfDayShare: (hour) => shares[hour] ?? 0,
    gapP99: spec.gapP99 ?? 0,
    gapMax: spec.gapMax ?? 0,
    lastLocation: spec.lastLocation,
    current: {
      hourStart: 0,
      events: 0,
      rows: 0,
      bytes: 0,
      items: 0,
      newResourceTimes: [],
      newActionTimes: [],
      ...spec.current,
    },
    scopes: spec.scopes ?? [],
    revokedAt: spec.revokedAt,
    created: spec.created,
  };
}

/** An empty learning view (a token on its first event). */
export const emptyView = (entity = 'github:hash:fixturetoken', kind: EntityKind = 'token'): BaselineView =>
  plainView({ entity, kind, maturity: 'learning', eventCount: 0, historyDays: 0, firstSeen: 0, lastSeen: 0 });

/** A {@link DetectorContext}; `reference` defaults to the first mature of token, app, owner. */
export function contextOf(parts: {
  token?: BaselineView;
  app?: BaselineView;
  owner?: BaselineView;
  reference?: EntityKind | 'none';
  settings?: SettingsInput;
}): DetectorContext {
  const token = parts.token ?? emptyView();
  const views = { token, app: parts.app, owner: parts.owner };
  const pick = (kind: EntityKind) => (views[kind] ? { view: views[kind], entity: kind } : undefined);
  const reference =
    parts.reference === 'none'
      ? undefined
      : parts.reference !== undefined
        ? pick(parts.reference)
        : (['token', 'app', 'owner'] as const)
            .map(pick)
            .find((r) => r !== undefined && r.view.maturity === 'mature');
  return {
    token,
    app: parts.app,
    owner: parts.owner,
    reference,
    ...(parts.settings ? { settings: resolveSettings(parts.settings) } : {}),
  };
}

/** One hour and one day in ms. */
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** Options of {@link dailySeries}. */
export interface SeriesOptions {
  /** epoch ms of day 0, 00:00 UTC */
  start: number;
  days: number;
  /** events per day */
  perDay: number;
  /** UTC hours the events fall in, cycled (default 9..17: a person's office hours) */
  hours?: readonly number[];
  /** skip Saturdays and Sundays */
  workdaysOnly?: boolean;
}

const OFFICE_HOURS = [9, 10, 11, 12, 13, 14, 15, 16, 17];

/**
 * Deterministic event times: `perDay` events per day over `days` days, spread over `hours`
 * (minutes vary with the index so events do not collide). Pass them to {@link activityFixture}.
 */
export function dailyTimes(options: SeriesOptions): number[] {
  const hours = options.hours ?? OFFICE_HOURS;
  const out: number[] = [];
  for (let d = 0; d < options.days; d++) {
    const dayStart = options.start + d * DAY;
    const weekday = (new Date(dayStart).getUTCDay() + 6) % 7;
    if (options.workdaysOnly && weekday >= 5) continue;
    for (let k = 0; k < options.perDay; k++) {
      const hour = hours[k % hours.length] ?? 0;
      out.push(dayStart + hour * HOUR + ((k * 7 + d * 13) % 60) * 60_000 + k * 1000);
    }
  }
  return out.sort((a, b) => a - b);
}

/**
 * The context a detector sees for `probe` after the real baseline store was trained on `history`,
 * fed in event-time order as the pipeline does (evaluate-then-update: `probe` itself is not folded in),
 * with every detector's declared state observed over the same history.
 */
export function trainedContext(
  history: Iterable<TokenActivity>,
  probe: TokenActivity,
  settings?: SettingsInput,
): DetectorContext {
  const ordered = [...history].sort((a, b) => Date.parse(a['@timestamp']) - Date.parse(b['@timestamp']));
  const runner = new DetectorRunner(detectors, settings ? resolveSettings(settings) : undefined);
  for (const a of ordered) runner.observe(a);
  return runner.context(trainStore(ordered).contextFor(probe));
}

/**
 * The detector loop over `events` after training on `history` (both sorted by event time), as the
 * pipeline runs it: per event, every detector evaluated against the baselines and declared state
 * as of before it, then the baselines and state updated. Returns every finding.
 */
export function replay(
  history: Iterable<TokenActivity>,
  events: Iterable<TokenActivity>,
  options: { detectors?: readonly Detector[]; settings?: SettingsInput } = {},
): Finding[] {
  const byTime = (a: TokenActivity, b: TokenActivity) =>
    Date.parse(a['@timestamp']) - Date.parse(b['@timestamp']);
  const ordered = [...history].sort(byTime);
  const runner = new DetectorRunner(
    options.detectors ?? detectors,
    options.settings ? resolveSettings(options.settings) : undefined,
  );
  for (const a of ordered) runner.observe(a);
  const store = trainStore(ordered);
  const findings: Finding[] = [];
  for (const a of [...events].sort(byTime)) {
    findings.push(...runner.evaluate(a, runner.context(store.contextFor(a))));
    runner.observe(a);
    store.update(a);
  }
  return findings;
}

type Overrides = DeepPartial<TokenActivity> & { at?: number };

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge of fixture overrides (later wins; arrays replaced; `undefined` kept so it deletes). */
export function mergeOverrides(...layers: readonly Overrides[]): Overrides {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      const prev = out[k];
      out[k] = isPlain(v) && isPlain(prev) ? mergeOverrides(prev as Overrides, v as Overrides) : v;
    }
  }
  return out as Overrides;
}

/**
 * A Salesforce `ApiEvent` of the Drift connected app's integration user (S1's identity): REST
 * point lookups of `Lead`, 20 rows, from AWS egress, client family `Java`.
 */
export const SALESFORCE_DRIFT: Overrides = {
  event: { action: 'ApiEvent', module: 'salesforce', dataset: 'salesforce.apievent', category: ['api'] },
  user: { name: 'drift.integration@acme.com', email: 'drift.integration@acme.com', id: '005000000000001AAA' },
  source: {
    ip: '52.1.2.3',
    geo: { country_iso_code: 'US', city_name: 'Ashburn', location: { lat: 39.04, lon: -77.49 } },
  },
  user_agent: { original: 'Drift-Java/1.0', name: 'Java', version: '1.0' },
  token: {
    id: 'salesforce:grant:005000000000001AAA:0H4000000000001',
    key_kind: 'oauth_grant',
    type: 'oauth_access_token',
    scopes: [],
    client: { id: '0H4000000000001', name: 'Drift' },
    owner: {
      name: 'drift.integration@acme.com',
      email: 'drift.integration@acme.com',
      id: '005000000000001AAA',
    },
    principal: 'machine',
  },
  related: { ip: ['52.1.2.3'], user: ['drift.integration@acme.com'], hash: [] },
  tokenwatch: {
    resource: { type: 'sobject', name: 'Lead' },
    volume: { rows: 20, items: undefined, bytes: undefined },
    api_type: 'REST',
    network: { ip_prefix: '52.1.2.0/24', cloud_provider: 'aws' },
  },
};

/** A Salesforce activity: {@link SALESFORCE_DRIFT} with `overrides`. */
export const salesforceActivity = (overrides: Overrides = {}): TokenActivity =>
  activityFixture(mergeOverrides(SALESFORCE_DRIFT, overrides));

/**
 * A Google Workspace Gmail access by a domain-wide delegation client impersonating `user`
 * (token `google_workspace:dwd:<client>`, machine principal, the mailbox as the resource).
 */
export const dwdActivity = (user: string, overrides: Overrides = {}): TokenActivity =>
  activityFixture(
    mergeOverrides(
      {
        event: {
          action: 'activity',
          module: 'google_workspace',
          dataset: 'google_workspace.token',
          category: ['api'],
        },
        user: { name: user, email: user, id: undefined },
        source: { ip: '34.120.1.5', geo: { country_iso_code: 'US', location: { lat: 41.26, lon: -95.86 } } },
        user_agent: {
          original: 'google-api-java-client/2.2.0',
          name: 'google-api-java-client',
          version: '2.2.0',
        },
        token: {
          id: 'google_workspace:dwd:1234567890',
          key_kind: 'oauth_grant',
          type: 'service_account',
          scopes: ['https://www.googleapis.com/auth/gmail.readonly'],
          client: { id: '1234567890', name: 'Mail archiver' },
          owner: { name: user, email: user, id: undefined },
          principal: 'machine',
        },
        related: { ip: ['34.120.1.5'], user: [user], hash: [] },
        tokenwatch: {
          resource: { type: 'mailbox', name: user },
          volume: { bytes: 20_000, items: undefined },
          api_type: 'gmail',
          impersonated_user: user,
          network: { ip_prefix: '34.120.1.0/24', cloud_provider: 'gcp' },
        },
      },
      overrides,
    ),
  );
