/**
 * Probes geoip-lite 1.4 for address ranges that it places in a given country and city. Used to
 * (re)build the committed {@link GEO_TABLE} and by its test, which verifies every committed block
 * against the installed geoip-lite database. Loading geoip-lite costs ~150 MB of memory, so the
 * simulator itself never imports this module; it only reads the committed table.
 */
import geoip from 'geoip-lite';
import { hostInBlock, intToIp, ipToInt, parseCidr } from './net.js';

/** What geoip-lite says about one address. */
export interface GeoFix {
  country: string;
  city: string;
  timezone: string;
  ll: [number, number];
}

/** geoip-lite lookup reduced to the fields the simulator uses; undefined when unknown. */
export function geoLookup(ip: string): GeoFix | undefined {
  const r = geoip.lookup(ip);
  if (!r) return undefined;
  return { country: r.country, city: r.city, timezone: r.timezone, ll: [r.ll[0], r.ll[1]] };
}

/** A candidate ISP allocation to search for a city. */
export interface CityProbe {
  country: string;
  /** Target city; omitted to accept any placement in the country. */
  city?: string;
  /** ISP allocations (CIDR) to scan. */
  candidates: readonly string[];
  /** How many /24 blocks to return. */
  want: number;
}

/**
 * Scans the candidate allocations range by range (following geoip-lite's own range bounds) and
 * returns up to `want` /24 blocks that lie entirely inside one geoip range placed in the target
 * country and city. Deterministic: candidates are scanned in order.
 */
export function probeCityBlocks(probe: CityProbe): string[] {
  const out: string[] = [];
  for (const cidr of probe.candidates) {
    const block = parseCidr(cidr);
    let n = block.first;
    while (n <= block.last && out.length < probe.want) {
      const r = geoip.lookup(intToIp(n));
      if (!r) {
        n += 256;
        continue;
      }
      const [lo, hi] = r.range;
      if (r.country === probe.country && (probe.city === undefined || r.city === probe.city)) {
        // every /24 fully inside [lo, hi]
        let start = Math.ceil(lo / 256) * 256;
        while (start + 255 <= hi && out.length < probe.want) {
          out.push(`${intToIp(start)}/24`);
          start += 256 * 7; // spread picks over the range
        }
      }
      n = Math.max(hi + 1, n + 1);
    }
    if (out.length >= probe.want) break;
  }
  return out;
}

/** Checks that geoip-lite places sample hosts of a block in the country (and city, when given). */
export function verifyBlock(cidr: string, country: string, city?: string): string | undefined {
  const block = parseCidr(cidr);
  for (const idx of [0, 1, 7, 100, 200]) {
    const ip = hostInBlock(block, idx);
    const fix = geoLookup(ip);
    if (!fix) return `${ip} (${cidr}) unknown to geoip-lite`;
    if (fix.country !== country) return `${ip} (${cidr}) placed in ${fix.country}, expected ${country}`;
    if (city !== undefined && fix.city !== city)
      return `${ip} (${cidr}) placed in ${fix.city || '(no city)'}, expected ${city}`;
  }
  return undefined;
}

/** Re-export for table builders. */
export { ipToInt };
