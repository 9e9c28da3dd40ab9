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

/** GitHub audit event: `github:<_document_id>`, else the hash fallback. */
export function githubEventId(rec: Record<string, unknown>): string {
  const doc = rec['_document_id'];
  if (typeof doc === 'string' && doc.length > 0) return `github:${doc}`;
  const key = [rec['action'], rec['@timestamp'], rec['actor'], rec['repo'], rec['hashed_token']]
    .map(str)
    .join('|');
  return `github:h:${sha256Hex(key).slice(0, 32)}`;
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

/** Google Workspace `event.id` of the `index`-th event of an activity. */
export function googleEventId(activity: GwsActivityLike, index: number): string {
  return `google_workspace:${activity.id.applicationName}:${activity.id.uniqueQualifier}:${index}`;
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

/** Salesforce EventLogFile row `event.id`. */
export function salesforceElfEventId(row: Readonly<Record<string, string>>): string {
  const type = row['EVENT_TYPE'] ?? '';
  const requestId = row['REQUEST_ID'];
  if (requestId) return `salesforce:${type}:${requestId}`;
  const key = [row['TIMESTAMP'], row['USER_ID'], row['LOGIN_KEY'], row['URI']].map(str).join('|');
  return `salesforce:${type}:h:${sha256Hex(key).slice(0, 32)}`;
}

/** Salesforce Real-Time Event Monitoring `event.id`. */
export function salesforceRtemEventId(objectName: string, rec: Readonly<Record<string, unknown>>): string {
  return `salesforce:${objectName}:${str(rec['EventIdentifier'])}`;
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
