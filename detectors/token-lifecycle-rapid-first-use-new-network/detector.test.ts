import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import { DAY, dailyTimes, HOUR, trainedContext } from '../testing.js';
import { tokenLifecycleRapidFirstUseNewNetwork as detector } from './detector.js';

const T = Date.UTC(2025, 7, 4, 10, 0, 0);
const NEW = { token: { id: 'github:hash:minted', client: undefined } };
/** The PAT is created from alice's office network in Berlin. */
const created = activityFixture({
  ...NEW,
  at: T,
  event: { id: 'create', action: 'personal_access_token.access_granted' },
  token: { ...NEW.token, lifecycle: 'created' },
  tokenwatch: { resource: undefined, volume: undefined },
});
const vps = {
  source: { ip: '45.67.89.10', geo: { country_iso_code: 'NL', city_name: 'Amsterdam' } },
  tokenwatch: { network: { ip_prefix: '45.67.89.0/24' } },
};

describe(detector.id, () => {
  it('fires high when the first use 4 minutes after creation comes from a VPS network (S10)', () => {
    const probe = activityFixture({ ...NEW, ...vps, at: T + 4 * 60_000 });
    const [f] = detector.evaluate(probe, trainedContext([created], probe));
    expect(detector.severity).toBe('high');
    expect(f?.severity).toBeUndefined();
    expect(f?.reason).toBe(
      'Classic PAT github:hash:minted of alice@example.com was first used from 45.67.89.0/24 (NL) 4 min after it was created from 203.0.113.0/24 (DE); neither the token nor its owner ever used that network.',
    );
    expect(f?.explanation).toMatchObject({
      feature: 'first_use_network_vs_creation',
      observed: '45.67.89.0/24 (NL)',
      expected: 'use from the creation network 203.0.113.0/24 (DE), or later than 1 h after creation',
      window: '4 min',
      baseline_entity: 'token',
      history_events: 1,
      maturity: 'learning',
    });
  });

  it("is low when the owner already uses that network (pasting the token into the team's CI)", () => {
    const ci = dailyTimes({ start: T - 30 * DAY, days: 30, perDay: 2 }).map((at, i) =>
      activityFixture({
        ...vps,
        at,
        event: { id: `ci${i}` },
        token: { id: 'github:hash:ci', client: undefined },
      }),
    );
    const probe = activityFixture({ ...NEW, ...vps, at: T + 4 * 60_000 });
    const [f] = detector.evaluate(probe, trainedContext([...ci, created], probe));
    expect(f?.severity).toBe('low');
    expect(f?.reason).toContain('the owner already uses that network, so it is likely being deployed');
  });

  it('honours a configured window', () => {
    const probe = activityFixture({ ...NEW, ...vps, at: T + 90 * 60_000 });
    expect(detector.evaluate(probe, trainedContext([created], probe))).toEqual([]);
    expect(
      detector.evaluate(
        probe,
        trainedContext([created], probe, { [detector.id]: { rapidFirstUseMs: 2 * HOUR } }),
      ),
    ).toHaveLength(1);
  });

  it('stays quiet for OAuth app grants and DWD clients (their servers use the token elsewhere by design)', () => {
    const app = {
      token: {
        id: 'google_workspace:grant:alice@example.com:123.apps',
        key_kind: 'oauth_grant' as const,
        type: 'oauth_access_token' as const,
        client: { id: '123.apps', name: 'Slack' },
      },
    };
    const authorize = activityFixture({
      ...app,
      at: T,
      event: { id: 'auth' },
      token: { ...app.token, lifecycle: 'authorized' },
    });
    const first = activityFixture({ ...app, ...vps, at: T + 60_000 });
    expect(detector.evaluate(first, trainedContext([authorize], first))).toEqual([]);
  });

  it('stays quiet for a first use from the creation network, a second use from the new one, or no creation', () => {
    const home = activityFixture({ ...NEW, at: T + 4 * 60_000 });
    expect(detector.evaluate(home, trainedContext([created], home))).toEqual([]);

    const first = activityFixture({ ...NEW, ...vps, at: T + 4 * 60_000, event: { id: 'first' } });
    const second = activityFixture({ ...NEW, ...vps, at: T + 5 * 60_000, event: { id: 'second' } });
    expect(detector.evaluate(second, trainedContext([created, first], second))).toEqual([]);

    const noBirth = activityFixture({ ...NEW, ...vps, at: T + 4 * 60_000 });
    expect(detector.evaluate(noBirth, trainedContext([], noBirth))).toEqual([]);
  });
});
