import { describe, expect, it } from 'vitest';
import type { Source } from '../../schemas/token-activity.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { Pipeline } from './pipeline.js';

/**
 * Issue 7 item 3, through the whole pipeline (normalize, baselines, detectors): lifecycle steps
 * mean what the vendor means (ingestors/IDS.md, "Lifecycle semantics"), so
 * `token.lifecycle.used_after_revocation` fires only after a real revocation of that credential.
 */
const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
const RULE = 'token.lifecycle.used_after_revocation';

function run(inputs: { source: Source; text: string }[]): { rules: string[]; lifecycles: string[] } {
  const p = new Pipeline({ config: config.pipeline, logger: createLogger('silent') });
  const rules: string[] = [];
  const lifecycles: string[] = [];
  for (const [i, input] of inputs.entries()) {
    for (const item of p.normalize(input.text, { source: input.source, location: `in${i}` })) {
      if (item.kind !== 'activity') throw new Error(`not normalized: ${JSON.stringify(item)}`);
      lifecycles.push(item.activity.token.lifecycle);
      for (const a of p.detect(item.activity).alerts) rules.push(a.rule.id);
    }
  }
  for (const a of p.flush()) rules.push(a.rule.id);
  return { rules, lifecycles };
}

const USER = '0055j000000q9s7AAA';
const APP = '0H4RM00000000KrAAA';
const rtem = (type: string, at: string, over: Record<string, unknown> = {}) =>
  JSON.stringify({
    attributes: { type },
    EventDate: at,
    EventIdentifier: `${type}-${at}`,
    UserId: USER,
    Username: 'jane.doe@example.com',
    SourceIp: '81.2.69.142',
    ...over,
  });
const sf = (...lines: string[]) => ({ source: 'salesforce' as const, text: `${lines.join('\n')}\n` });

const gh = (action: string, ms: number, over: Record<string, unknown> = {}) =>
  JSON.stringify({
    '@timestamp': ms,
    _document_id: `${action}-${ms}`,
    action,
    actor: 'alice',
    actor_ip: '81.2.69.142',
    user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
    org: 'acme',
    ...over,
  });
const github = (...lines: string[]) => ({ source: 'github' as const, text: `${lines.join('\n')}\n` });
const DAY = 86_400_000;
const T0 = Date.parse('2025-06-02T09:00:00Z');

describe('lifecycle semantics per vendor', () => {
  it('Salesforce: a LogoutEvent ends a session; the next day login and API use raise nothing', () => {
    const out = run([
      sf(
        rtem('LoginEvent', '2025-06-02T09:00:00.000+0000', { LoginType: 'Application', Status: 'Success' }),
        rtem('LogoutEvent', '2025-06-02T17:00:00.000+0000'),
        rtem('LoginEvent', '2025-06-03T09:00:00.000+0000', { LoginType: 'Application', Status: 'Success' }),
        rtem('ApiEvent', '2025-06-03T09:05:00.000+0000', { Operation: 'Query', ApiType: 'REST' }),
      ),
    ]);
    expect(out.lifecycles[1]).toBe('used');
    expect(out.rules).not.toContain(RULE);
  });

  it('Salesforce: two users’ Logout rows sharing a REQUEST_ID are two events', () => {
    const header = '"EVENT_TYPE","TIMESTAMP","REQUEST_ID","USER_ID","TIMESTAMP_DERIVED","CLIENT_IP"';
    const row = (user: string) =>
      `"Logout","20250602170000.000","TID-shared","${user}","2025-06-02T17:00:00.000Z","81.2.69.142"`;
    const out = run([
      { source: 'salesforce', text: `${header}\n${row('0055j000000q9s7')}\n${row('0055j000000q9s8')}\n` },
    ]);
    expect(out.lifecycles).toEqual(['used', 'used']);
  });

  it('Salesforce: a failed Remote Access 2.0 login is not an authorization', () => {
    const out = run([
      sf(
        rtem('LoginEvent', '2025-06-02T09:00:00.000+0000', {
          LoginType: 'Remote Access 2.0',
          Status: 'Failed: Invalid Password',
          ConnectedAppId: APP,
        }),
        rtem('LoginEvent', '2025-06-02T10:00:00.000+0000', {
          LoginType: 'Remote Access 2.0',
          Status: 'Success',
          ConnectedAppId: APP,
        }),
      ),
    ]);
    expect(out.lifecycles).toEqual(['used', 'authorized']);
  });

  it('GitHub: personal_access_token.destroy naming no token revokes nothing (not the web session)', () => {
    const out = run([
      github(
        gh('repo.create', T0),
        gh('personal_access_token.destroy', T0 + 3_600_000),
        gh('repo.update', T0 + DAY),
        gh('org.update_member', T0 + DAY + 60_000),
      ),
    ]);
    expect(out.lifecycles[1]).toBe('used');
    expect(out.rules).not.toContain(RULE);
  });

  it('GitHub: revoking one PAT affects that PAT only, and its later use fires', () => {
    const pat = {
      hashed_token: '7/d7Z/ZRQ1h/xFqd3dbNE87qfBxnCSY1NkbZHDFZmmY=',
      programmatic_access_type: 'Personal access token (classic)',
    };
    const other = {
      hashed_token: 'QmFzZTY0T3RoZXJUb2tlbkhhc2hWYWx1ZUFBQUFBQUE=',
      programmatic_access_type: 'Personal access token (classic)',
    };
    const out = run([
      github(
        gh('git.clone', T0, { ...pat, repo: 'acme/api' }),
        gh('git.clone', T0 + 1000, { ...other, repo: 'acme/api' }),
        gh('personal_access_token.destroy', T0 + 3_600_000, pat),
        gh('git.clone', T0 + DAY, { ...other, repo: 'acme/api' }),
        gh('git.clone', T0 + DAY + 1000, { ...pat, repo: 'acme/api' }),
      ),
    ]);
    expect(out.lifecycles[2]).toBe('revoked');
    expect(out.rules.filter((r) => r === RULE)).toHaveLength(1);
  });

  it('a failed authorization does not clear an earlier revocation (baselines count successes only)', () => {
    const pat = {
      hashed_token: '7/d7Z/ZRQ1h/xFqd3dbNE87qfBxnCSY1NkbZHDFZmmY=',
      programmatic_access_type: 'Fine-grained personal access token',
    };
    const out = run([
      github(
        gh('git.clone', T0, { ...pat, repo: 'acme/api' }),
        gh('personal_access_token.destroy', T0 + 3_600_000, pat),
        gh('personal_access_token.access_granted', T0 + 7_200_000, { ...pat, status_code: 403 }),
        gh('git.clone', T0 + DAY, { ...pat, repo: 'acme/api' }),
      ),
    ]);
    expect(out.lifecycles[2]).toBe('authorized');
    expect(out.rules).toContain(RULE);
  });

  it('Google: a revoked grant authorized again is live again; before that, a use fires', () => {
    const act = (name: string, at: string, uq: string) =>
      JSON.stringify({
        id: { time: at, uniqueQualifier: uq, applicationName: 'token' },
        actor: { email: 'alice@acme.example', profileId: '1' },
        ipAddress: '81.2.69.142',
        events: [
          {
            type: 'auth',
            name,
            parameters: [
              { name: 'client_id', value: 'cid' },
              { name: 'app_name', value: 'App' },
            ],
          },
        ],
      });
    const g = (...lines: string[]) => ({
      source: 'google_workspace' as const,
      text: `${lines.join('\n')}\n`,
    });
    const revokedThenUsed = run([
      g(
        act('authorize', '2025-06-02T09:00:00Z', '1'),
        act('revoke', '2025-06-02T10:00:00Z', '2'),
        act('activity', '2025-06-03T10:00:00Z', '3'),
      ),
    ]);
    expect(revokedThenUsed.rules).toContain(RULE);
    const reauthorized = run([
      g(
        act('authorize', '2025-06-02T09:00:00Z', '1'),
        act('revoke', '2025-06-02T10:00:00Z', '2'),
        act('authorize', '2025-06-03T09:00:00Z', '3'),
        act('activity', '2025-06-03T10:00:00Z', '4'),
      ),
    ]);
    expect(reauthorized.rules).not.toContain(RULE);
  });
});
