import { createRequire } from 'node:module';
import type { Lookup } from 'geoip-lite';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { Geo, GeoPrecision, TokenActivity } from '../../schemas/token-activity.js';
import { ipPrefix, type ParsedIp, parseIp } from './ip.js';
import { buildNetworkIntel, type NetworkFacts, type NetworkIntel } from './network-intel.js';
import { uaFamily } from './ua-family.js';

/**
 * Enrichment stage, run after a source's `normalize` (which stays free of lookups):
 * - validates `source.ip` (an invalid value such as `Salesforce.com IP` is removed, IPv6 is
 *   canonicalised, IPv4-mapped IPv6 becomes IPv4) and adds it to `related.ip`;
 * - `source.geo` from geoip-lite (MaxMind GeoLite2 data bundled with geoip-lite 1.4): ISO country,
 *   city, `region_iso_code` (`US-CA`), IANA time zone, `{lat, lon}`, with its precision in
 *   `tokenwatch.network.geo_precision` and `geo_accuracy_km` (see {@link geoipFix}). A vendor geo
 *   set by the normalizer is kept when it is more than a country (Salesforce `LoginEvent` sends
 *   the vendor's own city and coordinates) or when geoip-lite has no answer (private ranges);
 * - `tokenwatch.network.ip_prefix` (/24 or /64), `class` and `cloud_provider`, and
 *   `source.as.number` / `source.as.organization.name` ({@link NetworkIntel}); an AS number set by
 *   the normalizer (vendor-provided) is kept and used for the classification;
 * - `user_agent.name` / `version` / `os.name` from {@link uaFamily}.
 *
 * {@link enrich} returns a new object (the input is not modified); {@link enrichInPlace}, for the
 * pipeline's freshly built activities, changes the activity itself. Cost: one geoip binary search
 * (~2 µs for IPv4), prefix-table probes and one ASN binary search per distinct address (cached,
 * see {@link IP_CACHE_MAX}); the UA family is cached.
 */

/** A geolocation with how far it can be trusted. */
export interface GeoFix {
  geo: Geo;
  /**
   * `city` (city and coordinates), `region` (region centroid), `country` (country only:
   * `geo.location` is left out so that nobody measures from a centroid).
   */
  precision: Exclude<GeoPrecision, 'none'>;
  /** Radius of the uncertainty circle around `geo.location`, km (geoip-lite `area`). */
  accuracyKm?: number;
}

/** Geolocation lookup used by {@link enrich}; injectable for tests. */
export type GeoLookup = (ip: string, parsed?: ParsedIp) => GeoFix | undefined;

/** Options of {@link enrich}. */
export interface EnrichOptions {
  /** Network classifier (default: the bundled data without configured CIDRs). */
  network?: NetworkIntel;
  /** Geolocation (default: {@link geoipFix}); when set, results are not cached. */
  geo?: GeoLookup;
}

let defaultNetwork: NetworkIntel | undefined;

/**
 * The classifier used when {@link EnrichOptions.network} is not given: bundled data, no
 * configured CIDRs. Built (data loaded and logged) on first use.
 */
export function defaultNetworkIntel(logger?: Logger): NetworkIntel {
  defaultNetwork ??= buildNetworkIntel({}, logger ? { logger } : {});
  return defaultNetwork;
}

let geoipModule: { lookup(ip: string | number): Lookup | null } | undefined;

function geoipHit(ip: string, parsed?: ParsedIp): Lookup | null {
  geoipModule ??= createRequire(import.meta.url)('geoip-lite') as {
    lookup(ip: string | number): Lookup | null;
  };
  // geoip-lite takes the IPv4 integer directly, skipping its own string parsing.
  return geoipModule.lookup(parsed?.version === 4 ? parsed.value : ip);
}

/**
 * geoip-lite lookup mapped to the ECS geo shape (no precision: see {@link geoipFix}). geoip-lite
 * reads its ~150 MB database synchronously on first use, so it is loaded lazily.
 */
export function geoipLookup(ip: string, parsed?: ParsedIp): Geo | undefined {
  return geoipFix(ip, parsed)?.geo;
}

/**
 * geoip-lite lookup with its precision. MaxMind places an address in a city with an accuracy
 * radius (`area`, km), or only in a region, or only in a country (then `ll` is the country's
 * centroid and `area` is large: 1,000 km for the US, 200 km for Germany). Precision is `city` when
 * the hit names a city, `region` when it names only a region, else `country`; for `country` the
 * coordinates are dropped. `accuracyKm` is `area` for `city` and `region`.
 */
export function geoipFix(ip: string, parsed?: ParsedIp): GeoFix | undefined {
  const hit = geoipHit(ip, parsed);
  if (!hit?.country) return undefined;
  const geo: Geo = { country_iso_code: hit.country };
  if (hit.city) geo.city_name = hit.city;
  if (hit.region) geo.region_iso_code = `${hit.country}-${hit.region}`;
  if (hit.timezone) geo.timezone = hit.timezone;
  const precision: GeoFix['precision'] = hit.city ? 'city' : hit.region ? 'region' : 'country';
  if (precision === 'country') return { geo, precision };
  const [lat, lon] = hit.ll ?? [];
  if (typeof lat !== 'number' || typeof lon !== 'number') return { geo, precision: 'country' };
  geo.location = { lat, lon };
  const area = hit.area;
  return typeof area === 'number' && area > 0 ? { geo, precision, accuracyKm: area } : { geo, precision };
}

/** Precision of a vendor-provided geo (no radius is known). */
function vendorFix(geo: Geo): GeoFix | undefined {
  if (geo.city_name && geo.location) return { geo, precision: 'city' };
  if (geo.region_iso_code && geo.location) return { geo, precision: 'region' };
  if (geo.country_iso_code) {
    if (!geo.location) return { geo, precision: 'country' };
    const { location: _centroid, ...rest } = geo;
    return { geo: rest, precision: 'country' };
  }
  return undefined;
}

/** What enrichment derives from one `source.ip` value with the default lookups. */
interface IpFacts {
  ip: ParsedIp;
  fix: GeoFix | undefined;
  prefix: string;
  network: NetworkFacts;
  /**
   * Classifications of this address with a vendor-given AS number (Workspace `networkInfo.ipAsn`),
   * frozen, by AS number (at most {@link VENDOR_ASNS_KEPT}): only on cached facts.
   */
  byVendorAsn?: Map<number, NetworkFacts>;
}

/** Vendor AS numbers remembered per cached address (one is usual; more are classified each time). */
const VENDOR_ASNS_KEPT = 4;

/**
 * `network.classify(facts.ip, vendorAsn)`, remembered on cached facts (a pure function of the
 * address, the AS number and the classifier the cache belongs to).
 */
function classifyWithVendorAsn(
  facts: IpFacts,
  vendorAsn: number,
  network: NetworkIntel,
  cached: boolean,
): NetworkFacts {
  if (!cached) return network.classify(facts.ip, vendorAsn);
  let known = facts.byVendorAsn;
  let net = known?.get(vendorAsn);
  if (net === undefined) {
    net = freezeNetwork(network.classify(facts.ip, vendorAsn));
    if (known === undefined) {
      known = new Map();
      facts.byVendorAsn = known;
    }
    if (known.size < VENDOR_ASNS_KEPT) known.set(vendorAsn, net);
  }
  return net;
}

/**
 * Lookup results by raw `source.ip` text ({@link NOT_AN_IP}: not an IP), one lru-cache per
 * classifier (least recently used dropped first). Every lookup is a pure function of the address
 * (static GeoIP database, data files, configuration), so a hit is exactly what the lookups would
 * return; geo and AS objects are frozen because activities share them. Bounded to
 * {@link IP_CACHE_MAX} addresses.
 */
const ipCaches = new WeakMap<NetworkIntel, LRUCache<string, IpFacts | typeof NOT_AN_IP>>();
export const IP_CACHE_MAX = 65_536;
/** Cached answer for a `source.ip` that is not an address (lru-cache keeps no nullish values). */
const NOT_AN_IP = Object.freeze({ notAnIp: true as const });

function freezeFix(fix: GeoFix | undefined): GeoFix | undefined {
  if (!fix) return undefined;
  if (fix.geo.location) Object.freeze(fix.geo.location);
  Object.freeze(fix.geo);
  return Object.freeze(fix);
}

function freezeNetwork(n: NetworkFacts): NetworkFacts {
  if (n.as) {
    Object.freeze(n.as);
  }
  return Object.freeze(n);
}

function lookupIp(raw: string, network: NetworkIntel, geo: GeoLookup): IpFacts | null {
  const ip = parseIp(raw);
  if (!ip) return null;
  return { ip, fix: geo(ip.text, ip), prefix: ipPrefix(ip), network: network.classify(ip) };
}

function cachedIpFacts(raw: string, network: NetworkIntel): IpFacts | undefined {
  let cache = ipCaches.get(network);
  if (!cache) {
    cache = new LRUCache({ max: IP_CACHE_MAX });
    ipCaches.set(network, cache);
  }
  const hit = cache.get(raw);
  if (hit !== undefined) return hit === NOT_AN_IP ? undefined : (hit as IpFacts);
  const facts = lookupIp(raw, network, geoipFix);
  if (facts) {
    facts.fix = freezeFix(facts.fix);
    facts.network = freezeNetwork(facts.network);
  }
  cache.set(raw, facts ?? NOT_AN_IP);
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

/**
 * Adds geo, network and user-agent context to a normalized activity (see the module comment).
 * Returns a new object; the input is not modified (the parts enrichment changes are copied, then
 * {@link enrichInPlace}).
 */
export function enrich(activity: TokenActivity, opts: EnrichOptions = {}): TokenActivity {
  const out: TokenActivity = {
    ...activity,
    tokenwatch: { ...activity.tokenwatch },
    related: { ...activity.related },
  };
  if (activity.source) out.source = { ...activity.source };
  return enrichInPlace(out, opts);
}

/**
 * {@link enrich} on the activity itself, for an activity nobody else holds yet (the pipeline's,
 * just built by a normalizer): sets or removes `source.ip` / `geo` / `as`, `related.ip`,
 * `tokenwatch.network` (a new object) and `user_agent` (a new object) in place, in the key order
 * {@link enrich} gives, and returns the same activity. Nested objects other than `source`,
 * `related` and `tokenwatch` are never changed (geo, AS and user-agent parts are replaced).
 */
export function enrichInPlace(activity: TokenActivity, opts: EnrichOptions = {}): TokenActivity {
  const source = activity.source;
  const network = opts.network ?? defaultNetworkIntel();
  const rawIp = typeof source?.ip === 'string' ? source.ip : undefined;
  const facts =
    rawIp === undefined
      ? undefined
      : opts.geo === undefined
        ? cachedIpFacts(rawIp, network)
        : (lookupIp(rawIp, network, opts.geo) ?? undefined);
  const ip = facts?.ip;
  // distinct valid related addresses in first-seen order (usually zero or one)
  const relatedIps: string[] = [];
  for (const raw of activity.related.ip) {
    const parsed = raw === rawIp ? ip : parseIp(raw);
    if (parsed && !relatedIps.includes(parsed.text)) relatedIps.push(parsed.text);
  }
  if (source) {
    if (ip) source.ip = ip.text;
    else delete source.ip;
  }
  const vendorGeo = source?.geo;
  const vendor = vendorGeo ? vendorFix(vendorGeo) : undefined;
  // the vendor's own geo wins when the normalizer marked it (`geo_source: vendor`, LoginEvent)
  const vendorWins = vendor !== undefined && activity.tokenwatch.network?.geo_source === 'vendor';
  const fix = vendorWins ? vendor : (facts?.fix ?? vendor);
  if (source) {
    if (fix) source.geo = fix.geo;
    else delete source.geo;
  }
  const precision: GeoPrecision = fix?.precision ?? 'none';
  const geoNet =
    fix?.accuracyKm !== undefined
      ? { geo_precision: precision, geo_accuracy_km: fix.accuracyKm }
      : { geo_precision: precision };
  if (ip && source) {
    if (!relatedIps.includes(ip.text)) relatedIps.push(ip.text);
    const vendorAsn = source.as?.number;
    const net =
      vendorAsn === undefined
        ? facts.network
        : classifyWithVendorAsn(facts, vendorAsn, network, opts.geo === undefined);
    if (net.as) {
      const org = source.as?.organization?.name ?? net.as.organization;
      source.as =
        org === undefined
          ? { number: net.as.number }
          : { number: net.as.number, organization: { name: org } };
    }
    activity.tokenwatch.network = {
      ...activity.tokenwatch.network,
      ip_prefix: facts.prefix,
      class: net.class,
      ...(net.cloudProvider !== undefined ? { cloud_provider: net.cloudProvider } : {}),
      ...(net.vpnKind !== undefined ? { vpn_kind: net.vpnKind } : {}),
      ...(net.vpnProvider !== undefined ? { vpn_provider: net.vpnProvider } : {}),
      ...geoNet,
    };
  } else if (fix) {
    activity.tokenwatch.network = { ...activity.tokenwatch.network, ...geoNet };
  }
  if (!(source && (source.ip !== undefined || source.geo !== undefined || source.as !== undefined)))
    delete activity.source;
  activity.related.ip = relatedIps;

  const ua = activity.user_agent;
  if (ua?.original) {
    const fam = uaFamily(ua.original);
    const userAgent: NonNullable<TokenActivity['user_agent']> = { original: ua.original };
    if (fam.name) userAgent.name = fam.name;
    if (fam.version) userAgent.version = fam.version;
    const os = ua.os?.name !== undefined ? ua.os : uaOs(fam);
    if (os) userAgent.os = os;
    userAgent.device = ua.device ?? { name: deviceName(fam) };
    activity.user_agent = userAgent;
  }
  return activity;
}
