import { type ParsedIp, parseIp } from './ip.js';

/**
 * Cloud egress ranges: tells enrichment that a source IP belongs to a hosting provider, where a
 * geolocation says nothing about where a person is and a token in use is likely scripted (or
 * stolen and replayed from a VPS).
 *
 * {@link BUILTIN_CLOUD_RANGES} is a small, documented **sample**, not a complete list. The ranges
 * were taken from the providers' published feeds as mirrored by
 * https://github.com/disposable/cloud-ip-ranges (`csv/aws.csv`, `google-cloud.csv`,
 * `microsoft-azure.csv`, `digitalocean.csv`, `hetzner.csv`, `ovh.csv`, 2025-2026 snapshots):
 * - AWS: https://ip-ranges.amazonaws.com/ip-ranges.json
 * - Google Cloud: https://www.gstatic.com/ipranges/cloud.json
 * - Azure: Service Tags download (https://www.microsoft.com/en-us/download/details.aspx?id=56519)
 * - DigitalOcean: https://digitalocean.com/geo/google.csv
 * - Hetzner (AS24940), OVH (AS16276): ASN announcements.
 * The simulator's cloud egress prefixes (`src/simulate/cloud-ranges.ts`) are all included, so
 * every simulated cloud address is classified as cloud; its hostile VPS prefixes are not.
 *
 * Deployments extend it with the full feeds through configuration: pass extra CIDRs to
 * {@link buildCloudMatcher} (e.g. every `ip_prefix` of `ip-ranges.json` tagged `aws`).
 */

/** One CIDR and the provider it belongs to (`aws`, `gcp`, `azure`, `digitalocean`, ...). */
export interface CloudRange {
  cidr: string;
  provider: string;
}

const SAMPLE: Record<string, readonly string[]> = {
  aws: [
    '3.80.0.0/12',
    '3.120.0.0/14',
    '13.48.0.0/15',
    '13.56.0.0/16',
    '13.112.0.0/14',
    '18.116.0.0/14',
    '18.132.0.0/14',
    '18.156.0.0/14',
    '34.192.0.0/12',
    '34.208.0.0/12',
    '34.240.0.0/13',
    '44.192.0.0/11',
    '44.224.0.0/11',
    '50.16.0.0/15',
    '52.0.0.0/15',
    '52.2.0.0/15',
    '52.4.0.0/14',
    '52.20.0.0/14',
    '52.70.0.0/15',
    '54.144.0.0/14',
    '54.160.0.0/13',
    '54.172.0.0/15',
    '100.24.0.0/13',
    '107.20.0.0/14',
    '108.128.0.0/13',
    '174.129.0.0/16',
    '2600:1f00::/24',
  ],
  gcp: [
    '34.16.0.0/12',
    '34.32.0.0/11',
    '34.64.0.0/10',
    '34.128.0.0/10',
    '35.184.0.0/13',
    '35.192.0.0/14',
    '35.196.0.0/15',
    '35.198.0.0/16',
    '35.200.0.0/13',
    '35.208.0.0/12',
    '35.224.0.0/12',
    '35.240.0.0/13',
    '104.154.0.0/15',
    '104.196.0.0/14',
    '130.211.0.0/16',
    '146.148.0.0/17',
    '2600:1900::/28',
  ],
  azure: [
    '13.64.0.0/16',
    '13.104.0.0/14',
    '20.50.0.0/18',
    '20.56.0.0/16',
    '40.121.0.0/16',
    '52.168.0.0/14',
    '104.40.0.0/13',
    '108.140.0.0/14',
    '128.24.0.0/16',
    '128.85.0.0/16',
    '128.203.0.0/16',
  ],
  digitalocean: [
    '46.101.0.0/16',
    '104.131.0.0/16',
    '104.236.0.0/16',
    '138.68.0.0/16',
    '138.197.0.0/16',
    '142.93.0.0/16',
    '157.230.0.0/16',
    '159.65.0.0/16',
    '159.89.0.0/16',
    '159.203.0.0/16',
    '161.35.0.0/16',
    '165.22.0.0/16',
    '165.227.0.0/16',
    '167.71.0.0/16',
    '167.99.0.0/16',
    '178.128.0.0/16',
    '188.166.0.0/16',
    '2604:a880::/32',
  ],
  hetzner: [
    '88.99.0.0/16',
    '88.198.0.0/16',
    '94.130.0.0/16',
    '95.216.0.0/16',
    '95.217.0.0/16',
    '116.202.0.0/16',
    '116.203.0.0/16',
    '128.140.0.0/17',
    '135.181.0.0/16',
    '136.243.0.0/16',
    '2a01:4f8::/32',
    '2a01:4f9::/32',
  ],
  ovh: [
    '137.74.0.0/16',
    '141.94.0.0/16',
    '144.217.0.0/16',
    '145.239.0.0/16',
    '147.135.0.0/16',
    '149.56.0.0/16',
    '149.202.0.0/16',
    '151.80.0.0/16',
    '158.69.0.0/16',
    '164.132.0.0/16',
    '176.31.0.0/16',
    '178.32.0.0/15',
    '2001:41d0::/32',
  ],
};

/** The built-in sample table (see the module comment for sources). */
export const BUILTIN_CLOUD_RANGES: readonly CloudRange[] = Object.entries(SAMPLE).flatMap(
  ([provider, cidrs]) => cidrs.map((cidr) => ({ cidr, provider })),
);

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
 * Builds a longest-prefix matcher from the built-in table plus `extra` ranges (configuration).
 * Lookup cost is one map probe per distinct prefix length. Throws {@link CidrError} on a bad CIDR.
 */
export function buildCloudMatcher(
  extra: readonly CloudRange[] = [],
  options: { includeBuiltin?: boolean } = {},
): CloudMatcher {
  const ranges = options.includeBuiltin === false ? [...extra] : [...BUILTIN_CLOUD_RANGES, ...extra];
  const v4 = new Map<number, Map<number, string>>();
  const v6 = new Map<number, Map<string, string>>();
  for (const { cidr, provider } of ranges) {
    const slash = cidr.indexOf('/');
    const ip = parseIp(slash < 0 ? cidr : cidr.slice(0, slash));
    const bits = slash < 0 ? undefined : Number(cidr.slice(slash + 1));
    if (!ip || cidr.includes('.') !== (ip.version === 4)) throw new CidrError(cidr);
    const max = ip.version === 4 ? 32 : 128;
    const len = bits ?? max;
    if (!Number.isInteger(len) || len < 0 || len > max) throw new CidrError(cidr);
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
