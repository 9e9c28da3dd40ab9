import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runIngestor } from '../common/golden.js';
import type { NormalizeResult, RawRecord } from '../types.js';
import { githubIngestor } from './index.js';
import { normalizeGithub } from './normalize.js';

const rec = (value: Record<string, unknown>): RawRecord => ({
  source: 'github',
  value,
  location: 't.ndjson:1',
});
const activityOf = (r: NormalizeResult) => {
  if (r.kind !== 'activity') throw new Error(`expected an activity, got ${JSON.stringify(r)}`);
  return r.activity;
};
const base = {
  '@timestamp': 1748851200123,
  action: 'git.clone',
  actor: 'alice',
  actor_id: 5001,
  hashed_token: '7/d7Z/ZRQ1h/xFqd3dbNE87qfBxnCSY1NkbZHDFZmmY=',
  programmatic_access_type: 'Personal access token (classic)',
  repo: 'acme/api',
};

describe('normalizeGithub ids (ingestors/IDS.md)', () => {
  it('hashes the canonical record (sorted keys) when _document_id is absent', () => {
    const canonical =
      '{"@timestamp":1748851200123,"action":"git.clone","actor":"alice","actor_id":5001,' +
      `"hashed_token":"${base.hashed_token}","programmatic_access_type":"Personal access token (classic)","repo":"acme/api"}`;
    const expected = createHash('sha256').update(canonical).digest('hex').slice(0, 32);
    expect(activityOf(normalizeGithub(rec(base))).event.id).toBe(`github:h:${expected}`);
    const reordered = Object.fromEntries(Object.entries(base).reverse());
    expect(activityOf(normalizeGithub(rec(reordered))).event.id).toBe(`github:h:${expected}`);
  });

  it('events with only created_at that differ in user or token_id get different ids', () => {
    // formats.md / issue 7: exports that rename @timestamp keep only created_at; the old fallback
    // hashed @timestamp (missing) and no user or token_id, so these collapsed into one.
    const value = { action: 'org.add_member', created_at: 1748851200123, actor: 'alice', org: 'acme' };
    const ids = [
      { ...value, user: 'bob' },
      { ...value, user: 'carol' },
      { ...value, user: 'bob', token_id: 7 },
      { ...value, user: 'bob', created_at: 1748851200124 },
    ].map((v) => activityOf(normalizeGithub(rec(v))).event.id);
    expect(new Set(ids).size).toBe(4);
  });

  it('prefers _document_id', () => {
    expect(activityOf(normalizeGithub(rec({ ...base, _document_id: 'abc==' }))).event.id).toBe(
      'github:abc==',
    );
  });

  it('keys installation tokens by app and org, falling back to the hash without an app id', () => {
    const s2s = { ...base, programmatic_access_type: 'GitHub App server-to-server token', org: 'acme' };
    expect(activityOf(normalizeGithub(rec({ ...s2s, integration: 'my-app' }))).token).toMatchObject({
      id: 'github:app_installation:my-app:acme',
      key_kind: 'app_installation',
    });
    expect(
      activityOf(normalizeGithub(rec({ ...s2s, oauth_application_id: 99, integration: 'my-app' }))).token.id,
    ).toBe('github:app_installation:99:acme');
    expect(activityOf(normalizeGithub(rec(s2s))).token).toMatchObject({
      id: `github:hash:${base.hashed_token}`,
      key_kind: 'token_hash',
    });
  });

  it('uses token_id, then the session of the actor', () => {
    const { hashed_token: _h, ...noHash } = base;
    expect(activityOf(normalizeGithub(rec({ ...noHash, token_id: 42 }))).token).toMatchObject({
      id: 'github:token_id:42',
      key_kind: 'token_id',
    });
    expect(activityOf(normalizeGithub(rec(noHash))).token).toMatchObject({
      id: 'github:session:alice',
      key_kind: 'principal',
    });
  });
});

describe('normalizeGithub behaviour', () => {
  it('redacts raw secrets anywhere and reports them', () => {
    const token = 'gho_16C7e42F292c6912E7710c838347Ae178B4a';
    const a = activityOf(
      normalizeGithub(rec({ ...base, user_agent: `git/2.43.0 ${token}`, note: { deep: [token] } })),
    );
    expect(JSON.stringify(a)).not.toContain(token);
    expect(a.user_agent?.original).toBe('git/2.43.0 [REDACTED:github_oauth_token]');
    expect(a.tokenwatch.secret_exposures?.map((e) => [e.kind, e.field])).toEqual([
      ['github_oauth_token', 'user_agent'],
      ['github_oauth_token', 'note.deep[0]'],
    ]);
  });

  it('does not modify the raw record', () => {
    const value = { ...base, user_agent: 'git/2.43.0 ghp_16C7e42F292c6912E7710c838347Ae178B4a' };
    const before = JSON.stringify(value);
    normalizeGithub(rec(value));
    expect(JSON.stringify(value)).toBe(before);
  });

  it('skips anonymous events and dead-letters bad ones with codes', () => {
    expect(
      normalizeGithub(rec({ action: 'git.clone', '@timestamp': 1748851200123, user: '', user_id: 0 })).kind,
    ).toBe('skipped');
    const noTime = normalizeGithub(rec({ action: 'git.clone', actor: 'a' }));
    expect(noTime.kind === 'dead' && noTime.dead.code).toBe('bad_timestamp');
    const zeroTime = normalizeGithub(rec({ ...base, '@timestamp': 0 }));
    expect(zeroTime.kind === 'dead' && zeroTime.dead.code).toBe('bad_timestamp');
    const wrongType = normalizeGithub(rec({ ...base, actor_ip: { v4: '1.2.3.4' } }));
    expect(wrongType.kind === 'dead' && wrongType.dead.code).toBe('schema_invalid');
    expect(wrongType.kind === 'dead' && wrongType.dead.location).toBe('t.ndjson:1');
  });

  it('normalizes unknown actions as use', () => {
    const a = activityOf(normalizeGithub(rec({ ...base, action: 'brand_new.thing' })));
    expect(a.token.lifecycle).toBe('used');
    expect(a.event.action).toBe('brand_new.thing');
  });

  it('reads string ids and string status codes', () => {
    const a = activityOf(
      normalizeGithub(
        rec({ ...base, action: 'api.request', actor_id: '5001', status_code: '500', org_id: '9' }),
      ),
    );
    expect(a.user.id).toBe('5001');
    expect(a.event.outcome).toBe('failure');
    expect(a.organization?.id).toBe('9');
  });

  it('accepts epoch seconds and ms in @timestamp alike', () => {
    const s = activityOf(normalizeGithub(rec({ ...base, '@timestamp': 1748851200 })));
    const ms = activityOf(normalizeGithub(rec({ ...base, '@timestamp': 1748851200000 })));
    expect(s['@timestamp']).toBe('2025-06-02T08:00:00.000Z');
    expect(ms['@timestamp']).toBe(s['@timestamp']);
  });
});

describe('github ingestor accounting', () => {
  it('accounts for every input record exactly once', () => {
    const text = readFileSync(new URL('./fixtures/tricky.ndjson', import.meta.url), 'utf8');
    const lines = text.split('\n').filter((l) => l.trim() !== '').length;
    const out = runIngestor(githubIngestor, text, 'tricky.ndjson');
    expect(out).toHaveLength(lines);
    const counts = { activity: 0, dead: 0, skipped: 0 };
    for (const o of out) counts[o.kind]++;
    expect(counts).toEqual({ activity: 11, dead: 4, skipped: 1 });
  });
});

describe('normalizeGithub ECS parity (Elastic github integration) and token type', () => {
  it('a named token without programmatic_access_type is not a web session', () => {
    const { programmatic_access_type: _, ...noType } = base;
    expect(activityOf(normalizeGithub(rec({ ...noType, action: 'api.request' }))).token.type).toBe('unknown');
    expect(activityOf(normalizeGithub(rec({ ...noType, action: 'oauth_access.create' }))).token.type).toBe(
      'pat_classic',
    );
    expect(
      activityOf(normalizeGithub(rec({ ...noType, action: 'oauth_access.create', oauth_application_id: 9 })))
        .token.type,
    ).toBe('oauth_access_token');
    const { hashed_token: __, ...web } = noType;
    expect(activityOf(normalizeGithub(rec({ ...web, action: 'repo.create' }))).token.type).toBe('session');
  });

  it('maps user, org/team, actor_location, HTTP fields, route, token id and PAT name', () => {
    const a = activityOf(
      normalizeGithub(
        rec({
          ...base,
          action: 'team.add_member',
          team: 'acme/oncall',
          user: 'bob',
          user_id: 5002,
          actor_location: { country_code: 'fr' },
          request_method: 'get',
          status_code: '201',
          route: '/orgs/{org}/teams',
          token_id: 77,
          user_programmatic_access_name: 'deploy',
        }),
      ),
    );
    expect(a.user.target).toEqual({ id: '5002', name: 'bob', group: { name: 'acme/oncall' } });
    expect(a.group).toEqual({ name: 'acme/oncall' });
    expect(a.client).toEqual({ geo: { country_iso_code: 'FR' } });
    expect(a.http).toEqual({ request: { method: 'GET' }, response: { status_code: 201 } });
    expect(a.tokenwatch.route).toBe('/orgs/{org}/teams');
    expect(a.token).toMatchObject({
      vendor_id: '77',
      name: 'deploy',
      access_type: 'Personal access token (classic)',
    });
    expect(a.related.user).toEqual(['alice', '5001', 'bob']);
  });
});
