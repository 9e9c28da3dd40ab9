import type { Alert } from '../../schemas/alert.js';

/** A labeled incident (labels.json `incidents[]`, written by `tokenwatch simulate` or by hand). */
export interface LabeledIncident {
  id: string;
  kind: string;
  source?: string;
  title?: string;
  /** token.id of the targeted token/app */
  entity: string;
  /** all token ids involved */
  entities: string[];
  first_malicious: string;
  last_malicious: string;
  /** event.id of every malicious event */
  event_ids: string[];
}

/** A labeled benign look-alike (labels.json `lookalikes[]`). */
export interface LabeledLookalike {
  id: string;
  kind: string;
  entities: string[];
  start: string;
  end: string;
}

/** Facts about the evaluated traffic that rates are computed from. */
export interface TrafficStats {
  /** distinct token.id seen */
  tokens: number;
  /** span of event time in days */
  days: number;
  /** per token, the epoch ms of its first and last event (for per-token-week rates) */
  firstSeenByToken?: ReadonlyMap<string, number>;
}

export interface IncidentResult {
  id: string;
  kind: string;
  entity: string;
  detected: boolean;
  /** event-time ms from the first malicious event to the first matching alert; null if missed */
  timeToDetectMs: number | null;
  detectors: string[];
  alerts: number;
}

export interface DetectorResult {
  detector: string;
  alerts: number;
  truePositives: number;
  falsePositives: number;
  /** of the false positives, on a labeled benign look-alike */
  lookalikeFalsePositives: number;
  precision: number | null;
}

/** The evaluation report (also printed as a table; see report.ts). */
export interface EvalReport {
  incidents: IncidentResult[];
  byKind: {
    kind: string;
    incidents: number;
    detected: number;
    medianTimeToDetectMs: number | null;
    detectors: string[];
  }[];
  detectors: DetectorResult[];
  overall: {
    incidents: number;
    detected: number;
    recall: number | null;
    alerts: number;
    truePositiveAlerts: number;
    falsePositiveAlerts: number;
    alertPrecision: number | null;
    medianTimeToDetectMs: number | null;
    tokens: number;
    days: number;
    falseAlertsPer1000TokensPerDay: number;
    lookalikes: number;
    lookalikeFalseAlerts: number;
    lookalikeTokens: number;
    lookalikeDays: number;
    lookalikeFalseAlertsPer1000TokensPerDay: number;
    /** Benign (false) alerts per token-week: tokens with at least one, the max, the mean over all token-weeks. */
    benignAlertsPerTokenWeek: { tokenWeeksWithAlerts: number; max: number; mean: number };
  };
  /**
   * False alerts grouped by detector x look-alike class (`lookalike` kind, or `unlabeled` for
   * benign traffic no look-alike explains), most first: where the noise comes from.
   */
  falsePositiveClasses: { detector: string; lookalike: string; falseAlerts: number }[];
  falseAlerts: {
    id: string;
    rule: string;
    entity: string;
    time: string;
    message: string;
    lookalike: string | null;
  }[];
}

/** Incidents count alerts up to this long after their last malicious event (late grouping). */
export const MATCH_GRACE_MS = 3_600_000;

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function alertEntities(a: Alert): string[] {
  return [a.tokenwatch.entity, a.tokenwatch.token.id];
}

/**
 * Scores alerts against labels. An alert is a true positive of an incident when its evidence
 * names one of the incident's malicious event ids, or when it is about one of the incident's
 * entities and its time span overlaps the incident window (first malicious event .. last + 1 h).
 * Every other alert is a false positive (attributed to a look-alike when it is about one of the
 * look-alike's entities within its window). Time to detect is event time from the first malicious
 * event to the first matching alert's `@timestamp` (the first grouped finding), floored at 0.
 */
export function scoreAlerts(
  alerts: readonly Alert[],
  incidents: readonly LabeledIncident[],
  lookalikes: readonly LabeledLookalike[],
  traffic: TrafficStats,
): EvalReport {
  const eventToIncident = new Map<string, LabeledIncident>();
  for (const inc of incidents) for (const id of inc.event_ids) eventToIncident.set(id, inc);
  const matched = new Map<string, Alert[]>();
  const detectorStats = new Map<string, DetectorResult>();
  const falseAlerts: EvalReport['falseAlerts'] = [];
  const fpByTokenWeek = new Map<string, number>();
  let lookalikeFalseAlerts = 0;

  for (const a of alerts) {
    const rule = a.event.action;
    const ds =
      detectorStats.get(rule) ??
      ({
        detector: rule,
        alerts: 0,
        truePositives: 0,
        falsePositives: 0,
        lookalikeFalsePositives: 0,
        precision: null,
      } as DetectorResult);
    detectorStats.set(rule, ds);
    ds.alerts += 1;
    const start = Date.parse(a.event.start);
    const end = Date.parse(a.event.end);
    const hits = new Set<LabeledIncident>();
    for (const id of a.tokenwatch.evidence.event_ids) {
      const inc = eventToIncident.get(id);
      if (inc) hits.add(inc);
    }
    const ents = alertEntities(a);
    for (const inc of incidents) {
      if (hits.has(inc)) continue;
      const f = Date.parse(inc.first_malicious);
      const l = Date.parse(inc.last_malicious) + MATCH_GRACE_MS;
      if (ents.some((e) => inc.entities.includes(e) || inc.entity === e) && end >= f && start <= l)
        hits.add(inc);
    }
    if (hits.size > 0) {
      ds.truePositives += 1;
      for (const inc of hits) matched.set(inc.id, [...(matched.get(inc.id) ?? []), a]);
      continue;
    }
    ds.falsePositives += 1;
    const la = lookalikes.find(
      (l) =>
        ents.some((e) => l.entities.includes(e)) &&
        end >= Date.parse(l.start) &&
        start <= Date.parse(l.end) + MATCH_GRACE_MS,
    );
    if (la) {
      ds.lookalikeFalsePositives += 1;
      lookalikeFalseAlerts += 1;
    }
    const week = Math.floor(start / (7 * 86_400_000));
    const key = `${a.tokenwatch.token.id}|${week}`;
    fpByTokenWeek.set(key, (fpByTokenWeek.get(key) ?? 0) + 1);
    falseAlerts.push({
      id: a.event.id,
      rule,
      entity: a.tokenwatch.entity,
      time: a['@timestamp'],
      message: a.message,
      lookalike: la ? la.kind : null,
    });
  }

  const incidentResults: IncidentResult[] = incidents.map((inc) => {
    const hits = matched.get(inc.id) ?? [];
    const first = Date.parse(inc.first_malicious);
    const ttd =
      hits.length === 0
        ? null
        : Math.max(0, Math.min(...hits.map((a) => Date.parse(a['@timestamp']))) - first);
    return {
      id: inc.id,
      kind: inc.kind,
      entity: inc.entity,
      detected: hits.length > 0,
      timeToDetectMs: ttd,
      detectors: [...new Set(hits.map((a) => a.event.action))].sort(),
      alerts: hits.length,
    };
  });

  const kinds = [...new Set(incidents.map((i) => i.kind))].sort((a, b) =>
    a.localeCompare(b, 'en', { numeric: true }),
  );
  const byKind = kinds.map((kind) => {
    const rs = incidentResults.filter((r) => r.kind === kind);
    return {
      kind,
      incidents: rs.length,
      detected: rs.filter((r) => r.detected).length,
      medianTimeToDetectMs: median(rs.flatMap((r) => (r.timeToDetectMs === null ? [] : [r.timeToDetectMs]))),
      detectors: [...new Set(rs.flatMap((r) => r.detectors))].sort(),
    };
  });
  for (const ds of detectorStats.values())
    ds.precision = ds.alerts === 0 ? null : ds.truePositives / ds.alerts;

  const tp = alerts.length - falseAlerts.length;
  const lookalikeTokens = new Set(lookalikes.flatMap((l) => l.entities)).size;
  const lookalikeDays = lookalikes.reduce(
    (s, l) => s + Math.max(1, (Date.parse(l.end) - Date.parse(l.start)) / 86_400_000),
    0,
  );
  const tokenWeeks = Math.max(1, traffic.tokens * (traffic.days / 7));
  const fpCounts = [...fpByTokenWeek.values()];
  const detected = incidentResults.filter((r) => r.detected).length;
  return {
    incidents: incidentResults,
    byKind,
    detectors: [...detectorStats.values()].sort((a, b) => b.alerts - a.alerts),
    overall: {
      incidents: incidents.length,
      detected,
      recall: incidents.length === 0 ? null : detected / incidents.length,
      alerts: alerts.length,
      truePositiveAlerts: tp,
      falsePositiveAlerts: falseAlerts.length,
      alertPrecision: alerts.length === 0 ? null : tp / alerts.length,
      medianTimeToDetectMs: median(
        incidentResults.flatMap((r) => (r.timeToDetectMs === null ? [] : [r.timeToDetectMs])),
      ),
      tokens: traffic.tokens,
      days: traffic.days,
      falseAlertsPer1000TokensPerDay:
        traffic.tokens === 0 || traffic.days === 0
          ? 0
          : falseAlerts.length / (traffic.tokens / 1000) / traffic.days,
      lookalikes: lookalikes.length,
      lookalikeFalseAlerts,
      lookalikeTokens,
      lookalikeDays,
      lookalikeFalseAlertsPer1000TokensPerDay:
        lookalikeTokens === 0
          ? 0
          : lookalikeFalseAlerts /
            (lookalikeTokens / 1000) /
            Math.max(1, lookalikeDays / Math.max(1, lookalikes.length)),
      benignAlertsPerTokenWeek: {
        tokenWeeksWithAlerts: fpCounts.length,
        max: fpCounts.length === 0 ? 0 : Math.max(...fpCounts),
        mean: falseAlerts.length / tokenWeeks,
      },
    },
    falsePositiveClasses: falsePositiveClasses(falseAlerts),
    falseAlerts,
  };
}

/** {@link EvalReport.falsePositiveClasses} of a list of false alerts. */
function falsePositiveClasses(falseAlerts: EvalReport['falseAlerts']): EvalReport['falsePositiveClasses'] {
  const counts = new Map<string, { detector: string; lookalike: string; falseAlerts: number }>();
  for (const f of falseAlerts) {
    const lookalike = f.lookalike ?? 'unlabeled';
    const key = `${f.rule}\u0000${lookalike}`;
    const c = counts.get(key) ?? { detector: f.rule, lookalike, falseAlerts: 0 };
    c.falseAlerts += 1;
    counts.set(key, c);
  }
  return [...counts.values()].sort(
    (a, b) =>
      b.falseAlerts - a.falseAlerts ||
      a.detector.localeCompare(b.detector) ||
      a.lookalike.localeCompare(b.lookalike),
  );
}
