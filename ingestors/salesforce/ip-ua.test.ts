import { describe, expect, it } from 'vitest';
import { normalizeIp } from './ip.js';
import { cleanUserAgent, isBrowserUserAgent } from './user-agent.js';

describe('normalizeIp', () => {
  it.each([
    ['175.16.199.0', '175.16.199.0'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:85a3:0000:0000:8a2e:0370:7334', '2001:db8:85a3::8a2e:370:7334'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['[2001:db8::2]', '2001:db8::2'],
    ['fe80::1%eth0', 'fe80::1'],
  ])('%s -> %s', (raw, ip) => {
    expect(normalizeIp(raw)).toBe(ip);
  });

  it.each(['Salesforce.com IP', 'N/A', '', '010.1.1.1', '1.2.3.4.5', '2001:db8:::1'])(
    '%j is not an IP',
    (raw) => {
      expect(normalizeIp(raw)).toBeUndefined();
    },
  );
});

describe('cleanUserAgent', () => {
  it('URL-decodes BROWSER_TYPE values', () => {
    expect(
      cleanUserAgent('Mozilla/5.0 (Macintosh; Intel Mac OS X 10.12; rv%3A50.0) Gecko/20100101 Firefox/50.0'),
    ).toBe('Mozilla/5.0 (Macintosh; Intel Mac OS X 10.12; rv:50.0) Gecko/20100101 Firefox/50.0');
  });

  it('keeps a value with a bad escape as it is', () => {
    expect(cleanUserAgent('agent/1.0 100%ok%zz')).toBe('agent/1.0 100%ok%zz');
  });

  it.each(['13047000', '13050000', '9998.0', 'Unknown', 'N/A', ''])(
    'drops %j (client code or placeholder)',
    (raw) => {
      expect(cleanUserAgent(raw)).toBeUndefined();
    },
  );

  it('tells browsers from other clients', () => {
    expect(isBrowserUserAgent('Mozilla/5.0 (X11; Linux x86_64)')).toBe(true);
    expect(isBrowserUserAgent('python-requests/2.31.0')).toBe(false);
    expect(isBrowserUserAgent(undefined)).toBe(false);
  });
});
