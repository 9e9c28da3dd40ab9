import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { DAY, dailyTimes, HOUR, trainedContext } from '../testing.js';
import { tokenGeoFirstSeenCountry as detector } from './detector.js';

const START = Date.UTC(2025, 6, 1);
const LAST_DAY = START + 29 * DAY;

const history = (overrides: Parameters<typeof activityFixture>[0] = {}): TokenActivity[] =>
  dailyTimes({ start: START, days: 30, perDay: 6 }).map((at, i) =>
    activityFixture({ ...overrides, at, event: { id: `h${i}` } }),
  );

const place = (country: string, city: string, lat: number, lon: number, prefix: string) => ({
  source: {
    ip: prefix.replace('0/24', '9'),
    geo: { country_iso_code: country, city_name: city, location: { lat, lon } },
  },
  tokenwatch: { network: { ip_prefix: prefix } },
});

describe(detector.id, () => {
  it('fires (medium) for a new country with a new client, naming the known countries', () => {
    const probe = activityFixture({
      at: LAST_DAY + 20 * HOUR,
      ...place('BR', 'São Paulo', -23.55, -46.63, '177.54.0.0/24'),
      user_agent: { original: 'python-requests/2.32.4', name: 'python-requests' },
    });
    const [f] = detector.evaluate(probe, trainedContext(history(), probe));
    expect(f?.severity).toBeUndefined();
    expect(detector.severity).toBe('medium');
    expect(f?.reason).toContain('was used from BR (São Paulo) for the first time');
    expect(f?.reason).toContain('this token was only used from DE');
    expect(f?.reason).toContain('python-requests is also new');
    expect(f?.explanation).toMatchObject({
      feature: 'source.geo.country_iso_code',
      observed: 'BR',
      expected: 'countries seen: DE',
      baseline_entity: 'token',
      maturity: 'mature',
    });
  });

  it('stays quiet for a plausible trip with the usual client (N2)', () => {
    // Changed with v2: this used to be a low "informational" finding. A trip is not evidence of
    // theft, and one finding per credential and source per trip was most of the alert volume.
    // Last use in Berlin ~17:55 on the last day; Paris (~880 km) the next morning with git.
    const probe = activityFixture({
      at: LAST_DAY + 33 * HOUR,
      ...place('FR', 'Paris', 48.86, 2.35, '90.84.0.0/24'),
    });
    expect(detector.evaluate(probe, trainedContext(history(), probe))).toEqual([]);
  });

  it('fires when the owner was just used at home with another credential (too fast for a trip)', () => {
    // The token itself was last used the evening before, but the owner's other token an hour ago.
    const other = activityFixture({
      at: LAST_DAY + 32 * HOUR,
      event: { id: 'other' },
      token: { id: 'github:hash:other' },
    });
    const probe = activityFixture({
      at: LAST_DAY + 33 * HOUR,
      ...place('BR', 'São Paulo', -23.55, -46.63, '177.54.0.0/24'),
    });
    const [f] = detector.evaluate(probe, trainedContext([...history(), other], probe));
    expect(f?.reason).toContain('10,153 km from Berlin, DE in 1 h is faster than travel.');
  });

  it("judges a device joining a person already abroad by the device's own last use (phone abroad, laptop via a VPN node)", () => {
    // Alice's laptop token is used through a London VPN node; her phone then shows up in Spain.
    const laptop = activityFixture({
      at: LAST_DAY + 40 * HOUR,
      event: { id: 'laptop' },
      token: { id: 'github:hash:laptop' },
      ...place('GB', 'London', 51.51, -0.13, '165.225.16.0/24'),
    });
    const phone = activityFixture({
      at: LAST_DAY + 40 * HOUR + 20 * 60_000,
      ...place('ES', 'Seville', 37.39, -5.98, '37.132.5.0/24'),
    });
    expect(detector.evaluate(phone, trainedContext([...history(), laptop], phone))).toEqual([]);
    // The same phone while the owner's latest use was at home (Berlin, 20 min before) is too fast.
    const home = activityFixture({
      at: LAST_DAY + 40 * HOUR,
      event: { id: 'home' },
      token: { id: 'github:hash:laptop' },
    });
    expect(detector.evaluate(phone, trainedContext([...history(), home], phone))).toHaveLength(1);
  });

  it('stays quiet on corporate egress abroad that three other people use (SDP node, N3)', () => {
    const sdp = place('NL', 'Amsterdam', 52.37, 4.9, '165.225.72.0/24');
    const colleagues = [0, 1, 2].map((i) =>
      activityFixture({
        ...sdp,
        at: LAST_DAY + 20 * HOUR + i * 60_000,
        event: { id: `c${i}` },
        user: { email: `colleague${i}@example.com` },
        token: { id: `github:hash:c${i}`, client: undefined },
      }),
    );
    const probe = activityFixture({
      at: LAST_DAY + 21 * HOUR,
      ...sdp,
      user_agent: { original: 'python-requests/2.32.4', name: 'python-requests' },
    });
    expect(detector.evaluate(probe, trainedContext([...history(), ...colleagues], probe))).toEqual([]);
    expect(detector.evaluate(probe, trainedContext(history(), probe))).toHaveLength(1);
  });

  it('ignores failed attempts (a spray from abroad is account.password_spray)', () => {
    const failed = activityFixture({
      at: LAST_DAY + 20 * HOUR,
      event: { action: 'login_failure', outcome: 'failure' },
      ...place('BR', 'São Paulo', -23.55, -46.63, '177.54.0.0/24'),
    });
    expect(detector.evaluate(failed, trainedContext(history(), failed))).toEqual([]);
  });

  it('stays medium for a machine token even with its usual client', () => {
    const machine = { token: { principal: 'machine' as const } };
    const probe = activityFixture({
      at: LAST_DAY + 33 * HOUR,
      ...machine,
      ...place('FR', 'Paris', 48.86, 2.35, '90.84.0.0/24'),
    });
    const [f] = detector.evaluate(probe, trainedContext(history(machine), probe));
    expect(f?.severity).toBeUndefined();
    expect(f?.explanation.observed).toBe('FR');
  });

  it('stays quiet for a known country, cloud egress, and without a mature baseline', () => {
    const known = activityFixture({ at: LAST_DAY + 20 * HOUR });
    expect(detector.evaluate(known, trainedContext(history(), known))).toEqual([]);

    const cloud = activityFixture({
      at: LAST_DAY + 20 * HOUR,
      ...place('US', 'Ashburn', 39.04, -77.49, '3.91.12.0/24'),
      tokenwatch: { network: { ip_prefix: '3.91.12.0/24', cloud_provider: 'aws' } },
    });
    expect(detector.evaluate(cloud, trainedContext(history(), cloud))).toEqual([]);

    const far = activityFixture({
      at: LAST_DAY + 20 * HOUR,
      ...place('BR', 'São Paulo', -23.55, -46.63, '177.54.0.0/24'),
    });
    expect(detector.evaluate(far, trainedContext(history().slice(0, 12), far))).toEqual([]);
  });
});
