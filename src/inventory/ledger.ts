import { z } from 'zod';
import type { Alert } from '../../schemas/alert.js';
import type { Source, TokenActivity } from '../../schemas/token-activity.js';
import { usedScopes } from './scopes.js';

/** Events kept per token for the console timeline (newest last). */
export const RECENT_EVENTS = 12;
/** Alert ids kept per token (newest last); `alertCount` keeps counting past it. */
export const MAX_TOKEN_ALERTS = 50;

/**
 * One recent use of a token, compact: [epoch ms, action, outcome, ip, country, user agent,
 * resource] (empty string for absent).
 */
export type RecentEvent = [number, string, string, string, string, string, string];

/** The offboarding of one identity: when, which event, who did it, from which source. */
export interface Offboarding {
  /** epoch ms (event time) */
  at: number;
  /** vendor event name: `SUSPEND_USER`, `DELETE_USER`, `org.remove_member`, ... */
  action: string;
  source: Source;
  /** the admin who did it (user name / email), when logged */
  by?: string;
  /** the identity as the event names it (email or login) */
  subject: string;
}

/**
 * What tokenwatch knows about one credential from the activity it has seen: the descriptive
 * fields of its latest event, lifecycle times (epoch ms of event time), scopes granted and used,
 * where it was last used, a few recent events and its alert ids.
 */
export interface TokenRecord {
  id: string;
  source: Source;
  keyKind: string;
  type: string;
  principal: 'human' | 'machine';
  owner: { id?: string; name?: string; email?: string };
  client?: { id?: string; name?: string };
  org?: string;
  /** creation time: the earliest `created` / `authorized` event seen */
  createdAt?: number;
  /** the latest `created` / `authorized` event (a re-authorization after a revocation makes it live again) */
  authorizedAt?: number;
  firstSeen: number;
  lastSeen: number;
  /** latest successful use (`used` / `refreshed` with outcome success) */
  lastUsed?: number;
  revokedAt?: number;
  expiredAt?: number;
  events: number;
  failures: number;
  /** where and from what it was last used */
  last: { ip?: string; country?: string; city?: string; asOrg?: string; userAgent?: string; action: string };
  /** union of scopes the credential held, in first-seen order */
  granted: string[];
  /** scope -> epoch ms of its latest use (see scopes.ts for how use is derived) */
  used: Record<string, number>;
  /** true when the source of the record does not know used scopes (Elasticsearch inventory documents) */
  usedUnknown?: boolean;
  recent: RecentEvent[];
  alertIds: string[];
  alertCount: number;
  /** highest `event.severity` among its alerts (0 none) */
  maxSeverity: number;
}

const OFFBOARDING_GWS = new Set(['SUSPEND_USER', 'DELETE_USER', 'ARCHIVE_USER']);
const OFFBOARDING_GITHUB = new Set([
  'org.remove_member',
  'business.remove_member',
  'org.remove_outside_collaborator',
]);
const LIFECYCLE_CREATED = new Set(['created', 'authorized']);

/** Lower-cased identity keys of an owner: email, name (login), id. */
export function identityKeys(owner: { id?: string; name?: string; email?: string }): string[] {
  const out: string[] = [];
  for (const v of [owner.email, owner.name]) if (v) out.push(v.toLowerCase());
  return out;
}

/**
 * The offboarded identity an activity records, if it is an offboarding event:
 * Google Workspace admin `SUSPEND_USER` / `DELETE_USER` / `ARCHIVE_USER` (the user is
 * `USER_EMAIL`, normalized into `tokenwatch.resource {type: 'user'}`;
 * https://developers.google.com/workspace/admin/reports/v1/appendix/activity/admin-user-settings),
 * GitHub `org.remove_member` / `business.remove_member` (the removed login is the audit event's
 * `user`, normalized into `related.user` next to the actor), Salesforce user deactivation when an
 * event names it (`UserDeactivated` / a `user.deactivate*` action, resource type `user`). Uses the
 * ingestors' vendor-neutral `tokenwatch.admin_action` + `user.target` when present.
 */
export function offboardingOf(a: TokenActivity): Offboarding | undefined {
  if (a.event.outcome === 'failure') return undefined;
  const at = Date.parse(a['@timestamp']);
  const by = a.user.email ?? a.user.name;
  const base = { at, action: a.event.action, source: a.event.module, ...(by ? { by } : {}) };
  // Vendor-neutral admin facts (ingestors/common/admin-facts.ts) when the ingestor computed them.
  const target = a.user.target;
  if (a.tokenwatch.admin_action && target) {
    const subject = target.email ?? target.name ?? target.id;
    if (subject) return { ...base, subject };
  }
  if (a.event.module === 'google_workspace' && OFFBOARDING_GWS.has(a.event.action)) {
    const r = a.tokenwatch.resource;
    if (r?.type === 'user' && r.name) return { ...base, subject: r.name };
  }
  if (a.event.module === 'github' && OFFBOARDING_GITHUB.has(a.event.action)) {
    const subject = a.user.target?.name ?? a.related.user.find((u) => u !== a.user.name && u !== a.user.id);
    if (subject) return { ...base, subject };
  }
  if (a.event.module === 'salesforce' && /deactivat/i.test(a.event.action)) {
    const r = a.tokenwatch.resource;
    if (r?.type === 'user' && r.name) return { ...base, subject: r.name };
  }
  return undefined;
}

/**
 * The identity link an activity carries, if any: `[login, email]` (both lower-cased) from the
 * token owner when it has both, else from the acting user when its name differs from its email.
 * This is the only way identities are linked across sources (see {@link TokenLedger.offboardingFor}).
 */
export function emailLinkOf(a: TokenActivity): [string, string] | undefined {
  const o = a.token.owner;
  if (o.email && o.name) return [o.name.toLowerCase(), o.email.toLowerCase()];
  if (a.user.email && a.user.name && a.user.email !== a.user.name)
    return [a.user.name.toLowerCase(), a.user.email.toLowerCase()];
  return undefined;
}

/**
 * The token ledger: one {@link TokenRecord} per credential plus the offboarding events seen,
 * updated from every activity the pipeline processes (`observe`) and every alert it raises
 * (`recordAlerts`). It is what `tokenwatch inventory`, `rotation check` and the API read, and it
 * is saved with the pipeline state (`inventory.json.gz`, see persistence.ts). Memory: ~1 KiB per
 * token (12 recent events, scopes, 50 alert ids at most).
 */
export class TokenLedger {
  readonly tokens = new Map<string, TokenRecord>();
  /** identity key (lower-cased email or login) -> latest offboarding */
  readonly offboarded = new Map<string, Offboarding>();
  /** lower-cased login -> lower-cased email, from events that carry both (identity linking) */
  readonly emails = new Map<string, string>();

  /** Folds one (normalized, enriched) activity in. Never throws on odd input. */
  observe(a: TokenActivity): void {
    const t = Date.parse(a['@timestamp']);
    if (!Number.isFinite(t)) return;
    const off = offboardingOf(a);
    if (off) {
      const key = off.subject.toLowerCase();
      const prev = this.offboarded.get(key);
      if (!prev || prev.at < off.at) this.offboarded.set(key, off);
    }
    const tok = a.token;
    const link = emailLinkOf(a);
    if (link) this.emails.set(link[0], link[1]);
    let r = this.tokens.get(tok.id);
    const newer = !r || t >= r.lastSeen;
    if (!r) {
      r = {
        id: tok.id,
        source: a.event.module,
        keyKind: tok.key_kind,
        type: tok.type,
        principal: tok.principal,
        owner: { ...tok.owner },
        firstSeen: t,
        lastSeen: t,
        events: 0,
        failures: 0,
        last: { action: a.event.action },
        granted: [],
        used: {},
        recent: [],
        alertIds: [],
        alertCount: 0,
        maxSeverity: 0,
      };
      this.tokens.set(tok.id, r);
    }
    r.events += 1;
    if (t < r.firstSeen) r.firstSeen = t;
    if (newer) {
      r.lastSeen = t;
      r.type = tok.type === 'unknown' ? r.type : tok.type;
      r.principal = tok.principal;
      if (tok.owner.name || tok.owner.email || tok.owner.id) r.owner = { ...r.owner, ...tok.owner };
      if (tok.client && (tok.client.id || tok.client.name)) r.client = { ...r.client, ...tok.client };
      const org = a.organization?.name ?? a.organization?.id;
      if (org) r.org = org;
    }
    for (const s of tok.scopes) if (!r.granted.includes(s) && r.granted.length < 64) r.granted.push(s);
    const failed = a.event.outcome === 'failure';
    if (failed) r.failures += 1;
    const lc = tok.lifecycle;
    if (LIFECYCLE_CREATED.has(lc)) {
      if (r.createdAt === undefined || t < r.createdAt) r.createdAt = t;
      if (r.authorizedAt === undefined || t > r.authorizedAt) r.authorizedAt = t;
    }
    if (lc === 'revoked' && (r.revokedAt === undefined || t > r.revokedAt)) r.revokedAt = t;
    if (lc === 'expired' && (r.expiredAt === undefined || t > r.expiredAt)) r.expiredAt = t;
    if (!failed && (lc === 'used' || lc === 'refreshed')) {
      if (r.lastUsed === undefined || t >= r.lastUsed) {
        r.lastUsed = t;
        const geo = a.source?.geo;
        r.last = {
          action: a.event.action,
          ...(a.source?.ip ? { ip: a.source.ip } : {}),
          ...(geo?.country_iso_code ? { country: geo.country_iso_code } : {}),
          ...(geo?.city_name ? { city: geo.city_name } : {}),
          ...(a.source?.as?.organization?.name ? { asOrg: a.source.as.organization.name } : {}),
          ...(a.user_agent?.original ? { userAgent: a.user_agent.original } : {}),
        };
      }
      const used = usedScopes(
        {
          source: a.event.module,
          action: a.event.action,
          lifecycle: lc,
          scopes: tok.scopes,
          apiType: a.tokenwatch.api_type,
          category: a.event.category,
        },
        r.granted,
      );
      for (const s of used) if ((r.used[s] ?? 0) < t) r.used[s] = t;
    }
    const res = a.tokenwatch.resource;
    const ev: RecentEvent = [
      t,
      a.event.action,
      a.event.outcome,
      a.source?.ip ?? '',
      a.source?.geo?.country_iso_code ?? '',
      a.user_agent?.original ?? '',
      res ? `${res.type}:${res.name}` : '',
    ];
    // Keep the newest events in time order (late events are inserted at their place or dropped).
    const recent = r.recent;
    let i = recent.length;
    while (i > 0 && (recent[i - 1] as RecentEvent)[0] > t) i--;
    recent.splice(i, 0, ev);
    if (recent.length > RECENT_EVENTS) recent.shift();
  }

  /** Attributes alerts to their tokens (`tokenwatch.token.id`); an alert id is counted once. */
  recordAlerts(alerts: readonly Alert[]): void {
    for (const alert of alerts) {
      const r = this.tokens.get(alert.tokenwatch.token.id);
      if (!r || r.alertIds.includes(alert.event.id)) continue;
      r.alertIds.push(alert.event.id);
      if (r.alertIds.length > MAX_TOKEN_ALERTS) r.alertIds.shift();
      r.alertCount += 1;
      if (alert.event.severity > r.maxSeverity) r.maxSeverity = alert.event.severity;
    }
  }

  /**
   * The offboarding that applies to a token's owner, if any: matched on the owner's email or
   * login, and on the email linked to the login (events carrying both). Identities are linked
   * across sources only through an email address.
   */
  offboardingFor(r: TokenRecord): Offboarding | undefined {
    const keys = identityKeys(r.owner);
    for (const k of [...keys]) {
      const linked = this.emails.get(k);
      if (linked) keys.push(linked);
    }
    let best: Offboarding | undefined;
    for (const k of keys) {
      const o = this.offboarded.get(k);
      if (o && (!best || o.at > best.at)) best = o;
    }
    return best;
  }

  /** Serializable snapshot (see {@link ledgerSnapshotSchema}). */
  toJSON(): LedgerSnapshot {
    return {
      version: LEDGER_VERSION,
      tokens: [...this.tokens.values()],
      offboarded: [...this.offboarded.values()],
      emails: [...this.emails],
    };
  }

  /** Rebuilds a ledger from a validated snapshot. */
  static fromJSON(s: LedgerSnapshot): TokenLedger {
    const l = new TokenLedger();
    for (const t of s.tokens) l.tokens.set(t.id, t as TokenRecord);
    for (const o of s.offboarded) l.offboarded.set(o.subject.toLowerCase(), o as Offboarding);
    for (const [k, v] of s.emails) l.emails.set(k, v);
    return l;
  }
}

/** Version of the saved ledger; bump on incompatible changes. */
export const LEDGER_VERSION = 1;

const ms = z.number().finite();
const opt = z.string().optional();
const tokenRecordSchema = z.object({
  id: z.string().min(1),
  source: z.enum(['github', 'google_workspace', 'salesforce']),
  keyKind: z.string(),
  type: z.string(),
  principal: z.enum(['human', 'machine']),
  owner: z.object({ id: opt, name: opt, email: opt }),
  client: z.object({ id: opt, name: opt }).optional(),
  org: opt,
  createdAt: ms.optional(),
  authorizedAt: ms.optional(),
  firstSeen: ms,
  lastSeen: ms,
  lastUsed: ms.optional(),
  revokedAt: ms.optional(),
  expiredAt: ms.optional(),
  events: z.number().int().nonnegative(),
  failures: z.number().int().nonnegative(),
  last: z.object({
    ip: opt,
    country: opt,
    city: opt,
    asOrg: opt,
    userAgent: opt,
    action: z.string(),
  }),
  granted: z.array(z.string()),
  used: z.record(z.string(), ms),
  recent: z.array(z.tuple([ms, z.string(), z.string(), z.string(), z.string(), z.string(), z.string()])),
  alertIds: z.array(z.string()),
  alertCount: z.number().int().nonnegative(),
  maxSeverity: z.number().int().nonnegative(),
});

/** The saved ledger (`inventory.json.gz` in the state directory). */
export const ledgerSnapshotSchema = z.object({
  version: z.literal(LEDGER_VERSION),
  tokens: z.array(tokenRecordSchema),
  offboarded: z.array(
    z.object({
      at: ms,
      action: z.string(),
      source: z.enum(['github', 'google_workspace', 'salesforce']),
      by: opt,
      subject: z.string(),
    }),
  ),
  emails: z.array(z.tuple([z.string(), z.string()])),
});
export type LedgerSnapshot = z.infer<typeof ledgerSnapshotSchema>;
