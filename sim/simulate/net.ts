/** IPv4 helpers: address/integer conversion, CIDR blocks and deterministic picks inside them. */

/** An IPv4 block as inclusive integer bounds. */
export interface Ipv4Block {
  cidr: string;
  first: number;
  last: number;
}

/** Dotted quad to unsigned 32-bit integer; throws on malformed input. */
export function ipToInt(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${ip}`);
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new Error(`not an IPv4 address: ${ip}`);
    n = n * 256 + v;
  }
  return n;
}

/** Unsigned 32-bit integer to dotted quad. */
export function intToIp(n: number): string {
  return `${Math.floor(n / 16777216) % 256}.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

/** Parses `a.b.c.d/len`. */
export function parseCidr(cidr: string): Ipv4Block {
  const [base, lenText] = cidr.split('/');
  const len = Number(lenText);
  if (base === undefined || !Number.isInteger(len) || len < 0 || len > 32)
    throw new Error(`bad CIDR ${cidr}`);
  const size = 2 ** (32 - len);
  const first = Math.floor(ipToInt(base) / size) * size;
  return { cidr, first, last: first + size - 1 };
}

/** True when `ip` lies inside the block. */
export function blockContains(block: Ipv4Block, ip: string): boolean {
  const n = ipToInt(ip);
  return n >= block.first && n <= block.last;
}

/**
 * The `index`-th usable host address of a block, spread over the block by a fixed stride so that
 * nearby indices land in different /24s of large blocks. Never returns `.0` or `.255`.
 */
export function hostInBlock(block: Ipv4Block, index: number): string {
  const size = block.last - block.first + 1;
  const stride = size > 4096 ? 4099 : size > 256 ? 257 : 37;
  let n = block.first + ((index * stride + 11) % size);
  const low = n % 256;
  if (low === 0) n += 1;
  else if (low === 255) n -= 1;
  return intToIp(n);
}
