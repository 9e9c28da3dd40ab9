import { isIP } from 'node:net';

/**
 * IP address cleanup for Salesforce IP columns. `CLIENT_IP` can hold the literal
 * `Salesforce.com IP` for Salesforce-internal hops (Object Reference, RestApi/LoginAs event types)
 * and vendor samples carry malformed IPv6, so every value is validated.
 */

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * Returns the canonical text of an IP address, or undefined when `value` is not an IP
 * (`Salesforce.com IP`, `N/A`, empty, malformed). IPv6 is lower-cased and compressed
 * (`2001:DB8:0::1` -> `2001:db8::1`); IPv4-mapped IPv6 becomes plain IPv4; a zone index is dropped.
 */
export function normalizeIp(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  let v = value.trim();
  if (v.startsWith('[') && v.endsWith(']')) v = v.slice(1, -1);
  const zone = v.indexOf('%');
  if (zone > 0) v = v.slice(0, zone);
  const mapped = MAPPED_V4.exec(v);
  if (mapped?.[1] !== undefined && isIP(mapped[1]) === 4) return mapped[1];
  const kind = isIP(v);
  if (kind === 4) return v;
  if (kind === 6) {
    // WHATWG URL serializes IPv6 hosts in RFC 5952 form (lower case, longest zero run compressed).
    return new URL(`http://[${v}]/`).hostname.slice(1, -1);
  }
  return undefined;
}
