/**
 * User agents: people's browsers and git/gh clients (with staggered version upgrades, the N6
 * look-alike), integration client libraries, and the tooling attackers use.
 */

export type DeviceOs = 'mac' | 'windows' | 'linux';
export type Browser = 'chrome' | 'firefox' | 'edge' | 'safari';

/** One of a person's computers. */
export interface Device {
  os: DeviceOs;
  browser: Browser;
  /** Browser major version on day 0. */
  browserMajor: number;
  /** Day offset of the browser's 4-weekly auto-update cycle. */
  browserCycle: number;
  /** Day index on which git 2.43 becomes 2.44 (null: never within the span). */
  gitUpgradeDay: number | null;
  /** Day index on which gh 2.44.1 becomes 2.45.0. */
  ghUpgradeDay: number | null;
}

const OS_TOKEN: Record<DeviceOs, string> = {
  mac: 'Macintosh; Intel Mac OS X 10_15_7',
  windows: 'Windows NT 10.0; Win64; x64',
  linux: 'X11; Linux x86_64',
};

/** Browser major version on a day (auto-updates every 4 weeks). */
export function browserMajorOn(device: Device, day: number): number {
  return device.browserMajor + Math.floor((day + device.browserCycle) / 28);
}

/** The device's browser user agent on a day. */
export function browserUa(device: Device, day: number): string {
  const v = browserMajorOn(device, day);
  const os = OS_TOKEN[device.os];
  switch (device.browser) {
    case 'firefox':
      return `Mozilla/5.0 (${os}; rv:${v - 5}.0) Gecko/20100101 Firefox/${v - 5}.0`;
    case 'safari':
      return `Mozilla/5.0 (${os}) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.${(v % 6) + 1} Safari/605.1.15`;
    case 'edge':
      return `Mozilla/5.0 (${os}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36 Edg/${v}.0.0.0`;
    default:
      return `Mozilla/5.0 (${os}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`;
  }
}

/** The device's git user agent on a day (`git/2.43.0`, `git/2.44.0.windows.1`). */
export function gitUa(device: Device, day: number): string {
  const upgraded = device.gitUpgradeDay !== null && day >= device.gitUpgradeDay;
  const v = upgraded ? '2.44.0' : '2.43.0';
  return device.os === 'windows' ? `git/${v}.windows.1` : `git/${v}`;
}

/** The device's GitHub CLI user agent on a day. */
export function ghUa(device: Device, day: number): string {
  const upgraded = device.ghUpgradeDay !== null && day >= device.ghUpgradeDay;
  return `GitHub CLI ${upgraded ? '2.45.0' : '2.44.1'}`;
}

/** Salesforce mobile / Lightning UA for phones. */
export const PHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';

/** Client libraries of machine accounts. */
export const MACHINE_UA = {
  ciGit: 'git/2.39.3',
  ciApi: 'Jenkins-GitHub-Branch-Source/1785.v99802b_69816c',
  deployCurl: 'curl/7.88.1',
  etlSoap: 'Informatica-CloudDataIntegration/2024.1 (Axis2)',
} as const;

/** Attacker tooling. */
export const ATTACK_UA = {
  pythonRequests: 'python-requests/2.32.4',
  aiohttp: 'Python/3.11 aiohttp/3.12.15',
  multiOrgFetcher: 'Salesforce-Multi-Org-Fetcher/1.0',
  sfCliFake: 'Salesforce-CLI/1.0',
  dbeaver: 'DBeaver 24.1.2 - SalesforceJDBC/1.3',
  curl: 'curl/8.5.0',
  goHttp: 'Go-http-client/1.1',
  gitUbuntu: 'git/2.34.1',
  nodeFetch: 'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)',
  axios: 'axios/1.7.7',
  npm: 'npm/10.8.2 node/v20.17.0 linux x64 workspaces/false',
  ghOctokit: 'octokit-core.js/5.2.0 Node.js/20',
  firefoxLinux: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  chromeWindowsOld:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36',
  googleApiPython: 'google-api-python-client/2.137.0 (gzip)',
} as const;
