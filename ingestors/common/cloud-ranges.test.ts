import { describe, expect, it } from 'vitest';
import { buildCloudMatcher, builtinCloudRanges, CidrError } from './cloud-ranges.js';
import { parseIp } from './ip.js';

const builtin = buildCloudMatcher();
const lookup = (ip: string, m = builtin) => m.match(parseIp(ip)!);

describe('buildCloudMatcher (bundled data/network cloud files)', () => {
  it.each([
    ['54.161.10.20', 'aws'],
    ['52.20.1.1', 'aws'],
    ['2600:1f18:1234::1', 'aws'],
    ['34.120.5.5', 'gcp'],
    ['35.198.1.1', 'gcp'],
    ['2600:1900:4000::9', 'gcp'],
    ['104.45.1.1', 'azure'],
    ['::ffff:54.161.10.20', 'aws'],
  ])('%s is %s', (ip, provider) => {
    expect(lookup(ip)).toBe(provider);
  });

  // rented VPS / dedicated-server providers (DigitalOcean, Hetzner, OVHcloud) are class hosting,
  // not part of the cloud table (network-intel.ts classifies them)
  it.each([
    '203.0.113.9',
    '81.2.69.142',
    '192.168.1.1',
    '2001:db8::1',
    '35.96.4.1',
    '167.99.200.3',
    '2604:a880:400:d1::1',
    '95.216.44.1',
    '2a01:4f8:c17:1::1',
    '145.239.12.1',
  ])('%s is not cloud egress', (ip) => {
    expect(lookup(ip)).toBeUndefined();
  });

  it('has ranges for each documented provider', () => {
    const providers = new Set(builtinCloudRanges().map((r) => r.provider));
    for (const p of ['aws', 'gcp', 'azure', 'oracle', 'ibm', 'alibaba', 'github', 'cloudflare'])
      expect(providers).toContain(p);
    // VPN, Tor and hosting (rented VPS) lists are not cloud egress
    for (const p of [
      'tor',
      'zscaler',
      'mullvad',
      'scaleway',
      'digitalocean',
      'linode',
      'vultr',
      'hetzner',
      'ovh',
    ])
      expect(providers).not.toContain(p);
  });
});

describe('buildCloudMatcher (configured ranges)', () => {
  it('adds extra CIDRs and prefers the most specific range', () => {
    const m = buildCloudMatcher([
      { cidr: '198.51.100.0/24', provider: 'corp-vpn' },
      { cidr: '54.161.10.0/24', provider: 'aws-nat-of-partner' },
      { cidr: '2001:db8:42::/48', provider: 'lab' },
      { cidr: '192.0.2.7', provider: 'single' },
    ]);
    expect(lookup('198.51.100.200', m)).toBe('corp-vpn');
    expect(lookup('54.161.10.20', m)).toBe('aws-nat-of-partner');
    expect(lookup('54.161.11.20', m)).toBe('aws');
    expect(lookup('2001:db8:42:ffff::1', m)).toBe('lab');
    expect(lookup('2001:db8:43::1', m)).toBeUndefined();
    expect(lookup('192.0.2.7', m)).toBe('single');
    expect(lookup('192.0.2.8', m)).toBeUndefined();
  });

  it('can drop the built-in table', () => {
    const m = buildCloudMatcher([{ cidr: '10.0.0.0/8', provider: 'x' }], { includeBuiltin: false });
    expect(m.size).toBe(1);
    expect(lookup('54.161.10.20', m)).toBeUndefined();
    expect(lookup('10.200.0.1', m)).toBe('x');
  });

  it('handles /0 and non-octet-aligned IPv6 lengths', () => {
    const m = buildCloudMatcher(
      [
        { cidr: '0.0.0.0/0', provider: 'any4' },
        { cidr: '2001:db8:8000::/33', provider: 'upper-half' },
      ],
      { includeBuiltin: false },
    );
    expect(lookup('8.8.8.8', m)).toBe('any4');
    expect(lookup('2001:db8:8001::1', m)).toBe('upper-half');
    expect(lookup('2001:db8:7fff::1', m)).toBeUndefined();
  });

  it.each(['10.0.0.0/33', 'nonsense/8', '10.0.0.0/x', '2001:db8::/129'])('rejects %s', (cidr) => {
    expect(() => buildCloudMatcher([{ cidr, provider: 'x' }])).toThrow(CidrError);
  });
});
