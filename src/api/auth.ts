import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../errors.js';

/** One configured API key: who it is (for triage and approvals) and the SHA-256 of its secret. */
interface KeyEntry {
  name: string;
  digest: Buffer;
}

/** Authentication settings of the API server. */
export interface AuthOptions {
  /** `name:secret` or bare secrets (>= 16 characters); bare ones are named `key-<n>` */
  keys: readonly string[];
  /** no authentication at all: only allowed on a loopback host (see {@link checkAuthOptions}) */
  noAuth: boolean;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Hosts that only the local machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Validates the combination of host and authentication: `--no-auth` only on loopback, and
 * without it at least one key.
 * @throws ConfigError
 */
export function checkAuthOptions(host: string, options: AuthOptions): void {
  if (options.noAuth && !isLoopbackHost(host))
    throw new ConfigError(`--no-auth is only allowed on a loopback address (127.0.0.1, ::1), not ${host}`);
  if (!options.noAuth && options.keys.length === 0)
    throw new ConfigError(
      'the API needs a key: set TOKENWATCH_API_KEYS (name:secret, comma-separated) or http.apiKeys, or pass --no-auth on 127.0.0.1',
    );
  for (const k of options.keys) {
    const secret = k.includes(':') ? k.slice(k.indexOf(':') + 1) : k;
    if (secret.length < 16) throw new ConfigError('every API key secret needs at least 16 characters');
  }
}

/**
 * Checks presented secrets against the configured keys in constant time: both sides are hashed
 * to 32 bytes and compared with `timingSafeEqual`, every key is compared (no early exit), so
 * neither the length nor the position of a match leaks through timing.
 */
export class ApiKeys {
  private readonly entries: KeyEntry[];

  constructor(readonly options: AuthOptions) {
    this.entries = options.keys.map((k, i) => {
      const colon = k.indexOf(':');
      return colon > 0
        ? { name: k.slice(0, colon), digest: digest(k.slice(colon + 1)) }
        : { name: `key-${i + 1}`, digest: digest(k) };
    });
  }

  /** The name of the key `secret` matches, or undefined. */
  identify(secret: string | undefined): string | undefined {
    if (secret === undefined || secret === '') return undefined;
    const d = digest(secret);
    let found: string | undefined;
    for (const e of this.entries) if (timingSafeEqual(d, e.digest) && found === undefined) found = e.name;
    return found;
  }
}

/**
 * The secret a request presents: `Authorization: Bearer <secret>`, else `X-API-Key: <secret>`,
 * else the console's `tokenwatch_key` cookie.
 */
export function presentedSecret(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  const key = headers['x-api-key'];
  if (typeof key === 'string' && key !== '') return key;
  const cookie = headers.cookie;
  if (typeof cookie === 'string') {
    for (const part of cookie.split(';')) {
      const [k, ...v] = part.trim().split('=');
      if (k === CONSOLE_COOKIE) return decodeURIComponent(v.join('='));
    }
  }
  return undefined;
}

/** Cookie the console login sets (HttpOnly, SameSite=Strict). */
export const CONSOLE_COOKIE = 'tokenwatch_key';
