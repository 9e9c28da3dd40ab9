import { describe, expect, it } from 'vitest';
import {
  FAILED_ATTEMPT_CAP,
  FAILED_ATTEMPT_WINDOW_MS,
  IMPERSONATED_USERS_CAP,
  ORG_PREFIX_WINDOW_MS,
  OrgBaseline,
} from './org-baseline.js';
import { activityFixture, FIXTURE_TIME_MS, trainStore } from './testing.js';

const t0 = FIXTURE_TIME_MS;
const HOUR = 3_600_000;
const SDP = '165.225.0.0/24';

/** A use by `email`'s human token from `prefix`. */
const use = (email: string, at: number, prefix = SDP, principal: 'human' | 'machine' = 'human') =>
  activityFixture({
    at,
    user: { email },
    token: { id: `github:hash:${email}`, principal },
    tokenwatch: { network: { ip_prefix: prefix } },
  });

const failure = (at: number, ip: string, prefix: string, country: string) =>
  activityFixture({
    at,
    event: { action: 'login_failure', outcome: 'failure' },
    source: { ip, geo: { country_iso_code: country } },
    tokenwatch: { network: { ip_prefix: prefix } },
  });

describe('OrgBaseline', () => {
  it('counts the people sharing a network within 30 days, excluding the asking owner', () => {
    const org = trainStore([
      use('ann@x.com', t0),
      use('ben@x.com', t0 + HOUR),
      use('ann@x.com', t0 + 2 * HOUR),
    ]).org;
    expect(org.sharedPrefixPrincipals(SDP, t0 + 3 * HOUR)).toBe(2);
    expect(org.sharedPrefixPrincipals(SDP, t0 + 3 * HOUR, 'owner:github:ann@x.com')).toBe(1);
    expect(org.sharedPrefixPrincipals(SDP, t0 + HOUR + ORG_PREFIX_WINDOW_MS + 1)).toBe(1);
    expect(org.sharedPrefixPrincipals('203.0.113.0/24', t0)).toBe(0);
  });

  it('finds the busiest shared prefix of a provider block (another node of the same SDP provider)', () => {
    const people = ['a', 'b', 'c', 'd'].map((n, i) => use(`${n}@x.com`, t0 + i * HOUR, '165.225.0.0/24'));
    const org = trainStore([
      ...people,
      use('e@x.com', t0, '165.225.2.0/24'),
      use('f@x.com', t0, '73.15.12.0/24'),
    ]).org;
    expect(org.sharedBlockPrincipals('165.225.16.0/24', t0 + 5 * HOUR)).toBe(4);
    expect(org.sharedBlockPrincipals('165.225.16.0/24', t0 + 5 * HOUR, 'owner:github:a@x.com')).toBe(3);
    expect(org.sharedBlockPrincipals('73.15.99.0/24', t0 + 5 * HOUR)).toBe(1);
    expect(org.sharedBlockPrincipals('10.0.0.0/24', t0)).toBe(0);
    const copy = OrgBaseline.fromJSON(org.toJSON(), HOUR);
    expect(copy.sharedBlockPrincipals('165.225.16.0/24', t0 + 5 * HOUR)).toBe(4);
  });

  it('counts neither machine tokens nor failed attempts as people using a network', () => {
    const org = trainStore([
      use('etl@x.com', t0, SDP, 'machine'),
      activityFixture({
        at: t0,
        user: { email: 'cat@x.com' },
        event: { outcome: 'failure' },
        tokenwatch: { network: { ip_prefix: SDP } },
      }),
    ]).org;
    expect(org.sharedPrefixPrincipals(SDP, t0 + HOUR)).toBe(0);
  });

  it('keeps failed attempts per account for 14 days, in time order, at most 64', () => {
    const store = trainStore([
      failure(t0 + HOUR, '198.51.100.7', '198.51.100.0/24', 'BR'),
      failure(t0, '192.0.2.9', '192.0.2.0/24', 'KR'),
      use('alice@example.com', t0 + 2 * HOUR, '203.0.113.0/24'),
    ]);
    expect(store.org.failedAttempts('owner:github:alice@example.com')).toEqual([
      { at: t0, ip: '192.0.2.9', prefix: '192.0.2.0/24', country: 'KR' },
      { at: t0 + HOUR, ip: '198.51.100.7', prefix: '198.51.100.0/24', country: 'BR' },
    ]);
    store.update(failure(t0 + FAILED_ATTEMPT_WINDOW_MS + HOUR / 2, '192.0.2.10', '192.0.2.0/24', 'KR'));
    expect(store.org.failedAttempts('owner:github:alice@example.com').map((f) => f.at)).toEqual([
      t0 + HOUR,
      t0 + FAILED_ATTEMPT_WINDOW_MS + HOUR / 2,
    ]);
    for (let i = 0; i < 100; i++)
      store.update(failure(t0 + 20 * 86_400_000 + i, '192.0.2.1', '192.0.2.0/24', 'KR'));
    expect(store.org.failedAttempts('owner:github:alice@example.com')).toHaveLength(FAILED_ATTEMPT_CAP);
    expect(store.org.failedAttempts('owner:github:nobody')).toEqual([]);
  });

  it('tracks the users a delegation client impersonated and when it first did', () => {
    const dwd = (user: string, at: number) =>
      activityFixture({
        at,
        user: { email: user },
        token: { id: 'google_workspace:dwd:42', principal: 'machine' },
        tokenwatch: { impersonated_user: user },
      });
    const org = trainStore([
      dwd('a@x.com', t0),
      dwd('b@x.com', t0 + 2 * HOUR),
      dwd('a@x.com', t0 + 3 * HOUR),
    ]).org;
    const view = org.impersonation('google_workspace:dwd:42');
    expect(view?.distinct).toBe(2);
    expect(view?.firstSeen('a@x.com')).toBe(t0);
    expect(view?.firstSeen('c@x.com')).toBeUndefined();
    expect(view?.newUserTimes).toEqual([t0 + 2 * HOUR]);
    expect(view?.top(5)).toEqual(['a@x.com', 'b@x.com']);
    expect(view?.evicted).toBe(0);
    expect(org.impersonation('google_workspace:dwd:other')).toBeUndefined();
  });

  it('forgets the least recently impersonated users beyond the cap and says so', () => {
    const org = new OrgBaseline(HOUR);
    for (let i = 0; i <= IMPERSONATED_USERS_CAP; i++) {
      org.observe(
        activityFixture({ at: t0 + i, token: { id: 'c' }, tokenwatch: { impersonated_user: `u${i}@x.com` } }),
        t0 + i,
        undefined,
      );
    }
    const view = org.impersonation('c');
    expect(view?.distinct).toBe(IMPERSONATED_USERS_CAP);
    expect(view?.evicted).toBe(1);
    expect(view?.firstSeen('u0@x.com')).toBeUndefined();
  });

  it('round-trips through JSON', () => {
    const store = trainStore([use('ann@x.com', t0), failure(t0, '192.0.2.9', '192.0.2.0/24', 'KR')]);
    const copy = OrgBaseline.fromJSON(JSON.parse(JSON.stringify(store.org.toJSON())), HOUR);
    expect(copy.toJSON()).toEqual(store.org.toJSON());
  });
});
