import { describe, expect, it } from 'vitest';
import { CGNAT_CIDRS, PRIVATE_CIDRS } from '../ingestors/common/network-intel.js';
import { normaliseCidr, overlapsSpecialPurpose, rangeToCidrs, SPECIAL_PURPOSE } from './network-data-lib.js';

describe('network-data-lib (scripts writing data/network)', () => {
  it('normalises CIDRs with the runtime parser (ip.ts parseCidr): network address, RFC 5952 text', () => {
    expect(normaliseCidr('45.32.2.9/24')).toBe('45.32.2.0/24');
    expect(normaliseCidr('2A01:04F8:0:0:0:0:0:1/32')).toBe('2a01:4f8::/32');
    expect(normaliseCidr('45.32.2.9')).toBe('45.32.2.9/32');
    expect(normaliseCidr('45.32.2.9/33')).toBeUndefined();
    expect(normaliseCidr('45.32.2.9:443')).toBeUndefined();
  });

  it('drops exactly the ranges the classifier calls private or CGNAT', () => {
    expect(SPECIAL_PURPOSE).toEqual([...PRIVATE_CIDRS, ...CGNAT_CIDRS]);
    expect(overlapsSpecialPurpose('203.0.113.0/24')).toBe(true);
    expect(overlapsSpecialPurpose('100.64.10.0/24')).toBe(true);
    expect(overlapsSpecialPurpose('2001:db8:1::/48')).toBe(true);
    // a supernet that contains a special range
    expect(overlapsSpecialPurpose('192.0.0.0/8')).toBe(true);
    expect(overlapsSpecialPurpose('45.32.2.0/24')).toBe(false);
  });

  it('turns an inclusive integer range into the fewest CIDRs', () => {
    expect(rangeToCidrs(0x2d200200n, 0x2d2002ffn, 32)).toEqual(['45.32.2.0/24']);
    expect(rangeToCidrs(0x2d200201n, 0x2d200203n, 32)).toEqual(['45.32.2.1/32', '45.32.2.2/31']);
  });
});
