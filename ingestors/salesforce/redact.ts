import type { SecretExposure } from '../../schemas/token-activity.js';
import { sha256Hex32 } from '../common/ids.js';

/**
 * Redaction for the Salesforce ingestor. Two kinds of sensitive values:
 * - session keys (`SESSION_KEY` / `SessionKey`): logged by design, identify a live session, and
 *   must never appear in any output (activities carry only a hash; dead letters are redacted);
 * - leaked credentials inside other fields: a Salesforce session id / OAuth access token
 *   (`<15- or 18-char org id>!<secret>`, e.g. in `/secur/frontdoor.jsp?sid=...` URIs or queries).
 *   These are redacted and reported as {@link SecretExposure}s.
 */

/** Placeholder written instead of a redacted value. */
export const REDACTED = '[REDACTED]';

/** Field names whose values are session keys (ELF column and RTEM field). */
const SESSION_KEY_FIELDS = new Set(['session_key', 'sessionkey']);

/** A Salesforce session id / access token: org id (`00D...`), `!`, then the secret part. */
const ACCESS_TOKEN = /\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{20,}/g;

/** {@link isSessionKeyField} answers by field name (names repeat: a CSV header's columns). */
const sessionKeyFieldCache = new Map<string, boolean>();
const SESSION_KEY_FIELD_CACHE_MAX = 4096;

/** True for `SESSION_KEY`, `SessionKey` and other spellings of the session-key field. */
export function isSessionKeyField(name: string): boolean {
  let hit = sessionKeyFieldCache.get(name);
  if (hit === undefined) {
    hit = SESSION_KEY_FIELDS.has(name.replace(/[^A-Za-z_]/g, '').toLowerCase());
    if (sessionKeyFieldCache.size >= SESSION_KEY_FIELD_CACHE_MAX) sessionKeyFieldCache.clear();
    sessionKeyFieldCache.set(name, hit);
  }
  return hit;
}

/** Replaces access tokens in `text`, reporting each one (fingerprint only) against `field`. */
export function redactSecretsInText(text: string, field: string, exposures?: SecretExposure[]): string {
  return text.replace(ACCESS_TOKEN, (secret) => {
    exposures?.push({ kind: 'salesforce_access_token', field, fingerprint: sha256Hex32(secret) });
    return REDACTED;
  });
}

/**
 * Deep copy of a raw record with session keys replaced by {@link REDACTED} and access tokens
 * removed from every string. Exposures found are appended to `exposures` (field = dotted path).
 */
export function redactRecord(value: unknown, exposures?: SecretExposure[], path = ''): unknown {
  if (typeof value === 'string') return redactSecretsInText(value, path, exposures);
  if (Array.isArray(value)) return value.map((v, i) => redactRecord(v, exposures, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const child = path === '' ? k : `${path}.${k}`;
      out[k] =
        isSessionKeyField(k) && v !== null && v !== undefined && v !== ''
          ? REDACTED
          : redactRecord(v, exposures, child);
    }
    return out;
  }
  return value;
}

/**
 * Best-effort redaction of text that could not be parsed (a broken JSON line or CSV row):
 * `"SessionKey":"..."` pairs, the given known session-key values, and access tokens.
 */
export function redactRawText(text: string, knownSessionKeys: readonly string[] = []): string {
  let out = text.replace(
    /("(?:SESSION_KEY|SessionKey|sessionKey|session_key)"\s*:\s*)"(?:[^"\\]|\\.)*"/g,
    `$1"${REDACTED}"`,
  );
  for (const key of knownSessionKeys) {
    if (key.length >= 4) out = out.split(key).join(REDACTED);
  }
  return redactSecretsInText(out, 'raw');
}
