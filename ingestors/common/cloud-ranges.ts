import { type ParsedIp, parseCidr } from './ip.js';
import { readNetworkData } from './network-data.js';

/**
 * Longest-prefix matching of CIDR tables, and the built-in cloud egress table.
 *
 * The built-in table is every provider range file of class `cloud` in `data/network/` (AWS, Google
 * Cloud, Azure, Oracle, Cloudflare, GitHub, Google, IBM, Alibaba; rented VPS / dedicated-server
 * providers such as DigitalOcean, Linode, Vultr, Hetzner and OVHcloud are class `hosting`: see
 * detectors/network-stance.ts; `scripts/network-providers.ts` has each provider's official feed and
 * `npm run refresh:network`); network classification as a whole (VPN, Tor, hosting, mobile...)
 * is `network-intel.ts`. Deployments add their own egress through configuration
 * (`pipeline.extraCloudCidrs`, `pipeline.corporateCidrs`).
 *
 * Why own code rather than a CIDR library: the matcher hashes each prefix once at build time and
 * answers with one `Map` probe per distinct prefix length (at most 33 for IPv4, in practice ~25),
 * without allocating for IPv4; general-purpose libraries (ipaddr.js `subnetMatch`, cidr-tools
 * `containsCidr`) test ranges one by one, which over the ~80,000 bundled prefixes would cost
 * milliseconds per address instead of microseconds. Parsing stays with `ip.ts` (RFC 5952 forms,
 * IPv4-mapped IPv6), shared with enrichment.
 */

/** One CIDR and the provider it belongs to (`aws`, `gcp`, `azure`, `digitalocean`, ...). */
export interface CloudRange {
  cidr: string;
  provider: string;
}

let builtin: readonly CloudRange[] | undefined;

/**
 * The built-in cloud egress ranges: every prefix of the `data/network/` files of class `cloud`,
 * read and validated once. Throws `NetworkDataError` when the data is missing or invalid.
 */
export function builtinCloudRanges(): readonly CloudRange[] {
  builtin ??= readNetworkData().providers.flatMap((p) =>
    p.class === 'cloud' ? p.prefixes.map((cidr) => ({ cidr, provider: p.provider })) : [],
  );
  return builtin;
}

/** An invalid CIDR handed to {@link buildCloudMatcher}. */
export class CidrError extends Error {
  constructor(cidr: string) {
    super(`invalid CIDR ${JSON.stringify(cidr)}`);
    this.name = 'CidrError';
  }
}

/** Looks an address up; returns the provider of the most specific matching range. */
export interface CloudMatcher {
  match(ip: ParsedIp): string | undefined;
  /** Number of ranges loaded. */
  readonly size: number;
}

/**
 * Builds a longest-prefix matcher from the built-in cloud table ({@link builtinCloudRanges}, unless
 * `includeBuiltin: false`) plus `extra` ranges. When two tables hold the same prefix the later one
 * wins. Host bits below the prefix length are masked (`10.1.2.3/8` is `10.0.0.0/8`). Lookup cost
 * is one map probe per distinct prefix length. Throws {@link CidrError} on a bad CIDR.
 */
export function buildCloudMatcher(
  extra: readonly CloudRange[] = [],
  options: { includeBuiltin?: boolean } = {},
): CloudMatcher {
  const ranges = options.includeBuiltin === false ? [...extra] : [...builtinCloudRanges(), ...extra];
  const v4 = new Map<number, Map<number, string>>();
  const v6 = new Map<number, Map<string, string>>();
  for (const { cidr, provider } of ranges) {
    const parsed = parseCidr(cidr);
    if (!parsed) throw new CidrError(cidr);
    const { ip, len } = parsed;
    if (ip.version === 4) {
      const table = v4.get(len) ?? new Map<number, string>();
      table.set(maskV4(ip.value, len), provider);
      v4.set(len, table);
    } else {
      const table = v6.get(len) ?? new Map<string, string>();
      table.set(keyV6(ip.groups, len), provider);
      v6.set(len, table);
    }
  }
  const v4Lens = [...v4.keys()].sort((a, b) => b - a);
  const v6Lens = [...v6.keys()].sort((a, b) => b - a);
  return {
    size: ranges.length,
    match(ip) {
      if (ip.version === 4) {
        for (const len of v4Lens) {
          const hit = v4.get(len)?.get(maskV4(ip.value, len));
          if (hit !== undefined) return hit;
        }
        return undefined;
      }
      for (const len of v6Lens) {
        const hit = v6.get(len)?.get(keyV6(ip.groups, len));
        if (hit !== undefined) return hit;
      }
      return undefined;
    },
  };
}

function maskV4(value: number, len: number): number {
  if (len === 0) return 0;
  return (value & (0xffffffff << (32 - len))) >>> 0;
}

function keyV6(groups: readonly number[], len: number): string {
  let key = '';
  let left = len;
  for (let i = 0; i < 8 && left > 0; i++) {
    const take = Math.min(16, left);
    const g = groups[i] ?? 0;
    key += `${(g & ((0xffff << (16 - take)) & 0xffff)).toString(16)}:`;
    left -= take;
  }
  return key;
}
