import type { SecretExposure } from '../../schemas/token-activity.js';
import { fingerprint16 } from './ids.js';
import { mayMatchSecretPattern } from './secret-gate.js';

/**
 * Finds raw credentials inside vendor records and replaces each with `[REDACTED:<kind>]` before
 * anything is stored, emitted, logged or dead-lettered. A credential in an audit log is an incident
 * of its own, so every hit is reported as a {@link SecretExposure} (kind, field path, SHA-256
 * fingerprint prefix).
 *
 * Detected anywhere inside a string, also glued to other characters (`backup_ghp_...`,
 * `ghp_..._old`, `key_AKIA...`: no word-boundary requirement, since attacker-written fields glue
 * freely), in keys as well as values, and in URL-encoded (`token%3Dghp_...`, `1%2F%2F0...`) or
 * JSON-escaped (`\u0067hp_...`, `1\/\/0...`) form (a decoded view of the string is scanned; when
 * it holds a secret the decoded, redacted text replaces the string):
 * - GitHub `ghp_` / `gho_` / `ghu_` / `ghs_` / `ghr_` + 8..255 base62 and fine-grained
 *   `github_pat_` (https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/);
 * - Google OAuth access tokens `ya29.`, refresh tokens `1//0`, API keys `AIza` + 35;
 * - AWS access key ids `AKIA` / `ASIA` / `ABIA` / `ACCA` + 16, the 40-character secret access key
 *   written next to one (`AKIA...:secret`, `AKIA... secret`) or after a secret-key name
 *   (`aws_secret_access_key=`, `SecretAccessKey:`);
 * - Salesforce session ids (`00D` org id + `!` + session part); Slack `xox[abprs]-`;
 * - JWTs (`eyJ...` `.` `eyJ...` `.` signature), `Bearer <token>`, `Basic <b64>` and any
 *   `Authorization: <value>` / `"authorization": "<value>"`;
 * - the password in URL user info (`scheme://user:password@host`);
 * - query / form parameters `api_key=`, `access_token=`, `refresh_token=`, `id_token=`,
 *   `client_secret=`, `auth_token=`, `private_token=`, `session_token=`, `password=` (any value
 *   not masked) and `token=`, `secret=`, `sig=`, `signature=`, `pwd=` (a value with a digit or of
 *   20+ characters);
 * - the whole value of object keys named like a secret (`authorization`, `access_token`,
 *   `client_secret`, `password`, `token`, `secret_access_key`, `cookie`, ...).
 *
 * Compared with gitleaks' rules (config/gitleaks.toml: `github-pat`, `github-fine-grained-pat`,
 * `github-oauth`, `github-app-token`, `github-refresh-token`, `gcp-api-key`, `aws-access-token`,
 * `slack-*-token`, `jwt`, `curl-auth-header`, generic `*-api-key`):
 * - gitleaks anchors most rules on word boundaries (`\b(ghp_[0-9a-zA-Z]{36})\b`,
 *   `\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b`); here the prefixes alone anchor,
 *   so glued secrets are found (more false positives on prose that embeds such prefixes followed
 *   by 30+ token characters, which is acceptable for an audit log);
 * - lengths: gitleaks requires exactly 36 characters after `ghp_`, 82 after `github_pat_`, 16
 *   after `AKIA`, 35 after `AIza`; here shorter runs count too (8+ after `ghp_`, 12+ after
 *   `AKIA`, 10+ after `AIza`, `ya29.`, `1//0` and a session id's `!`): a token cut short by a
 *   truncated log line is still most of a secret (GitHub also documents that lengths may grow);
 * - AWS: gitleaks has no rule for the secret access key alone (too generic); here a 40-character
 *   base64 run is a secret only next to an access key id or after a secret-key name;
 * - gitleaks' generic-api-key rule uses entropy; here generic `key=value` pairs need a known name;
 * - Google refresh tokens (`1//0`) and URL user info passwords are not gitleaks rules; added
 *   because Workspace and CI logs carry them.
 *
 * Deliberately not redacted: GitHub `hashed_token` (base64 SHA-256, already a hash), token ids,
 * Salesforce record ids and `SESSION_KEY` (an identifier, not a bearer secret; the Salesforce
 * ingestor hashes it), OAuth client ids, URL user names.
 *
 * The record walk is iterative (no recursion): depth is bounded by framing, but a value built
 * elsewhere cannot overflow the stack here either.
 */

interface Pattern {
  kind: string;
  re: RegExp;
  /** Index of the capture group holding the secret; 0 = whole match. */
  group: number;
  /** Extra check on the captured value for the looser patterns (prose false positives). */
  plausible?: (secret: string) => boolean;
}

/** Masked placeholders that are not secrets: `********`, `xxxx`, `<redacted>`, `REDACTED`. */
const MASKED_RE = /^(?:[*x•.]+|<?(?:redacted|masked|hidden|removed|none|null)>?)$/i;

/** A loosely matched value is a secret only if it has a digit or is long, and is not a mask. */
function plausibleSecret(secret: string): boolean {
  return !MASKED_RE.test(secret) && (/\d/.test(secret) || secret.length >= 20);
}

function notMasked(secret: string): boolean {
  return !MASKED_RE.test(secret);
}

const GITHUB_KINDS: Record<string, string> = {
  ghp: 'github_pat_classic',
  gho: 'github_oauth_token',
  ghu: 'github_user_to_server_token',
  ghs: 'github_server_to_server_token',
  ghr: 'github_refresh_token',
};

const PATTERNS: readonly Pattern[] = [
  { kind: 'github_pat_fine_grained', re: /github_pat_[A-Za-z0-9_]{22,255}/g, group: 0 },
  { kind: 'github', re: /(gh[pousr])_[A-Za-z0-9]{8,255}/g, group: 0 },
  { kind: 'google_oauth_token', re: /ya29\.[A-Za-z0-9_\-.]{10,}/g, group: 0 },
  { kind: 'google_refresh_token', re: /1\/\/0[A-Za-z0-9_-]{10,}/g, group: 0 },
  { kind: 'google_api_key', re: /AIza[0-9A-Za-z_-]{10,35}/g, group: 0 },
  { kind: 'salesforce_session_id', re: /00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{10,}/g, group: 0 },
  { kind: 'slack_token', re: /xox[abprs]-[A-Za-z0-9-]{10,}/g, group: 0 },
  { kind: 'aws_access_key_id', re: /(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{12,16}/g, group: 0 },
  {
    // the secret access key written next to the (already redacted) access key id
    kind: 'aws_secret_access_key',
    re: /\[REDACTED:aws_access_key_id\][\s"':=,;|/]{1,6}([A-Za-z0-9/+]{40})/g,
    group: 1,
  },
  {
    kind: 'aws_secret_access_key',
    re: /(?:secret[_-]?access[_-]?key|aws[_-]?secret(?:[_-]?key)?)["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})/gi,
    group: 1,
  },
  {
    kind: 'url_password',
    re: /[a-z][a-z0-9+.-]{1,20}:\/\/[^\s/?#@:"'<>[\]]{1,256}:([^\s/?#@"'<>]{1,256})@/gi,
    group: 1,
    plausible: notMasked,
  },
  {
    kind: 'bearer_token',
    re: /Bearer\s+([A-Za-z0-9\-._~+/]{8,}=*)/gi,
    group: 1,
    plausible: plausibleSecret,
  },
  { kind: 'basic_auth', re: /Basic\s+([A-Za-z0-9+/]{8,}={0,2})/gi, group: 1, plausible: plausibleSecret },
  {
    kind: 'authorization_header',
    re: /(?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:(?:token|bearer|basic|digest)\s+)?(?!(?:token|bearer|basic|digest)\b)([^\s"',;&[]{6,})/gi,
    group: 1,
    plausible: plausibleSecret,
  },
  {
    kind: 'query_secret',
    re: /(?:api[_-]?key|apikey|access[_-]?token|refresh[_-]?token|id[_-]?token|auth[_-]?token|client[_-]?secret|private[_-]?token|session[_-]?token|password|passwd)=([^&\s"'#,;[]{4,})/gi,
    group: 1,
    plausible: notMasked,
  },
  {
    kind: 'query_secret',
    re: /(?:token|secret|sig|signature|pwd)=([^&\s"'#,;[]{8,})/gi,
    group: 1,
    plausible: plausibleSecret,
  },
  { kind: 'jwt', re: /ey[A-Za-z0-9_-]{10,}\.ey[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*/g, group: 0 },
];

/** Keys whose whole string value is a secret, compared lower-case with `-` folded to `_`. */
const SECRET_KEYS = new Set([
  'authorization',
  'proxy_authorization',
  'access_token',
  'refresh_token',
  'id_token',
  'session_token',
  'aws_session_token',
  'token',
  'secret',
  'client_secret',
  'api_key',
  'apikey',
  'x_api_key',
  'password',
  'passwd',
  'private_key',
  'secret_key',
  'secret_access_key',
  'secretaccesskey',
  'aws_secret_access_key',
  'cookie',
  'set_cookie',
]);

/**
 * Cheap pre-filter: a string without any of these cannot hold a detectable secret. A Salesforce
 * session id is matched with its `!` (the pattern needs it): a bare `00D` org id (every Salesforce
 * record's ORGANIZATION_ID) does not send the record to the copying walk. Encoded forms of the
 * `!` (`%21`, `\u0021`) are caught by the `%XX` / `\u` alternatives. Asked through
 * {@link mayHoldSecret}.
 */
export const QUICK_RE =
  /gh[pousr]_|github_pat_|ya29\.|1\/\/0|AIza|00D[A-Za-z0-9]{12,15}!|xox[abprs]-|AKIA|ASIA|ABIA|ACCA|REDACTED:aws|bearer|basic\s|authorization|(?:key|token|secret|password|passwd|sig|signature|pwd)=|secret[_-]?access|aws[_-]?secret|:\/\/[^\s/?#]*@|ey[A-Za-z0-9_-]{10,}\.ey|%[0-9a-f]{2}|\\u[0-9a-f]{4}|\\\//i;

/**
 * Strings {@link QUICK_RE} found nothing in although {@link mayMatchSecretPattern} let them through
 * (audit records repeat most of their values: actions, parameter names, URLs), so a repeated string
 * costs a set probe instead of the regex (about 16-35 ns per character). Only clear strings are
 * kept (never a secret), only short ones, and the set is emptied when full.
 */
const clearStrings = new Set<string>();
const CLEAR_STRINGS_MAX = 65_536;
const CLEAR_STRING_MAX_LENGTH = 512;

/**
 * `QUICK_RE.test(s)`: first the one-pass character scan (secret-gate.ts, a superset of the regex:
 * most strings end there), then strings it let through and the regex cleared before, then the regex.
 */
function mayHoldSecret(s: string): boolean {
  if (!mayMatchSecretPattern(s)) return false;
  if (clearStrings.has(s)) return false;
  if (QUICK_RE.test(s)) return true;
  if (s.length <= CLEAR_STRING_MAX_LENGTH) {
    if (clearStrings.size >= CLEAR_STRINGS_MAX) clearStrings.clear();
    clearStrings.add(s);
  }
  return false;
}

/** A URL-encoded or JSON-escaped run: the string is also scanned decoded. */
const PERCENT_RE = /%[0-9a-f]{2}/i;
const JSON_ESCAPE_RE = /\\u[0-9a-f]{4}|\\\//i;

const MARKER_PREFIX = '[REDACTED:';

/** Result of {@link redactText}. */
export interface RedactedText {
  text: string;
  exposures: SecretExposure[];
}

/** Result of {@link redactRecord}: a redacted deep copy of the input and what was found. */
export interface RedactedRecord<T> {
  value: T;
  exposures: SecretExposure[];
}

/**
 * Redacts secrets in free text (a raw log line, a dead letter). `field` is recorded in each
 * exposure (default `$raw`). Idempotent: already-redacted markers are left alone.
 */
export function redactText(text: string, field = '$raw'): RedactedText {
  const exposures: SecretExposure[] = [];
  return { text: scrub(text, field, exposures), exposures };
}

/**
 * Returns a redacted deep copy of any JSON-like value (objects, arrays, strings; other scalars
 * copied as is) and the exposures found, with field paths like `events[0].parameters[2].value`.
 * Never mutates its input.
 */
export function redactRecord<T>(value: T): RedactedRecord<T> {
  const exposures: SecretExposure[] = [];
  const copy = walk(value, exposures) as T;
  return { value: copy, exposures };
}

/** The result {@link redactRecord} gives for a value known to hold no secret, without copying it. */
export function unredacted<T>(value: T): RedactedRecord<T> {
  return { value, exposures: [] };
}

/**
 * Pre-check on a parsed value, its string values and keys: `false` guarantees that
 * {@link redactRecord} would find nothing and return an equal copy, so redaction can be skipped.
 * Walks the value (iteratively) without copying it or building paths; each string and key is
 * asked once of {@link mayHoldSecret}.
 */
export function needsRedaction(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (mayHoldSecret(v)) return true;
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
      continue;
    }
    for (const key in v) {
      if (!Object.hasOwn(v, key)) continue;
      if (key === '__proto__' || isSecretKey(key) || mayHoldSecret(key)) return true;
      stack.push((v as Record<string, unknown>)[key]);
    }
  }
  return false;
}

/** One pending value of the iterative copy: where its copy goes and its field path. */
interface Pending {
  value: unknown;
  path: string;
  parent: Record<string, unknown> | unknown[];
  key: string | number;
}

/** Sets an own property, also for `__proto__` (plain assignment would set the prototype). */
function setOwn(target: Record<string, unknown> | unknown[], key: string | number, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else (target as Record<string | number, unknown>)[key] = value;
}

function walk(value: unknown, out: SecretExposure[]): unknown {
  const root: unknown[] = [undefined];
  const stack: Pending[] = [{ value, path: '', parent: root, key: 0 }];
  while (stack.length > 0) {
    const { value: v, path, parent, key } = stack.pop() as Pending;
    if (typeof v === 'string') {
      setOwn(parent, key, scrub(v, path || '$', out));
      continue;
    }
    if (Array.isArray(v)) {
      const copy = new Array<unknown>(v.length);
      setOwn(parent, key, copy);
      for (let i = v.length - 1; i >= 0; i--)
        stack.push({ value: v[i], path: `${path}[${i}]`, parent: copy, key: i });
      continue;
    }
    if (v === null || typeof v !== 'object') {
      setOwn(parent, key, v);
      continue;
    }
    const copy: Record<string, unknown> = {};
    setOwn(parent, key, copy);
    const children: Pending[] = [];
    for (const [rawKey, child] of Object.entries(v)) {
      let k = rawKey;
      if (mayHoldSecret(rawKey)) {
        // a secret used as a key: the key itself is redacted (kept unique within the object)
        k = scrub(rawKey, path ? `${path}.<key>` : '<key>', out);
        for (let n = 2; k !== rawKey && Object.hasOwn(copy, k); n++) k = `${k}#${n}`;
      }
      const childPath = path ? `${path}.${k}` : k;
      if (
        typeof child === 'string' &&
        isSecretKey(rawKey) &&
        child.trim() !== '' &&
        !child.startsWith(MARKER_PREFIX) &&
        notMasked(child.trim())
      ) {
        const inner = scrub(child, childPath, out);
        if (inner !== child) setOwn(copy, k, inner);
        else {
          out.push({ kind: 'secret_field', field: childPath, fingerprint: fingerprint16(child) });
          setOwn(copy, k, '[REDACTED:secret_field]');
        }
        continue;
      }
      setOwn(copy, k, undefined);
      children.push({ value: child, path: childPath, parent: copy, key: k });
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Pending);
  }
  return root[0];
}

/** isSecretKey results by key (keys repeat: field names of a few record shapes). */
const secretKeyCache = new Map<string, boolean>();
const SECRET_KEY_CACHE_MAX = 4096;

function isSecretKey(key: string): boolean {
  let hit = secretKeyCache.get(key);
  if (hit === undefined) {
    hit = SECRET_KEYS.has(key.toLowerCase().replaceAll('-', '_'));
    if (secretKeyCache.size >= SECRET_KEY_CACHE_MAX) secretKeyCache.clear();
    secretKeyCache.set(key, hit);
  }
  return hit;
}

/** Percent-decodes every `%XX` run (invalid UTF-8 runs byte by byte as Latin-1). */
function percentDecode(text: string): string {
  return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run.replace(/%([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
    }
  });
}

/** Decodes `\uXXXX` and `\/` escapes (JSON text kept inside a string). */
function jsonUnescape(text: string): string {
  return text.replace(/\\u([0-9a-f]{4})|\\\//gi, (m, hex: string | undefined) =>
    hex === undefined ? m.slice(1) : String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/** Applies every pattern once; returns the text and whether anything was redacted. */
function applyPatterns(text: string, field: string, out: SecretExposure[]): string {
  let result = text;
  for (const p of PATTERNS) {
    p.re.lastIndex = 0;
    if (!p.re.test(result)) continue;
    p.re.lastIndex = 0;
    result = result.replace(p.re, (...args: unknown[]) => {
      const match = args[0] as string;
      const secret = (p.group === 0 ? match : (args[p.group] as string | undefined)) ?? '';
      if (secret === '' || secret.includes(MARKER_PREFIX)) return match;
      if (p.plausible && !p.plausible(secret)) return match;
      const kind = p.kind === 'github' ? (GITHUB_KINDS[match.slice(0, 3)] ?? 'github_token') : p.kind;
      out.push({ kind, field, fingerprint: fingerprint16(secret) });
      const marker = `${MARKER_PREFIX}${kind}]`;
      if (p.group === 0) return marker;
      const at = match.lastIndexOf(secret);
      return `${match.slice(0, at)}${marker}${match.slice(at + secret.length)}`;
    });
  }
  return result;
}

/**
 * Redacts `text`: the patterns on the text as is, then on its URL-decoded and JSON-unescaped
 * views (up to three rounds, for nested encodings); a view that holds a secret replaces the text.
 */
function scrub(text: string, field: string, out: SecretExposure[]): string {
  if (!mayHoldSecret(text)) return text;
  let result = applyPatterns(text, field, out);
  for (let round = 0; round < 3; round++) {
    let changed = false;
    for (const decode of [percentDecode, jsonUnescape]) {
      if (decode === percentDecode ? !PERCENT_RE.test(result) : !JSON_ESCAPE_RE.test(result)) continue;
      const view = decode(result);
      if (view === result) continue;
      const found: SecretExposure[] = [];
      const redacted = applyPatterns(view, field, found);
      if (found.length > 0) {
        out.push(...found);
        result = redacted;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return result;
}
