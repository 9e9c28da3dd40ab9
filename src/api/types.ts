import type { Alert } from '../../schemas/alert.js';
import type { AppEntry, ApproveInput } from '../inventory/apps-registry.js';
import type { InventoryFilter, InventoryRow } from '../inventory/hygiene.js';

/** Triage states an analyst sets (`POST /api/v1/alerts/{id}/status`). */
export const TRIAGE_STATUSES = ['acknowledged', 'closed_true_positive', 'closed_false_positive'] as const;
export type TriageStatus = (typeof TRIAGE_STATUSES)[number];
/** Every status an alert can show: `open` (default), a triage state, or `suppressed` by a suppression. */
export const ALERT_STATUSES = ['open', ...TRIAGE_STATUSES, 'suppressed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** One triage decision on an alert. */
export interface TriageRecord {
  status: TriageStatus;
  note: string;
  by: string;
  /** ISO 8601 wall-clock time of the decision */
  at: string;
}

/** A suppression: alerts matching every given field, recorded between creation and expiry, show as suppressed. */
export interface Suppression {
  id: string;
  created_at: string;
  created_by: string;
  expires_at: string;
  reason: string;
  /** detector id (`event.action`) */
  detector?: string;
  /** `tokenwatch.token.id` */
  token?: string;
  /** `tokenwatch.token.owner` */
  owner?: string;
  /** `source.ip` */
  source_ip?: string;
}

/** An alert as the API lists it: the ECS document's key fields plus its triage state. */
export interface AlertView {
  id: string;
  timestamp: string;
  /** when tokenwatch recorded the alert (wall clock; event.ingested in serve mode) */
  recorded_at: string;
  severity: string;
  severity_score: number;
  detector: string;
  message: string;
  token_id: string;
  owner?: string;
  source_ip?: string;
  country?: string;
  status: AlertStatus;
  triage?: TriageRecord;
  suppressed_by?: string;
}

/** Filters and page of `GET /api/v1/alerts`. */
export interface AlertQuery {
  severity?: string[];
  detector?: string;
  token?: string;
  status?: AlertStatus;
  /** ISO 8601, inclusive, on `@timestamp` */
  from?: string;
  /** ISO 8601, exclusive */
  to?: string;
  limit: number;
  /** opaque cursor from a previous page's `next_cursor` */
  cursor?: string;
}

/** One page of alerts, newest first; `next_cursor` absent on the last page. */
export interface AlertPage {
  items: AlertView[];
  next_cursor?: string;
}

/** Inventory page. */
export interface TokenPage {
  items: InventoryRow[];
  total: number;
  as_of: string;
}

/** Baseline summary of a token (from its behavioural baseline). */
export interface BaselineSummary {
  maturity: string;
  events: number;
  history_days: number;
  /** 168 shares (0..1), Monday 00:00 UTC first */
  hour_of_week: number[];
  networks: string[];
  countries: string[];
  user_agents: string[];
  hourly_events_median: number;
  hourly_events_p99: number;
}

/** A recent event of a token. */
export interface RecentActivity {
  timestamp: string;
  action: string;
  outcome: string;
  ip?: string;
  country?: string;
  user_agent?: string;
  resource?: string;
}

/** `GET /api/v1/tokens/{id}`. */
export interface TokenDetail {
  token: InventoryRow;
  baseline: BaselineSummary | null;
  recent: RecentActivity[];
  alerts: AlertView[];
}

/**
 * What the API and the console read and write: implemented over a state directory
 * (embedded-store.ts) and over Elasticsearch (elastic-store.ts).
 */
export interface ConsoleStore {
  /** Inventory rows, filtered, `offset`/`limit` paged. */
  tokens(filter: InventoryFilter, page: { offset: number; limit: number }): Promise<TokenPage>;
  /** One token's detail, undefined when unknown. */
  token(id: string): Promise<TokenDetail | undefined>;
  alerts(query: AlertQuery): Promise<AlertPage>;
  /** One alert with its full ECS document. */
  alert(id: string): Promise<{ view: AlertView; document: Alert } | undefined>;
  /** Sets an alert's triage state; undefined when the alert does not exist. */
  setAlertStatus(id: string, triage: TriageRecord): Promise<AlertView | undefined>;
  suppressions(): Promise<Suppression[]>;
  addSuppression(s: Omit<Suppression, 'id' | 'created_at'>): Promise<Suppression>;
  /** false when there was no such suppression */
  deleteSuppression(id: string): Promise<boolean>;
  apps(): Promise<AppEntry[]>;
  approveApp(input: ApproveInput): Promise<AppEntry>;
  revokeApp(source: string, clientId: string, by: string): Promise<AppEntry | undefined>;
  /** Whether the backing data is reachable (readiness). */
  ready(): Promise<boolean>;
}

/** A cursor encodes the last item's sort key: [@timestamp, id] (newest first). */
export function encodeCursor(timestamp: string, id: string): string {
  return Buffer.from(JSON.stringify([timestamp, id])).toString('base64url');
}

/** Inverse of {@link encodeCursor}; undefined for a malformed cursor. */
export function decodeCursor(cursor: string): [string, string] | undefined {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string')
      return [v[0], v[1]];
  } catch {
    // malformed: undefined below
  }
  return undefined;
}
