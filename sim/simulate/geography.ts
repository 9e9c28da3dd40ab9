/**
 * Network addresses of every kind the simulator needs, drawn deterministically from the committed
 * tables: residential (people at home, hotels, residential proxies), mobile carriers, office
 * egress, cloud egress (CI, SaaS back ends), Tor/VPS/consumer VPN (attackers) and corporate SDP
 * (N3). An address carries its geography so writers can fill `actor_location` without geoip.
 */
import { CLOUD_RANGES, type CloudProvider } from './cloud-ranges.js';
import { GEO_CITIES, type GeoCity, MOBILE_CARRIERS } from './geo-table.js';
import { HOSTILE_RANGES, type HostileKind, SDP_RANGES, type SdpRange } from './hostile-infra.js';
import { hostInBlock, parseCidr } from './net.js';

export type AddressKind = 'residential' | 'mobile' | 'office' | 'cloud' | 'sdp' | HostileKind;

/** One source address and what the simulator knows about it. */
export interface NetAddress {
  ip: string;
  kind: AddressKind;
  country: string;
  city?: string;
  asn?: number;
  /** ISP, carrier, cloud provider/region or hosting provider. */
  network: string;
}

const cityIndex = new Map(GEO_CITIES.map((c) => [c.code, c]));

/** The city with this code (throws when unknown). */
export function cityByCode(code: string): GeoCity {
  const c = cityIndex.get(code);
  if (!c) throw new Error(`unknown city ${code}`);
  return c;
}

/** All city codes. */
export function cityCodes(): string[] {
  return GEO_CITIES.map((c) => c.code);
}

function pickBlock(blocks: readonly string[], key: number): string {
  const b = blocks[Math.abs(key) % blocks.length];
  if (b === undefined) throw new Error('empty block list');
  return b;
}

function host(cidr: string, key: number): string {
  return hostInBlock(parseCidr(cidr), Math.floor(Math.abs(key) / 7) + 3);
}

/** A residential (or small-business / hotel) address in a city. */
export function residentialAddress(
  city: GeoCity,
  key: number,
  kind: AddressKind = 'residential',
): NetAddress {
  const cidr = pickBlock(city.blocks, key);
  return {
    ip: host(cidr, key),
    kind,
    country: city.country,
    city: city.city,
    ...(city.asn !== undefined ? { asn: city.asn } : {}),
    network: city.isp,
  };
}

/** A mobile-carrier address in a country (falls back to a residential address in `fallback`). */
export function mobileAddress(country: string, key: number, fallback: GeoCity): NetAddress {
  const carrier = MOBILE_CARRIERS.find((m) => m.country === country);
  if (!carrier) return residentialAddress(fallback, key, 'mobile');
  return {
    ip: host(pickBlock(carrier.blocks, key), key),
    kind: 'mobile',
    country,
    ...(carrier.asn !== undefined ? { asn: carrier.asn } : {}),
    network: carrier.carrier,
  };
}

/** A cloud egress address of a provider/region. */
export function cloudAddress(provider: CloudProvider, region: string, key: number): NetAddress {
  const ranges = CLOUD_RANGES.filter((r) => r.provider === provider && r.region === region);
  const r = ranges[Math.abs(key) % ranges.length];
  if (!r) throw new Error(`no cloud range ${provider}/${region}`);
  return {
    ip: hostInBlock(parseCidr(r.cidr), Math.abs(key) * 131 + 17),
    kind: 'cloud',
    country: r.country,
    asn: r.asn,
    network: `${provider} ${region}`,
  };
}

/** An attacker address of a kind, avoiding `avoidCountries` when possible. */
export function hostileAddress(
  kind: HostileKind,
  key: number,
  avoidCountries: readonly string[] = [],
): NetAddress {
  const all = HOSTILE_RANGES.filter((r) => r.kind === kind);
  const preferred = all.filter((r) => !avoidCountries.includes(r.country));
  const pool = preferred.length > 0 ? preferred : all;
  const r = pool[Math.abs(key) % pool.length];
  if (!r) throw new Error(`no hostile range ${kind}`);
  return {
    ip: host(r.cidr, key),
    kind,
    country: r.country,
    asn: r.asn,
    network: r.provider,
  };
}

const SDP_FALLBACK: Record<string, string> = {
  CA: 'US',
  MX: 'US',
  BR: 'US',
  AR: 'US',
  IE: 'GB',
  FR: 'DE',
  NL: 'DE',
  ES: 'GB',
  PT: 'GB',
  IT: 'DE',
  SE: 'DE',
  PL: 'DE',
  CH: 'DE',
  IL: 'DE',
  ZA: 'GB',
  KR: 'JP',
  SG: 'JP',
  AU: 'JP',
  NZ: 'JP',
};

/**
 * A corporate SDP egress address serving users in `country`: a node of `ranges` (default the
 * primary data centres, {@link SDP_RANGES}; {@link SDP_SECONDARY_RANGES} for a failover).
 */
export function sdpAddress(
  country: string,
  key: number,
  ranges: readonly SdpRange[] = SDP_RANGES,
): NetAddress {
  const target = ranges.some((s) => s.country === country) ? country : (SDP_FALLBACK[country] ?? 'US');
  const pool = ranges.filter((s) => s.country === target);
  const r = pool[Math.abs(key) % pool.length];
  if (!r) throw new Error(`no SDP range for ${country}`);
  return { ip: host(r.cidr, key), kind: 'sdp', country: r.country, asn: r.asn, network: r.provider };
}

/** Great-circle distance in km. */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}
