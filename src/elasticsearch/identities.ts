import { createHash } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import type { Source, TokenActivity } from '../../schemas/token-activity.js';
import { emailLinkOf, type Offboarding, offboardingOf, TokenLedger } from '../inventory/ledger.js';
import type { BulkAction } from './bulk.js';

/**
 * One document of the identities index (`tokenwatch-identities-<namespace>`): either an
 * offboarding event (`identity.kind: offboarding`, one document per event, `_id` derived from
 * subject, time, action and source, so a replay rewrites the same document) or a login-to-email
 * link (`identity.kind: email_link`, one document per login, the latest link wins as in the
 * embedded ledger). serve writes them from every batch; the console reads them all to judge the
 * `owner_offboarded` flag and state of every token at read time, whatever the token's partition
 * or last write.
 */
export interface IdentityDoc {
  '@timestamp': string;
  identity: {
    /** the document's own `_id` (a unique sort key for paging) */
    doc_id: string;
    kind: 'offboarding' | 'email_link';
    /** lower-cased identity key: the offboarded subject, or the linked login */
    key: string;
    /** email_link: the lower-cased email the login belongs to */
    email?: string;
  };
  offboarding?: { action: string; source: Source; by?: string; subject: string };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The identity documents an activity yields (an offboarding and/or an email link). */
export function identityDocs(a: TokenActivity): IdentityDoc[] {
  const out: IdentityDoc[] = [];
  const off = offboardingOf(a);
  if (off) {
    const key = off.subject.toLowerCase();
    const doc_id = `offboarding:${createHash('sha256')
      .update(`${key}|${off.at}|${off.action}|${off.source}`)
      .digest('hex')
      .slice(0, 32)}`;
    out.push({
      '@timestamp': iso(off.at),
      identity: { doc_id, kind: 'offboarding', key },
      offboarding: {
        action: off.action,
        source: off.source,
        ...(off.by ? { by: off.by } : {}),
        subject: off.subject,
      },
    });
  }
  const link = emailLinkOf(a);
  if (link) {
    out.push({
      '@timestamp': a['@timestamp'],
      identity: { doc_id: `link:${link[0]}`, kind: 'email_link', key: link[0], email: link[1] },
    });
  }
  return out;
}

/**
 * Bulk `index` actions for the identity facts of a batch. Offboardings are always written (their
 * id is deterministic, so a replay is a no-op rewrite); an email link is written only when it is
 * new to `written` (login -> email this process already wrote), which keeps a busy owner from
 * costing a write per batch. `written` is updated; it is cleared when it exceeds `maxLinks`.
 */
export function identityActions(
  index: string,
  activities: readonly TokenActivity[],
  written: Map<string, string>,
  maxLinks = 100_000,
): BulkAction[] {
  const byId = new Map<string, IdentityDoc>();
  for (const a of activities) {
    for (const d of identityDocs(a)) {
      if (d.identity.kind === 'email_link') {
        if (written.get(d.identity.key) === d.identity.email) continue;
        if (written.size >= maxLinks) written.clear();
        written.set(d.identity.key, d.identity.email as string);
      }
      byId.set(d.identity.doc_id, d);
    }
  }
  return [...byId.values()].map((doc) => ({
    op: 'index',
    index,
    id: doc.identity.doc_id,
    doc: doc as unknown as Record<string, unknown>,
  }));
}

/**
 * The identity facts of the index as a ledger holding only offboardings and email links, so the
 * console applies exactly the embedded rules ({@link TokenLedger.offboardingFor}: match on the
 * owner's email or login and on the email linked to the login; the latest offboarding wins).
 */
export function identityLedger(docs: Iterable<IdentityDoc>): TokenLedger {
  const ledger = new TokenLedger();
  for (const d of docs) {
    const { kind, key, email } = d.identity;
    if (kind === 'email_link' && email) ledger.emails.set(key, email);
    if (kind === 'offboarding' && d.offboarding) {
      const o: Offboarding = {
        at: Date.parse(d['@timestamp']),
        action: d.offboarding.action,
        source: d.offboarding.source,
        ...(d.offboarding.by ? { by: d.offboarding.by } : {}),
        subject: d.offboarding.subject,
      };
      const prev = ledger.offboarded.get(key);
      if (!prev || prev.at < o.at) ledger.offboarded.set(key, o);
    }
  }
  return ledger;
}

/**
 * Reads every identity document of the index (pages of 5,000 sorted by `identity.doc_id`); an
 * absent index reads as none.
 */
export async function readIdentities(client: Client, index: string): Promise<IdentityDoc[]> {
  const out: IdentityDoc[] = [];
  let after: string[] | undefined;
  for (;;) {
    const res = await client.search<IdentityDoc>(
      {
        index,
        size: 5000,
        sort: [{ 'identity.doc_id': 'asc' }],
        ...(after ? { search_after: after } : {}),
      },
      { ignore: [404] },
    );
    const hits = res.hits?.hits ?? [];
    for (const h of hits) if (h._source) out.push(h._source);
    if (hits.length < 5000) return out;
    const last = hits.at(-1)?.sort;
    if (!last) return out;
    after = last as string[];
  }
}
