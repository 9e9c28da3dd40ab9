import { LRUCache } from 'lru-cache';
import UAParser from 'ua-parser-js';

/**
 * User-agent family: the product name without its version, so baselines see `git/2.43.0` and
 * `git/2.44.0` as the same client (`baselines/types.ts` dimension `ua_family`).
 *
 * Browsers are recognised by ua-parser-js 1.x; API clients, CLIs and SDKs (which dominate token
 * traffic) by the rule table below, most specific product first (`Python/3.11 aiohttp/3.12.15` is
 * `aiohttp`, `Salesforce-CLI/2.1 node-fetch/2` is `Salesforce-CLI`). Anything else that looks like
 * `Product/1.2` yields `Product`; a bare label (`AWS CodePipeline`, formats.md 1e.7) is its own
 * family. Results are cached (ua-parser costs ~25 µs per call, the table lookup far less).
 */

/** `browser`: a web browser; `tool`: a CLI, SDK, HTTP library or automation label; `unknown`. */
export type UaKind = 'browser' | 'tool' | 'unknown';

/** The family of one user agent. */
export interface UaFamily {
  /** Family without version: `Chrome`, `git`, `python-requests`, `gh`. */
  name?: string;
  /** Version as logged (`2.43.0`), only when it starts with a digit. */
  version?: string;
  /** Operating system family when the UA says (`Windows`, `Mac OS`, `Linux`). */
  os?: string;
  /** Operating system version when a browser UA says (`10.15.7`). */
  osVersion?: string;
  /** Device model of a browser UA (`Macintosh`, `iPhone`), when ua-parser-js names one. */
  device?: string;
  kind: UaKind;
}

interface Rule {
  re: RegExp;
  name: string;
}

const V = String.raw`[/ ]v?(\d[\w.+-]*)`;

/** Non-browser clients, most specific first. Group 1, when present, is the version. */
const TOOL_RULES: readonly Rule[] = [
  { re: /^GitHub CLI\s+v?(\d[\w.+-]*)/i, name: 'gh' },
  { re: /^gh\/(\d[\w.+-]*)/, name: 'gh' },
  { re: /^git\/(\d[\w.+-]*)/i, name: 'git' },
  { re: /^JGit\/(\d[\w.+-]*)/, name: 'JGit' },
  { re: new RegExp(`Terraform${V}`, 'i'), name: 'Terraform' },
  { re: new RegExp(`Salesforce-?CLI${V}`, 'i'), name: 'Salesforce-CLI' },
  { re: /\bsfdx(?:[/ ](\d[\w.+-]*))?/i, name: 'Salesforce-CLI' },
  { re: /data\s?loader(?:[\w-]*)[/ ]?v?(\d[\w.+-]*)?/i, name: 'Dataloader' },
  { re: /DBeaver(?:[/ ]v?(\d[\w.+-]*))?/i, name: 'DBeaver' },
  { re: /PyGithub(?:\/(\d[\w.+-]*))?/, name: 'PyGithub' },
  { re: /octokit[\w.-]*\/(\d[\w.+-]*)/i, name: 'octokit' },
  { re: /google-api-python-client\/(\d[\w.+-]*)/, name: 'google-api-python-client' },
  { re: /google-api-nodejs-client\/(\d[\w.+-]*)/, name: 'google-api-nodejs-client' },
  { re: /google-api-go-client\/(\d[\w.+-]*)/, name: 'google-api-go-client' },
  { re: /google-api-java-client\/(\d[\w.+-]*)/, name: 'google-api-java-client' },
  { re: /gcloud-python\/(\d[\w.+-]*)/, name: 'gcloud-python' },
  { re: /^aws-cli\/(\d[\w.+-]*)/, name: 'aws-cli' },
  { re: /Boto3\/(\d[\w.+-]*)/, name: 'Boto3' },
  { re: /(?:Windows)?PowerShell\/(\d[\w.+-]*)/, name: 'PowerShell' },
  { re: /PostmanRuntime\/(\d[\w.+-]*)/, name: 'PostmanRuntime' },
  { re: /insomnia\/(\d[\w.+-]*)/i, name: 'insomnia' },
  { re: /\baiohttp\/(\d[\w.+-]*)/i, name: 'aiohttp' },
  { re: /python-httpx\/(\d[\w.+-]*)/i, name: 'python-httpx' },
  { re: /python-requests\/(\d[\w.+-]*)/i, name: 'python-requests' },
  { re: /Python-urllib\/(\d[\w.+-]*)/, name: 'Python-urllib' },
  { re: /^urllib3\/(\d[\w.+-]*)/, name: 'urllib3' },
  { re: /node-fetch(?:\/v?(\d[\w.+-]*))?/i, name: 'node-fetch' },
  { re: /\baxios\/(\d[\w.+-]*)/i, name: 'axios' },
  { re: /^undici(?:\/(\d[\w.+-]*))?/, name: 'undici' },
  { re: /^node$/, name: 'node' },
  { re: /Go-http-client\/(\d[\w.+-]*)/, name: 'Go-http-client' },
  { re: /\bokhttp\/(\d[\w.+-]*)/i, name: 'okhttp' },
  { re: /Apache-HttpClient\/(\d[\w.+-]*)/, name: 'Apache-HttpClient' },
  { re: /Faraday v(\d[\w.+-]*)/, name: 'Faraday' },
  { re: /^Ruby$/, name: 'Ruby' },
  { re: /^curl\/(\d[\w.+-]*)/i, name: 'curl' },
  { re: /^Wget\/(\d[\w.+-]*)/i, name: 'Wget' },
  { re: /^Java\/(\d[\w.+-]*)/, name: 'Java' },
  { re: /^GitHub-Hookshot\/(\w+)/, name: 'GitHub-Hookshot' },
];

const GENERIC_RE = /^([A-Za-z][\w.+-]*(?: [A-Za-z][\w.+-]*)*)\/(\S+)/;
const BROWSERISH_RE = /^(?:Mozilla|Opera)\//;
/** Families by user-agent string, least recently used dropped first. */
const cache = new LRUCache<string, UaFamily>({ max: 10_000 });

/** Classifies a user agent (see the module comment). Pure apart from its bounded cache. */
export function uaFamily(ua: string): UaFamily {
  const cached = cache.get(ua);
  if (cached) return cached;
  const result = classify(ua.trim());
  cache.set(ua, result);
  return result;
}

/** True for non-browser clients (scripts, CLIs, SDKs, automation labels). */
export function isToolUa(ua: string | undefined): boolean {
  return ua !== undefined && ua !== '' && uaFamily(ua).kind === 'tool';
}

function classify(ua: string): UaFamily {
  if (ua === '' || /^\d+$/.test(ua)) return { kind: 'unknown' };
  for (const rule of TOOL_RULES) {
    const m = rule.re.exec(ua);
    if (!m) continue;
    const out: UaFamily = { name: rule.name, kind: 'tool' };
    const version = cleanVersion(m[1]);
    if (version) out.version = version;
    if (rule.name === 'git' && /windows/i.test(ua)) out.os = 'Windows';
    return out;
  }
  if (BROWSERISH_RE.test(ua)) return browser(ua);
  const g = GENERIC_RE.exec(ua);
  if (g?.[1]) {
    const out: UaFamily = { name: g[1], kind: 'tool' };
    const version = cleanVersion(g[2]);
    if (version) out.version = version;
    return out;
  }
  if (/^[\w .:()-]{1,64}$/.test(ua)) return { name: ua, kind: 'tool' };
  return { kind: 'unknown' };
}

function browser(ua: string): UaFamily {
  const r = new UAParser(ua).getResult();
  const out: UaFamily = { kind: r.browser.name ? 'browser' : 'unknown' };
  if (r.browser.name) out.name = r.browser.name;
  const version = cleanVersion(r.browser.version);
  if (r.browser.name && version) out.version = version;
  if (r.os.name) out.os = r.os.name;
  if (r.os.name && r.os.version) out.osVersion = r.os.version;
  if (r.device.model) out.device = r.device.model;
  return out;
}

function cleanVersion(v: string | undefined): string | undefined {
  if (!v || !/^\d/.test(v)) return undefined;
  return v.replace(/[;,)]+$/, '');
}
