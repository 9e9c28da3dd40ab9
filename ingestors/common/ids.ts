import { createHash } from 'node:crypto';

/**
 * SHA-256 helpers and the `event.id` / `token.id` builders shared by every source, implementing
 * `ingestors/IDS.md` exactly (the simulator and the evaluation labels build the same strings).
 */

/** Lower-case hex SHA-256 of a UTF-8 string (64 chars). */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
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
function part(value: string | number | undefined): string {
  return value === undefined ? '' : String(value);
}

/** The fields IDS.md hashes into a GitHub event id when `_document_id` is absent. */
export interface GithubEventIdParts {
  documentId?: string | undefined;
  action: string;
  /** The raw `@timestamp` field as logged (epoch ms integer `1699999999123`), not `created_at`. */
  timestamp?: string | number | undefined;
  actor?: string | undefined;
  /** The raw `repo` field (not `repository`). */
  repo?: string | undefined;
  hashedToken?: string | undefined;
}

/**
 * GitHub `event.id`: `github:<_document_id>`, else
 * `github:h:<sha256 hex 32 of action|@timestamp|actor|repo|hashed_token>` where each part is the
 * raw field rendered with `String()` and a missing part is the empty string (the simulator,
 * `src/simulate/ids.ts`, hashes the same way).
 */
export function githubEventId(p: GithubEventIdParts): string {
  if (p.documentId) return `github:${p.documentId}`;
  const key = [p.action, part(p.timestamp), part(p.actor), part(p.repo), part(p.hashedToken)].join('|');
  return `github:h:${sha256Hex32(key)}`;
}

/** Google Workspace `event.id`: `google_workspace:<applicationName>:<uniqueQualifier>:<event index>`. */
export function googleEventId(applicationName: string, uniqueQualifier: string, index: number): string {
  return `google_workspace:${applicationName}:${uniqueQualifier}:${index}`;
}

/** The fields IDS.md hashes into a Salesforce EventLogFile event id when REQUEST_ID is empty. */
export interface SalesforceElfIdParts {
  eventType: string;
  requestId?: string | undefined;
  timestamp?: string | undefined;
  userId?: string | undefined;
  loginKey?: string | undefined;
  uri?: string | undefined;
}

/**
 * Salesforce EventLogFile `event.id`: `salesforce:<EVENT_TYPE>:<REQUEST_ID>`, else
 * `salesforce:<EVENT_TYPE>:h:<sha256 hex 32 of TIMESTAMP|USER_ID|LOGIN_KEY|URI>`.
 */
export function salesforceElfEventId(p: SalesforceElfIdParts): string {
  if (p.requestId) return `salesforce:${p.eventType}:${p.requestId}`;
  const key = [part(p.timestamp), part(p.userId), part(p.loginKey), part(p.uri)].join('|');
  return `salesforce:${p.eventType}:h:${sha256Hex32(key)}`;
}

/** Salesforce Real-Time Event Monitoring `event.id`: `salesforce:<object name>:<EventIdentifier>`. */
export function salesforceRtemEventId(objectName: string, eventIdentifier: string): string {
  return `salesforce:${objectName}:${eventIdentifier}`;
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

/** `tokenwatch.session_id` for Salesforce: sha256 hex 32 of LOGIN_KEY (or SESSION_KEY). */
export function sessionIdHash(loginOrSessionKey: string): string {
  return sha256Hex32(loginOrSessionKey);
}
