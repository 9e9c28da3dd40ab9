import { describe, expect, it } from 'vitest';
import { knowsProviderBlock, noveltyReliable, providerBlock } from './lookup.js';
import { plainView } from './testing.js';

describe('lookup helpers', () => {
  it('reduces prefixes to their provider block (/16 for IPv4, /32 for IPv6)', () => {
    expect(providerBlock('203.0.113.0/24')).toBe('203.0');
    expect(providerBlock('2001:db8:1:2::/64')).toBe('2001:db8');
    expect(providerBlock('2001:0db8::/64')).toBe('2001:db8');
    expect(providerBlock('2001::/64')).toBe('2001:0');
    expect(providerBlock('not-an-ip')).toBeUndefined();
  });

  it('finds a known prefix in the same provider block', () => {
    const view = plainView({ seen: { ip_prefix: ['73.15.12.0/24'] } });
    expect(knowsProviderBlock([view], '73.15.102.0/24')).toBe(true);
    expect(knowsProviderBlock([view], '73.16.102.0/24')).toBe(false);
  });

  it('trusts novelty only while the capped set never evicted', () => {
    const small = plainView({ seen: { action: ['a', 'b'] } });
    expect(noveltyReliable(small, 'action')).toBe(true);
    const full = plainView({ seen: { action: Array.from({ length: 32 }, (_, i) => `a${i}`) } });
    expect(noveltyReliable(full, 'action')).toBe(false);
    const counted = Object.assign(plainView({ seen: { action: ['a'] } }), { evicted: () => 3 });
    expect(noveltyReliable(counted, 'action')).toBe(false);
  });
});
