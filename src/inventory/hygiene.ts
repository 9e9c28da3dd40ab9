import type { AppsRegistry, AppVetting } from './apps-registry.js';
import type { Offboarding, TokenLedger, TokenRecord } from './ledger.js';
import { broadScopes } from './scopes.js';

const DAY_MS = 86_400_000;

/** Hygiene flags of an inventory row (stable ids, used by `--flag` and the API). */
export const HYGIENE_FLAGS = [
  'unused',
  'rotation_overdue',
  'not_rotated_since_incident',
  'broad_scopes',
  'unused_scopes',
  'unvetted_app',
  'owner_offboarded',
] as const;
export type HygieneFlag = (typeof HYGIENE_FLAGS)[number];

/** Lifecycle state of a credential. */
export type LifecycleState = 'live' | 'revoked' | 'expired' | 'owner_offboarded';

/** Hygiene policy (defaults follow the issue: 90 days idle, 90-day rotation of long-lived keys). */
export interface HygienePolicy {
  /** days without a successful use that make a live credential `unused` (default 90) */
  unusedDays: number;
  /** maximum age in days per token type before `rotation_overdue` (types absent: no policy) */
  rotationDays: Readonly<Record<string, number>>;
  /** an incident time (epoch ms): live credentials created before it get `not_rotated_since_incident` */
  incidentAtMs?: number;
}

/** Default policy: PATs, API keys, service-account credentials and deploy / SSH keys rotate every 90 days. */
export const DEFAULT_POLICY: HygienePolicy = {
  unusedDays: 90,
  rotationDays: {
    pat_classic: 90,
    pat_fine_grained: 90,
    api_key: 90,
    service_account: 90,
    deploy_key: 90,
    ssh_key: 90,
  },
};

/** One inventory row: a credential with its hygiene as of a reference time. */
export interface InventoryRow {
  id: string;
  source: string;
  type: string;
  key_kind: string;
  owner: string;
  owner_email?: string;
  principal: 'human' | 'machine';
  app?: string;
  app_id?: string;
  org?: string;
  /** ISO 8601; absent when no creation event was seen */
  created?: string;
  first_seen: string;
  last_seen: string;
  last_used?: string;
  /** whole days since the last successful use (or first seen) as of `as_of` */
  idle_days: number;
  /** days since creation (or first seen when creation was not seen) */
  age_days: number;
  last_ip?: string;
  last_country?: string;
  last_city?: string;
  last_network?: string;
  last_user_agent?: string;
  scopes_granted: string[];
  scopes_used_30d: string[];
  scopes_used_90d: string[];
  scopes_unused: string[];
  state: LifecycleState;
  offboarding?: { at: string; action: string; source: string; by?: string; used_after: boolean };
  app_vetting?: 'approved' | 'unvetted' | 'revoked' | 'expired';
  flags: HygieneFlag[];
  /** why each flag is set, in words */
  reasons: Partial<Record<HygieneFlag, string>>;
  events: number;
  alert_count: number;
  max_severity: number;
  as_of: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const days = (ms: number): number => Math.max(0, Math.floor(ms / DAY_MS));

/** Token types that are OAuth grants of an app (an app to vet). */
const APP_TYPES = new Set(['oauth_access_token', 'github_app_installation', 'github_app_user']);

/**
 * The inventory row of one ledger record as of `asOfMs`: lifecycle state, idle days and age
 * computed from event times against the reference clock (so they stay true while a token is
 * quiet), and hygiene flags per {@link HygienePolicy}. `apps` supplies vetting (no registry: every
 * app is unvetted).
 */
export function inventoryRow(
  r: TokenRecord,
  asOfMs: number,
  policy: HygienePolicy,
  offboarding: Offboarding | undefined,
  apps: AppsRegistry | undefined,
): InventoryRow {
  const flags: HygieneFlag[] = [];
  const reasons: Partial<Record<HygieneFlag, string>> = {};
  const flag = (f: HygieneFlag, why: string): void => {
    flags.push(f);
    reasons[f] = why;
  };
  const ended = Math.max(r.revokedAt ?? -1, r.expiredAt ?? -1);
  const reauthorized = r.authorizedAt !== undefined && r.authorizedAt > ended;
  let state: LifecycleState = 'live';
  if (ended >= 0 && !reauthorized && ended <= asOfMs)
    state = (r.revokedAt ?? -1) >= (r.expiredAt ?? -1) ? 'revoked' : 'expired';
  const off = offboarding && offboarding.at <= asOfMs ? offboarding : undefined;
  if (off && state === 'live') state = 'owner_offboarded';
  const live = state === 'live' || state === 'owner_offboarded';

  const lastUse = r.lastUsed ?? r.firstSeen;
  const idle = days(asOfMs - lastUse);
  const born = r.createdAt ?? r.firstSeen;
  const age = days(asOfMs - born);
  const used30 = Object.entries(r.used)
    .filter(([, t]) => t >= asOfMs - 30 * DAY_MS)
    .map(([s]) => s);
  const used90 = Object.entries(r.used)
    .filter(([, t]) => t >= asOfMs - 90 * DAY_MS)
    .map(([s]) => s);
  const unusedScopes = r.usedUnknown ? [] : r.granted.filter((s) => !used90.includes(s));

  if (live && idle >= policy.unusedDays)
    flag('unused', `no successful use for ${idle} days (policy ${policy.unusedDays})`);
  const maxAge = policy.rotationDays[r.type];
  if (live && maxAge !== undefined && age > maxAge)
    flag(
      'rotation_overdue',
      `${age} days old${r.createdAt === undefined ? ' at least (creation not seen)' : ''}, policy ${maxAge} days for ${r.type}`,
    );
  if (live && policy.incidentAtMs !== undefined && born < policy.incidentAtMs)
    flag(
      'not_rotated_since_incident',
      `created ${iso(born)}, before the incident at ${iso(policy.incidentAtMs)}, and still live`,
    );
  const broad = broadScopes(r.source, r.granted);
  if (live && broad.length > 0) flag('broad_scopes', `broad: ${broad.join(', ')}`);
  // Least privilege needs history: judge unused scopes once the token was seen for 30 days.
  if (live && !r.usedUnknown && unusedScopes.length > 0 && asOfMs - r.firstSeen >= 30 * DAY_MS)
    flag('unused_scopes', `granted, not used in 90 days: ${unusedScopes.join(', ')}`);
  let vetting: AppVetting | undefined;
  const appId = r.client?.id ?? r.client?.name;
  if (appId && (APP_TYPES.has(r.type) || r.keyKind === 'oauth_grant' || r.keyKind === 'app_installation')) {
    vetting = apps?.vet(r.source, appId, r.granted, asOfMs) ?? { status: 'unvetted' };
    if (live && vetting.status !== 'approved')
      flag(
        'unvetted_app',
        `app ${r.client?.name ?? appId} is ${vetting.status === 'unvetted' ? 'not in the app registry' : `${vetting.status} in the app registry`}`,
      );
    else if (live && vetting.status === 'approved' && vetting.scopesBeyond.length > 0)
      flag('unvetted_app', `scopes beyond the approval: ${vetting.scopesBeyond.join(', ')}`);
  }
  if (off)
    flag(
      'owner_offboarded',
      `owner ${off.subject}: ${off.action} (${off.source}) at ${iso(off.at)}${off.by ? ` by ${off.by}` : ''}`,
    );

  const owner = r.owner.email ?? r.owner.name ?? r.owner.id ?? '';
  const network = r.last.asOrg;
  return {
    id: r.id,
    source: r.source,
    type: r.type,
    key_kind: r.keyKind,
    owner,
    ...(r.owner.email ? { owner_email: r.owner.email } : {}),
    principal: r.principal,
    ...(r.client?.name || r.client?.id ? { app: r.client.name ?? r.client.id } : {}),
    ...(r.client?.id ? { app_id: r.client.id } : {}),
    ...(r.org ? { org: r.org } : {}),
    ...(r.createdAt !== undefined ? { created: iso(r.createdAt) } : {}),
    first_seen: iso(r.firstSeen),
    last_seen: iso(r.lastSeen),
    ...(r.lastUsed !== undefined ? { last_used: iso(r.lastUsed) } : {}),
    idle_days: idle,
    age_days: age,
    ...(r.last.ip ? { last_ip: r.last.ip } : {}),
    ...(r.last.country ? { last_country: r.last.country } : {}),
    ...(r.last.city ? { last_city: r.last.city } : {}),
    ...(network ? { last_network: network } : {}),
    ...(r.last.userAgent ? { last_user_agent: r.last.userAgent } : {}),
    scopes_granted: [...r.granted],
    scopes_used_30d: used30,
    scopes_used_90d: used90,
    scopes_unused: unusedScopes,
    state,
    ...(off
      ? {
          offboarding: {
            at: iso(off.at),
            action: off.action,
            source: off.source,
            ...(off.by ? { by: off.by } : {}),
            used_after: r.lastUsed !== undefined && r.lastUsed > off.at,
          },
        }
      : {}),
    ...(vetting ? { app_vetting: vetting.status } : {}),
    flags,
    reasons,
    events: r.events,
    alert_count: r.alertCount,
    max_severity: r.maxSeverity,
    as_of: iso(asOfMs),
  };
}

/** Filters of the inventory (CLI flags, API query). */
export interface InventoryFilter {
  flag?: HygieneFlag;
  source?: string;
  /** substring of the owner (email or login), case-insensitive */
  owner?: string;
  /** substring of the app name or id, case-insensitive */
  app?: string;
  state?: LifecycleState;
}

/** True when the row passes every given filter. */
export function matchesFilter(row: InventoryRow, f: InventoryFilter): boolean {
  if (f.flag && !row.flags.includes(f.flag)) return false;
  if (f.source && row.source !== f.source) return false;
  if (f.state && row.state !== f.state) return false;
  if (f.owner && !row.owner.toLowerCase().includes(f.owner.toLowerCase())) return false;
  if (f.app) {
    const a = f.app.toLowerCase();
    if (!(row.app ?? '').toLowerCase().includes(a) && !(row.app_id ?? '').toLowerCase().includes(a))
      return false;
  }
  return true;
}

/**
 * Every row of the ledger as of `asOfMs`, filtered, sorted by flags count (most first), then owner
 * and id.
 */
export function inventoryRows(
  ledger: TokenLedger,
  asOfMs: number,
  policy: HygienePolicy,
  apps: AppsRegistry | undefined,
  filter: InventoryFilter = {},
): InventoryRow[] {
  const rows: InventoryRow[] = [];
  for (const r of ledger.tokens.values()) {
    const row = inventoryRow(r, asOfMs, policy, ledger.offboardingFor(r), apps);
    if (matchesFilter(row, filter)) rows.push(row);
  }
  return rows.sort(
    (a, b) => b.flags.length - a.flags.length || a.owner.localeCompare(b.owner) || a.id.localeCompare(b.id),
  );
}
