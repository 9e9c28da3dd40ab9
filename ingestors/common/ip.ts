import { isIPv4 } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * IP address parsing for source IPs in vendor logs: validation, canonical text form, the /24 or /64
 * prefix baselines group by, and the numeric form CIDR matching needs. IPv6 parsing and RFC 5952
 * formatting are ipaddr.js's; what stays here is what vendor logs need on top (a `:port` suffix,
 * brackets, zones, IPv4-mapped IPv6 read as IPv4) and an allocation-free dotted-quad fast path
 * for the common case (most source addresses are IPv4; it runs once per event).
 *
 * Vendor IP fields are not always IPs (Salesforce `Salesforce.com IP`, malformed IPv6 in vendor
 * samples: formats.md 2d.5, 3d.2, 3d.9); {@link parseIp} returns `undefined` for those instead of
 * throwing.
 */

/** A parsed IPv4 address: `value` is the unsigned 32-bit integer. */
export interface Ipv4 {
  version: 4;
  text: string;
  value: number;
}

/** A parsed IPv6 address: eight 16-bit groups, most significant first. */
export interface Ipv6 {
  version: 6;
  text: string;
  groups: number[];
}

export type ParsedIp = Ipv4 | Ipv6;

/**
 * Parses and canonicalises an IP: IPv4 dotted quad (optional `:port`), IPv6 in any valid form
 * (brackets and `%zone` stripped) rendered per RFC 5952 (lower case, longest zero run compressed),
 * IPv4-mapped IPv6 (`::ffff:203.0.113.9`) returned as the IPv4 address. Undefined when invalid.
 */
export function parseIp(raw: string | undefined | null): ParsedIp | undefined {
  if (typeof raw !== 'string') return undefined;
  const fast = fastIpv4(raw);
  if (fast !== undefined) return fast;
  let s = raw.trim();
  if (s === '') return undefined;
  if (isIPv4(s)) return ipv4(s);
  const port = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(s);
  if (port?.[1] && isIPv4(port[1])) return ipv4(port[1]);
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone > 0) s = s.slice(0, zone);
  const groups = expandIpv6(s);
  if (groups === undefined) return undefined;
  // IPv4-mapped (::ffff:a.b.c.d): treat as the IPv4 address.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const hi = groups[6] ?? 0;
    const lo = groups[7] ?? 0;
    return ipv4(`${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`);
  }
  return { version: 6, text: formatIpv6(groups), groups };
}

/** Canonical IP text, or undefined when the input is not an IP. */
export function canonicalIp(raw: string | undefined | null): string | undefined {
  return parseIp(raw)?.text;
}

/** A parsed CIDR: its address (host bits as written) and prefix length. */
export interface ParsedCidr {
  ip: ParsedIp;
  /** Prefix length, 0..32 (IPv4) or 0..128 (IPv6). */
  len: number;
}

/**
 * Parses a CIDR (`203.0.113.0/24`, `2001:db8::/32`) or a bare address (as /32 or /128); host bits
 * are kept as written (matchers mask them). Undefined when the address or the length is invalid,
 * or when IPv6 text denotes an IPv4-mapped address (`::ffff:a.b.c.d/120`: the family would change
 * under the prefix length). Shared by the CIDR matcher and the network-data scripts.
 */
export function parseCidr(raw: string): ParsedCidr | undefined {
  const s = raw.trim();
  const slash = s.indexOf('/');
  const text = slash < 0 ? s : s.slice(0, slash);
  const ip = parseIp(text);
  if (!ip || text.includes(':') === (ip.version === 4)) return undefined;
  const max = ip.version === 4 ? 32 : 128;
  const lenText = slash < 0 ? undefined : s.slice(slash + 1);
  if (lenText !== undefined && !/^\d{1,3}$/.test(lenText)) return undefined;
  const len = lenText === undefined ? max : Number(lenText);
  if (len > max) return undefined;
  return { ip, len };
}

/** The /24 (IPv4, `203.0.113.0/24`) or /64 (IPv6, `2001:db8:1:2::/64`) network of an address. */
export function ipPrefix(ip: ParsedIp): string {
  if (ip.version === 4) {
    const net = ip.value & 0xffffff00;
    return `${net >>> 24}.${(net >>> 16) & 0xff}.${(net >>> 8) & 0xff}.0/24`;
  }
  const groups = [...ip.groups.slice(0, 4), 0, 0, 0, 0];
  return `${formatIpv6(groups)}/64`;
}

/** Hot-path parser for a plain dotted quad; undefined for anything else (the slow path decides). */
function fastIpv4(s: string): Ipv4 | undefined {
  const n = s.length;
  if (n < 7 || n > 15) return undefined;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return undefined; // leading zero
      octet = octet * 10 + (c - 48);
      if (octet > 255) return undefined;
      digits++;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return { version: 4, text: s, value: value * 256 + octet };
}

function ipv4(text: string): Ipv4 {
  const [a = 0, b = 0, c = 0, d = 0] = text.split('.').map(Number);
  return { version: 4, text: `${a}.${b}.${c}.${d}`, value: ((a << 24) | (b << 16) | (c << 8) | d) >>> 0 };
}

/**
 * Expands IPv6 text (with at most one `::` and an optional trailing dotted quad, no zone) into 8
 * 16-bit groups; undefined when the text is not a valid IPv6 address. Parsing is ipaddr.js's
 * (`IPv6.isValid` / `IPv6.parse`, the parser fastify's proxy-addr uses).
 */
export function expandIpv6(s: string): number[] | undefined {
  if (s.includes('%') || !ipaddr.IPv6.isValid(s)) return undefined;
  return ipaddr.IPv6.parse(s).parts.slice();
}

/** RFC 5952 text of 8 groups: lower-case hex, longest run (>= 2) of zero groups as `::` (ipaddr.js `toRFC5952String`). */
export function formatIpv6(groups: number[]): string {
  return new ipaddr.IPv6(groups).toRFC5952String();
}
