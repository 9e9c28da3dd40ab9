/**
 * The per-class rule of network-stance.ts across the three geo/network detectors: what fires and
 * what must stay silent for workload cloud, workload hosting (an AS the credential knows), rented
 * hosting (an AS it never used), corporate, VPN, Tor and private addresses.
 */
import { describe, expect, it } from 'vitest';
import { activityFixture } from '../baselines/testing.js';
import type { NetworkClass, TokenActivity } from '../schemas/token-activity.js';
import { cloudStance, hostingLabel } from './network-stance.js';
import { DAY, dailyTimes, HOUR, trainedContext } from './testing.js';
import { tokenGeoFirstSeenCountry as country } from './token-geo-first-seen-country/detector.js';
import { tokenGeoImpossibleTravel as travel } from './token-geo-impossible-travel/detector.js';
import { tokenNetworkFirstSeenPrefix as prefixDetector } from './token-network-first-seen-prefix/detector.js';

const START = Date.UTC(2025, 6, 1);
const LAST = START + 29 * DAY + 17 * HOUR;
type Fixture = Parameters<typeof activityFixture>[0];

/** Alice's PAT, 30 days at home in Berlin (residential AS 3320), git: the fixture defaults. */
const home = { source: { as: { number: 3320 } }, tokenwatch: { network: { class: 'residential' as const } } };
const history = (extra: TokenActivity[] = [], overrides: Fixture = {}): TokenActivity[] => [
  ...dailyTimes({ start: START, days: 30, perDay: 6 }).map((at, i) =>
    activityFixture({ ...home, ...overrides, at, event: { id: `h${i}` } }),
  ),
  ...extra,
];

/** A use from `prefix` (`.9` in it) placed in a city, of a network class and AS. */
const net = (
  netClass: NetworkClass,
  where: { country: string; city: string; lat: number; lon: number },
  prefix: string,
  asn?: { number: number; organization?: { name: string } },
  cloudProvider?: string,
): Fixture => ({
  source: {
    ip: prefix.replace('0/24', '9'),
    geo: {
      country_iso_code: where.country,
      city_name: where.city,
      location: { lat: where.lat, lon: where.lon },
    },
    ...(asn ? { as: asn } : {}),
  },
  tokenwatch: {
    network: {
      ip_prefix: prefix,
      class: netClass,
      geo_precision: 'city',
      geo_accuracy_km: 20,
      ...(cloudProvider ? { cloud_provider: cloudProvider } : {}),
    },
  },
});

const NEW_YORK = { country: 'US', city: 'New York', lat: 40.71, lon: -74.01 };
const FRANKFURT = { country: 'DE', city: 'Frankfurt am Main', lat: 50.11, lon: 8.68 };
const VULTR = { number: 20473, organization: { name: 'The Constant Company, LLC' } };
const vultrNy = net('hosting', NEW_YORK, '45.32.2.0/24', VULTR);
const vultrFra = net('hosting', FRANKFURT, '45.32.8.0/24', VULTR);
const awsNy = net('cloud', NEW_YORK, '54.161.10.0/24', { number: 16509 }, 'aws');
const at = (ms: number, f: Fixture, id = 'probe'): TokenActivity =>
  activityFixture({ ...f, at: ms, event: { id } });

describe('cloudStance', () => {
  it('calls cloud egress (published hyperscaler ranges, extraCloudCidrs) workload whoever uses it', () => {
    const probe = at(LAST + HOUR, awsNy);
    expect(cloudStance(probe, trainedContext(history(), probe))).toBe('workload');
    const custom = at(LAST + HOUR, net('cloud', NEW_YORK, '198.51.100.0/24', undefined, 'custom'));
    expect(cloudStance(custom, trainedContext(history(), custom))).toBe('workload');
  });

  it('calls hosting rented until the token, its owner or its app used that AS', () => {
    const probe = at(LAST + HOUR, vultrNy);
    expect(cloudStance(probe, trainedContext(history(), probe))).toBe('rented');
    // the token itself used Vultr (another region) before
    const own = at(LAST - DAY, vultrFra, 'own');
    expect(cloudStance(probe, trainedContext(history([own]), probe))).toBe('workload');
    // the owner's other token used Vultr: the person's own VPS
    const other = activityFixture({ ...vultrFra, at: LAST - DAY, token: { id: 'github:hash:laptop' } });
    expect(cloudStance(probe, trainedContext(history([other]), probe))).toBe('workload');
    // a hosting address without an AS is rented (nothing says it is known)
    const noAs = at(LAST + HOUR, net('hosting', NEW_YORK, '45.32.2.0/24'));
    expect(cloudStance(noAs, trainedContext(history(), noAs))).toBe('rented');
  });

  it('has no stance for other classes', () => {
    for (const c of ['residential', 'mobile', 'vpn', 'tor', 'corporate', 'private'] as const) {
      const probe = at(LAST + HOUR, net(c, NEW_YORK, '198.51.100.0/24'));
      expect(cloudStance(probe, trainedContext(history(), probe))).toBeUndefined();
    }
  });

  it('names the rented AS', () => {
    expect(hostingLabel(at(LAST, vultrNy))).toBe(
      'rented hosting (AS20473 The Constant Company, LLC), never used by this credential',
    );
  });
});

describe(`${travel.id} per network class`, () => {
  const soon = LAST + 30 * 60_000;

  it('fires for a human token used from a rented VPS an ocean away within hours (S10)', () => {
    const probe = at(soon, vultrNy);
    const [f, ...rest] = travel.evaluate(probe, trainedContext(history(), probe));
    expect(rest).toEqual([]);
    expect(f?.reason).toMatch(/was used from New York, US \(45\.32\.2\.9\) .* after a use from Berlin, DE/);
    expect(f?.reason).toContain('this use is from rented hosting (AS20473 The Constant Company, LLC)');
  });

  it('stays silent for the same move to workload egress: cloud, or hosting whose AS the credential uses', () => {
    const cloud = at(soon, awsNy);
    expect(travel.evaluate(cloud, trainedContext(history(), cloud))).toEqual([]);
    const probe = at(soon, vultrNy);
    const own = at(LAST - DAY, vultrFra, 'own');
    expect(travel.evaluate(probe, trainedContext(history([own]), probe))).toEqual([]);
  });

  it('stays silent towards VPN, Tor, private and corporate addresses; residential fires', () => {
    for (const c of ['vpn', 'tor', 'private', 'corporate'] as const) {
      const probe = at(soon, net(c, NEW_YORK, '198.51.100.0/24'));
      expect(travel.evaluate(probe, trainedContext(history(), probe)), c).toEqual([]);
    }
    const residential = at(soon, net('residential', NEW_YORK, '198.51.100.0/24'));
    expect(travel.evaluate(residential, trainedContext(history(), residential))).toHaveLength(1);
  });

  it('measures from a rented VPS last use, not from an established own server', () => {
    const probe = at(soon + 30 * 60_000, net('residential', NEW_YORK, '198.51.100.0/24'));
    // the last use was a Frankfurt VPS the token had never used before: a place
    const rentedLast = at(soon, vultrFra, 'vps');
    expect(travel.evaluate(probe, trainedContext(history([rentedLast]), probe))).toHaveLength(1);
    // the same VPS used for weeks: the token's own server, no place
    const weeks = [0, 7, 14, 21].map((d) => at(START + d * DAY + 12 * HOUR, vultrFra, `w${d}`));
    expect(travel.evaluate(probe, trainedContext(history([...weeks, rentedLast]), probe))).toEqual([]);
  });

  it('judges a move away from corporate egress (a session replayed abroad after office use)', () => {
    const office = at(soon, net('corporate', FRANKFURT, '192.0.2.0/24'), 'office');
    const probe = at(soon + 30 * 60_000, net('residential', NEW_YORK, '198.51.100.0/24'));
    expect(travel.evaluate(probe, trainedContext(history([office]), probe))).toHaveLength(1);
  });
});

describe(`${country.id} per network class`, () => {
  // 20 h after the last use at home: Berlin -> New York is a plausible flight
  const later = LAST + 20 * HOUR;

  it('fires for a rented VPS in a new country even at a plausible flight time (never a trip)', () => {
    const probe = at(later, vultrNy);
    const [f] = country.evaluate(probe, trainedContext(history(), probe));
    expect(f?.explanation.observed).toBe('US');
    expect(f?.reason).toContain('The address is rented hosting (AS20473 The Constant Company, LLC)');
  });

  it('stays silent for the plausible trip from a residential address, and for workload egress', () => {
    const trip = at(later, net('residential', NEW_YORK, '198.51.100.0/24'));
    expect(country.evaluate(trip, trainedContext(history(), trip))).toEqual([]);
    const cloud = at(later, awsNy);
    expect(country.evaluate(cloud, trainedContext(history(), cloud))).toEqual([]);
    // the token runs on Vultr (Frankfurt) already: its New York region is operations
    const probe = at(later, vultrNy);
    const own = at(LAST - DAY, vultrFra, 'own');
    expect(country.evaluate(probe, trainedContext(history([own]), probe))).toEqual([]);
  });

  it("stays silent on the org's declared egress (corporate) in a new country", () => {
    const probe = at(later, net('corporate', NEW_YORK, '192.0.2.0/24'));
    expect(country.evaluate(probe, trainedContext(history(), probe))).toEqual([]);
  });

  it('fires for a Tor exit in a new country', () => {
    const probe = at(later, net('tor', NEW_YORK, '198.51.100.0/24'));
    expect(country.evaluate(probe, trainedContext(history(), probe))).toHaveLength(1);
  });
});

describe(`${prefixDetector.id} per network class`, () => {
  const probeAt = LAST + 20 * HOUR;
  /** A roaming person: 8 home/office/cafe networks in Germany. */
  const roaming = (): TokenActivity[] =>
    dailyTimes({ start: START, days: 30, perDay: 8 }).map((t, i) =>
      activityFixture({
        ...net(
          'residential',
          { country: 'DE', city: 'Berlin', lat: 52.52, lon: 13.405 },
          `81.${i % 8}.1.0/24`,
          {
            number: 3320,
          },
        ),
        at: t,
        event: { id: `r${i}` },
      }),
    );

  it('reports a rented VPS in the home country even for a roaming baseline (medium; high with a new client)', () => {
    const probe = at(probeAt, vultrFra);
    const [f] = prefixDetector.evaluate(probe, trainedContext(roaming(), probe));
    expect(f?.severity).toBe('medium');
    expect(f?.riskScore).toBe(55);
    expect(f?.reason).toContain('The address is rented hosting (AS20473');
    const tool = activityFixture({
      ...vultrFra,
      at: probeAt,
      user_agent: { original: 'python-requests/2.32.4', name: 'python-requests' },
    });
    expect(prefixDetector.evaluate(tool, trainedContext(roaming(), tool))[0]).toMatchObject({
      severity: 'high',
      riskScore: 73,
    });
  });

  it('stays silent for a roaming baseline on a new residential network or its own VPS provider', () => {
    const cafe = at(probeAt, net('residential', FRANKFURT, '84.9.9.0/24', { number: 3209 }));
    expect(prefixDetector.evaluate(cafe, trainedContext(roaming(), cafe))).toEqual([]);
    const own = at(LAST - DAY, net('hosting', FRANKFURT, '45.32.9.0/24', VULTR), 'own');
    const probe = at(probeAt, vultrFra);
    expect(prefixDetector.evaluate(probe, trainedContext([...roaming(), own], probe))).toEqual([]);
  });
});
