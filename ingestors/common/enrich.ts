import { createRequire } from 'node:module';
import type { Lookup } from 'geoip-lite';
import type { Geo, TokenActivity } from '../../schemas/token-activity.js';
import { buildCloudMatcher, type CloudMatcher } from './cloud-ranges.js';
import { ipPrefix, type ParsedIp, parseIp } from './ip.js';
import { uaFamily } from './ua-family.js';

/**
 * Enrichment stage, run after a source's `normalize` (which stays free of lookups):
 * - validates `source.ip` (an invalid value such as `Salesforce.com IP` is removed, IPv6 is
 *   canonicalised, IPv4-mapped IPv6 becomes IPv4) and adds it to `related.ip`;
 * - `source.geo` from geoip-lite (MaxMind GeoLite2 data bundled with geoip-lite 1.4): ISO country,
 *   city, `region_iso_code` (`US-CA`), IANA time zone, `{lat, lon}`. When the address is not in
 *   the database (private ranges) a vendor-provided geo set by the normalizer is kept;
 * - `tokenwatch.network.ip_prefix` (/24 or /64) and `cloud_provider` ({@link CloudMatcher});
 * - `user_agent.name` / `version` / `os.*` / `device.name` from {@link uaFamily}, in the names
 *   Elastic's `user_agent` processor uses (`Mac OS X`, device `Mac`, `Other` for non-browsers);
 *   `os` and `device` a normalizer set from vendor fields (Salesforce `Platform`) are kept.
 * - a `source.geo` the normalizer set with `tokenwatch.network.geo_source: 'vendor'` is kept.
 *
 * Returns a new object; the input is not modified. Cost: one geoip binary search (~2 µs for IPv4)
 * plus map probes; the UA family is cached.
 */

/** Geolocation lookup used by {@link enrich}; injectable for tests. */
export type GeoLookup = (ip: string, parsed?: ParsedIp) => Geo | undefined;

/** Options of {@link enrich}. */
export interface EnrichOptions {
  /** Cloud egress ranges (default: the built-in sample, see `cloud-ranges.ts`). */
  cloud?: CloudMatcher;
  /** Geolocation (default: {@link geoipLookup}). */
  geo?: GeoLookup;
}

let defaultCloud: CloudMatcher | undefined;

function builtinCloud(): CloudMatcher {
  defaultCloud ??= buildCloudMatcher();
  return defaultCloud;
}
let geoipModule: { lookup(ip: string | number): Lookup | null } | undefined;

/**
 * geoip-lite lookup mapped to the ECS geo shape. geoip-lite reads its ~150 MB database
 * synchronously on first use, so it is loaded lazily.
 */
export function geoipLookup(ip: string, parsed?: ParsedIp): Geo | undefined {
  geoipModule ??= createRequire(import.meta.url)('geoip-lite') as {
    lookup(ip: string | number): Lookup | null;
  };
  // geoip-lite takes the IPv4 integer directly, skipping its own string parsing.
  const hit = geoipModule.lookup(parsed?.version === 4 ? parsed.value : ip);
  if (!hit?.country) return undefined;
  const geo: Geo = { country_iso_code: hit.country };
  if (hit.city) geo.city_name = hit.city;
  if (hit.region) geo.region_iso_code = `${hit.country}-${hit.region}`;
  if (hit.timezone) geo.timezone = hit.timezone;
  const [lat, lon] = hit.ll ?? [];
  if (typeof lat === 'number' && typeof lon === 'number') geo.location = { lat, lon };
  return geo;
}

/** What enrichment derives from one `source.ip` value with the default lookups. */
interface IpFacts {
  ip: ParsedIp;
  geo: Geo | undefined;
  prefix: string;
  cloud: string | undefined;
}

/**
 * Default-lookup results by raw `source.ip` text (`null`: not an IP), least recently used first.
 * Every lookup is a pure function of the address (static GeoIP database and cloud table), so a
 * hit is exactly what the lookups would return; geo objects are frozen because activities share
 * them. Bounded to {@link IP_CACHE_MAX} addresses.
 */
const ipCache = new Map<string, IpFacts | null>();
const IP_CACHE_MAX = 65_536;

function defaultIpFacts(raw: string): IpFacts | undefined {
  const hit = ipCache.get(raw);
  if (hit !== undefined) {
    ipCache.delete(raw);
    ipCache.set(raw, hit);
    return hit ?? undefined;
  }
  const ip = parseIp(raw);
  let facts: IpFacts | null = null;
  if (ip) {
    const geo = geoipLookup(ip.text, ip);
    if (geo?.location) Object.freeze(geo.location);
    facts = {
      ip,
      geo: geo ? Object.freeze(geo) : undefined,
      prefix: ipPrefix(ip),
      cloud: builtinCloud().match(ip),
    };
  }
  if (ipCache.size >= IP_CACHE_MAX) ipCache.delete(ipCache.keys().next().value as string);
  ipCache.set(raw, facts);
  return facts ?? undefined;
}

/** ECS `user_agent.os` of a family: ua-parser's `Mac OS` is uap-core's (Elastic's) `Mac OS X`. */
function uaOs(
  fam: ReturnType<typeof uaFamily>,
): { name: string; version?: string; full?: string } | undefined {
  if (!fam.os) return undefined;
  const name = fam.os === 'Mac OS' ? 'Mac OS X' : fam.os;
  if (!fam.osVersion) return { name };
  return { name, version: fam.osVersion, full: `${name} ${fam.osVersion}` };
}

/** ECS `user_agent.device.name`: `Macintosh` -> `Mac`, another model as named, else `Other`. */
function deviceName(fam: ReturnType<typeof uaFamily>): string {
  if (fam.device === 'Macintosh') return 'Mac';
  return fam.device ?? 'Other';
}

/** Adds geo, network and user-agent context to a normalized activity (see the module comment). */
export function enrich(activity: TokenActivity, opts: EnrichOptions = {}): TokenActivity {
  const out: TokenActivity = { ...activity, tokenwatch: { ...activity.tokenwatch } };
  const source = activity.source ? { ...activity.source } : undefined;
  const defaults = opts.geo === undefined && opts.cloud === undefined;
  const facts = defaults && typeof source?.ip === 'string' ? defaultIpFacts(source.ip) : undefined;
  const ip = defaults ? facts?.ip : parseIp(source?.ip);
  // distinct valid related addresses in first-seen order (usually zero or one)
  const relatedIps: string[] = [];
  for (const raw of activity.related.ip) {
    const parsed = raw === source?.ip ? ip : parseIp(raw);
    if (parsed && !relatedIps.includes(parsed.text)) relatedIps.push(parsed.text);
  }
  if (source) {
    if (ip) source.ip = ip.text;
    else delete source.ip;
  }
  if (ip && source) {
    if (!relatedIps.includes(ip.text)) relatedIps.push(ip.text);
    const geo = facts ? facts.geo : (opts.geo ?? geoipLookup)(ip.text, ip);
    // A geo the vendor sent with the record (Salesforce LoginEvent) wins over our lookup.
    const vendorGeo = activity.tokenwatch.network?.geo_source === 'vendor' && source.geo !== undefined;
    if (geo && !vendorGeo) source.geo = geo;
    const cloud = facts ? facts.cloud : (opts.cloud ?? builtinCloud()).match(ip);
    const ipPrefixText = facts ? facts.prefix : ipPrefix(ip);
    const network = activity.tokenwatch.network;
    out.tokenwatch.network =
      network === undefined
        ? cloud
          ? { ip_prefix: ipPrefixText, cloud_provider: cloud }
          : { ip_prefix: ipPrefixText }
        : { ...network, ip_prefix: ipPrefixText, ...(cloud ? { cloud_provider: cloud } : {}) };
  }
  if (source && (source.ip !== undefined || source.geo !== undefined)) out.source = source;
  else delete out.source;
  out.related = { ...activity.related, ip: relatedIps };

  const ua = activity.user_agent;
  if (ua?.original) {
    const fam = uaFamily(ua.original);
    const userAgent: NonNullable<TokenActivity['user_agent']> = { original: ua.original };
    if (fam.name) userAgent.name = fam.name;
    if (fam.version) userAgent.version = fam.version;
    const os = ua.os?.name !== undefined ? ua.os : uaOs(fam);
    if (os) userAgent.os = os;
    userAgent.device = ua.device ?? { name: deviceName(fam) };
    out.user_agent = userAgent;
  }
  return out;
}
