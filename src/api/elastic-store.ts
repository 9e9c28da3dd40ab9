import { randomUUID } from 'node:crypto';
import { type Client, errors } from '@elastic/elasticsearch';
import { type Alert, alertSchema } from '../../schemas/alert.js';
import type { Source } from '../../schemas/token-activity.js';
import { identityLedger, readIdentities } from '../elasticsearch/identities.js';
import type { TokenInventoryDoc } from '../elasticsearch/inventory.js';
import {
  activityDataStream,
  alertDataStream,
  identitiesIndex,
  tokenInventoryIndex,
} from '../elasticsearch/names.js';
import type { AppsRegistry } from '../inventory/apps-registry.js';
import { DEFAULT_POLICY, type HygienePolicy, inventoryRow, matchesFilter } from '../inventory/hygiene.js';
import type { TokenLedger, TokenRecord } from '../inventory/ledger.js';
import { alertView, byNewest } from './triage-logic.js';
import {
  type AlertPage,
  type AlertQuery,
  type AlertView,
  type ConsoleStore,
  decodeCursor,
  encodeCursor,
  type RecentActivity,
  type Suppression,
  type TokenDetail,
  type TokenPage,
  type TriageRecord,
} from './types.js';

/** Index of triage decisions (`_id` = alert id): `tokenwatch-triage-<namespace>`. */
export const triageIndex = (ns: string): string => `tokenwatch-triage-${ns}`;
/** Index of suppressions (`_id` = suppression id): `tokenwatch-suppressions-<namespace>`. */
export const suppressionsIndex = (ns: string): string => `tokenwatch-suppressions-${ns}`;

const kw = { type: 'keyword' } as const;
const TRIAGE_MAPPINGS = {
  dynamic: 'strict',
  properties: { status: kw, note: { type: 'text' }, by: kw, at: { type: 'date' } },
} as const;
const SUPPRESSION_MAPPINGS = {
  dynamic: 'strict',
  properties: {
    id: kw,
    created_at: { type: 'date' },
    created_by: kw,
    expires_at: { type: 'date' },
    reason: { type: 'text' },
    detector: kw,
    token: kw,
    owner: kw,
    source_ip: kw,
  },
} as const;

/** Options of {@link ElasticStore}. */
export interface ElasticStoreOptions {
  client: Client;
  namespace: string;
  /** the app vetting registry (`<state>/apps.json` of the serve instance) */
  apps: AppsRegistry;
  policy?: HygienePolicy;
  /** wall clock: idle days and ages are computed against it at read time */
  now?: () => Date;
}

const notFound = (err: unknown): boolean => err instanceof errors.ResponseError && err.statusCode === 404;
const ms = (iso: string | undefined): number | undefined => (iso ? Date.parse(iso) : undefined);

/**
 * The inventory record an Elasticsearch inventory document (src/elasticsearch/inventory.ts)
 * stands for, so serve mode judges hygiene with the embedded rules (src/inventory/hygiene.ts).
 * Idle days and the 30 / 90-day scope windows come from the stored event times and the reader's
 * clock, so they stay true while a token is quiet (the stored `days_idle` is as of the last
 * write). A document written before serve tracked used scopes (no `scopes_used`) has used scopes
 * unknown (no `unused_scopes` flag) and counts its last event as its last use.
 */
export function recordFromInventoryDoc(doc: TokenInventoryDoc): TokenRecord {
  const inv = doc.tokenwatch.inventory;
  const t = doc.token;
  const revokedAt = ms(inv.revoked_at);
  const tracked = inv.scopes_used !== undefined;
  const lastUsed = tracked ? ms(inv.last_used) : Date.parse(inv.last_seen);
  const opt = (k: keyof TokenRecord, v: number | undefined) => (v !== undefined ? { [k]: v } : {});
  return {
    id: t.id,
    source: t.source as Source,
    keyKind: t.key_kind,
    type: t.type,
    principal: t.principal === 'machine' ? 'machine' : 'human',
    owner: { ...t.owner },
    ...(t.client ? { client: { ...t.client } } : {}),
    ...(inv.org ? { org: inv.org } : {}),
    ...opt('createdAt', ms(inv.created_at)),
    ...opt('authorizedAt', ms(inv.authorized_at)),
    firstSeen: Date.parse(inv.first_seen),
    lastSeen: Date.parse(inv.last_seen),
    ...opt('lastUsed', lastUsed),
    ...opt('revokedAt', revokedAt),
    ...opt('expiredAt', ms(inv.expired_at)),
    events: inv.event_count,
    failures: 0,
    last: {
      action: '',
      ...(inv.last_ip ? { ip: inv.last_ip } : {}),
      ...(inv.last_country ? { country: inv.last_country } : {}),
      ...(inv.last_city ? { city: inv.last_city } : {}),
      ...(inv.last_network ? { asOrg: inv.last_network } : {}),
      ...(inv.last_user_agent ? { userAgent: inv.last_user_agent } : {}),
    },
    granted: [...t.scopes],
    used: Object.fromEntries((inv.scopes_used ?? []).map((u) => [u.scope, Date.parse(u.last_used)])),
    ...(tracked ? {} : { usedUnknown: true }),
    recent: [],
    alertIds: [...inv.alert_ids],
    alertCount: inv.open_alert_count,
    maxSeverity: inv.max_severity,
  };
}

/**
 * The console store over Elasticsearch (serve mode): tokens from the inventory index (offboarded
 * owners from the identities index, joined at read time), alerts from
 * the alert data stream, recent activity from the activity data stream when serve indexes it,
 * triage decisions and suppressions in their own indices (created on first use, strict
 * mappings), apps from the serve state directory's registry.
 */
export class ElasticStore implements ConsoleStore {
  private readonly es: Client;
  private readonly ns: string;
  private ensured = false;

  constructor(private readonly options: ElasticStoreOptions) {
    this.es = options.client;
    this.ns = options.namespace;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private async ensureIndices(): Promise<void> {
    if (this.ensured) return;
    for (const [index, mappings] of [
      [triageIndex(this.ns), TRIAGE_MAPPINGS],
      [suppressionsIndex(this.ns), SUPPRESSION_MAPPINGS],
    ] as const) {
      try {
        await this.es.indices.create({ index, mappings: mappings as never });
      } catch (err) {
        if (
          !(
            err instanceof errors.ResponseError &&
            err.body?.error?.type === 'resource_already_exists_exception'
          )
        )
          throw err;
      }
    }
    this.ensured = true;
  }

  /** Offboardings and identity links from the identities index, read once per request. */
  private async identities(): Promise<TokenLedger> {
    return identityLedger(await readIdentities(this.es, identitiesIndex(this.ns)));
  }

  private row(doc: TokenInventoryDoc, identities: TokenLedger) {
    const asOf = this.now().getTime();
    const record = recordFromInventoryDoc(doc);
    return inventoryRow(
      record,
      asOf,
      this.options.policy ?? DEFAULT_POLICY,
      identities.offboardingFor(record),
      this.options.apps,
    );
  }

  async tokens(
    filter: Parameters<ConsoleStore['tokens']>[0],
    page: { offset: number; limit: number },
  ): Promise<TokenPage> {
    const res = await this.es.search<TokenInventoryDoc>(
      {
        index: tokenInventoryIndex(this.ns),
        size: 10_000,
        sort: [{ '@timestamp': 'desc' }],
        query: { match_all: {} },
      },
      { ignore: [404] },
    );
    const identities = await this.identities();
    const rows = (res.hits?.hits ?? [])
      .flatMap((h) => (h._source ? [this.row(h._source, identities)] : []))
      .filter((r) => matchesFilter(r, filter))
      .sort(
        (a, b) =>
          b.flags.length - a.flags.length || a.owner.localeCompare(b.owner) || a.id.localeCompare(b.id),
      );
    return {
      items: rows.slice(page.offset, page.offset + page.limit),
      total: rows.length,
      as_of: this.now().toISOString(),
    };
  }

  async token(id: string): Promise<TokenDetail | undefined> {
    let doc: TokenInventoryDoc | undefined;
    try {
      doc = (await this.es.get<TokenInventoryDoc>({ index: tokenInventoryIndex(this.ns), id }))._source;
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
    if (!doc) return undefined;
    const alerts = (await this.alerts({ limit: 200, token: id })).items;
    return {
      token: this.row(doc, await this.identities()),
      baseline: null,
      recent: await this.recent(id),
      alerts,
    };
  }

  private async recent(id: string): Promise<RecentActivity[]> {
    const res = await this.es.search<Record<string, never>>(
      {
        index: activityDataStream(this.ns),
        size: 12,
        sort: [{ '@timestamp': 'desc' }],
        query: { term: { 'token.id': id } },
      },
      { ignore: [404] },
    );
    return (res.hits?.hits ?? []).flatMap((h) => {
      const a = h._source as unknown as {
        '@timestamp': string;
        event: { action: string; outcome: string };
        source?: { ip?: string; geo?: { country_iso_code?: string } };
        user_agent?: { original?: string };
        tokenwatch?: { resource?: { type: string; name: string } };
      };
      if (!a?.event) return [];
      return [
        {
          timestamp: a['@timestamp'],
          action: a.event.action,
          outcome: a.event.outcome,
          ...(a.source?.ip ? { ip: a.source.ip } : {}),
          ...(a.source?.geo?.country_iso_code ? { country: a.source.geo.country_iso_code } : {}),
          ...(a.user_agent?.original ? { user_agent: a.user_agent.original } : {}),
          ...(a.tokenwatch?.resource
            ? { resource: `${a.tokenwatch.resource.type}:${a.tokenwatch.resource.name}` }
            : {}),
        },
      ];
    });
  }

  private async triageOf(ids: readonly string[]): Promise<Map<string, TriageRecord>> {
    const out = new Map<string, TriageRecord>();
    if (ids.length === 0) return out;
    await this.ensureIndices();
    const res = await this.es.mget<TriageRecord>({ index: triageIndex(this.ns), ids: [...ids] });
    for (const d of res.docs) if ('found' in d && d.found && d._source) out.set(d._id, d._source);
    return out;
  }

  private views(
    hits: readonly Alert[],
    triage: Map<string, TriageRecord>,
    sups: readonly Suppression[],
  ): AlertView[] {
    return hits.map((a) => alertView(a, a.event.ingested ?? a.event.created, triage.get(a.event.id), sups));
  }

  async alerts(q: AlertQuery): Promise<AlertPage> {
    const filter: object[] = [];
    if (q.detector) filter.push({ term: { 'event.action': q.detector } });
    if (q.token) filter.push({ term: { 'tokenwatch.token.id': q.token } });
    if (q.severity?.length) {
      const scores = q.severity
        .map((s) => ({ low: 21, medium: 47, high: 73, critical: 99 })[s])
        .filter((n) => n !== undefined);
      filter.push({ terms: { 'event.severity': scores } });
    }
    if (q.from || q.to)
      filter.push({
        range: { '@timestamp': { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } },
      });
    const sups = await this.suppressions();
    const out: AlertView[] = [];
    let after = q.cursor ? decodeCursor(q.cursor) : undefined;
    // Status lives outside the alert documents: read pages until enough match it.
    for (let round = 0; round < 50 && out.length <= q.limit; round++) {
      const res = await this.es.search<Alert>(
        {
          index: alertDataStream(this.ns),
          size: Math.max(q.limit + 1, 100),
          query: { bool: { filter } },
          sort: [{ '@timestamp': 'desc' }, { 'event.id': 'desc' }],
          ...(after ? { search_after: after } : {}),
        },
        { ignore: [404] },
      );
      const hits = (res.hits?.hits ?? []).flatMap((h) => (h._source ? [alertSchema.parse(h._source)] : []));
      if (hits.length === 0) break;
      const triage = await this.triageOf(hits.map((a) => a.event.id));
      for (const v of this.views(hits, triage, sups)) if (!q.status || v.status === q.status) out.push(v);
      const last = hits.at(-1) as Alert;
      after = [last['@timestamp'], last.event.id];
      if (hits.length < Math.max(q.limit + 1, 100)) break;
    }
    out.sort(byNewest);
    const items = out.slice(0, q.limit);
    const last = items.at(-1);
    return {
      items,
      ...(out.length > q.limit && last ? { next_cursor: encodeCursor(last.timestamp, last.id) } : {}),
    };
  }

  async alert(id: string): Promise<{ view: AlertView; document: Alert } | undefined> {
    const res = await this.es.search<Alert>(
      { index: alertDataStream(this.ns), size: 1, query: { term: { 'event.id': id } } },
      { ignore: [404] },
    );
    const src = res.hits?.hits?.[0]?._source;
    if (!src) return undefined;
    const doc = alertSchema.parse(src);
    const [view] = this.views([doc], await this.triageOf([id]), await this.suppressions());
    return view ? { view, document: doc } : undefined;
  }

  async setAlertStatus(id: string, triage: TriageRecord): Promise<AlertView | undefined> {
    if (!(await this.alert(id))) return undefined;
    await this.ensureIndices();
    await this.es.index({ index: triageIndex(this.ns), id, document: triage, refresh: 'wait_for' });
    return (await this.alert(id))?.view;
  }

  async suppressions(): Promise<Suppression[]> {
    await this.ensureIndices();
    const res = await this.es.search<Suppression>({
      index: suppressionsIndex(this.ns),
      size: 1000,
      sort: [{ created_at: 'asc' }],
    });
    return res.hits.hits.flatMap((h) => (h._source ? [h._source] : []));
  }

  async addSuppression(s: Omit<Suppression, 'id' | 'created_at'>): Promise<Suppression> {
    await this.ensureIndices();
    const full: Suppression = { ...s, id: randomUUID(), created_at: this.now().toISOString() };
    await this.es.index({
      index: suppressionsIndex(this.ns),
      id: full.id,
      document: full,
      refresh: 'wait_for',
    });
    return full;
  }

  async deleteSuppression(id: string): Promise<boolean> {
    await this.ensureIndices();
    try {
      await this.es.delete({ index: suppressionsIndex(this.ns), id, refresh: 'wait_for' });
      return true;
    } catch (err) {
      if (notFound(err)) return false;
      throw err;
    }
  }

  async apps() {
    return this.options.apps.list();
  }

  async approveApp(input: Parameters<ConsoleStore['approveApp']>[0]) {
    return this.options.apps.approve(input, this.now());
  }

  async revokeApp(source: string, clientId: string, by: string) {
    return this.options.apps.revoke(source, clientId, by, this.now());
  }

  async ready(): Promise<boolean> {
    try {
      await this.es.ping();
      return true;
    } catch {
      return false;
    }
  }
}
