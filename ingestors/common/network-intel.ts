import type { Logger } from 'pino';
import type { NetworkClass, VpnKind } from '../../schemas/token-activity.js';
import { type AsnDatabase, type AsnInfo, loadAsnDatabase } from './asn-db.js';
import { buildCloudMatcher, type CloudMatcher } from './cloud-ranges.js';
import type { ParsedIp } from './ip.js';
import { type NetworkData, readNetworkData } from './network-data.js';

/**
 * Network intelligence for one source IP: its class (`tokenwatch.network.class`), the cloud
 * provider for class `cloud` (`tokenwatch.network.cloud_provider`), and its autonomous system
 * (`source.as.*`).
 *
 * Decision order, first match wins:
 * 1. `corporate`: the org's own egress, config `pipeline.corporateCidrs` (wins over everything: an
 *    office behind Zscaler or in AWS is still the office);
 * 2. `private`: RFC 1918, loopback, link-local, IPv6 ULA / loopback / link-local, documentation
 *    and benchmarking ranges (RFC 6598 shared space is *not* private here, see 4);
 * 3. `cloud` (provider `custom`) for config `pipeline.extraCloudCidrs` (the org knows its CI and
 *    SaaS egress better than any list), then `tor`, `vpn`, `cloud`, `hosting` from the provider
 *    range files of `data/network/` (longest prefix wins across files);
 * 4. `mobile`: CGNAT 100.64.0.0/10 (RFC 6598, carriers' shared address pools);
 * 5. by autonomous system (`data/network/asn-classes.json`): `vpn`, `mobile`, then `hosting`;
 *    a `vpn` address also gets its kind (`vpnKind`: `enterprise_gateway`, `consumer`, `relay`)
 *    and operator (`vpnProvider`) from its provider file (`vpn_kind`, `provider`) or AS entry
 *    (`kind`, `provider`);
 * 6. `residential`: any other public address.
 * The AS is the vendor's (`source.as.number` set by a normalizer) when given, else the one the
 * `@ip-location-db/asn` database gives.
 *
 * Cost per lookup: one longest-prefix match per table (a map probe per distinct prefix length)
 * and one binary search in the ASN table; enrichment caches the result per address.
 */

/** What {@link NetworkIntel.classify} returns. */
export interface NetworkFacts {
  class: NetworkClass;
  /** Provider id for class `cloud` (`aws`, `vultr`, `custom`...). */
  cloudProvider?: string;
  /** Provider id of the matched range file for classes `vpn`/`tor`/`hosting` (`zscaler`, `tor`). */
  provider?: string;
  /** Autonomous system, when known. */
  as?: AsnInfo;
  /** For class `vpn`: the kind of VPN egress, from the provider file or the AS entry. */
  vpnKind?: VpnKind;
  /** For class `vpn`: the operator's id (range file `provider`, or the AS entry's `provider`). */
  vpnProvider?: string;
}

/** The classifier built from the bundled data plus configuration. */
export interface NetworkIntel {
  /**
   * Classifies an address. `vendorAsn` (a normalizer-provided AS number) replaces the database's
   * AS for the ASN rules.
   */
  classify(ip: ParsedIp, vendorAsn?: number): NetworkFacts;
}

/** Configuration part of the classifier (`pipeline.corporateCidrs`, `pipeline.extraCloudCidrs`). */
export interface NetworkIntelConfig {
  corporateCidrs?: readonly string[];
  extraCloudCidrs?: readonly string[];
}

/** The loaded data a classifier is built from (shared by every classifier of the process). */
export interface NetworkIntelData {
  data: NetworkData;
  asnDb: AsnDatabase;
  /** Provider ranges by prefix -> provider id. */
  ranges: CloudMatcher;
  /** Provider id -> class. */
  classOf: ReadonlyMap<string, 'cloud' | 'hosting' | 'vpn' | 'tor'>;
  /** AS number -> class from asn-classes.json. */
  asnClass: ReadonlyMap<number, 'vpn' | 'mobile' | 'hosting'>;
  /** Provider id or AS number of a `vpn` provider file / AS entry -> its kind. */
  vpnKindOf: ReadonlyMap<string | number, VpnKind>;
  /** AS number of a `vpn` AS entry -> its operator's id. */
  vpnProviderOf: ReadonlyMap<number, string>;
}

/**
 * Special-purpose ranges classified `private` (RFC 6890 registry: unspecified, RFC 1918, loopback,
 * link-local, IETF protocol assignments, documentation, benchmarking, multicast, reserved; IPv6
 * unspecified, loopback, local-use NAT64, discard-only, documentation, ULA, link-local,
 * multicast). `scripts/network-data-lib.ts` drops them from provider files.
 */
export const PRIVATE_CIDRS: readonly string[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '::1/128',
  '64:ff9b:1::/48',
  '100::/64',
  '2001:db8::/32',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
];

/** RFC 6598 shared address space: carriers' CGNAT pools, classified `mobile`. */
export const CGNAT_CIDRS: readonly string[] = ['100.64.0.0/10'];

let shared: NetworkIntelData | undefined;

/**
 * Builds the shared data once per process: reads and validates `data/network/*.json` and the ASN
 * database, and logs (child logger `component: network-intel`) every source with its date and
 * size. Later calls return the same object.
 * @throws NetworkDataError when a data file is missing or invalid.
 */
export function loadNetworkIntelData(logger?: Logger, dir?: string): NetworkIntelData {
  if (shared && dir === undefined) return shared;
  const t0 = performance.now();
  const data = readNetworkData(dir);
  const asnDb = loadAsnDatabase();
  const classOf = new Map<string, 'cloud' | 'hosting' | 'vpn' | 'tor'>();
  const vpnKindOf = new Map<string | number, VpnKind>();
  const vpnProviderOf = new Map<number, string>();
  for (const e of data.asnClasses.vpn) {
    vpnKindOf.set(e.asn, e.kind);
    vpnProviderOf.set(e.asn, e.provider);
  }
  const ranges = buildCloudMatcher(
    data.providers.flatMap((p) => {
      classOf.set(p.provider, p.class);
      if (p.vpn_kind !== undefined) vpnKindOf.set(p.provider, p.vpn_kind);
      return p.prefixes.map((cidr) => ({ cidr, provider: p.provider }));
    }),
  );
  const asnClass = new Map<number, 'vpn' | 'mobile' | 'hosting'>();
  // hosting first so that a more specific vpn/mobile listing of the same AS wins
  for (const cls of ['hosting', 'mobile', 'vpn'] as const) {
    for (const e of data.asnClasses[cls]) asnClass.set(e.asn, cls);
  }
  const loaded: NetworkIntelData = { data, asnDb, ranges, classOf, asnClass, vpnKindOf, vpnProviderOf };
  const log = logger?.child({ component: 'network-intel' });
  log?.info(
    {
      loadMs: Math.round(performance.now() - t0),
      providers: data.providers.map((p) => ({
        provider: p.provider,
        class: p.class,
        prefixes: p.prefixes.length,
        fetched_at: p.fetched_at,
      })),
      asnClasses: {
        reviewed_at: data.asnClasses.reviewed_at,
        vpn: data.asnClasses.vpn.length,
        mobile: data.asnClasses.mobile.length,
        hosting: data.asnClasses.hosting.length,
      },
      asnDatabase: { ...asnDb.info, built_at: asnDb.builtAt },
    },
    'network intelligence data loaded',
  );
  if (dir === undefined) shared = loaded;
  return loaded;
}

/**
 * A classifier over the shared data (loaded on first call, see {@link loadNetworkIntelData}) and
 * the configured CIDRs. Throws `CidrError` for an invalid configured CIDR.
 */
export function buildNetworkIntel(
  config: NetworkIntelConfig = {},
  options: { logger?: Logger; data?: NetworkIntelData } = {},
): NetworkIntel {
  const d = options.data ?? loadNetworkIntelData(options.logger);
  const corporate =
    config.corporateCidrs && config.corporateCidrs.length > 0
      ? buildCloudMatcher(
          config.corporateCidrs.map((cidr) => ({ cidr, provider: 'corporate' })),
          { includeBuiltin: false },
        )
      : undefined;
  const extraCloud =
    config.extraCloudCidrs && config.extraCloudCidrs.length > 0
      ? buildCloudMatcher(
          config.extraCloudCidrs.map((cidr) => ({ cidr, provider: 'custom' })),
          { includeBuiltin: false },
        )
      : undefined;
  const special = buildCloudMatcher(
    [
      ...PRIVATE_CIDRS.map((cidr) => ({ cidr, provider: 'private' })),
      ...CGNAT_CIDRS.map((cidr) => ({ cidr, provider: 'cgnat' })),
    ],
    { includeBuiltin: false },
  );
  return {
    classify(ip, vendorAsn) {
      if (corporate?.match(ip) !== undefined) return withAs({ class: 'corporate' }, ip, vendorAsn, d);
      const sp = special.match(ip);
      if (sp === 'private') return { class: 'private' };
      if (extraCloud?.match(ip) !== undefined)
        return withAs({ class: 'cloud', cloudProvider: 'custom' }, ip, vendorAsn, d);
      const provider = d.ranges.match(ip);
      if (provider !== undefined) {
        const cls = d.classOf.get(provider) ?? 'hosting';
        const facts: NetworkFacts =
          cls === 'cloud' ? { class: 'cloud', cloudProvider: provider } : { class: cls, provider };
        const kind = cls === 'vpn' ? d.vpnKindOf.get(provider) : undefined;
        if (kind !== undefined) {
          facts.vpnKind = kind;
          facts.vpnProvider = provider;
        }
        return withAs(facts, ip, vendorAsn, d);
      }
      if (sp === 'cgnat') return { class: 'mobile' };
      const facts = withAs({ class: 'residential' }, ip, vendorAsn, d);
      const byAsn = facts.as ? d.asnClass.get(facts.as.number) : undefined;
      if (byAsn) facts.class = byAsn;
      const asn = facts.as?.number;
      if (byAsn === 'vpn' && asn !== undefined) {
        const kind = d.vpnKindOf.get(asn);
        const operator = d.vpnProviderOf.get(asn);
        if (kind !== undefined) facts.vpnKind = kind;
        if (operator !== undefined) facts.vpnProvider = operator;
      }
      return facts;
    },
  };
}

function withAs(
  facts: NetworkFacts,
  ip: ParsedIp,
  vendorAsn: number | undefined,
  d: NetworkIntelData,
): NetworkFacts {
  if (vendorAsn !== undefined) {
    const organization = d.asnDb.organization(vendorAsn);
    facts.as = organization === undefined ? { number: vendorAsn } : { number: vendorAsn, organization };
    return facts;
  }
  const as = d.asnDb.lookup(ip);
  if (as) facts.as = as;
  return facts;
}
