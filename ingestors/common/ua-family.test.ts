import { describe, expect, it } from 'vitest';
import { isToolUa, uaFamily } from './ua-family.js';

describe('uaFamily: non-browser clients', () => {
  it.each([
    ['git/2.43.0', 'git', '2.43.0'],
    ['git/2.39.3.windows.1', 'git', '2.39.3.windows.1'],
    ['python-requests/2.32.4', 'python-requests', '2.32.4'],
    ['Python/3.11 aiohttp/3.12.15', 'aiohttp', '3.12.15'],
    ['curl/8.4', 'curl', '8.4'],
    ['curl/7.79.1', 'curl', '7.79.1'],
    ['GitHub CLI 2.40.1', 'gh', '2.40.1'],
    ['gh/2.40.0', 'gh', '2.40.0'],
    ['node-fetch/1.0 (+https://github.com/bitinn/node-fetch)', 'node-fetch', '1.0'],
    ['node-fetch', 'node-fetch', undefined],
    ['axios/1.6.2', 'axios', '1.6.2'],
    ['Go-http-client/2.0', 'Go-http-client', '2.0'],
    ['Salesforce-CLI/1.0', 'Salesforce-CLI', '1.0'],
    ['google-api-python-client/2.0.2 gdcl/2.0.2 gl-python/3.11.4', 'google-api-python-client', '2.0.2'],
    ['Apache-HttpClient/4.5.13 (Java/11.0.19)', 'Apache-HttpClient', '4.5.13'],
    ['okhttp/4.12.0', 'okhttp', '4.12.0'],
    ['DBeaver 23.2.5 - Main', 'DBeaver', '23.2.5'],
    ['Dataloader/59.0.0', 'Dataloader', '59.0.0'],
    ['Terraform/1.6.6 (+https://www.terraform.io) Terraform-Plugin-SDK/2.10.1', 'Terraform', '1.6.6'],
    ['octokit-rest.js/20.0.2 octokit-core.js/5.0.1 Node.js/18.19.0 (linux; x64)', 'octokit', '20.0.2'],
    ['PostmanRuntime/7.36.0', 'PostmanRuntime', '7.36.0'],
    ['Boto3/1.28.0 md/Botocore#1.31.0 Python/3.11', 'Boto3', '1.28.0'],
    [
      'Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.3570',
      'PowerShell',
      '5.1.19041.3570',
    ],
    ['Java/17.0.2', 'Java', '17.0.2'],
    ['launch/production', 'launch', undefined],
    ['MyInternalSync/3.1 (build 42)', 'MyInternalSync', '3.1'],
    ['AWS CodePipeline', 'AWS CodePipeline', undefined],
  ])('%s -> %s %s', (ua, name, version) => {
    const f = uaFamily(ua);
    expect(f.kind).toBe('tool');
    expect(f.name).toBe(name);
    expect(f.version).toBe(version);
  });

  it('notes Windows for Git for Windows', () => {
    expect(uaFamily('git/2.39.3.windows.1').os).toBe('Windows');
    expect(uaFamily('git/2.43.0').os).toBeUndefined();
  });
});

describe('uaFamily: browsers', () => {
  it('reads Chrome on Windows', () => {
    expect(
      uaFamily(
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
      ),
    ).toEqual({ name: 'Chrome', version: '120.0.0.0', os: 'Windows', osVersion: '10', kind: 'browser' });
  });

  it('reads Safari on macOS', () => {
    expect(
      uaFamily(
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
      ),
    ).toEqual({
      name: 'Safari',
      version: '17.1',
      os: 'Mac OS',
      osVersion: '10.15.7',
      device: 'Macintosh',
      kind: 'browser',
    });
  });

  it('drops a vendor-redacted version but keeps the family', () => {
    const f = uaFamily(
      'Mozilla/5.0 (Windows NT 10.0 Win64 x64) AppleWebKit/537.36 (KHTML like Gecko) Chrome/IP_ADDRESS_REMOVED Safari/537.36',
    );
    expect(f.name).toBe('Chrome');
    expect(f.version).toBeUndefined();
    expect(f.kind).toBe('browser');
  });
});

describe('uaFamily: unknowns', () => {
  it.each(['', '13047000', 'Mozilla/5.0 (compatible)'])('%j has no family', (ua) => {
    const f = uaFamily(ua);
    expect(f.kind).toBe('unknown');
    expect(f.name).toBeUndefined();
  });

  it('isToolUa separates scripts from browsers', () => {
    expect(isToolUa('python-requests/2.31.0')).toBe(true);
    expect(isToolUa('Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0')).toBe(false);
    expect(isToolUa(undefined)).toBe(false);
  });
});
