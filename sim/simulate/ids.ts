/**
 * `event.id` and `token.id` exactly as `ingestors/IDS.md` derives them from raw vendor fields.
 * The simulator computes every label from the raw record it writes with these functions, so a
 * label names the ids the pipeline will produce. sha256 comes from node:crypto.
 */
import { createHash } from 'node:crypto';

/** Hex sha256 of a UTF-8 string. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** base64(sha256(raw)): GitHub's `hashed_token` of a raw token. */
export function hashedToken(rawToken: string): string {
  return createHash('sha256').update(rawToken, 'utf8').digest('base64');
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/**
 * A copy of a JSON value with object keys in sorted order (recursively), `undefined` members
 * dropped: `JSON.stringify` of it is the canonical text IDS.md hashes.
 */
function sortedCopy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedCopy);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  ))
    if (x !== undefined) out[k] = sortedCopy(x);
  return out;
}

/** Hex sha256 of the canonical JSON (sorted keys) of a record. */
function recordHash(rec: unknown): string {
  return sha256Hex(JSON.stringify(sortedCopy(rec)));
}

/** GitHub audit event: `github:<_document_id>`, else `github:h:<hex 32 of the canonical record>`. */
export function githubEventId(rec: Record<string, unknown>): string {
  const doc = rec['_document_id'];
  if (typeof doc === 'string' && doc.length > 0) return `github:${doc}`;
  return `github:h:${recordHash(rec).slice(0, 32)}`;
}

/** Whether a `programmatic_access_type` names a GitHub App server-to-server token. */
export function isServerToServer(accessType: unknown): boolean {
  return typeof accessType === 'string' && /server-to-server/i.test(accessType);
}

/** GitHub `token.id` of an audit event. */
export function githubTokenId(rec: Record<string, unknown>): string {
  const hashed = rec['hashed_token'];
  if (typeof hashed === 'string' && hashed.length > 0) {
    if (isServerToServer(rec['programmatic_access_type'])) {
      const app = rec['oauth_application_id'] ?? rec['integration'];
      return `github:app_installation:${str(app)}:${str(rec['org'])}`;
    }
    return `github:hash:${hashed}`;
  }
  const tokenId = rec['token_id'];
  if (tokenId !== undefined && tokenId !== null && tokenId !== '') return `github:token_id:${str(tokenId)}`;
  return `github:session:${str(rec['actor'])}`;
}

/** Minimal Google Workspace activity shape used for ids. */
export interface GwsActivityLike {
  id: { applicationName: string; uniqueQualifier: string };
  actor?: {
    email?: string;
    profileId?: string;
    key?: string;
    applicationInfo?: { oauthClientId?: string; impersonation?: boolean };
  };
  events: ReadonlyArray<{ name?: string; parameters?: ReadonlyArray<{ name: string; value?: string }> }>;
}

/**
 * Google Workspace `event.id` of the `index`-th event of an activity:
 * `google_workspace:<app>:<uniqueQualifier>:<id.time epoch ms>:<index>:<event name>`.
 */
export function googleEventId(activity: GwsActivityLike & { id: { time: string } }, index: number): string {
  const { applicationName, uniqueQualifier, time } = activity.id;
  const name = activity.events[index]?.name ?? '';
  return `google_workspace:${applicationName}:${uniqueQualifier}:${Date.parse(time)}:${index}:${name}`;
}

/** Google Workspace `token.id` of the `index`-th event of an activity. */
export function googleTokenId(activity: GwsActivityLike, index: number): string {
  const info = activity.actor?.applicationInfo;
  const event = activity.events[index];
  const params = event?.parameters ?? [];
  const clientParam = params.find((p) => p.name === 'client_id')?.value;
  const clientId = info?.oauthClientId ?? clientParam;
  const actor = activity.actor;
  const who = actor?.email ?? actor?.profileId ?? actor?.key ?? '';
  if (info?.impersonation === true && clientId) return `google_workspace:dwd:${clientId}`;
  if (activity.id.applicationName === 'admin' && event?.name === 'AUTHORIZE_API_CLIENT_ACCESS') {
    const granted = params.find((p) => p.name === 'API_CLIENT_NAME')?.value;
    if (granted) return `google_workspace:dwd:${granted}`;
  }
  if (activity.id.applicationName === 'token' || clientId)
    return `google_workspace:grant:${who}:${clientId ?? ''}`;
  return `google_workspace:session:${who}`;
}

/** ELF columns naming a row's operation, in IDS.md order. */
const ELF_OPERATION = ['METHOD_NAME', 'OPERATION_TYPE', 'METHOD', 'URI', 'QUERY', 'ENTITY_NAME', 'REPORT_ID'];
/** RTEM fields naming an event's operation, in IDS.md order. */
const RTEM_OPERATION = [
  'Operation',
  'Method',
  'Uri',
  'Query',
  'QueriedEntities',
  'ReportId',
  'ListViewId',
  'JobId',
  'BatchId',
];

/** A trimmed field for the id key: '' when absent; lists and objects as JSON. */
function idPart(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v).trim();
}

/** `salesforce:<type>:<request id>:<hex 16 of time|user|operation...>` (IDS.md). */
function sfRequestEventId(
  type: string,
  requestId: string,
  timeMs: number,
  user: string,
  op: string[],
): string {
  const key = [new Date(timeMs).toISOString(), user, ...op].join('|');
  return `salesforce:${type}:${requestId}:${sha256Hex(key).slice(0, 16)}`;
}

/** Salesforce EventLogFile row `event.id` (REQUEST_ID is shared by a transaction's rows). */
export function salesforceElfEventId(row: Readonly<Record<string, string>>): string {
  const type = row['EVENT_TYPE'] ?? '';
  const requestId = (row['REQUEST_ID'] ?? '').trim();
  if (!requestId) {
    const filled = Object.fromEntries(Object.entries(row).filter(([, v]) => v !== ''));
    return `salesforce:${type}:h:${recordHash(filled).slice(0, 32)}`;
  }
  const userId = (row['USER_ID'] || row['USER_ID_DERIVED'] || '').trim();
  const user = userId ? salesforceId18(userId) : (row['USER_NAME'] ?? '').trim();
  const op = ELF_OPERATION.map((k) => idPart(row[k]));
  return sfRequestEventId(type, requestId, Date.parse(row['TIMESTAMP_DERIVED'] ?? ''), user, op);
}

/** Salesforce Real-Time Event Monitoring `event.id`. */
export function salesforceRtemEventId(objectName: string, rec: Readonly<Record<string, unknown>>): string {
  const userId = idPart(rec['UserId']);
  const user = userId ? salesforceId18(userId) : idPart(rec['Username']);
  const time = Date.parse(String(rec['EventDate'] ?? '').replace(/\+0000$/, 'Z'));
  const op = RTEM_OPERATION.map((k) => idPart(rec[k]));
  return sfRequestEventId(objectName, str(rec['EventIdentifier']), time, user, op);
}

const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** 15-char Salesforce ids to their 18-char case-safe form (18-char ids pass through). */
export function salesforceId18(id: string): string {
  if (id.length !== 15) return id;
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const ch = id.charAt(chunk * 5 + i);
      if (ch >= 'A' && ch <= 'Z') bits |= 1 << i;
    }
    suffix += SUFFIX.charAt(bits);
  }
  return id + suffix;
}

/** Salesforce `token.id` from a user id (15 or 18 chars), an optional connected app id and user name. */
export function salesforceTokenId(
  userId: string,
  connectedAppId: string | undefined | null,
  username?: string,
): string {
  if (!userId && username) return `salesforce:username:${username.toLowerCase()}`;
  const user = salesforceId18(userId);
  return connectedAppId
    ? `salesforce:grant:${user}:${salesforceId18(connectedAppId)}`
    : `salesforce:user:${user}`;
}

/** Salesforce `token.id` of an EventLogFile row. */
export function salesforceElfTokenId(row: Readonly<Record<string, string>>): string {
  return salesforceTokenId(
    row['USER_ID_DERIVED'] || row['USER_ID'] || '',
    row['CONNECTED_APP_ID'],
    row['USER_NAME'],
  );
}

/** Salesforce `token.id` of a Real-Time Event Monitoring record. */
export function salesforceRtemTokenId(rec: Readonly<Record<string, unknown>>): string {
  const app = rec['ConnectedAppId'];
  const name = rec['Username'];
  return salesforceTokenId(
    str(rec['UserId']),
    typeof app === 'string' ? app : undefined,
    typeof name === 'string' ? name : undefined,
  );
}
