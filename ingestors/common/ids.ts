import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/**
 * SHA-256 helpers and the `event.id` / `token.id` builders shared by every source, implementing
 * `ingestors/IDS.md` exactly (the simulator and the evaluation labels build the same strings).
 */

/** Lower-case hex SHA-256 of a UTF-8 string (64 chars). */
export function sha256Hex(text: string): string {
  // one-shot digest (Node >= 21.7): same bytes as createHash().update().digest(), no Hash object
  return hash('sha256', text, 'hex');
}

/** First 32 hex chars of SHA-256: the hash used inside ids (`github:h:<hex32>`). */
export function sha256Hex32(text: string): string {
  return sha256Hex(text).slice(0, 32);
}

/** First 16 hex chars of SHA-256: the fingerprint of a redacted secret (never the secret). */
export function fingerprint16(secret: string): string {
  return sha256Hex(secret).slice(0, 16);
}

/** Renders an optional raw field for hashing: missing / null becomes the empty string. */
function part(value: string | number | undefined | null): string {
  return value === undefined || value === null ? '' : String(value);
}

/**
 * Canonical JSON of a parsed record: object keys sorted (recursively), arrays in order, no
 * whitespace; `undefined` members are left out as `JSON.stringify` does. Two records with the
 * same fields and values give the same text whatever their key order, so its hash identifies the
 * record's content (used for ids where the vendor gives nothing unique, and for dedup).
 */
export function canonicalJson(value: unknown): string {
  return canonical(value, false);
}

/**
 * {@link canonicalJson} of an object without its top-level members that are `''` or null (as if
 * they were absent): a CSV row with an extra empty column is the same content. Used for dedup.
 */
export function canonicalJsonFilled(record: Readonly<Record<string, unknown>>): string {
  return canonical(record, true);
}

/** JSON-quoted object keys (keys repeat: the field names of a few record shapes). */
const quotedKeys = new Map<string, string>();
const QUOTED_KEYS_MAX = 8192;

function quoteKey(k: string): string {
  let q = quotedKeys.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (quotedKeys.size < QUOTED_KEYS_MAX) quotedKeys.set(k, q);
  }
  return q;
}

function canonical(value: unknown, dropEmpty: boolean): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (i > 0) out += ',';
      out += v === undefined ? 'null' : canonical(v, false);
    }
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const v = obj[k];
    if (v === undefined || (dropEmpty && (v === '' || v === null))) continue;
    if (out.length > 1) out += ',';
    out += `${quoteKey(k)}:${canonical(v, false)}`;
  }
  return `${out}}`;
}

/** The fields IDS.md uses for a GitHub event id. */
export interface GithubEventIdParts {
  documentId?: string | undefined;
  /** The whole raw record as parsed (after redaction), hashed when `_document_id` is absent. */
  record: Readonly<Record<string, unknown>>;
}

/**
 * GitHub `event.id`: `github:<_document_id>` (GitHub documents it as the event's unique id), else
 * `github:h:<sha256 hex 32 of the canonical record>` ({@link canonicalJson}): every field takes
 * part (`action`, `@timestamp` or `created_at`, `actor`, `user`, `token_id`, `hashed_token`,
 * `repo`...), so two events that differ in anything never share an id, and a re-delivered identical
 * record keeps its id whatever the key order (the simulator, `sim/simulate/ids.ts`, hashes the same way).
 */
export function githubEventId(p: GithubEventIdParts): string {
  if (p.documentId) return `github:${p.documentId}`;
  return `github:h:${sha256Hex32(canonicalJson(p.record))}`;
}

/** The fields IDS.md uses for a Google Workspace event id. */
export interface GoogleEventIdParts {
  applicationName: string;
  /** `id.uniqueQualifier` as its exact decimal digits (int64: never through a JS number). */
  uniqueQualifier: string;
  /** `id.time` in epoch ms. */
  timeMs: number;
  /**
   * The event's index in the activity's `events[]`, or, for a record that arrived already split
   * (single `events` object, `event`, Panther's flattened form), `s<hex 12 of the event's canonical
   * parameters>`.
   */
  position: number | string;
  /** The event's `name` (`authorize`, `login_failure`...); empty when absent. */
  name: string;
}

/**
 * Google Workspace `event.id`:
 * `google_workspace:<applicationName>:<uniqueQualifier>:<id.time epoch ms>:<position>:<event name>`.
 * Google documents `id.uniqueQualifier` as unique only together with `id.time`
 * (Admin SDK Reports API, `activities` resource), and one activity holds several events.
 */
export function googleEventId(p: GoogleEventIdParts): string {
  return `google_workspace:${p.applicationName}:${p.uniqueQualifier}:${p.timeMs}:${p.position}:${p.name}`;
}

/** Position of an already-split Google event: `s<hex 12 of canonical parameters>`. */
export function googleSplitPosition(parameters: unknown): string {
  return `s${sha256Hex(canonicalJson(parameters ?? null)).slice(0, 12)}`;
}

/** The fields IDS.md uses for a Salesforce event id (EventLogFile row or Real-Time Event Monitoring object). */
export interface SalesforceEventIdParts {
  /** ELF `EVENT_TYPE` or the RTEM object name (`ApiEvent`, `LogoutEvent`...). */
  eventType: string;
  /** ELF `REQUEST_ID` or RTEM `EventIdentifier`. */
  requestId?: string | undefined;
  /** Event time as normalized (ISO 8601 UTC with ms). */
  timestamp: string;
  /** Canonical 18-character user id, else the user name. */
  user?: string | undefined;
  /** The operation fields, in the order IDS.md lists them per channel (missing ones empty). */
  operation: readonly (string | number | undefined | null)[];
  /** The whole record as parsed, hashed when there is no request id. */
  record: Readonly<Record<string, unknown>>;
}

/** Salesforce ELF columns naming the operation of a row (IDS.md), in hashing order. */
export const SALESFORCE_ELF_OPERATION_FIELDS = [
  'METHOD_NAME',
  'OPERATION_TYPE',
  'METHOD',
  'URI',
  'QUERY',
  'ENTITY_NAME',
  'REPORT_ID',
] as const;

/** Salesforce RTEM fields naming the operation of an event (IDS.md), in hashing order. */
export const SALESFORCE_RTEM_OPERATION_FIELDS = [
  'Operation',
  'Method',
  'Uri',
  'Query',
  'QueriedEntities',
  'ReportId',
  'ListViewId',
  'JobId',
  'BatchId',
] as const;

/**
 * Salesforce `event.id`. Salesforce documents `REQUEST_ID` as shared by every event of one
 * transaction (EventLogFile), so it is not unique alone:
 * `salesforce:<type>:<REQUEST_ID or EventIdentifier>:<sha256 hex 16 of timestamp|user|operation...>`;
 * without one, `salesforce:<type>:h:<sha256 hex 32 of the canonical record>` (empty values left out).
 */
export function salesforceEventId(p: SalesforceEventIdParts): string {
  if (p.requestId) {
    const key = [p.timestamp, part(p.user), ...p.operation.map(part)].join('|');
    return `salesforce:${p.eventType}:${p.requestId}:${sha256Hex(key).slice(0, 16)}`;
  }
  return `salesforce:${p.eventType}:h:${sha256Hex32(canonicalJson(nonEmpty(p.record)))}`;
}

/** The record without members whose value is `''`, null or undefined (CSV gives `''` for absent). */
function nonEmpty(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(record)) {
    const v = record[k];
    if (v !== '' && v !== null && v !== undefined) out[k] = v;
  }
  return out;
}

/** Token entity key kinds, as in `schemas/token-activity.ts`. */
export type TokenKey = {
  id: string;
  keyKind: 'token_hash' | 'token_id' | 'oauth_grant' | 'session' | 'app_installation' | 'principal';
};

/** GitHub App installation token: `github:app_installation:<app id or integration>:<org>`. */
export function githubAppInstallationTokenId(app: string, org: string): TokenKey {
  return { id: `github:app_installation:${app}:${org}`, keyKind: 'app_installation' };
}

/** GitHub token by hash: `github:hash:<hashed_token>`. */
export function githubHashTokenId(hashedToken: string): TokenKey {
  return { id: `github:hash:${hashedToken}`, keyKind: 'token_hash' };
}

/** GitHub token by numeric id: `github:token_id:<token_id>`. */
export function githubNumericTokenId(tokenId: string): TokenKey {
  return { id: `github:token_id:${tokenId}`, keyKind: 'token_id' };
}

/** GitHub web session / no credential metadata: `github:session:<actor>`. */
export function githubSessionTokenId(actor: string): TokenKey {
  return { id: `github:session:${actor}`, keyKind: 'principal' };
}

/** Google OAuth grant: `google_workspace:grant:<actor email>:<client id>`. */
export function googleGrantTokenId(actor: string, clientId: string): TokenKey {
  return { id: `google_workspace:grant:${actor}:${clientId}`, keyKind: 'oauth_grant' };
}

/** Google domain-wide delegation client: `google_workspace:dwd:<client id>`. */
export function googleDwdTokenId(clientId: string): TokenKey {
  return { id: `google_workspace:dwd:${clientId}`, keyKind: 'oauth_grant' };
}

/** Google browser / console session of a user: `google_workspace:session:<actor email>`. */
export function googleSessionTokenId(actor: string): TokenKey {
  return { id: `google_workspace:session:${actor}`, keyKind: 'session' };
}

/** Salesforce connected-app grant: `salesforce:grant:<18-char user id>:<connected app id>`. */
export function salesforceGrantTokenId(userId18: string, connectedAppId: string): TokenKey {
  return { id: `salesforce:grant:${userId18}:${connectedAppId}`, keyKind: 'oauth_grant' };
}

/** Salesforce user session: `salesforce:user:<18-char user id>`. */
export function salesforceUserTokenId(userId18: string): TokenKey {
  return { id: `salesforce:user:${userId18}`, keyKind: 'session' };
}

/**
 * Session ids by LOGIN_KEY / SESSION_KEY: every row of one Salesforce session carries the same
 * key, so most rows find their hash here instead of computing a SHA-256 (bounded, least recently
 * used dropped first; the keys stay in this process's memory only, never in any output).
 */
const sessionIds = new LRUCache<string, string>({ max: 65_536 });

/** `tokenwatch.session_id` for Salesforce: sha256 hex 32 of LOGIN_KEY (or SESSION_KEY). */
export function sessionIdHash(loginOrSessionKey: string): string {
  let id = sessionIds.get(loginOrSessionKey);
  if (id === undefined) {
    id = sha256Hex32(loginOrSessionKey);
    sessionIds.set(loginOrSessionKey, id);
  }
  return id;
}
