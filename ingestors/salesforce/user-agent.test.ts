import { describe, expect, it } from 'vitest';
import { cleanUserAgent, isBrowserUserAgent } from './user-agent.js';

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
