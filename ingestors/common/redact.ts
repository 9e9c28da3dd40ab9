import type { SecretExposure } from '../../schemas/token-activity.js';
import { fingerprint16 } from './ids.js';

/**
 * Finds raw credentials inside vendor records and replaces each with `[REDACTED:<kind>]` before
 * anything is stored or dead-lettered. A credential in an audit log is an incident of its own, so
 * every hit is reported as a {@link SecretExposure} (kind, field path, SHA-256 fingerprint prefix).
 *
 * Detected (token formats as published by each vendor):
 * - GitHub tokens `ghp_` / `gho_` / `ghu_` / `ghs_` / `ghr_` and fine-grained `github_pat_`
 *   (https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/);
 * - `Bearer <token>`, `Basic <b64>` and any `Authorization: <value>` / `"authorization": "<value>"`;
 * - Google OAuth access tokens `ya29.` and refresh tokens `1//0`, Google API keys `AIza`;
 * - Salesforce session ids (`00D` org id + `!` + session part);
 * - Slack tokens `xox[abprs]-`; AWS access key ids `AKIA` / `ASIA`;
 * - query / form parameters `api_key=`, `apikey=`, `access_token=`, `refresh_token=`,
 *   `id_token=`, `client_secret=`, `auth_token=`, `private_token=`, `password=`;
 * - the whole value of object keys named like a secret (`authorization`, `access_token`,
 *   `client_secret`, `password`, ...).
 *
 * Deliberately not redacted: GitHub `hashed_token` (base64 SHA-256, already a hash), token ids,
 * Salesforce record ids and `SESSION_KEY` (an identifier, not a bearer secret), OAuth client ids.
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
  { kind: 'github_pat_fine_grained', re: /\bgithub_pat_[A-Za-z0-9_]{22,255}/g, group: 0 },
  { kind: 'github', re: /\b(gh[pousr])_[A-Za-z0-9]{30,255}\b/g, group: 0 },
  { kind: 'google_oauth_token', re: /\bya29\.[A-Za-z0-9_\-.]{20,}/g, group: 0 },
  { kind: 'google_refresh_token', re: /(?<![\w/])1\/\/0[A-Za-z0-9_-]{30,}/g, group: 0 },
  { kind: 'google_api_key', re: /\bAIza[0-9A-Za-z_-]{35}\b/g, group: 0 },
  { kind: 'salesforce_session_id', re: /\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{20,}/g, group: 0 },
  { kind: 'slack_token', re: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g, group: 0 },
  { kind: 'aws_access_key_id', re: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, group: 0 },
  {
    kind: 'bearer_token',
    re: /\bBearer\s+([A-Za-z0-9\-._~+/]{8,}=*)/gi,
    group: 1,
    plausible: plausibleSecret,
  },
  { kind: 'basic_auth', re: /\bBasic\s+([A-Za-z0-9+/]{8,}={0,2})/g, group: 1, plausible: plausibleSecret },
  {
    kind: 'authorization_header',
    re: /\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:(?:token|bearer|basic|digest)\s+)?(?!(?:token|bearer|basic|digest)\b)([^\s"',;&[]{6,})/gi,
    group: 1,
    plausible: plausibleSecret,
  },
  {
    kind: 'query_secret',
    re: /(?:^|[?&#;,\s"'])(?:api[_-]?key|apikey|access[_-]?token|refresh[_-]?token|id[_-]?token|auth[_-]?token|client[_-]?secret|private[_-]?token|password|passwd)=([^&\s"'#,;[]{4,})/gi,
    group: 1,
    plausible: notMasked,
  },
];

/** Keys whose whole string value is a secret, compared lower-case with `-` folded to `_`. */
const SECRET_KEYS = new Set([
  'authorization',
  'proxy_authorization',
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'api_key',
  'apikey',
  'x_api_key',
  'password',
  'passwd',
  'private_key',
  'secret_key',
  'aws_secret_access_key',
]);

/** Cheap pre-filter: a string without any of these cannot hold a detectable secret. */
const QUICK_RE =
  /gh[pousr]_|github_pat_|ya29\.|1\/\/0|AIza|00D|xox[abprs]-|AKIA|ASIA|bearer|basic |authorization|[_-]?(?:key|token|secret|password|passwd)=/i;

/**
 * Pre-check on the JSON text of a record ({@link mayNeedRedaction}): matches wherever
 * {@link redactRecord} of the parsed value could find or change anything. Alternatives:
 * - {@link QUICK_RE} itself: a string value it matches appears verbatim in the JSON text unless
 *   written with escapes; the only escapes that can produce a character of its terms are `\uXXXX`
 *   and `\/`, so any `\u` or `\/` sends the record to the full walk;
 * - every {@link SECRET_KEYS} name as a quoted JSON key (case-insensitive, `-` or `_`), plus the
 *   KELVIN SIGN U+212A, the one non-ASCII character whose `toLowerCase()` is ASCII (`k`), which
 *   `isSecretKey` would fold into e.g. `api_key` (U+0130 lower-cases to `i` + U+0307, never a key);
 * - `__proto__`, a key the copying walk cannot reproduce as an own property.
 * False positives only cost the full walk.
 */
const RAW_PRECHECK_RE = new RegExp(
  [
    QUICK_RE.source,
    '"(?:(?:proxy[-_])?authorization|(?:access|refresh|id)[-_]token|client[-_]secret|(?:x[-_])?api[-_]?key|passw(?:or)?d|(?:private|secret)[-_]key|aws[-_]secret[-_]access[-_]key)"',
    String.raw`\\u|\\/|__proto__|\u212a`,
  ].join('|'),
  'i',
);

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
  const copy = walk(value, '', exposures) as T;
  return { value: copy, exposures };
}

/** The result {@link redactRecord} gives for a value known to hold no secret, without copying it. */
export function unredacted<T>(value: T): RedactedRecord<T> {
  return { value, exposures: [] };
}

/**
 * Conservative pre-check on the JSON text a record is parsed from: `false` guarantees that
 * {@link redactRecord} of `JSON.parse(jsonText)` (or of any value built from parts of it and
 * non-string scalars) finds no secret and returns a copy equal to its input, so redaction can be
 * skipped. `true` means "maybe": run the full walk. See {@link RAW_PRECHECK_RE}.
 */
export function mayNeedRedaction(jsonText: string): boolean {
  return RAW_PRECHECK_RE.test(jsonText);
}

/**
 * Like {@link mayNeedRedaction} for an already parsed value: `false` guarantees that
 * {@link redactRecord} would find nothing and return an equal copy. Walks the value without
 * copying it or building paths.
 */
export function needsRedaction(value: unknown): boolean {
  if (typeof value === 'string') return QUICK_RE.test(value);
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (needsRedaction(value[i])) return true;
    return false;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (key === '__proto__' || isSecretKey(key)) return true;
    if (needsRedaction((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

function walk(value: unknown, path: string, out: SecretExposure[]): unknown {
  if (typeof value === 'string') return scrub(value, path || '$', out);
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = walk(value[i], `${path}[${i}]`, out);
    return copy;
  }
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      if (
        typeof v === 'string' &&
        isSecretKey(key) &&
        v.trim() !== '' &&
        !v.startsWith(MARKER_PREFIX) &&
        notMasked(v.trim())
      ) {
        const inner = scrub(v, childPath, out);
        if (inner !== v) copy[key] = inner;
        else {
          out.push({ kind: 'secret_field', field: childPath, fingerprint: fingerprint16(v) });
          copy[key] = '[REDACTED:secret_field]';
        }
        continue;
      }
      copy[key] = walk(v, childPath, out);
    }
    return copy;
  }
  return value;
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

function scrub(text: string, field: string, out: SecretExposure[]): string {
  if (!QUICK_RE.test(text)) return text;
  let result = text;
  for (const p of PATTERNS) {
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
