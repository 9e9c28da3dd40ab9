import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/fixture.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { AppsRegistry } from './apps-registry.js';
import { formatCsv, formatTable } from './format.js';
import { DEFAULT_POLICY, inventoryRows } from './hygiene.js';
import { TokenLedger } from './ledger.js';
import { loadLedger, saveLedger } from './persistence.js';
import { rotationCheck } from './rotation.js';
import { broadScopes } from './scopes.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 6, 15, 0, 0);

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'tw-inventory-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A GitHub classic PAT of `owner` (login), used at `at` for `action`. */
const use = (
  token: string,
  at: number,
  over: Partial<TokenActivity['token']> = {},
  action = 'git.clone',
): TokenActivity =>
  activityFixture({
    at,
    event: { id: `e-${token}-${at}-${action}`, action },
    token: { id: token, client: undefined, ...over } as TokenActivity['token'],
  });

describe('token ledger and hygiene flags', () => {
  it('flags a credential idle for 90 days or more, and not one used 89 days ago', () => {
    const l = new TokenLedger();
    l.observe(use('github:hash:idle', T0));
    l.observe(use('github:hash:recent', T0 + 11 * DAY));
    const rows = inventoryRows(l, T0 + 100 * DAY, DEFAULT_POLICY, undefined);
    const idle = rows.find((r) => r.id === 'github:hash:idle');
    const recent = rows.find((r) => r.id === 'github:hash:recent');
    expect(idle?.idle_days).toBe(100);
    expect(idle?.flags).toContain('unused');
    expect(recent?.idle_days).toBe(89);
    expect(recent?.flags).not.toContain('unused');
    // idle days follow the reference clock even though nothing new was seen
    expect(inventoryRows(l, T0 + 200 * DAY, DEFAULT_POLICY, undefined)[0]?.idle_days).toBeGreaterThanOrEqual(
      189,
    );
  });

  it('flags a PAT older than the rotation policy from its creation event; OAuth grants have no rotation policy', () => {
    const l = new TokenLedger();
    l.observe(use('github:hash:pat', T0, { lifecycle: 'created' }, 'personal_access_token.create'));
    l.observe(use('github:hash:pat', T0 + 95 * DAY));
    l.observe(use('github:hash:oauth', T0, { type: 'oauth_access_token' }));
    l.observe(use('github:hash:oauth', T0 + 95 * DAY, { type: 'oauth_access_token' }));
    const rows = inventoryRows(l, T0 + 95 * DAY, DEFAULT_POLICY, undefined);
    const pat = rows.find((r) => r.id === 'github:hash:pat');
    expect(pat?.created).toBe(new Date(T0).toISOString());
    expect(pat?.flags).toContain('rotation_overdue');
    expect(rows.find((r) => r.id === 'github:hash:oauth')?.flags).not.toContain('rotation_overdue');
  });

  it('derives used scopes from actions: git.clone uses repo, admin:org stays unused and broad', () => {
    const l = new TokenLedger();
    const scopes = ['repo', 'admin:org', 'workflow'];
    for (let d = 0; d < 40; d++) l.observe(use('github:hash:broad', T0 + d * DAY, { scopes }));
    const [row] = inventoryRows(l, T0 + 40 * DAY, DEFAULT_POLICY, undefined);
    expect(row?.scopes_used_90d).toEqual(['repo']);
    expect(row?.scopes_unused).toEqual(['admin:org', 'workflow']);
    expect(row?.flags).toEqual(expect.arrayContaining(['broad_scopes', 'unused_scopes']));
  });

  it('judges broad scopes per the policy', () => {
    expect(broadScopes('github', ['repo', 'read:org'])).toEqual([]);
    expect(broadScopes('github', ['repo', 'admin:org'])).toEqual(
      expect.arrayContaining(['repo', 'admin:org']),
    );
    expect(broadScopes('google_workspace', ['https://mail.google.com/'])).toEqual([
      'https://mail.google.com/',
    ]);
    expect(broadScopes('google_workspace', ['https://www.googleapis.com/auth/drive.readonly'])).toEqual([]);
    expect(broadScopes('salesforce', ['api', 'refresh_token'])).toEqual(['api', 'refresh_token']);
    expect(broadScopes('salesforce', ['api'])).toEqual([]);
  });

  it('marks every credential of a suspended owner, linking a GitHub login to the Workspace email', () => {
    const l = new TokenLedger();
    // GitHub events carry the SAML NameID email next to the login
    l.observe(use('github:hash:marta', T0, { owner: { name: 'marta', email: undefined } }));
    l.observe(
      activityFixture({
        at: T0,
        event: { id: 'e-link' },
        user: { name: 'marta', email: 'marta@acme.example' },
        token: {
          id: 'github:hash:marta',
          owner: { name: 'marta', email: undefined },
        } as TokenActivity['token'],
      }),
    );
    l.observe(use('github:hash:bob', T0, { owner: { name: 'bob', email: undefined } }));
    l.observe(
      activityFixture({
        at: T0 + DAY,
        event: {
          id: 'e-suspend',
          action: 'SUSPEND_USER',
          module: 'google_workspace',
          dataset: 'google_workspace.admin',
        },
        user: { email: 'admin@acme.example', name: 'admin@acme.example' },
        tokenwatch: { resource: { type: 'user', name: 'marta@acme.example' } },
        token: {
          id: 'google_workspace:session:admin@acme.example',
          owner: { email: 'admin@acme.example' },
        } as TokenActivity['token'],
      }),
    );
    const rows = inventoryRows(l, T0 + 2 * DAY, DEFAULT_POLICY, undefined, { flag: 'owner_offboarded' });
    expect(rows.map((r) => r.id)).toEqual(['github:hash:marta']);
    expect(rows[0]?.state).toBe('owner_offboarded');
    expect(rows[0]?.offboarding).toMatchObject({
      action: 'SUSPEND_USER',
      source: 'google_workspace',
      used_after: false,
    });
  });

  it('shows revoked credentials as revoked, without hygiene flags', () => {
    const l = new TokenLedger();
    l.observe(use('github:hash:gone', T0, { scopes: ['repo', 'admin:org'] }));
    l.observe(use('github:hash:gone', T0 + DAY, { lifecycle: 'revoked' }, 'personal_access_token.destroy'));
    const [row] = inventoryRows(l, T0 + 200 * DAY, DEFAULT_POLICY, undefined);
    expect(row?.state).toBe('revoked');
    expect(row?.flags).toEqual([]);
  });

  it('flags an OAuth app missing from the registry and clears it once approved for its scopes', async () => {
    const dir = tmp();
    const l = new TokenLedger();
    l.observe(
      use('github:hash:app', T0, {
        type: 'oauth_access_token',
        client: { id: '178011', name: 'GitHub CLI' },
        scopes: ['repo', 'gist'],
      }),
    );
    const registry = await AppsRegistry.load(dir);
    expect(inventoryRows(l, T0, DEFAULT_POLICY, registry)[0]?.flags).toContain('unvetted_app');
    await registry.approve({ source: 'github', client_id: '178011', by: 'alice', scopes: ['repo'] });
    const narrow = inventoryRows(l, T0, DEFAULT_POLICY, registry)[0];
    expect(narrow?.reasons.unvetted_app).toContain('scopes beyond the approval: gist');
    await registry.approve({ source: 'github', client_id: '178011', by: 'alice', scopes: ['repo', 'gist'] });
    const reloaded = await AppsRegistry.load(dir);
    expect(inventoryRows(l, T0, DEFAULT_POLICY, reloaded)[0]?.flags).not.toContain('unvetted_app');
    expect(reloaded.list()[0]).toMatchObject({ approved_by: 'alice', status: 'approved' });
    await reloaded.revoke('github', '178011', 'bob');
    expect(inventoryRows(l, T0, DEFAULT_POLICY, await AppsRegistry.load(dir))[0]?.app_vetting).toBe(
      'revoked',
    );
  });

  it('rejects a registry file that fails the schema', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'apps.json'), JSON.stringify({ version: 1, apps: [{ source: 'github' }] }));
    await expect(AppsRegistry.load(dir)).rejects.toMatchObject({ code: 'TW_ERR_STATE' });
  });

  it('saves and restores the ledger with the same rows', async () => {
    const dir = tmp();
    const l = new TokenLedger();
    for (let d = 0; d < 5; d++) l.observe(use('github:hash:a', T0 + d * DAY));
    await saveLedger(l, dir);
    const back = await loadLedger(dir);
    expect(back && inventoryRows(back, T0 + 9 * DAY, DEFAULT_POLICY, undefined)).toEqual(
      inventoryRows(l, T0 + 9 * DAY, DEFAULT_POLICY, undefined),
    );
  });
});

describe('rotation check', () => {
  it('lists credentials created before the incident and used after it, and predecessors still used after their replacement', () => {
    const incident = T0 + 10 * DAY;
    const l = new TokenLedger();
    l.observe(use('github:hash:old', T0, { lifecycle: 'created' }, 'personal_access_token.create'));
    l.observe(use('github:hash:old', incident + DAY));
    l.observe(
      use('github:hash:new', incident + 2 * DAY, { lifecycle: 'created' }, 'personal_access_token.create'),
    );
    l.observe(use('github:hash:new', incident + 2 * DAY + 60_000));
    l.observe(use('github:hash:old', incident + 3 * DAY));
    l.observe(use('github:hash:quiet', T0, { owner: { name: 'carol', email: undefined } }));
    const findings = rotationCheck(l, { sinceMs: incident });
    expect(findings.map((f) => [f.kind, f.token])).toEqual([
      ['pre_incident_still_used', 'github:hash:old'],
      ['predecessor_still_used', 'github:hash:old'],
    ]);
    expect(findings[1]?.replacement?.token).toBe('github:hash:new');
    expect(findings[0]?.owner).toBe('alice@example.com');
  });
});

describe('output formats', () => {
  const cols = [
    { header: 'a', get: (r: { a: string }) => r.a },
    { header: 'b', get: () => 'x'.repeat(50) },
  ];
  it('fits a table into the width and neutralizes terminal escapes', () => {
    const out = formatTable([{ a: 'ok\u001b[31m' }], cols, 30);
    for (const line of out.split('\n')) expect(line.length).toBeLessThanOrEqual(30);
    expect(out).not.toContain('\u001b');
  });
  it('writes RFC 4180 CSV and defuses spreadsheet formulas', () => {
    const csv = formatCsv([{ a: '=HYPERLINK("x")' }, { a: 'a,b' }], cols);
    expect(csv.split('\n')[1]).toMatch(/^"'=HYPERLINK\(""x""\)",/);
    expect(csv.split('\n')[2]).toMatch(/^"a,b",/);
  });
});

describe('samples of the README', () => {
  it('the hygiene samples name the offboarded owner in an admin SUSPEND_USER event', () => {
    const page = JSON.parse(readFileSync('samples/hygiene/google_workspace/admin.ndjson', 'utf8')) as {
      items: { events: { name: string }[] }[];
    };
    expect(page.items[0]?.events[0]?.name).toBe('SUSPEND_USER');
  });
});
