import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runIngestor } from '../common/golden.js';
import type { FramedItem, NormalizeResult, RawRecord } from '../types.js';
import { gwsEventClass, gwsLifecycle, isFailureEvent } from './event-map.js';
import { frameGoogleWorkspace } from './frame.js';
import { googleWorkspaceIngestor } from './index.js';
import { normalizeGoogleWorkspace } from './normalize.js';

const activity = (over: Record<string, unknown> = {}, event: Record<string, unknown> = {}) => ({
  id: { time: '2025-06-03T09:15:22.123Z', uniqueQualifier: '42', applicationName: 'token', customerId: 'C1' },
  actor: { email: 'alice@acme.example', profileId: '1' },
  ipAddress: '81.2.69.142',
  events: [{ type: 'auth', name: 'activity', parameters: [{ name: 'client_id', value: 'cid' }], ...event }],
  ...over,
});
const rec = (value: Record<string, unknown>): RawRecord => ({
  source: 'google_workspace',
  value,
  location: 'g:1',
});
const activityOf = (r: NormalizeResult) => {
  if (r.kind !== 'activity') throw new Error(`expected an activity, got ${JSON.stringify(r)}`);
  return r.activity;
};
const records = (items: Iterable<FramedItem>) =>
  [...items].flatMap((i) => (i.kind === 'record' ? [i.record] : []));

describe('frameGoogleWorkspace', () => {
  it('explodes events[] into one record per event with its index', () => {
    const a = activity({}, {});
    (a.events as unknown[]).push({ name: 'request' }, { name: 'revoke' });
    const out = records(
      frameGoogleWorkspace(JSON.stringify({ kind: 'admin#reports#activities', items: [a] }), 'p.json'),
    );
    expect(
      out.map((r) => [r.location, (r.value.events as { name: string }).name, r.value.tokenwatch_event_index]),
    ).toEqual([
      ['p.json:1#events[0]', 'activity', 0],
      ['p.json:1#events[1]', 'request', 1],
      ['p.json:1#events[2]', 'revoke', 2],
    ]);
    expect(out[0]?.family).toBe('reports:token');
    expect(out[0]?.value.actor).toEqual(a.actor);
  });

  it('passes split forms through and yields nothing for an empty page', () => {
    expect(records(frameGoogleWorkspace('{"kind":"admin#reports#activities","etag":"x"}', 'e'))).toEqual([]);
    const split = records(
      frameGoogleWorkspace(JSON.stringify({ ...activity(), events: { name: 'activity' } }), 's'),
    );
    expect(split).toHaveLength(1);
    expect(split[0]?.location).toBe('s:1');
  });
});

describe('normalizeGoogleWorkspace ids (ingestors/IDS.md)', () => {
  it('builds event ids from app, uniqueQualifier, time, event index and name', () => {
    const r = activityOf(
      normalizeGoogleWorkspace(
        rec({ ...activity(), events: { name: 'activity' }, tokenwatch_event_index: 3 }),
      ),
    );
    expect(r.event.id).toBe(`google_workspace:token:42:${Date.parse('2025-06-03T09:15:22.123Z')}:3:activity`);
  });

  it('an already-split event (no index) takes a hash of its parameters as position', () => {
    const split = (params: unknown[]) =>
      activityOf(
        normalizeGoogleWorkspace(rec({ ...activity(), events: { name: 'activity', parameters: params } })),
      ).event.id;
    const a = split([{ name: 'client_id', value: 'cid' }]);
    expect(a).toMatch(/^google_workspace:token:42:\d+:s[0-9a-f]{12}:activity$/);
    expect(split([{ name: 'client_id', value: 'cid' }])).toBe(a);
    expect(split([{ name: 'client_id', value: 'other' }])).not.toBe(a);
  });

  it('keeps a uniqueQualifier past 2^53 exact (int64 read from its digits, not a JS number)', () => {
    // Reports API `activities` resource: id.uniqueQualifier is an int64 (format int64), which
    // clients may emit as a JSON number; 2^53 + 1 = 9007199254740993 rounds to ...992 in JSON.parse.
    const page = (uq: string) =>
      `{"kind":"admin#reports#activities","items":[{"id":{"time":"2025-06-03T09:15:22.123Z","uniqueQualifier":${uq},"applicationName":"token"},"actor":{"email":"a@acme.example"},"events":[{"name":"activity","parameters":[{"name":"client_id","value":"cid"}]}]}]}`;
    const idOf = (uq: string) => {
      const [r] = records(frameGoogleWorkspace(page(uq), 'p.json'));
      return activityOf(normalizeGoogleWorkspace(r as RawRecord)).event.id;
    };
    expect(idOf('9007199254740993')).toContain(':9007199254740993:');
    expect(idOf('9007199254740993')).not.toBe(idOf('9007199254740992'));
    expect(idOf('-7227402767024581633')).toContain(':-7227402767024581633:');
    expect(idOf('"9007199254740993"')).toBe(idOf('9007199254740993'));
  });

  it.each([
    ['token app grant', activity(), 'google_workspace:grant:alice@acme.example:cid', 'oauth_grant', 'human'],
    [
      'client from applicationInfo on a drive event',
      activity(
        {
          id: { time: '2025-06-03T09:15:22Z', uniqueQualifier: '1', applicationName: 'drive' },
          actor: { email: 'alice@acme.example', applicationInfo: { oauthClientId: 'app-1' } },
        },
        { name: 'view', parameters: [] },
      ),
      'google_workspace:grant:alice@acme.example:app-1',
      'oauth_grant',
      'human',
    ],
    [
      'domain-wide delegation (impersonation)',
      activity(
        {
          id: { time: '2025-06-03T09:15:22Z', uniqueQualifier: '1', applicationName: 'drive' },
          actor: {
            email: 'bob@acme.example',
            applicationInfo: { oauthClientId: 'sa-9', impersonation: true },
          },
        },
        { name: 'download', parameters: [] },
      ),
      'google_workspace:dwd:sa-9',
      'oauth_grant',
      'machine',
    ],
    [
      'DWD grant by an admin',
      activity(
        { id: { time: '2025-06-03T09:15:22Z', uniqueQualifier: '1', applicationName: 'admin' } },
        {
          name: 'AUTHORIZE_API_CLIENT_ACCESS',
          parameters: [
            { name: 'API_CLIENT_NAME', value: '1098' },
            { name: 'API_SCOPES', multiValue: ['s1'] },
          ],
        },
      ),
      'google_workspace:dwd:1098',
      'oauth_grant',
      'machine',
    ],
    [
      'browser session',
      activity(
        { id: { time: '2025-06-03T09:15:22Z', uniqueQualifier: '1', applicationName: 'login' } },
        { name: 'login_success', parameters: [] },
      ),
      'google_workspace:session:alice@acme.example',
      'session',
      'human',
    ],
    [
      'token app without client id',
      activity({}, { name: 'activity', parameters: [] }),
      'google_workspace:grant:alice@acme.example:',
      'oauth_grant',
      'human',
    ],
    [
      '2LO key caller',
      activity({ actor: { callerType: 'KEY', key: 'consumer.example' } }),
      'google_workspace:grant:consumer.example:cid',
      'oauth_grant',
      'machine',
    ],
  ])('%s', (_name, value, id, keyKind, principal) => {
    const a = activityOf(normalizeGoogleWorkspace(rec(value)));
    expect(a.token.id).toBe(id);
    expect(a.token.key_kind).toBe(keyKind);
    expect(a.token.principal).toBe(principal);
  });

  it('records the impersonated user on DWD use', () => {
    const a = activityOf(
      normalizeGoogleWorkspace(
        rec(
          activity({
            actor: {
              email: 'bob@acme.example',
              applicationInfo: { oauthClientId: 'sa-9', impersonation: true },
            },
          }),
        ),
      ),
    );
    expect(a.tokenwatch.impersonated_user).toBe('bob@acme.example');
    expect(a.token.type).toBe('service_account');
  });
});

describe('normalizeGoogleWorkspace behaviour', () => {
  it('maps authorize scopes and activity bytes', () => {
    const auth = activityOf(
      normalizeGoogleWorkspace(
        rec(
          activity(
            {},
            {
              name: 'authorize',
              parameters: [
                { name: 'client_id', value: 'c' },
                { name: 'scope', multiValue: ['s1', 's2', 's1'] },
              ],
            },
          ),
        ),
      ),
    );
    expect(auth.token.lifecycle).toBe('authorized');
    expect(auth.token.scopes).toEqual(['s1', 's2']);
    const used = activityOf(
      normalizeGoogleWorkspace(
        rec(activity({}, { parameters: [{ name: 'num_response_bytes', intValue: '900' }] })),
      ),
    );
    expect(used.tokenwatch.volume).toEqual({ bytes: 900 });
  });

  it('is fine without ipAddress and drops invalid ones', () => {
    const { ipAddress: _ip, ...noIp } = activity();
    expect(activityOf(normalizeGoogleWorkspace(rec(noIp))).source).toBeUndefined();
    expect(
      activityOf(normalizeGoogleWorkspace(rec(activity({ ipAddress: '1.2.3.999' })))).related.ip,
    ).toEqual([]);
  });

  it('dead-letters shape errors without throwing', () => {
    for (const bad of [{}, { id: 'x' }, activity({ events: 'nope' }), activity({ actor: { email: 7 } })]) {
      const r = normalizeGoogleWorkspace(rec(bad));
      expect(r.kind).toBe('dead');
      expect(r.kind === 'dead' && r.dead.code).toBe('schema_invalid');
    }
  });
});

describe('event-map', () => {
  it.each([
    ['token', 'authorize', 'authorized', ['iam'], ['creation']],
    ['token', 'revoke', 'revoked', ['iam'], ['deletion']],
    ['token', 'activity', 'used', ['api'], ['access']],
    ['token', 'request', 'used', ['api'], ['access']],
    ['admin', 'AUTHORIZE_API_CLIENT_ACCESS', 'authorized', ['iam'], ['creation']],
    ['admin', 'REMOVE_API_CLIENT_ACCESS', 'revoked', ['iam'], ['deletion']],
    ['admin', 'CHANGE_PASSWORD', 'used', ['configuration'], ['change']],
    ['login', 'login_failure', 'used', ['authentication'], ['start']],
    ['login', 'logout', 'used', ['authentication', 'session'], ['end']],
    ['drive', 'download', 'used', ['file'], ['access']],
    ['drive', 'trash', 'used', ['file'], ['deletion']],
    ['drive', 'edit', 'used', ['file'], ['change']],
    ['meet', 'call_ended', 'used', ['api'], ['info']],
  ])('%s/%s', (app, name, lifecycle, category, type) => {
    expect(gwsLifecycle(app, name)).toBe(lifecycle);
    expect(gwsEventClass(app, name)).toEqual({ category, type });
  });

  it('detects failure names', () => {
    expect(isFailureEvent('login_failure')).toBe(true);
    expect(isFailureEvent('login_success')).toBe(false);
    expect(isFailureEvent('failure_notice_sent')).toBe(true);
  });
});

describe('google workspace accounting', () => {
  it('accounts for every event exactly once', () => {
    const text = readFileSync(new URL('./fixtures/split-forms.ndjson', import.meta.url), 'utf8');
    const out = runIngestor(googleWorkspaceIngestor, text, 'split-forms.ndjson');
    // 11 lines: one empty page (0 records), one activity with events: [] (1 record), 9 single events
    expect(out).toHaveLength(10);
    const counts = { activity: 0, dead: 0, skipped: 0 };
    for (const o of out) counts[o.kind]++;
    expect(counts).toEqual({ activity: 6, dead: 4, skipped: 0 });
  });
});
