import { type Client, errors } from '@elastic/elasticsearch';
import type { Alert } from '../../schemas/alert.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { SinkError } from '../errors.js';
import type { TokenRecord } from '../inventory/ledger.js';
import type { BulkAction } from './bulk.js';

const DAY_MS = 86_400_000;
/** Alert ids kept per token document (newest last); the count keeps growing past it. */
export const MAX_ALERT_IDS = 200;

/** What the pipeline's baseline store knows about a token (epoch ms), if anything. */
export interface TokenFacts {
  firstSeenMs: number;
  lastSeenMs: number;
  eventCount: number;
  maturity: 'learning' | 'mature';
  /** Longest gap between consecutive uses, ms. */
  gapMaxMs: number;
  revokedAtMs: number | undefined;
  scopes: readonly string[];
  /**
   * From the token ledger (src/inventory/ledger.ts) of the pipeline, when it knows the token:
   * lifecycle times (epoch ms, event time) and the latest use of each granted scope, so serve
   * mode judges the same hygiene flags as `tokenwatch inventory --state`.
   */
  ledger?: LedgerFacts;
}

/** What the token ledger knows beyond the baseline (see {@link TokenFacts.ledger}). */
export interface LedgerFacts {
  createdAtMs?: number;
  authorizedAtMs?: number;
  /** latest successful use */
  lastUsedMs?: number;
  expiredAtMs?: number;
  /** scope -> epoch ms of its latest use (src/inventory/scopes.ts says how use is derived) */
  scopesUsed: Readonly<Record<string, number>>;
  /** granted scopes as the ledger knows them (union over the token's life) */
  granted: readonly string[];
  org?: string;
  lastCity?: string;
  lastNetwork?: string;
  lastUserAgent?: string;
}

/** The inventory facts of a token ledger record (what {@link TokenFacts.ledger} carries). */
export function ledgerFacts(r: TokenRecord): LedgerFacts {
  return {
    ...(r.createdAt !== undefined ? { createdAtMs: r.createdAt } : {}),
    ...(r.authorizedAt !== undefined ? { authorizedAtMs: r.authorizedAt } : {}),
    ...(r.lastUsed !== undefined ? { lastUsedMs: r.lastUsed } : {}),
    ...(r.expiredAt !== undefined ? { expiredAtMs: r.expiredAt } : {}),
    scopesUsed: { ...r.used },
    granted: [...r.granted],
    ...(r.org ? { org: r.org } : {}),
    ...(r.last.city ? { lastCity: r.last.city } : {}),
    ...(r.last.asOrg ? { lastNetwork: r.last.asOrg } : {}),
    ...(r.last.userAgent ? { lastUserAgent: r.last.userAgent } : {}),
  };
}

/** One scope a token used and when it last did (`tokenwatch.inventory.scopes_used[]`). */
export interface ScopeUse {
  scope: string;
  /** ISO 8601 event time of the latest use */
  last_used: string;
}

/**
 * One token inventory document (`tokenwatch-tokens-<namespace>`, `_id` = `token.id`).
 * `@timestamp` is the last time the token was seen (event time), so a Kibana data view on the
 * index sorts tokens by recency.
 */
export interface TokenInventoryDoc {
  '@timestamp': string;
  token: {
    id: string;
    key_kind: string;
    type: string;
    scopes: string[];
    principal: string;
    /** `github` / `google_workspace` / `salesforce` */
    source: string;
    owner: { id?: string; name?: string; email?: string };
    client?: { id?: string; name?: string };
  };
  tokenwatch: {
    inventory: {
      first_seen: string;
      last_seen: string;
      /** Wall-clock time of this update. */
      updated_at: string;
      /** Days from `last_seen` to `updated_at` (idle as of the update). */
      days_idle: number;
      /** Longest idle gap between two uses, days. */
      max_idle_days: number;
      event_count: number;
      maturity: 'learning' | 'mature';
      revoked_at?: string;
      /** earliest creation / authorization event seen */
      created_at?: string;
      /** latest creation / authorization (a re-authorization after a revocation makes it live again) */
      authorized_at?: string;
      expired_at?: string;
      /** latest successful use (`used` / `refreshed`, outcome success) */
      last_used?: string;
      /**
       * Every granted scope the token was seen using, with its latest use. Readers derive the
       * 30 / 90-day windows against their own clock; `scopes_used_30d` / `_90d` are the same
       * windows as of `updated_at`, for Kibana filters. Absent on documents written before
       * tokenwatch tracked used scopes (their `unused_scopes` flag is not judged).
       */
      scopes_used?: ScopeUse[];
      scopes_used_30d?: string[];
      scopes_used_90d?: string[];
      org?: string;
      last_ip?: string;
      last_country?: string;
      last_city?: string;
      /** AS organization of the last use */
      last_network?: string;
      last_user_agent?: string;
      /**
       * Alerts raised for this token. tokenwatch does not see Kibana's workflow status, so every
       * alert counts as open here; close them in Kibana's Alerts page.
       */
      open_alert_count: number;
      alert_ids: string[];
      last_alert_at?: string;
      alert_actions: string[];
      /** Highest `event.severity` (21/47/73/99) among its alerts, 0 when none. */
      max_severity: number;
    };
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const round2 = (n: number): number => Math.round(n * 100) / 100;
/** ISO-8601 UTC strings of the same format compare like the instants they name. */
const minIso = (a: string, b: string): string => [a, b].sort()[0] as string;
const maxIso = (a: string, b: string): string => [a, b].sort()[1] as string;
const union = (a: readonly string[], b: readonly string[]): string[] => [...new Set([...a, ...b])];

/**
 * Inventory documents for the tokens of one batch: the latest activity per token gives type,
 * owner, client, last IP/country; `factsOf` (the baseline store) gives first/last seen, event
 * count, maturity, longest gap and revocation; alerts are attributed by
 * `tokenwatch.token.id`. Tokens the store does not know fall back to what the batch shows.
 */
export function inventoryDocs(
  activities: readonly TokenActivity[],
  alerts: readonly Alert[],
  factsOf: (tokenId: string) => TokenFacts | undefined,
  now: Date,
): Map<string, TokenInventoryDoc> {
  const latest = new Map<string, { activity: TokenActivity; first: number; last: number; count: number }>();
  for (const a of activities) {
    const t = Date.parse(a['@timestamp']);
    const cur = latest.get(a.token.id);
    if (!cur) latest.set(a.token.id, { activity: a, first: t, last: t, count: 1 });
    else {
      cur.count += 1;
      cur.first = Math.min(cur.first, t);
      if (t >= cur.last) {
        cur.last = t;
        cur.activity = a;
      }
    }
  }
  const alertsByToken = new Map<string, Alert[]>();
  for (const alert of alerts) {
    const id = alert.tokenwatch.token.id;
    alertsByToken.set(id, [...(alertsByToken.get(id) ?? []), alert]);
  }
  const out = new Map<string, TokenInventoryDoc>();
  for (const [id, seen] of latest) {
    const a = seen.activity;
    const facts = factsOf(id);
    const token: TokenInventoryDoc['token'] = {
      id,
      key_kind: a.token.key_kind,
      type: a.token.type,
      scopes: union(union(a.token.scopes, facts?.scopes ?? []), facts?.ledger?.granted ?? []),
      principal: a.token.principal,
      source: a.event.module,
      owner: { ...a.token.owner },
      ...(a.token.client ? { client: { ...a.token.client } } : {}),
    };
    const last = a.source?.ip || a.source?.geo?.country_iso_code ? a.source : undefined;
    out.set(id, inventoryDoc(token, facts, seen, alertsByToken.get(id) ?? [], now, last));
  }
  // Alerts about tokens with no activity in this batch (group closed by the watermark) still count.
  for (const [id, tokenAlerts] of alertsByToken) {
    const facts = factsOf(id);
    if (out.has(id) || !facts) continue;
    const first = tokenAlerts[0] as Alert;
    const t = first.tokenwatch.token;
    const token: TokenInventoryDoc['token'] = {
      id,
      key_kind: t.key_kind,
      type: t.type,
      scopes: [...t.scopes],
      principal: 'human',
      source: first.event.provider,
      owner: t.owner ? { name: t.owner } : {},
      ...(t.client ? { client: { ...t.client } } : {}),
    };
    out.set(id, inventoryDoc(token, facts, undefined, tokenAlerts, now, undefined));
  }
  return out;
}

/** One inventory document from the token's description, baseline facts, batch view and alerts. */
function inventoryDoc(
  token: TokenInventoryDoc['token'],
  facts: TokenFacts | undefined,
  seen: { first: number; last: number; count: number } | undefined,
  alerts: readonly Alert[],
  now: Date,
  lastSource: TokenActivity['source'] | undefined,
): TokenInventoryDoc {
  const first = facts && facts.firstSeenMs > 0 ? facts.firstSeenMs : (seen?.first ?? 0);
  const last = Math.max(facts?.lastSeenMs ?? 0, seen?.last ?? 0);
  const lastAlertAt = alerts
    .map((x) => x['@timestamp'])
    .sort()
    .at(-1);
  const l = facts?.ledger;
  return {
    '@timestamp': iso(last),
    token,
    tokenwatch: {
      inventory: {
        first_seen: iso(first),
        last_seen: iso(last),
        updated_at: now.toISOString(),
        days_idle: round2(Math.max(0, now.getTime() - last) / DAY_MS),
        max_idle_days: round2((facts?.gapMaxMs ?? 0) / DAY_MS),
        event_count: facts?.eventCount ?? seen?.count ?? 0,
        maturity: facts?.maturity ?? 'learning',
        ...(facts?.revokedAtMs !== undefined ? { revoked_at: iso(facts.revokedAtMs) } : {}),
        ...(l ? ledgerFields(l, now) : {}),
        ...(lastSource?.ip ? { last_ip: lastSource.ip } : {}),
        ...(lastSource?.geo?.country_iso_code ? { last_country: lastSource.geo.country_iso_code } : {}),
        open_alert_count: alerts.length,
        alert_ids: alerts.map((x) => x.event.id),
        ...(lastAlertAt ? { last_alert_at: lastAlertAt } : {}),
        alert_actions: [...new Set(alerts.map((x) => x.event.action))],
        max_severity: Math.max(0, ...alerts.map((x) => x.event.severity)),
      },
    },
  };
}

/** Scopes among `uses` used at or after `sinceMs`. */
export function scopesUsedSince(uses: readonly ScopeUse[], sinceMs: number): string[] {
  return uses.filter((u) => Date.parse(u.last_used) >= sinceMs).map((u) => u.scope);
}

/** The inventory fields the token ledger supplies (lifecycle times, used scopes, where last used). */
function ledgerFields(l: LedgerFacts, now: Date): Partial<TokenInventoryDoc['tokenwatch']['inventory']> {
  const uses: ScopeUse[] = Object.entries(l.scopesUsed)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([scope, t]) => ({ scope, last_used: iso(t) }));
  return {
    ...(l.createdAtMs !== undefined ? { created_at: iso(l.createdAtMs) } : {}),
    ...(l.authorizedAtMs !== undefined ? { authorized_at: iso(l.authorizedAtMs) } : {}),
    ...(l.expiredAtMs !== undefined ? { expired_at: iso(l.expiredAtMs) } : {}),
    ...(l.lastUsedMs !== undefined ? { last_used: iso(l.lastUsedMs) } : {}),
    scopes_used: uses,
    scopes_used_30d: scopesUsedSince(uses, now.getTime() - 30 * DAY_MS),
    scopes_used_90d: scopesUsedSince(uses, now.getTime() - 90 * DAY_MS),
    ...(l.org ? { org: l.org } : {}),
    ...(l.lastCity ? { last_city: l.lastCity } : {}),
    ...(l.lastNetwork ? { last_network: l.lastNetwork } : {}),
    ...(l.lastUserAgent ? { last_user_agent: l.lastUserAgent } : {}),
  };
}

/** Latest use per scope of both sides (idempotent, order-free). */
function mergeScopeUses(
  a: readonly ScopeUse[] | undefined,
  b: readonly ScopeUse[] | undefined,
): ScopeUse[] | undefined {
  if (!a && !b) return undefined;
  const latest = new Map<string, string>();
  for (const u of [...(a ?? []), ...(b ?? [])])
    latest.set(u.scope, maxIso(latest.get(u.scope) ?? u.last_used, u.last_used));
  return [...latest]
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([scope, last_used]) => ({ scope, last_used }));
}

const pick = (f: (a: string, b: string) => string, a: string | undefined, b: string | undefined) =>
  a && b ? f(a, b) : (a ?? b);

/**
 * Merges a new inventory document into the stored one. Idempotent (merging the same update twice
 * gives the same document), so a replayed batch changes nothing: first seen = min, last seen =
 * max, counts = max, alert ids = union (the open-alert count grows only by ids not seen before),
 * creation = min, authorization / expiry / last use = max, the latest use
 * per scope (windows recomputed as of the merged `updated_at`), descriptive fields from whichever
 * side saw the token last. `principal` of an alert-only update
 * never overrides a stored one.
 */
export function mergeInventory(
  stored: TokenInventoryDoc | undefined,
  next: TokenInventoryDoc,
): TokenInventoryDoc {
  if (!stored) return next;
  const s = stored.tokenwatch.inventory;
  const n = next.tokenwatch.inventory;
  const newer = n.last_seen >= s.last_seen;
  const base = newer ? next : stored;
  const knownIds = new Set(s.alert_ids);
  const freshIds = n.alert_ids.filter((id) => !knownIds.has(id));
  const last_seen = newer ? n.last_seen : s.last_seen;
  const last_alert_at = [s.last_alert_at, n.last_alert_at]
    .filter((x): x is string => !!x)
    .sort()
    .at(-1);
  const revoked_at = newer ? (n.revoked_at ?? s.revoked_at) : (s.revoked_at ?? n.revoked_at);
  const created_at = pick(minIso, s.created_at, n.created_at);
  const authorized_at = pick(maxIso, s.authorized_at, n.authorized_at);
  const expired_at = pick(maxIso, s.expired_at, n.expired_at);
  const last_used = pick(maxIso, s.last_used, n.last_used);
  const scopes_used = mergeScopeUses(s.scopes_used, n.scopes_used);
  const updated_at = maxIso(n.updated_at, s.updated_at);
  const asOf = Date.parse(updated_at);
  return {
    '@timestamp': last_seen,
    token: {
      ...base.token,
      principal: stored.token.principal ?? next.token.principal,
      scopes: union(stored.token.scopes, next.token.scopes),
    },
    tokenwatch: {
      inventory: {
        ...(newer ? { ...s, ...n } : { ...n, ...s }),
        first_seen: minIso(n.first_seen, s.first_seen),
        last_seen,
        updated_at,
        days_idle: n.updated_at >= s.updated_at ? n.days_idle : s.days_idle,
        max_idle_days: Math.max(s.max_idle_days, n.max_idle_days),
        event_count: Math.max(s.event_count, n.event_count),
        ...(revoked_at ? { revoked_at } : {}),
        ...(created_at ? { created_at } : {}),
        ...(authorized_at ? { authorized_at } : {}),
        ...(expired_at ? { expired_at } : {}),
        ...(last_used ? { last_used } : {}),
        ...(scopes_used
          ? {
              scopes_used,
              scopes_used_30d: scopesUsedSince(scopes_used, asOf - 30 * DAY_MS),
              scopes_used_90d: scopesUsedSince(scopes_used, asOf - 90 * DAY_MS),
            }
          : {}),
        open_alert_count: s.open_alert_count + freshIds.length,
        alert_ids: [...s.alert_ids, ...freshIds].slice(-MAX_ALERT_IDS),
        ...(last_alert_at ? { last_alert_at } : {}),
        alert_actions: union(s.alert_actions, n.alert_actions),
        max_severity: Math.max(s.max_severity, n.max_severity),
      },
    },
  };
}

/** A stored inventory document and the version it was read at. */
export interface StoredInventory {
  doc: TokenInventoryDoc;
  seqNo: number;
  primaryTerm: number;
}

/**
 * Reads the stored inventory documents for some token ids (one `_mget`, realtime), with the
 * version of each for a compare-and-set write.
 * @throws SinkError (retriable) when Elasticsearch does not answer.
 */
export async function fetchInventory(
  client: Client,
  index: string,
  ids: readonly string[],
): Promise<Map<string, StoredInventory>> {
  const out = new Map<string, StoredInventory>();
  if (ids.length === 0) return out;
  try {
    const res = await client.mget<TokenInventoryDoc>({ index, ids: [...ids] });
    for (const d of res.docs) {
      if ('found' in d && d.found && d._source && d._seq_no !== undefined && d._primary_term !== undefined) {
        out.set(d._id, { doc: d._source, seqNo: d._seq_no, primaryTerm: d._primary_term });
      }
    }
    return out;
  } catch (cause) {
    const status = cause instanceof errors.ResponseError ? (cause.statusCode ?? 0) : 0;
    throw new SinkError(`token inventory read failed: ${(cause as Error).message}`, {
      cause,
      retriable: status === 0 || status === 429 || status >= 500,
    });
  }
}

/**
 * Writes for merged inventory documents: read-merge-write with compare-and-set. A token read
 * from the index is replaced only if unchanged since the read (`if_seq_no`/`if_primary_term`);
 * a new one is created only if still absent. Either conflict means another writer got there
 * first: the caller reads and merges again (the merge is idempotent).
 */
export function inventoryActions(
  index: string,
  docs: ReadonlyMap<string, TokenInventoryDoc>,
  stored: ReadonlyMap<string, StoredInventory>,
): BulkAction[] {
  return [...docs].map(([id, doc]) => {
    const prev = stored.get(id);
    const body = doc as unknown as Record<string, unknown>;
    return prev
      ? { op: 'index', index, id, doc: body, ifSeqNo: prev.seqNo, ifPrimaryTerm: prev.primaryTerm }
      : { op: 'create', index, id, doc: body };
  });
}
