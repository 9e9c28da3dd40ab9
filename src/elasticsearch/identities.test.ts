import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/fixture.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { recordFromInventoryDoc } from '../api/elastic-store.js';
import { DEFAULT_POLICY, inventoryRow, inventoryRows } from '../inventory/hygiene.js';
import { TokenLedger } from '../inventory/ledger.js';
import { identityActions, identityLedger } from './identities.js';
import { inventoryDocs, ledgerFacts, mergeInventory, type TokenInventoryDoc } from './inventory.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 6, 15, 0, 0);

/** A GitHub classic PAT use by login `owner`. */
const use = (token: string, owner: string, at: number, scopes: string[], action = 'git.clone') =>
  activityFixture({
    at,
    event: { id: `e-${token}-${at}-${action}`, action },
    token: { id: token, client: undefined, owner: { name: owner, email: undefined }, scopes } as never,
  });

/** GitHub event carrying the login and its SAML email (identity link). */
const link = (token: string, login: string, email: string, at: number): TokenActivity =>
  activityFixture({
    at,
    event: { id: `e-link-${login}-${at}` },
    user: { name: login, email },
    token: { id: token, owner: { name: login, email: undefined } } as TokenActivity['token'],
  });

/** Workspace admin SUSPEND_USER of `email`. */
const suspend = (email: string, at: number): TokenActivity =>
  activityFixture({
    at,
    event: {
      id: `e-suspend-${email}`,
      action: 'SUSPEND_USER',
      module: 'google_workspace',
      dataset: 'google_workspace.admin',
    },
    user: { email: 'admin@acme.example', name: 'admin@acme.example' },
    tokenwatch: { resource: { type: 'user', name: email } },
    token: {
      id: 'google_workspace:session:admin@acme.example',
      owner: { email: 'admin@acme.example' },
    } as TokenActivity['token'],
  });

/**
 * Serve mode as the sinks do it: per batch, inventory documents from the ledger facts merged into
 * the stored ones, identity documents indexed; then rows as the Elasticsearch console reads them.
 */
function serveRows(batches: TokenActivity[][], asOf: number) {
  const ledger = new TokenLedger();
  const stored = new Map<string, TokenInventoryDoc>();
  const identities = new Map<string, Record<string, unknown>>();
  const links = new Map<string, string>();
  for (const batch of batches) {
    for (const a of batch) ledger.observe(a);
    const now = new Date(Math.max(...batch.map((a) => Date.parse(a['@timestamp']))));
    const docs = inventoryDocs(
      batch,
      [],
      (id) => {
        const r = ledger.tokens.get(id);
        return r
          ? {
              firstSeenMs: r.firstSeen,
              lastSeenMs: r.lastSeen,
              eventCount: r.events,
              maturity: 'mature',
              gapMaxMs: 0,
              revokedAtMs: r.revokedAt,
              scopes: r.granted,
              ledger: ledgerFacts(r),
            }
          : undefined;
      },
      now,
    );
    for (const [id, d] of docs) stored.set(id, mergeInventory(stored.get(id), d));
    for (const act of identityActions('ids', batch, links)) identities.set(act.id, act.doc);
  }
  const ids = identityLedger(identities.values() as never);
  const serve = [...stored.values()].map((d) => {
    const r = recordFromInventoryDoc(d);
    return inventoryRow(r, asOf, DEFAULT_POLICY, ids.offboardingFor(r), undefined);
  });
  return { serve, embedded: inventoryRows(ledger, asOf, DEFAULT_POLICY, undefined) };
}

describe('serve-mode inventory (documents + identities index) judges what the embedded ledger judges', () => {
  const batches: TokenActivity[][] = [
    // marta's PAT: repo + admin:org granted, only repo ever used; her login is linked to her email
    [
      use('github:hash:marta', 'marta', T0, ['repo', 'admin:org']),
      link('github:hash:marta', 'marta', 'marta@acme.example', T0 + 1000),
    ],
    [use('github:hash:bob', 'bob', T0 + DAY, ['repo'])],
    [use('github:hash:marta', 'marta', T0 + 40 * DAY, ['repo', 'admin:org'])],
    // marta is suspended in Workspace; her GitHub PAT has no event after that
    [suspend('marta@acme.example', T0 + 41 * DAY)],
    [use('github:hash:bob', 'bob', T0 + 42 * DAY, ['repo'])],
  ];

  it('flags the suspended owner (linked across sources by email) and the unused admin:org scope', () => {
    const asOf = T0 + 45 * DAY;
    const { serve, embedded } = serveRows(batches, asOf);
    const marta = serve.find((r) => r.id === 'github:hash:marta');
    expect(marta?.state).toBe('owner_offboarded');
    expect(marta?.flags).toEqual(
      expect.arrayContaining(['owner_offboarded', 'unused_scopes', 'broad_scopes']),
    );
    expect(marta?.scopes_unused).toEqual(['admin:org']);
    expect(marta?.scopes_used_30d).toEqual(['repo']);
    expect(marta?.offboarding).toMatchObject({ action: 'SUSPEND_USER', source: 'google_workspace' });
    expect(serve.find((r) => r.id === 'github:hash:bob')?.flags).toEqual([]);
    const key = (rows: typeof serve) =>
      Object.fromEntries(
        rows.map((r) => [r.id, { flags: r.flags, state: r.state, used: r.scopes_used_90d }]),
      );
    expect(key(serve)).toEqual(key(embedded));
  });

  it('recomputes the 30 / 90-day windows against the reader clock', () => {
    const { serve, embedded } = serveRows(batches, T0 + 75 * DAY);
    const marta = serve.find((r) => r.id === 'github:hash:marta');
    expect(marta?.scopes_used_30d).toEqual([]);
    expect(marta?.scopes_used_90d).toEqual(['repo']);
    expect(serve.map((r) => r.flags).sort()).toEqual(embedded.map((r) => r.flags).sort());
  });

  it('writes an offboarding once per event and an email link only when it changes', () => {
    const links = new Map<string, string>();
    const first = identityActions(
      'ids',
      [suspend('marta@acme.example', T0), link('t', 'marta', 'm@x.example', T0)],
      links,
    );
    const ids = first.map((a) => a.id);
    expect(ids).toContain('link:marta');
    expect(ids.filter((id) => /^offboarding:[0-9a-f]{32}$/.test(id))).toHaveLength(1);
    const again = identityActions(
      'ids',
      [suspend('marta@acme.example', T0), link('t', 'marta', 'm@x.example', T0)],
      links,
    );
    expect(again.map((a) => a.id)).toEqual(ids.filter((id) => id.startsWith('offboarding:')));
  });

  it('an older document without scopes_used does not judge unused scopes', () => {
    const { serve } = serveRows(batches, T0 + 45 * DAY);
    const doc = serve.find((r) => r.id === 'github:hash:marta');
    expect(doc).toBeDefined();
    const legacy = inventoryDocs(
      [use('github:hash:old', 'old', T0, ['repo', 'gist'])],
      [],
      () => undefined,
      new Date(T0),
    );
    const row = inventoryRow(
      recordFromInventoryDoc(legacy.get('github:hash:old') as TokenInventoryDoc),
      T0 + 45 * DAY,
      DEFAULT_POLICY,
      undefined,
      undefined,
    );
    expect(row.flags).not.toContain('unused_scopes');
  });
});
