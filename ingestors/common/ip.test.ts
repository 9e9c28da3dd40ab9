import { describe, expect, it } from 'vitest';
import { canonicalIp, ipPrefix, parseCidr, parseIp } from './ip.js';

describe('parseIp / canonicalIp', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    [' 203.0.113.9 ', '203.0.113.9'],
    ['203.0.113.9:443', '203.0.113.9'],
    ['2001:DB8::', '2001:db8::'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::ffff:198.51.100.7', '198.51.100.7'],
    ['::FFFF:c633:6407', '198.51.100.7'],
    ['::1', '::1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
  ])('%s -> %s', (input, expected) => {
    expect(canonicalIp(input)).toBe(expected);
  });

  it.each([
    ['Salesforce placeholder', 'Salesforce.com IP'],
    ['malformed IPv6 from vendor sample', '2601:1c0:8yt2:4a00::1'],
    ['octet out of range', '203.0.113.540'],
    ['empty', ''],
    ['too many groups', '1:2:3:4:5:6:7:8:9'],
    ['two double colons', '2001::db8::1'],
    ['undefined', undefined],
    ['Salesforce N/A', 'N/A'],
    ['IPv4 with a leading zero (octal-looking)', '010.1.1.1'],
    ['five IPv4 octets', '1.2.3.4.5'],
    ['triple colon', '2001:db8:::1'],
  ])('rejects %s', (_name, input) => {
    expect(parseIp(input)).toBeUndefined();
  });

  it('gives the unsigned 32-bit value of an IPv4', () => {
    expect(parseIp('255.255.255.254')).toEqual({ version: 4, text: '255.255.255.254', value: 4294967294 });
  });
});

describe('ipPrefix', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0/24'],
    ['10.1.2.255', '10.1.2.0/24'],
    ['::ffff:203.0.113.77', '203.0.113.0/24'],
    ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff', '2001:db8:aaaa:bbbb::/64'],
    ['2001:db8::1', '2001:db8::/64'],
    ['2a01:4f8:0:0:1::1', '2a01:4f8::/64'],
  ])('%s -> %s', (input, expected) => {
    const ip = parseIp(input);
    expect(ip).toBeDefined();
    expect(ipPrefix(ip!)).toBe(expected);
  });
});

describe('expandIpv6 edge cases', () => {
  it.each([
    ['::', '::'],
    ['1::', '1::'],
    ['::2:3', '::2:3'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
  ])('%s -> %s', (input, expected) => {
    expect(canonicalIp(input)).toBe(expected);
  });

  it('reads the deprecated IPv4-compatible form ::a.b.c.d as the IPv4 address (ipaddr.js parses it as IPv4-mapped)', () => {
    // RFC 4291 2.5.5.1 deprecates ::a.b.c.d; where a log carries it, it names an IPv4 client.
    expect(canonicalIp('::1.2.3.4')).toBe('1.2.3.4');
  });

  it.each([
    ':',
    ':1',
    '1:',
    '1:::2',
    '12345::',
    '1:2:3:4:5:6:7:8::',
    'g::1',
    '::1.2.3',
    '1::2::3',
    '::ffff:1.2.3.256',
  ])('rejects %s', (input) => {
    expect(parseIp(input)).toBeUndefined();
  });
});

describe('parseCidr', () => {
  it('parses IPv4 and IPv6 CIDRs and bare addresses (full length), keeping host bits', () => {
    expect(parseCidr('203.0.113.7/24')).toMatchObject({ ip: { version: 4, text: '203.0.113.7' }, len: 24 });
    expect(parseCidr(' 2001:DB8::/32 ')).toMatchObject({ ip: { version: 6, text: '2001:db8::' }, len: 32 });
    expect(parseCidr('198.51.100.9')?.len).toBe(32);
    expect(parseCidr('2001:db8::1')?.len).toBe(128);
    expect(parseCidr('0.0.0.0/0')?.len).toBe(0);
  });

  it('rejects bad lengths, ports and IPv4-mapped IPv6 text', () => {
    for (const bad of [
      '203.0.113.0/33',
      '203.0.113.0/',
      '203.0.113.0/-1',
      '203.0.113.0/2.5',
      '2001:db8::/129',
      '203.0.113.9:443',
      '::ffff:203.0.113.9/120',
      'Salesforce.com IP',
      '',
    ])
      expect(parseCidr(bad), bad).toBeUndefined();
  });
});
