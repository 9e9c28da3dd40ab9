import { describe, expect, it } from 'vitest';
import { activityFixture } from '../baselines/testing.js';
import { haversineKm } from './geo.js';
import { HOUR, trainedContext } from './testing.js';
import { tokenGeoImpossibleTravel as detector } from './token-geo-impossible-travel.js';

const T = Date.UTC(2025, 7, 4, 10, 0, 0);
/** Three uses from Berlin (the fixture's location), the last at T. */
const berlin = [T - 2 * HOUR, T - HOUR, T].map((at, i) => activityFixture({ at, event: { id: `b${i}` } }));

const newYork = (at: number, cloud?: string) =>
  activityFixture({
    at,
    source: {
      ip: '198.51.100.200',
      geo: { country_iso_code: 'US', city_name: 'New York', location: { lat: 40.71, lon: -74.01 } },
    },
    tokenwatch: { network: { ip_prefix: '198.51.100.0/24', ...(cloud ? { cloud_provider: cloud } : {}) } },
  });

describe(detector.id, () => {
  it('measures great-circle distance', () => {
    expect(haversineKm({ lat: 52.52, lon: 13.405 }, { lat: 40.71, lon: -74.01 })).toBeCloseTo(6385, -1);
  });

  it('fires (high) for Berlin then New York 30 minutes later, with distance and speed', () => {
    const probe = newYork(T + 30 * 60_000);
    const [f] = detector.evaluate(probe, trainedContext(berlin, probe));
    expect(detector.severity).toBe('high');
    expect(f?.reason).toContain(
      'was used from New York, US (198.51.100.200) 30 min after a use from Berlin, DE (203.0.113.10)',
    );
    expect(f?.reason).toMatch(/6,3\d\d km needs 12,7\d\d km\/h, above the plausible 900 km\/h/);
    expect(f?.explanation).toMatchObject({
      feature: 'travel_speed_kmh',
      baseline_entity: 'token',
      window: '30 min',
    });
    expect(f?.explanation.observed).toBeGreaterThan(12_000);
    expect(f?.explanation.expected).toContain('at most 900 km/h from Berlin, DE');
  });

  it('works on a learning token (two points are enough)', () => {
    const probe = newYork(T + 30 * 60_000);
    const ctx = trainedContext(berlin.slice(2), probe);
    expect(ctx.token.maturity).toBe('learning');
    expect(detector.evaluate(probe, ctx)).toHaveLength(1);
  });

  it('stays quiet when the speed is plausible (New York 10 h later)', () => {
    const probe = newYork(T + 10 * HOUR);
    expect(detector.evaluate(probe, trainedContext(berlin, probe))).toEqual([]);
  });

  it('stays quiet when either side is cloud egress', () => {
    const cloudNow = newYork(T + 30 * 60_000, 'aws');
    expect(detector.evaluate(cloudNow, trainedContext(berlin, cloudNow))).toEqual([]);
    const cloudBefore = berlin.map((a) => ({
      ...a,
      tokenwatch: { ...a.tokenwatch, network: { ip_prefix: '203.0.113.0/24', cloud_provider: 'gcp' } },
    }));
    const probe = newYork(T + 30 * 60_000);
    expect(detector.evaluate(probe, trainedContext(cloudBefore, probe))).toEqual([]);
  });

  it('stays quiet below the minimum distance (GeoIP noise: Berlin to Hamburg in 5 min)', () => {
    const probe = activityFixture({
      at: T + 5 * 60_000,
      source: { ip: '198.51.100.9', geo: { country_iso_code: 'DE', location: { lat: 53.55, lon: 9.99 } } },
    });
    expect(detector.evaluate(probe, trainedContext(berlin, probe))).toEqual([]);
  });
});

describe(`${detector.id} (failed attempts, corporate egress)`, () => {
  const sdp = (at: number, email: string, id: string) =>
    activityFixture({
      at,
      event: { id },
      user: { email },
      token: { id: `github:hash:${email}` },
      source: {
        ip: '165.225.2.20',
        geo: { country_iso_code: 'US', city_name: 'Chicago', location: { lat: 41.88, lon: -87.63 } },
      },
      tokenwatch: { network: { ip_prefix: '165.225.2.0/24' } },
    });
  /** Three colleagues behind the corporate SDP node in Chicago. */
  const colleagues = [0, 1, 2].map((i) => sdp(T - HOUR + i * 60_000, `c${i}@example.com`, `c${i}`));

  it('ignores a failed attempt (not a use), and a failure never becomes the last location', () => {
    const spray = {
      ...newYork(T + 30 * 60_000),
      event: { ...newYork(T).event, outcome: 'failure' as const },
    };
    expect(detector.evaluate(spray, trainedContext(berlin, spray))).toEqual([]);
    const after = activityFixture({ at: T + HOUR, event: { id: 'after' } });
    expect(detector.evaluate(after, trainedContext([...berlin, spray], after))).toEqual([]);
  });

  it('stays quiet switching to and from the corporate egress, but judges a move from it to a new network', () => {
    const alice = 'alice@example.com';
    const onSdp = sdp(T + 10 * 60_000, alice, 'on');
    onSdp.token.id = 'github:hash:fixturetoken';
    expect(detector.evaluate(onSdp, trainedContext([...berlin, ...colleagues], onSdp))).toEqual([]);
    const home = activityFixture({ at: T + 20 * 60_000, event: { id: 'home' } });
    expect(detector.evaluate(home, trainedContext([...berlin, ...colleagues, onSdp], home))).toEqual([]);
    const away = newYork(T + 40 * 60_000);
    const history = [...berlin, ...colleagues, onSdp];
    expect(detector.evaluate(away, trainedContext(history, away))).toHaveLength(1);
    // A hop to another node of an SDP provider eight people use is not travel either.
    const crowd = Array.from({ length: 8 }, (_, i) =>
      sdp(T - HOUR + i * 60_000, `p${i}@example.com`, `p${i}`),
    );
    const london = activityFixture({
      at: T + 30 * 60_000,
      event: { id: 'london' },
      source: { ip: '165.225.16.9', geo: { country_iso_code: 'GB', location: { lat: 51.51, lon: -0.13 } } },
      tokenwatch: { network: { ip_prefix: '165.225.16.0/24' } },
    });
    expect(detector.evaluate(london, trainedContext([...berlin, ...crowd, onSdp], london))).toEqual([]);
    expect(detector.evaluate(london, trainedContext([...berlin, ...colleagues, onSdp], london))).toHaveLength(
      1,
    );
    // Without three colleagues on it, the SDP node is just a place: Berlin -> Chicago in 10 min.
    expect(
      detector.evaluate(onSdp, trainedContext([...berlin, ...colleagues.slice(0, 2)], onSdp)),
    ).toHaveLength(1);
  });
});
