import type { Alert } from '../../schemas/alert.js';
import type { AlertQuery, AlertStatus, AlertView, Suppression, TriageRecord } from './types.js';
import { decodeCursor } from './types.js';

const SEVERITY_LABEL: Readonly<Record<number, string>> = {
  21: 'low',
  47: 'medium',
  73: 'high',
  99: 'critical',
};

/** The suppression applying to an alert recorded at `recordedAt`, if any (first match by creation). */
export function suppressionFor(
  alert: Alert,
  recordedAt: string,
  suppressions: readonly Suppression[],
): Suppression | undefined {
  return suppressions.find(
    (s) =>
      recordedAt >= s.created_at &&
      recordedAt < s.expires_at &&
      (s.detector === undefined || s.detector === alert.event.action) &&
      (s.token === undefined || s.token === alert.tokenwatch.token.id) &&
      (s.owner === undefined || s.owner === alert.tokenwatch.token.owner) &&
      (s.source_ip === undefined || s.source_ip === alert.source?.ip),
  );
}

/**
 * The API view of an alert: a triage decision wins; else a matching suppression makes it
 * `suppressed`; else `open`.
 */
export function alertView(
  alert: Alert,
  recordedAt: string,
  triage: TriageRecord | undefined,
  suppressions: readonly Suppression[],
): AlertView {
  const sup = triage ? undefined : suppressionFor(alert, recordedAt, suppressions);
  const status: AlertStatus = triage?.status ?? (sup ? 'suppressed' : 'open');
  return {
    id: alert.event.id,
    timestamp: alert['@timestamp'],
    recorded_at: recordedAt,
    severity: SEVERITY_LABEL[alert.event.severity] ?? String(alert.event.severity),
    severity_score: alert.event.severity,
    detector: alert.event.action,
    message: alert.message,
    token_id: alert.tokenwatch.token.id,
    ...(alert.tokenwatch.token.owner ? { owner: alert.tokenwatch.token.owner } : {}),
    ...(alert.source?.ip ? { source_ip: alert.source.ip } : {}),
    ...(alert.source?.geo?.country_iso_code ? { country: alert.source.geo.country_iso_code } : {}),
    status,
    ...(triage ? { triage } : {}),
    ...(sup ? { suppressed_by: sup.id } : {}),
  };
}

/** True when the view passes the query's filters (not the cursor). */
export function matchesAlertQuery(v: AlertView, q: AlertQuery): boolean {
  if (q.severity && q.severity.length > 0 && !q.severity.includes(v.severity)) return false;
  if (q.detector && v.detector !== q.detector) return false;
  if (q.token && v.token_id !== q.token) return false;
  if (q.status && v.status !== q.status) return false;
  if (q.from && v.timestamp < q.from) return false;
  if (q.to && v.timestamp >= q.to) return false;
  return true;
}

/** Newest first, then id descending: the order pages and cursors follow. */
export const byNewest = (a: AlertView, b: AlertView): number =>
  a.timestamp === b.timestamp ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : a.timestamp < b.timestamp ? 1 : -1;

/** True when `v` comes after the cursor position in {@link byNewest} order. */
export function afterCursor(v: AlertView, cursor: string | undefined): boolean {
  if (!cursor) return true;
  const c = decodeCursor(cursor);
  if (!c) return true;
  const [t, id] = c;
  return v.timestamp < t || (v.timestamp === t && v.id < id);
}
