import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import { greatCircleKm } from '../../ingestors/common/geo-distance.js';
import { HOUR, trainedContext } from '../testing.js';
import { tokenGeoImpossibleTravel as detector } from './detector.js';

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
    expect(greatCircleKm({ lat: 52.52, lon: 13.405 }, { lat: 40.71, lon: -74.01 })).toBeCloseTo(6385, -1);
  });

  it('fires (high) for Berlin then New York 30 minutes later, with distance and speed', () => {
    const probe = newYork(T + 30 * 60_000);
    const [f] = detector.evaluate(probe, trainedContext(berlin, probe));
    expect(detector.severity).toBe('high');
    expect(f?.reason).toContain(
      'was used from New York, US (198.51.100.200) 30 min after a use from Berlin, DE (203.0.113.10)',
    );
    expect(f?.reason).toMatch(
      /6,2\d\d km between the two locations' uncertainty regions needs 12,5\d\d km\/h, above the plausible 900 km\/h/,
    );
    expect(f?.reason).toContain('precision: this use city ±50 km, the earlier one city ±50 km');
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

/** An address GeoIP knows only to its country (home IPv6 of Deutsche Telekom: geoip-lite `area` 200, no city). */
const countryOnly = (at: number, id: string, country = 'DE', lat = 51.2993, lon = 9.491) =>
  activityFixture({
    at,
    event: { id },
    source: { ip: '2003:e0:1::1', geo: { country_iso_code: country, location: { lat, lon } } },
    tokenwatch: { network: { ip_prefix: '2003:e0:1::/64', geo_precision: 'country', class: 'residential' } },
  });

describe(`${detector.id} (geo precision: cause "country-level GeoIP used as a point")`, () => {
  it('stays quiet between a city and a country-only location of the same country (no centroid distance)', () => {
    // Berlin (city) then the German centroid 10 minutes later: 300 km of centroid "travel" before.
    const probe = countryOnly(T + 10 * 60_000, 'c1');
    expect(detector.evaluate(probe, trainedContext(berlin, probe))).toEqual([]);
    const back = activityFixture({ at: T + 20 * 60_000, event: { id: 'back' } });
    expect(detector.evaluate(back, trainedContext([...berlin, probe], back))).toEqual([]);
  });

  it('stays quiet between bordering countries when one end is country-only', () => {
    const probe = countryOnly(T + 10 * 60_000, 'nl', 'NL', 52.3824, 4.8995);
    expect(detector.evaluate(probe, trainedContext(berlin, probe))).toEqual([]);
  });

  it('fires for non-bordering countries too close in time, and says how precise each end was', () => {
    const probe = countryOnly(T + 30 * 60_000, 'us', 'US', 37.751, -97.822);
    const [f] = detector.evaluate(probe, trainedContext(berlin, probe));
    expect(f?.reason).toContain('DE and US do not border each other, and 30 min is too short');
    expect(f?.reason).toContain('precision: this use country only, the earlier one city ±50 km');
    expect(f?.explanation.feature).toBe('travel_countries');
    // The same pair 3 hours apart is not judged impossible without a distance to measure.
    const later = countryOnly(T + 3 * HOUR, 'us2', 'US', 37.751, -97.822);
    expect(detector.evaluate(later, trainedContext(berlin, later))).toEqual([]);
  });

  it('measures between uncertainty regions, not centres (two wide circles that overlap)', () => {
    const wide = (at: number, id: string, lat: number, lon: number, city: string) =>
      activityFixture({
        at,
        event: { id },
        source: {
          ip: `192.0.2.${id.length}`,
          geo: { country_iso_code: 'US', city_name: city, location: { lat, lon } },
        },
        tokenwatch: { network: { ip_prefix: '192.0.2.0/24', geo_precision: 'city', geo_accuracy_km: 200 } },
      });
    // Springfield OR and Sacramento CA: 600 km between centres in 20 min, but the 200 km circles
    // leave 200 km between them: still below the 500 km minimum.
    const a = wide(T, 'a', 44.06, -123.02, 'Springfield');
    const b = wide(T + 20 * 60_000, 'bb', 38.58, -121.49, 'Sacramento');
    expect(detector.evaluate(b, trainedContext([a], b))).toEqual([]);
  });
});

describe(`${detector.id} (known networks: cause "phones between Wi-Fi and their carrier")`, () => {
  const DAY = 24 * HOUR;
  const wifi = (at: number, id: string) => activityFixture({ at, event: { id } });
  /** The phone on its carrier's CGNAT pool: GeoIP puts it in Munich (city, but a carrier pool). */
  const carrier = (at: number, id: string, netClass?: 'mobile') =>
    activityFixture({
      at,
      event: { id },
      source: {
        ip: '80.187.100.7',
        geo: { country_iso_code: 'DE', city_name: 'Munich', location: { lat: 48.14, lon: 11.58 } },
      },
      tokenwatch: { network: { ip_prefix: '80.187.100.0/24', ...(netClass ? { class: netClass } : {}) } },
    });

  it('stays quiet hopping between Wi-Fi and a carrier network both used for weeks', () => {
    const history = Array.from({ length: 20 }, (_, d) => [
      wifi(T - (20 - d) * DAY, `w${d}`),
      carrier(T - (20 - d) * DAY + 2 * HOUR, `m${d}`),
    ]).flat();
    const home = wifi(T, 'home');
    const probe = carrier(T + 15 * 60_000, 'hop');
    expect(detector.evaluate(probe, trainedContext([...history, home], probe))).toEqual([]);
  });

  it("stays quiet on another /24 of the carrier's pool the phone has used for weeks (GeoIP: another city)", () => {
    const pool = (at: number, id: string, third: number, city: string, lat: number, lon: number) =>
      activityFixture({
        at,
        event: { id },
        source: {
          ip: `172.58.${third}.9`,
          geo: { country_iso_code: 'US', city_name: city, location: { lat, lon } },
        },
        tokenwatch: { network: { ip_prefix: `172.58.${third}.0/24` } },
      });
    const history = Array.from({ length: 20 }, (_, d) =>
      pool(T - (20 - d) * DAY, `p${d}`, 90, 'San Francisco', 37.77, -122.42),
    );
    const probe = pool(T + 15 * 60_000, 'phl', 200, 'Philadelphia', 39.95, -75.17);
    const ctx = trainedContext([...history, pool(T, 'sf', 90, 'San Francisco', 37.77, -122.42)], probe);
    expect(detector.evaluate(probe, ctx)).toEqual([]);
  });

  it('stays quiet for a mobile-class address in the same country even when first seen (a carrier pool spans the country)', () => {
    const probe = carrier(T + 15 * 60_000, 'first', 'mobile');
    expect(detector.evaluate(probe, trainedContext(berlin, probe))).toEqual([]);
  });

  it('still fires when the network is new and GeoIP is precise (Berlin -> Madrid 15 min)', () => {
    const probe = carrier(T + 15 * 60_000, 'new');
    probe.source = {
      ip: '80.58.61.250',
      geo: { country_iso_code: 'ES', city_name: 'Madrid', location: { lat: 40.42, lon: -3.7 } },
    };
    probe.tokenwatch.network = { ip_prefix: '80.58.61.0/24' };
    expect(detector.evaluate(probe, trainedContext(berlin, probe))).toHaveLength(1);
  });

  it('does not treat a network first used minutes ago as known (an attacker address)', () => {
    const attacker = newYork(T + 10 * 60_000);
    const back = wifi(T + 20 * 60_000, 'back');
    expect(detector.evaluate(back, trainedContext([...berlin, attacker], back))).toHaveLength(1);
  });

  it('ignores VPN, Tor and private classes (their location is a node, not a person)', () => {
    for (const netClass of ['vpn', 'tor', 'private'] as const) {
      const probe = newYork(T + 30 * 60_000);
      probe.tokenwatch.network = { ip_prefix: '198.51.100.0/24', class: netClass };
      expect(detector.evaluate(probe, trainedContext(berlin, probe)), netClass).toEqual([]);
    }
  });
});
