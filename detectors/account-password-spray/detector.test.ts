import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { DAY, dailyTimes, HOUR, trainedContext } from '../testing.js';
import { accountPasswordSpray as detector, SPRAY_MIN_ATTEMPTS } from './detector.js';

const START = Date.UTC(2025, 6, 1);
const SPRAY = START + 30 * DAY;

/** 30 days of a person's Workspace session from their home /24 in Berlin. */
const history = (): TokenActivity[] =>
  dailyTimes({ start: START, days: 30, perDay: 6 }).map((at, i) =>
    activityFixture({ at, event: { id: `h${i}`, action: 'view' } }),
  );

/** Residential proxies worldwide (one /16 block each). */
const PROXIES = [
  ['79.196.198.57', 'DE'],
  ['177.0.198.83', 'BR'],
  ['175.192.46.76', 'KR'],
  ['77.160.0.73', 'NL'],
  ['116.14.7.39', 'SG'],
  ['85.0.20.191', 'CH'],
] as const;

const attempt = (
  i: number,
  at: number,
  ip = PROXIES[i % PROXIES.length]?.[0] ?? '192.0.2.1',
  country = 'DE',
) =>
  activityFixture({
    at,
    event: { id: `f${i}`, action: 'login_failure', outcome: 'failure' },
    source: { ip, geo: { country_iso_code: PROXIES.find((p) => p[0] === ip)?.[1] ?? country } },
    tokenwatch: { network: { ip_prefix: ip.replace(/\.\d+$/, '.0/24') } },
  });

/** A few failed sign-ins a day, each from another proxy. */
const spray = (n: number) => Array.from({ length: n }, (_, i) => attempt(i, SPRAY + i * 7 * HOUR));

describe(detector.id, () => {
  it('fires (medium) on the attempt that makes 5 failures from 4+ networks the account never used, about the account', () => {
    const [probe, ...earlier] = spray(SPRAY_MIN_ATTEMPTS).reverse();
    if (probe === undefined) throw new Error('no probe');
    const [f, ...rest] = detector.evaluate(probe, trainedContext([...history(), ...earlier], probe));
    expect(rest).toEqual([]);
    expect(f?.entity).toBe('owner:github:alice@example.com');
    expect(f?.severity).toBeUndefined();
    expect(detector.severity).toBe('medium');
    expect(f?.reason).toBe(
      'Account alice@example.com had 5 failed sign-ins from 5 networks it never used (BR, DE, KR, NL and SG) within 28 h; its credentials were used from DE only.',
    );
    expect(f?.explanation).toMatchObject({
      feature: 'failed_signins_from_unknown_networks',
      observed: 5,
      baseline_entity: 'owner',
      window: '7 days',
    });
  });

  it('fires once when crossing: quiet before the threshold and after it', () => {
    const attempts = spray(SPRAY_MIN_ATTEMPTS + 1);
    const fourth = attempts[SPRAY_MIN_ATTEMPTS - 2] as TokenActivity;
    expect(
      detector.evaluate(fourth, trainedContext([...history(), ...attempts.slice(0, 3)], fourth)),
    ).toEqual([]);
    const sixth = attempts[SPRAY_MIN_ATTEMPTS] as TokenActivity;
    expect(
      detector.evaluate(
        sixth,
        trainedContext([...history(), ...attempts.slice(0, SPRAY_MIN_ATTEMPTS)], sixth),
      ),
    ).toEqual([]);
  });

  it('fires high when a sign-in then succeeds from a spraying network (S7 T+0)', () => {
    const attempts = spray(SPRAY_MIN_ATTEMPTS);
    const success = activityFixture({
      at: SPRAY + 2 * DAY,
      event: { id: 'in', action: 'login_success' },
      source: { ip: '177.0.234.9', geo: { country_iso_code: 'BR' } },
      tokenwatch: { network: { ip_prefix: '177.0.234.0/24' } },
    });
    const [f] = detector.evaluate(success, trainedContext([...history(), ...attempts], success));
    expect(f?.severity).toBe('high');
    expect(f?.riskScore).toBe(85);
    expect(f?.reason).toContain(
      'signed in from 177.0.234.9 (BR), a network that had 1 failed sign-in on it during a spray of 5 failures from 5 networks',
    );
    // A sign-in from home after the spray is the owner.
    const home = activityFixture({ at: SPRAY + 2 * DAY, event: { id: 'home', action: 'login_success' } });
    expect(detector.evaluate(home, trainedContext([...history(), ...attempts], home))).toEqual([]);
  });

  it('stays quiet for a person mistyping their password at home and on the road (known networks, few blocks)', () => {
    const typos = [0, 1, 2, 3, 4, 5].map((i) =>
      attempt(100 + i, SPRAY + i * HOUR, i % 2 === 0 ? '203.0.113.10' : '203.0.7.7', 'DE'),
    );
    const probe = typos.at(-1) as TokenActivity;
    expect(detector.evaluate(probe, trainedContext([...history(), ...typos.slice(0, -1)], probe))).toEqual(
      [],
    );
  });

  it('counts only the last 7 days, and needs its declared state', () => {
    const slow = Array.from({ length: SPRAY_MIN_ATTEMPTS }, (_, i) => attempt(i, SPRAY + i * 2 * DAY));
    const last = slow.at(-1) as TokenActivity;
    expect(detector.evaluate(last, trainedContext([...history(), ...slow.slice(0, -1)], last))).toEqual([]);
    const [probe, ...earlier] = spray(SPRAY_MIN_ATTEMPTS).reverse();
    if (probe === undefined) throw new Error('no probe');
    const { state: _state, ...withoutState } = trainedContext([...history(), ...earlier], probe);
    expect(detector.evaluate(probe, withoutState)).toEqual([]);
  });
});

describe(`${detector.id} (org-wide: a slow spray across accounts)`, () => {
  /** Workspace histories of four people at home in Berlin. */
  const people = ['ana', 'ben', 'cem', 'dana'].map((who) => `${who}@example.com`);
  const homes = people.flatMap((email, p) =>
    dailyTimes({ start: START, days: 30, perDay: 3 }).map((at, i) =>
      activityFixture({
        at,
        event: { id: `h${p}-${i}`, action: 'view' },
        user: { email },
        token: { id: `github:session:${email}` },
      }),
    ),
  );
  /** One failure on `email` from proxy `i`, `h` hours into the spray. */
  const fail = (email: string, i: number, h: number) => {
    const a = attempt(100 + i, SPRAY + h * HOUR, PROXIES[i % PROXIES.length]?.[0]);
    a.user = { ...a.user, email };
    a.token = { ...a.token, id: `github:session:${email}` };
    return a;
  };

  it('flags a spray of one attempt per account every few hours within the first day (before any account has 5)', () => {
    const earlier = [fail(people[0]!, 0, 0), fail(people[1]!, 1, 3), fail(people[2]!, 2, 6)];
    const probe = fail(people[3]!, 3, 9);
    const [f] = detector.evaluate(probe, trainedContext([...homes, ...earlier], probe));
    expect(f?.entity).toBe('owner:github:dana@example.com');
    expect(f?.explanation.feature).toBe('org_failed_signins_from_unknown_networks');
    expect(f?.reason).toContain(
      'is one of 4 accounts with 4 failed sign-ins from 4 networks nobody here uses within 24 h',
    );
  });

  it('stays quiet for typos from the people’s own networks, and for three failures only', () => {
    const typo = (email: string, h: number) =>
      activityFixture({
        at: SPRAY + h * HOUR,
        event: { id: `t${email}${h}`, action: 'login_failure', outcome: 'failure' },
        user: { email },
        token: { id: `github:session:${email}` },
      });
    const typos = people.slice(0, 3).map((e, i) => typo(e, i));
    const probe = typo(people[3]!, 4);
    expect(detector.evaluate(probe, trainedContext([...homes, ...typos], probe))).toEqual([]);
    const three = [fail(people[0]!, 0, 0), fail(people[1]!, 1, 3)];
    const third = fail(people[2]!, 2, 6);
    expect(detector.evaluate(third, trainedContext([...homes, ...three], third))).toEqual([]);
  });
});
