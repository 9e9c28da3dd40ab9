import { describe, expect, it } from 'vitest';
import { type TokenActivity, tokenActivitySchema } from '../../schemas/token-activity.js';
import { enrich, enrichInPlace, geoipFix, geoipLookup } from './enrich.js';
import { buildNetworkIntel } from './network-intel.js';

function activity(over: Partial<TokenActivity> = {}): TokenActivity {
  return {
    '@timestamp': '2025-01-02T03:04:05.000Z',
    event: {
      id: 'github:abc',
      kind: 'event',
      category: ['api'],
      type: ['access'],
      action: 'git.clone',
      outcome: 'success',
      module: 'github',
      dataset: 'github.audit',
    },
    user: { name: 'octocat' },
    related: { ip: [], user: ['octocat'], hash: [] },
    token: {
      id: 'github:hash:x',
      key_kind: 'token_hash',
      type: 'pat_classic',
      scopes: [],
      lifecycle: 'used',
      owner: { name: 'octocat' },
      principal: 'human',
    },
    tokenwatch: {},
    ...over,
  };
}

describe('geoipLookup', () => {
  it('maps geoip-lite to ECS geo', () => {
    const geo = geoipLookup('81.2.69.142');
    expect(geo?.country_iso_code).toBe('GB');
    expect(geo?.region_iso_code).toMatch(/^GB-[A-Z]{3}$/);
    expect(geo?.timezone).toBe('Europe/London');
    expect(geo?.location?.lat).toBeGreaterThan(49);
    expect(geo?.location?.lat).toBeLessThan(61);
  });

  it('returns undefined for private and documentation ranges', () => {
    expect(geoipLookup('10.1.2.3')).toBeUndefined();
    expect(geoipLookup('203.0.113.9')).toBeUndefined();
  });
});

describe('enrich', () => {
  it('adds geo, prefix, cloud provider, related.ip and UA family', () => {
    const out = enrich(
      activity({
        source: { ip: '54.161.10.20' },
        user_agent: { original: 'python-requests/2.32.4' },
      }),
      {
        geo: () => ({
          geo: { country_iso_code: 'US', city_name: 'Ashburn', location: { lat: 39.04, lon: -77.49 } },
          precision: 'city',
          accuracyKm: 20,
        }),
      },
    );
    expect(out.source).toEqual({
      ip: '54.161.10.20',
      geo: { country_iso_code: 'US', city_name: 'Ashburn', location: { lat: 39.04, lon: -77.49 } },
      as: { number: 16509, organization: { name: 'Amazon.com, Inc.' } },
    });
    expect(out.tokenwatch.network).toEqual({
      ip_prefix: '54.161.10.0/24',
      class: 'cloud',
      cloud_provider: 'aws',
      geo_precision: 'city',
      geo_accuracy_km: 20,
    });
    expect(out.related.ip).toEqual(['54.161.10.20']);
    expect(out.user_agent).toEqual({
      original: 'python-requests/2.32.4',
      name: 'python-requests',
      version: '2.32.4',
      device: { name: 'Other' },
    });
    expect(tokenActivitySchema.safeParse(out).success).toBe(true);
  });

  it('keeps a geo the vendor sent (geo_source vendor) instead of the lookup', () => {
    const vendorGeo = { country_iso_code: 'ES', city_name: 'Valencia', location: { lat: 39.47, lon: -0.38 } };
    const out = enrich(
      activity({
        source: { ip: '81.2.69.142', geo: vendorGeo },
        tokenwatch: { network: { geo_source: 'vendor' } },
      }),
      { geo: () => ({ geo: { country_iso_code: 'GB', city_name: 'London' }, precision: 'city' }) },
    );
    expect(out.source?.geo).toEqual(vendorGeo);
    expect(out.tokenwatch.network).toMatchObject({ geo_source: 'vendor', ip_prefix: '81.2.69.0/24' });
    const unmarked = enrich(activity({ source: { ip: '81.2.69.142', geo: vendorGeo } }), {
      geo: () => ({ geo: { country_iso_code: 'GB' }, precision: 'country' }),
    });
    expect(unmarked.source?.geo).toEqual({ country_iso_code: 'GB' });
  });

  it('ECS user_agent.os (uap-core names: Mac OS X) and device of a browser', () => {
    const ua =
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/137.0.0.0 Safari/537.36';
    const out = enrich(activity({ user_agent: { original: ua } }));
    expect(out.user_agent).toMatchObject({
      name: 'Chrome',
      os: { name: 'Mac OS X', version: '10.15.7', full: 'Mac OS X 10.15.7' },
      device: { name: 'Mac' },
    });
  });

  it('uses the real geoip database by default', () => {
    const out = enrich(activity({ source: { ip: '81.2.69.142' } }));
    expect(out.source?.geo?.country_iso_code).toBe('GB');
    expect(out.source?.geo?.city_name).toBe('St Albans');
    expect(out.tokenwatch.network).toMatchObject({
      ip_prefix: '81.2.69.0/24',
      class: 'residential',
      geo_precision: 'city',
      geo_accuracy_km: 100,
    });
    expect(out.tokenwatch.network?.cloud_provider).toBeUndefined();
  });

  it('canonicalises IPv6 and IPv4-mapped addresses', () => {
    const v6 = enrich(activity({ source: { ip: '2001:DB8:0:0:8:800:200C:417A' } }), { geo: () => undefined });
    expect(v6.source?.ip).toBe('2001:db8::8:800:200c:417a');
    expect(v6.tokenwatch.network?.ip_prefix).toBe('2001:db8::/64');
    const mapped = enrich(activity({ source: { ip: '::ffff:95.216.1.2' } }), { geo: () => undefined });
    expect(mapped.source?.ip).toBe('95.216.1.2');
    expect(mapped.tokenwatch.network).toEqual({
      ip_prefix: '95.216.1.0/24',
      class: 'hosting',
      geo_precision: 'none',
    });
    expect(mapped.source?.as?.number).toBe(24940);
    expect(mapped.related.ip).toEqual(['95.216.1.2']);
  });

  it('drops an invalid IP instead of failing, keeping vendor geo', () => {
    const out = enrich(
      activity({
        source: { ip: 'Salesforce.com IP', geo: { country_iso_code: 'US' } },
        related: { ip: ['Salesforce.com IP'], user: [], hash: [] },
      }),
    );
    expect(out.source).toEqual({ geo: { country_iso_code: 'US' } });
    expect(out.related.ip).toEqual([]);
    expect(out.tokenwatch.network).toEqual({ geo_precision: 'country' });
  });

  it('removes an empty source object', () => {
    const out = enrich(activity({ source: { ip: '2601:1c0:8yt2::1' } }));
    expect(out.source).toBeUndefined();
  });

  it('keeps vendor geo when geoip has no answer', () => {
    const out = enrich(activity({ source: { ip: '10.0.0.5', geo: { country_iso_code: 'DE' } } }));
    expect(out.source).toEqual({ ip: '10.0.0.5', geo: { country_iso_code: 'DE' } });
    expect(out.tokenwatch.network).toEqual({
      ip_prefix: '10.0.0.0/24',
      class: 'private',
      geo_precision: 'country',
    });
  });

  it('honours configured corporate and extra cloud CIDRs', () => {
    const network = buildNetworkIntel({
      corporateCidrs: ['81.2.69.0/24'],
      extraCloudCidrs: ['86.129.3.0/24'],
    });
    const corp = enrich(activity({ source: { ip: '81.2.69.142' } }), { network });
    expect(corp.tokenwatch.network).toMatchObject({ class: 'corporate', geo_precision: 'city' });
    expect(corp.tokenwatch.network?.cloud_provider).toBeUndefined();
    const ci = enrich(activity({ source: { ip: '86.129.3.9' } }), { network });
    expect(ci.tokenwatch.network).toMatchObject({ class: 'cloud', cloud_provider: 'custom' });
    // the same addresses without configuration
    expect(enrich(activity({ source: { ip: '81.2.69.142' } })).tokenwatch.network?.class).toBe('residential');
  });

  it('keeps a vendor-provided AS number and classifies by it', () => {
    // 81.2.69.142 is a GB residential address; the vendor says it came from Zscaler's AS22616
    const out = enrich(activity({ source: { ip: '81.2.69.142', as: { number: 22616 } } }));
    expect(out.source?.as).toEqual({ number: 22616, organization: { name: 'ZSCALER, INC.' } });
    expect(out.tokenwatch.network?.class).toBe('vpn');
    const named = enrich(
      activity({
        source: { ip: '81.2.69.142', as: { number: 64500, organization: { name: 'Vendor Org' } } },
      }),
    );
    expect(named.source?.as).toEqual({ number: 64500, organization: { name: 'Vendor Org' } });
  });

  it('classifies one address with several vendor AS numbers, cached, as the uncached lookup does', () => {
    // 22616 Zscaler (vpn), 64500 documentation AS (no class), 16509 Amazon: more numbers than are
    // remembered per address, each asked twice in turn
    const asns = [22616, 64500, 16509, 22616, 7922, 3356, 64500, 22616];
    for (const ip of ['81.2.69.142', '81.2.69.143']) {
      for (const number of [...asns, ...asns]) {
        const make = () => activity({ source: { ip, as: { number } } });
        const cached = enrich(make());
        const uncached = enrich(make(), { geo: geoipFix });
        expect(cached.tokenwatch.network).toEqual(uncached.tokenwatch.network);
        expect(cached.source?.as).toEqual(uncached.source?.as);
        expect(cached.source?.as?.number).toBe(number);
      }
    }
    expect(
      enrich(activity({ source: { ip: '81.2.69.142', as: { number: 22616 } } })).tokenwatch.network?.class,
    ).toBe('vpn');
    expect(
      enrich(activity({ source: { ip: '81.2.69.142', as: { number: 64500 } } })).tokenwatch.network?.class,
    ).toBe('residential');
  });

  it('keeps a vendor city geo over geoip, and never a country centroid', () => {
    const vendorCity = {
      country_iso_code: 'US',
      city_name: 'Seattle',
      location: { lat: 47.6, lon: -122.33 },
    };
    const out = enrich(
      activity({
        source: { ip: '81.2.69.142', geo: vendorCity },
        tokenwatch: { network: { geo_source: 'vendor' } },
      }),
    );
    expect(out.source?.geo).toEqual(vendorCity);
    expect(out.tokenwatch.network).toMatchObject({ geo_precision: 'city' });
    expect(out.tokenwatch.network?.geo_accuracy_km).toBeUndefined();
    const centroid = enrich(
      activity({
        source: { ip: '10.1.1.1', geo: { country_iso_code: 'DE', location: { lat: 51.3, lon: 9.49 } } },
      }),
    );
    expect(centroid.source?.geo).toEqual({ country_iso_code: 'DE' });
    expect(centroid.tokenwatch.network?.geo_precision).toBe('country');
  });

  it('does not modify its input', () => {
    const input = activity({ source: { ip: '::ffff:81.2.69.142' }, user_agent: { original: 'curl/8.4.0' } });
    const before = JSON.stringify(input);
    enrich(input);
    expect(JSON.stringify(input)).toBe(before);
  });

  it('gives the same result from its per-address cache as from the lookups themselves', () => {
    const uncached = { geo: geoipFix };
    for (const ip of [
      '81.2.69.142',
      '::ffff:81.2.69.142',
      '2001:4860:4860::8888',
      '10.1.2.3',
      'Salesforce.com IP',
      '81.2.69.142',
    ]) {
      const input = activity({ source: { ip }, related: { ip: [ip, '192.0.2.1'], user: [], hash: [] } });
      const first = enrich(input);
      const again = enrich(input);
      expect(again).toEqual(first);
      expect(JSON.stringify(first)).toBe(JSON.stringify(enrich(input, uncached)));
    }
  });

  it('shares cached geo objects only frozen', () => {
    const a = enrich(activity({ source: { ip: '81.2.69.142' } }));
    const b = enrich(activity({ source: { ip: '81.2.69.142' } }));
    expect(b.source?.geo).toBe(a.source?.geo);
    expect(Object.isFrozen(a.source?.geo)).toBe(true);
    expect(Object.isFrozen(a.source?.geo?.location)).toBe(true);
  });

  it('in place gives exactly what the copying form gives (values and key order)', () => {
    const vendorGeo = { country_iso_code: 'GB', city_name: 'London', location: { lat: 51.5, lon: -0.1 } };
    const inputs: (() => TokenActivity)[] = [
      () => activity({ source: { ip: '81.2.69.142' }, user_agent: { original: 'git/2.43.0' } }),
      () => activity({ source: { ip: '::ffff:81.2.69.142', as: { number: 22616 } } }),
      () =>
        activity({
          source: { ip: 'Salesforce.com IP' },
          related: { ip: ['Salesforce.com IP', '10.1.1.1'], user: [], hash: [] },
        }),
      () => activity({ source: { ip: '10.1.1.1', geo: vendorGeo } }),
      () => ({
        ...activity({ source: { ip: '81.2.69.142', geo: vendorGeo } }),
        tokenwatch: { network: { geo_source: 'vendor' as const } },
      }),
      () =>
        activity({
          user_agent: {
            original: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Safari/605.1.15',
            os: { name: 'Mac' },
          },
        }),
      () => activity({ source: { ip: '2001:4860:4860::8888' } }),
      () => activity({}),
    ];
    for (const make of inputs) {
      const copied = enrich(make());
      const input = make();
      const inPlace = enrichInPlace(input);
      expect(inPlace).toBe(input);
      expect(JSON.stringify(inPlace)).toBe(JSON.stringify(copied));
    }
  });
});

describe('geoipFix (precision of a GeoIP hit)', () => {
  it('gives city precision with the accuracy radius for a city hit', () => {
    const fix = geoipFix('81.2.69.142');
    expect(fix).toMatchObject({ precision: 'city', accuracyKm: 100 });
    expect(fix?.geo.city_name).toBe('St Albans');
    expect(fix?.geo.location).toBeDefined();
  });

  it('gives country precision and no coordinates for a country-only hit', () => {
    // 8.8.8.8: geoip-lite knows only "US" (centroid 37.751,-97.822, area 1000 km)
    const fix = geoipFix('8.8.8.8');
    expect(fix).toEqual({
      geo: { country_iso_code: 'US', timezone: 'America/Chicago' },
      precision: 'country',
    });
  });

  it('says country for an IPv6 home address that geolocates only to a country', () => {
    // Deutsche Telekom (AS3320) residential IPv6 /64: geoip-lite has only "DE" (no region, no city)
    const out = enrich(activity({ source: { ip: '2003:e5:12:3400:1d4:5ab3:9c1e:2f10' } }));
    expect(out.source?.geo).toEqual({ country_iso_code: 'DE', timezone: 'Europe/Berlin' });
    expect(out.source?.geo?.location).toBeUndefined();
    expect(out.tokenwatch.network).toMatchObject({
      ip_prefix: '2003:e5:12:3400::/64',
      class: 'residential',
      geo_precision: 'country',
    });
    expect(out.tokenwatch.network?.geo_accuracy_km).toBeUndefined();
    expect(out.source?.as?.number).toBe(3320);
  });

  it('says none when there is no geo at all', () => {
    const out = enrich(activity({ source: { ip: '10.2.3.4' } }));
    expect(out.tokenwatch.network).toEqual({
      ip_prefix: '10.2.3.0/24',
      class: 'private',
      geo_precision: 'none',
    });
  });
});
