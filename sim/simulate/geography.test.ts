import { describe, expect, it } from 'vitest';
import { buildCloudMatcher } from '../../ingestors/common/cloud-ranges.js';
import { parseIp } from '../../ingestors/common/ip.js';
import { buildNetworkIntel } from '../../ingestors/common/network-intel.js';
import { CLOUD_RANGES } from './cloud-ranges.js';
import { verifyBlock } from './geo-probe.js';
import { GEO_CITIES, MOBILE_CARRIERS } from './geo-table.js';
import { cloudAddress, hostileAddress, residentialAddress, sdpAddress } from './geography.js';
import { HOSTILE_RANGES, SDP_RANGES, SDP_SECONDARY_RANGES } from './hostile-infra.js';
import { hostInBlock, parseCidr } from './net.js';

describe('geography table (verified with geoip-lite 1.4)', () => {
  it('has ~30+ distinct cities in many countries', () => {
    expect(GEO_CITIES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(GEO_CITIES.map((c) => c.country)).size).toBeGreaterThanOrEqual(20);
  });

  it('every residential block geolocates to its country and city', () => {
    const bad = GEO_CITIES.flatMap((c) => c.blocks.map((b) => verifyBlock(b, c.country, c.city))).filter(
      Boolean,
    );
    expect(bad).toEqual([]);
  });

  it('mobile, cloud, hostile and SDP blocks geolocate to their country', () => {
    const bad = [
      ...MOBILE_CARRIERS.flatMap((m) => m.blocks.map((b) => verifyBlock(b, m.country))),
      ...CLOUD_RANGES.map((r) => verifyBlock(r.cidr, r.country)),
      ...HOSTILE_RANGES.map((r) => verifyBlock(r.cidr, r.country)),
      ...[...SDP_RANGES, ...SDP_SECONDARY_RANGES].map((r) => verifyBlock(r.cidr, r.country)),
    ].filter(Boolean);
    expect(bad).toEqual([]);
  });

  it('SDP failover nodes are the same operator in another /16, classified as its enterprise gateway', () => {
    const intel = buildNetworkIntel();
    for (const r of SDP_SECONDARY_RANGES) {
      const addr = sdpAddress(r.country, 3, SDP_SECONDARY_RANGES);
      const primary = sdpAddress(r.country, 3);
      expect(addr.ip.split('.').slice(0, 2)).not.toEqual(primary.ip.split('.').slice(0, 2));
      const facts = intel.classify(parseIp(addr.ip) as NonNullable<ReturnType<typeof parseIp>>);
      expect(facts).toMatchObject({ class: 'vpn', vpnKind: 'enterprise_gateway', vpnProvider: 'zscaler' });
      expect(facts.as?.number).toBe(r.asn);
    }
  });

  it('addresses drawn from the table stay inside their blocks', () => {
    const city = GEO_CITIES[0]!;
    for (let k = 0; k < 50; k++) {
      const a = residentialAddress(city, k * 7919);
      expect(
        city.blocks.some((b) => {
          const blk = parseCidr(b);
          const n = a.ip.split('.').reduce((x, y) => x * 256 + Number(y), 0);
          return n >= blk.first && n <= blk.last;
        }),
      ).toBe(true);
      expect(a.ip).not.toMatch(/\.(0|255)$/);
    }
  });
});

describe('cloud egress vs ingestors/common/cloud-ranges.ts', () => {
  const matcher = buildCloudMatcher();
  const intel = buildNetworkIntel();

  // DigitalOcean is a rented-VPS provider: class hosting (detectors/network-stance.ts), which the
  // integrations using it make workload egress by using it from their first day.
  it('every simulated cloud address is cloud (AWS, GCP, Azure) or hosting (DigitalOcean) in the pipeline', () => {
    const misses: string[] = [];
    for (const r of CLOUD_RANGES) {
      const expected = r.provider === 'digitalocean' ? 'hosting' : 'cloud';
      const ips = [0, 1, 2, 57, 1000].map((k) => hostInBlock(parseCidr(r.cidr), k * 131 + 17));
      ips.push(cloudAddress(r.provider, r.region, 3).ip);
      for (const ip of ips) {
        const parsed = parseIp(ip);
        const facts = parsed ? intel.classify(parsed) : undefined;
        const ok =
          facts?.class === expected &&
          (expected === 'hosting' || (parsed !== undefined && matcher.match(parsed) === r.provider));
        if (!ok) misses.push(`${r.provider} ${r.cidr} ${ip}: ${facts?.class}`);
      }
    }
    expect(misses).toEqual([]);
  });

  it('attacker Tor and consumer-VPN addresses are not big-3 cloud', () => {
    for (const kind of ['tor', 'consumer_vpn'] as const) {
      for (let k = 0; k < 20; k++) {
        const parsed = parseIp(hostileAddress(kind, k).ip);
        expect(['aws', 'gcp', 'azure']).not.toContain(parsed ? matcher.match(parsed) : undefined);
      }
    }
  });
});
