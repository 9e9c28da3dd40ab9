import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import { runDetectorCases } from '../../src/cases/index.js';
import { appVettingOf } from '../../src/pipeline/apps-lookup.js';
import { DAY, HOUR, replay, trainedContext } from '../testing.js';
import { appFirstSeenInOrg as detector } from './detector.js';

const START = Date.UTC(2025, 6, 1);
/** 20 days of alice using the org's known apps on GitHub and Workspace. */
const history = () =>
  Array.from({ length: 20 }, (_, d) => [
    activityFixture({ at: START + d * DAY + 10 * HOUR, event: { id: `h${d}` } }),
    activityFixture({
      at: START + d * DAY + 11 * HOUR,
      event: {
        id: `w${d}`,
        module: 'google_workspace',
        action: 'activity',
        dataset: 'google_workspace.token',
      },
      token: {
        id: 'google_workspace:grant:alice@example.com:cal',
        client: { id: 'cal', name: 'Calendar sync' },
      },
    }),
  ]).flat();
const consent = (
  at: number,
  client = 'newapp.apps.googleusercontent.com',
  scopes = ['https://mail.google.com/'],
) =>
  activityFixture({
    at,
    event: {
      id: `c${at}`,
      module: 'google_workspace',
      action: 'authorize',
      dataset: 'google_workspace.token',
    },
    token: {
      id: `google_workspace:grant:bob@example.com:${client}`,
      key_kind: 'oauth_grant',
      type: 'oauth_access_token',
      lifecycle: 'authorized',
      client: { id: client, name: 'Mail Helper' },
      owner: { name: 'bob@example.com', email: 'bob@example.com' },
      scopes,
    },
  });
const approved = (scopes: string[] = []) =>
  appVettingOf({
    get: (source, clientId) =>
      source === 'google_workspace' && clientId === 'newapp.apps.googleusercontent.com'
        ? {
            source: 'google_workspace',
            client_id: clientId,
            status: 'approved',
            approved_by: 'it@example.com',
            approved_at: '2025-06-01T00:00:00.000Z',
            scopes,
          }
        : undefined,
  });
const AT = START + 21 * DAY;

describe(detector.id, () => {
  it('fires high for an unvetted new app granted full mail access, naming the first user and scopes', () => {
    const probe = consent(AT);
    const [f] = detector.evaluate(probe, trainedContext(history(), probe));
    expect(f?.severity).toBe('high');
    expect(f?.entity).toBe('app:google_workspace:newapp.apps.googleusercontent.com');
    expect(f?.reason).toContain('bob@example.com authorized OAuth app "Mail Helper"');
    expect(f?.reason).toContain('the first record of this app in the organization in 21 days of history');
    expect(f?.reason).toContain('not in the app registry (unvetted)');
    expect(f?.explanation).toMatchObject({ feature: 'app_first_seen_in_org', history_events: 2 });
  });

  it('medium with narrow scopes, low 21 when the app is approved in the registry', () => {
    const narrow = consent(AT, undefined, ['https://www.googleapis.com/auth/calendar.readonly']);
    expect(detector.evaluate(narrow, trainedContext(history(), narrow))[0]?.severity).toBe('medium');
    const probe = consent(AT);
    const [f] = detector.evaluate(probe, { ...trainedContext(history(), probe), apps: approved() });
    expect(f).toMatchObject({ severity: 'low', riskScore: 21 });
    expect(f?.reason).toContain('approved in the app registry by it@example.com (informational)');
  });

  it('fires once per app: the second user of the new app is silent', () => {
    const found = replay(history(), [consent(AT), consent(AT + HOUR)]).filter(
      (f) => f.detectorId === detector.id,
    );
    expect(found).toHaveLength(1);
  });

  it('stays quiet for apps the org already uses, during the learning period, and on refused grants', () => {
    const known = activityFixture({ at: AT, event: { id: 'k' } });
    expect(detector.evaluate(known, trainedContext(history(), known))).toEqual([]);
    const early = consent(START + 5 * DAY);
    expect(detector.evaluate(early, trainedContext(history().slice(0, 10), early))).toEqual([]);
    // records resuming after two silent months: the source learns again
    const resumed = consent(START + 80 * DAY);
    const back = history().map((a) => ({
      ...a,
      '@timestamp': new Date(Date.parse(a['@timestamp']) + 75 * DAY).toISOString(),
    }));
    const ctx = trainedContext([...history(), ...back.slice(0, 6)], resumed);
    expect(detector.evaluate(resumed, ctx)).toEqual([]);
    const refused = consent(AT);
    refused.event.outcome = 'failure';
    expect(detector.evaluate(refused, trainedContext(history(), refused))).toEqual([]);
  });

  it('stays quiet on the first record after a silence of the source (an older export, then live logs)', () => {
    // the very first record back is evaluated before observe() marks the resumption: it carries
    // a new app (the samples' first Workspace record after the hygiene export of March)
    const first = consent(START + 80 * DAY);
    expect(detector.evaluate(first, trainedContext(history(), first))).toEqual([]);
    // a silence just under 30 days is still one history: the new app is reported
    const soon = consent(START + 19 * DAY + 11 * HOUR + 29 * DAY);
    expect(detector.evaluate(soon, trainedContext(history(), soon))).toHaveLength(1);
  });

  it('raw-log cases', () => {
    for (const r of runDetectorCases([detector.id])) expect(r.problems, r.name).toEqual([]);
  });
});
