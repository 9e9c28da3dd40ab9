import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCloudMatcher } from '../ingestors/common/cloud-ranges.js';
import { formatIpv6, parseCidr } from '../ingestors/common/ip.js';
import {
  NETWORK_DATA_DIR,
  type ProviderRangesFile,
  providerRangesFileSchema,
} from '../ingestors/common/network-data.js';
import { CGNAT_CIDRS, PRIVATE_CIDRS } from '../ingestors/common/network-intel.js';

/**
 * Helpers shared by `scripts/refresh-network-data.ts` and `scripts/seed-network-data.ts`: range to
 * CIDR conversion, CIDR normalisation, and writing a validated `data/network/<provider>.json`.
 */

/** The smallest list of CIDRs covering exactly `start..end` (inclusive) in a `bits`-wide space. */
export function rangeToCidrs(start: bigint, end: bigint, bits: 32 | 128): string[] {
  const out: string[] = [];
  let cur = start;
  while (cur <= end) {
    // largest block aligned at cur that does not pass end
    let size = 0;
    while (size < bits) {
      const next = size + 1;
      const mask = (1n << BigInt(next)) - 1n;
      if ((cur & mask) !== 0n || cur + mask > end) break;
      size = next;
    }
    out.push(`${formatAddress(cur, bits)}/${bits - size}`);
    cur += 1n << BigInt(size);
  }
  return out;
}

/** Text form of an address held as an integer (IPv6 per RFC 5952, as `ip.ts` renders it). */
export function formatAddress(value: bigint, bits: 32 | 128): string {
  if (bits === 32) {
    const n = Number(value);
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  return formatIpv6(groups);
}

/**
 * A CIDR (or a bare address, as /32 or /128) normalised to its network address; undefined if
 * invalid. Parsing is `parseCidr` of `ingestors/common/ip.ts`, the one the runtime matcher uses.
 */
export function normaliseCidr(raw: string): string | undefined {
  const cidr = parseCidr(raw);
  if (!cidr) return undefined;
  const { ip, len } = cidr;
  const max = ip.version === 4 ? 32 : 128;
  let value = 0n;
  if (ip.version === 4) value = BigInt(ip.value);
  else for (const g of ip.groups) value = (value << 16n) | BigInt(g);
  const hostBits = BigInt(max - len);
  value = (value >> hostBits) << hostBits;
  return `${formatAddress(value, max)}/${len}`;
}

/** Sorted, de-duplicated, IPv4 first. */
export function sortPrefixes(prefixes: Iterable<string>): string[] {
  return [...new Set(prefixes)].sort((a, b) => {
    const v4a = a.includes('.');
    const v4b = b.includes('.');
    if (v4a !== v4b) return v4a ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/**
 * Special-purpose ranges (RFC 6890 registry: private, loopback, link-local, documentation,
 * benchmarking, multicast, reserved, and RFC 6598 shared CGNAT space): exactly the ranges
 * `network-intel.ts` classifies as `private` or `mobile` before any provider file. Some published
 * feeds carry them (Vultr's geofeed lists 203.0.113.0/24 and 2001:db8::/32 as examples); they
 * never belong to a provider.
 */
export const SPECIAL_PURPOSE: readonly string[] = [...PRIVATE_CIDRS, ...CGNAT_CIDRS];

const special = buildCloudMatcher(
  SPECIAL_PURPOSE.map((cidr) => ({ cidr, provider: 'special' })),
  { includeBuiltin: false },
);

/** Whether a normalised CIDR overlaps a special-purpose range (inside it or containing one). */
export function overlapsSpecialPurpose(cidr: string): boolean {
  const net = parseCidr(cidr);
  if (!net) return true;
  if (special.match(net.ip) !== undefined) return true;
  const self = buildCloudMatcher([{ cidr, provider: 'self' }], { includeBuiltin: false });
  return SPECIAL_PURPOSE.some((s) => {
    const range = parseCidr(s);
    return range !== undefined && self.match(range.ip) !== undefined;
  });
}

/** Validates and writes `data/network/<provider>.json` (one prefix per line, diff-friendly). */
export function writeProviderFile(file: ProviderRangesFile, dir: string = NETWORK_DATA_DIR): string {
  const dropped = file.prefixes.filter(overlapsSpecialPurpose);
  if (dropped.length > 0) console.warn(`${file.provider}: dropped special-purpose ${dropped.join(', ')}`);
  const valid = providerRangesFileSchema.parse({
    ...file,
    prefixes: file.prefixes.filter((p) => !overlapsSpecialPurpose(p)),
  });
  const head = JSON.stringify({ ...valid, prefixes: [] }, null, 2).replace(/\[\]\n}$/, '');
  const body = valid.prefixes.map((p) => `    ${JSON.stringify(p)}`).join(',\n');
  const text = `${head}[${valid.prefixes.length ? `\n${body}\n  ` : ''}]\n}\n`;
  JSON.parse(text); // guard the hand-built layout
  const path = join(dir, `${valid.provider}.json`);
  writeFileSync(path, text);
  return path;
}
