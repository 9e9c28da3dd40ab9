import type { TokenActivity, TokenKeyKind, TokenLifecycle, TokenType } from '../../schemas/token-activity.js';
import { salesforceGrantTokenId, salesforceUserTokenId, sessionIdHash } from '../common/ids.js';
import { compact, distinct } from '../common/values.js';
import type { SalesforceFacts } from './facts.js';
import { type EventClass, isApiLoginType, isOAuthLoginType, isUiLoginType } from './mapping.js';
import { isBrowserUserAgent } from './user-agent.js';

/**
 * The shared Salesforce rules that turn {@link SalesforceFacts} into a TokenActivity:
 * token id (ingestors/IDS.md), token type, lifecycle, principal kind and ECS categories.
 * `source.geo`, `user_agent.name` and `tokenwatch.network` are left to the enrich stage.
 */

/** ECS `event.category` / `event.type` per event class. */
const ECS: Readonly<Record<EventClass, { category: string[]; type: string[] }>> = {
  login: { category: ['authentication', 'session'], type: ['start'] },
  logout: { category: ['authentication', 'session'], type: ['end'] },
  impersonation_start: { category: ['authentication', 'session'], type: ['start'] },
  impersonated_action: { category: ['web'], type: ['access'] },
  api: { category: ['api'], type: ['access'] },
  web: { category: ['web'], type: ['access'] },
  file: { category: ['file'], type: ['access'] },
};

/** True when the login issued an OAuth token (token endpoint, or an OAuth login type). */
export function isOAuthIssuance(f: SalesforceFacts): boolean {
  return f.eventClass === 'login' && (f.oauthTokenEndpoint || isOAuthLoginType(f.loginType));
}

/**
 * Token type:
 * - `oauth_access_token`: a connected app is on the record, or an OAuth login (token endpoint,
 *   `Remote Access 2.0`);
 * - `api_key`: API-only logins (`Other Apex API`, `Partner Product`, SOAP `login()` seen as a Login
 *   with an API version) and API calls without a connected app from a non-browser client: the
 *   session came from username + password + security token;
 * - `session`: browser logins (`Application`, SAML SSO), UI events, API calls from a browser;
 * - `unknown`: a login with nothing to tell.
 */
export function tokenType(f: SalesforceFacts): TokenType {
  if (f.connectedAppId !== undefined || isOAuthIssuance(f) || isOAuthLoginType(f.loginType))
    return 'oauth_access_token';
  if (isApiLoginType(f.loginType)) return 'api_key';
  if (isUiLoginType(f.loginType)) return 'session';
  const browser = isBrowserUserAgent(f.userAgent);
  switch (f.eventClass) {
    case 'api':
      return browser ? 'session' : 'api_key';
    case 'login':
      if (f.apiLogin) return 'api_key';
      return browser ? 'session' : 'unknown';
    default:
      return 'session';
  }
}

/**
 * Lifecycle (ingestors/IDS.md, "Lifecycle semantics"): a *successful* OAuth issuance ->
 * `authorized` (a failed `Remote Access 2.0` login authorized nothing: `used`, an attempt);
 * everything else -> `used`. A Logout / LogoutEvent ends one session, not the user's credentials
 * nor a connected-app grant: it is a `used` record (ECS `event.type: end`), never a revocation or
 * expiry, so a later login of the same user is not a "use after revocation".
 */
export function lifecycle(f: SalesforceFacts): TokenLifecycle {
  if (isOAuthIssuance(f) && f.outcome !== 'failure') return 'authorized';
  return 'used';
}

/**
 * `machine` when the caller looks like an integration: a connected app, an API-only login type,
 * an API-key credential, a non-browser user agent, or an API call / OAuth issuance with no user
 * agent at all. Otherwise `human`.
 */
export function principalKind(f: SalesforceFacts, type: TokenType): 'human' | 'machine' {
  if (f.connectedAppId !== undefined || isApiLoginType(f.loginType) || type === 'api_key') return 'machine';
  if (f.userAgent !== undefined) return isBrowserUserAgent(f.userAgent) ? 'human' : 'machine';
  if (f.eventClass === 'api' || isOAuthIssuance(f)) return 'machine';
  return 'human';
}

/** Token id and key kind per ingestors/IDS.md (Salesforce section). */
export function tokenKey(f: SalesforceFacts): { id: string; keyKind: TokenKeyKind } {
  if (f.userId === undefined) {
    // IDS.md has no rule without a user id (failed logins of unknown users carry only a name);
    // a separate namespace keeps these apart from `salesforce:user:<18-char id>`.
    return { id: `salesforce:username:${(f.userName ?? '').toLowerCase()}`, keyKind: 'principal' };
  }
  if (f.connectedAppId !== undefined) {
    return salesforceGrantTokenId(f.userId, f.connectedAppId);
  }
  return salesforceUserTokenId(f.userId);
}

/** Short family names used in operation-qualified actions (`salesforce.api.query`). */
const ACTION_FAMILY: Readonly<Record<string, string>> = {
  API: 'api',
  ApiEvent: 'api',
  RestApi: 'restapi',
  ApexRestApi: 'apexrestapi',
  ApexSoap: 'apexsoap',
  BulkApi: 'bulkapi',
  BulkApi2: 'bulkapi2',
  BulkApiRequest: 'bulkapi',
  BulkApiResultEvent: 'bulkapi',
  MetadataApiOperation: 'metadataapi',
  Report: 'report',
  ReportExport: 'report',
  ReportEvent: 'report',
  URI: 'uri',
  UriEvent: 'uri',
  LightningUriEvent: 'uri',
  ListViewEvent: 'listview',
};

/**
 * `event.action`: the vendor operation when the record names one, as
 * `salesforce.<family>.<operation>` (`salesforce.api.query` from an API row's `METHOD_NAME` or an
 * ApiEvent's `Operation`, `salesforce.report.reportexported`, `salesforce.uri.read`); else the
 * vendor event type (`Login`, `LogoutEvent`). The event type stays in `event.provider` and
 * `event.dataset`.
 */
export function salesforceAction(eventType: string, operation: string | undefined): string {
  const op = operation
    ?.trim()
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '_');
  if (op === undefined || op === '') return eventType;
  return `salesforce.${ACTION_FAMILY[eventType] ?? eventType.toLowerCase()}.${op}`;
}

/** ECS `tls.version` / `version_protocol` from `TLSv1.2`, `TLS 1.3`, `SSLv3`. */
function tlsOf(protocol: string | undefined, cipher: string | undefined): TokenActivity['tls'] | undefined {
  const m = protocol === undefined ? null : /^(tls|ssl)\s*v?\s*(\d+(?:\.\d+)?)$/i.exec(protocol.trim());
  const out = compact({
    version: m?.[2],
    version_protocol: m?.[1]?.toLowerCase(),
    cipher,
  });
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Builds the TokenActivity for one Salesforce record. Pure; never reads the raw session key. */
export function buildActivity(f: SalesforceFacts): TokenActivity {
  const type = tokenType(f);
  const key = tokenKey(f);
  const ecs = ECS[f.eventClass];
  const sessionSecret = f.loginKey ?? f.sessionKey;
  const sessionId = sessionSecret === undefined ? undefined : sessionIdHash(sessionSecret);
  const eventTypes = [...ecs.type];
  if (f.eventClass === 'api' && (f.httpStatus === 401 || f.httpStatus === 403)) eventTypes.push('denied');
  // `impersonated_user` carries DELEGATED_USER_* / DelegatedUsername, as the project asks. Salesforce
  // documents those as the admin *doing* the Login-As; `user` is the account being logged in as.
  const impersonator = f.delegatedUserName ?? f.delegatedUserId;
  const isImpersonation = f.eventClass === 'impersonated_action' || f.eventClass === 'impersonation_start';
  const volume = compact({ rows: f.rows, bytes: f.bytes });
  const client = compact({ id: f.connectedAppId, name: f.clientName });

  return compact({
    '@timestamp': f.timestamp,
    event: compact({
      id: f.eventId,
      kind: 'event' as const,
      category: [...ecs.category],
      type: eventTypes,
      action: salesforceAction(f.eventType, f.operation),
      outcome: f.outcome,
      module: 'salesforce' as const,
      dataset: `salesforce.${f.eventType.toLowerCase()}`,
      provider: f.provider,
      url: f.url,
      created: f.created,
    }),
    user: compact({
      id: f.userId,
      name: f.userName,
      // Salesforce usernames are in email form (Elastic maps USER_NAME / Username to user.email)
      email: f.userName?.includes('@') ? f.userName : undefined,
      roles: f.userType === undefined ? undefined : [f.userType],
      // ECS user.target: the account a Login-As session acts as (the subject of the admin action)
      target: isImpersonation ? compact({ id: f.userId, name: f.userName }) : undefined,
    }),
    source:
      f.sourceIp === undefined && f.vendorGeo === undefined
        ? undefined
        : compact({ ip: f.sourceIp, geo: f.vendorGeo }),
    user_agent:
      f.userAgent === undefined
        ? undefined
        : compact({ original: f.userAgent, os: f.platform === undefined ? undefined : { name: f.platform } }),
    tls: tlsOf(f.tlsProtocol, f.cipherSuite),
    http: f.httpMethod === undefined ? undefined : { request: { method: f.httpMethod.toUpperCase() } },
    organization: f.orgId === undefined ? undefined : { id: f.orgId },
    related: {
      ip: [...f.ips],
      user: distinct([f.userId, f.userName, f.delegatedUserId, f.delegatedUserName]),
      hash: distinct([sessionId]),
    },
    token: compact({
      id: key.id,
      key_kind: key.keyKind,
      type,
      scopes: [],
      client: Object.keys(client).length === 0 ? undefined : client,
      lifecycle: lifecycle(f),
      owner: compact({ id: f.userId, name: f.userName }),
      principal: principalKind(f, type),
    }),
    tokenwatch: compact({
      network: f.vendorGeo === undefined ? undefined : { geo_source: 'vendor' as const },
      resource: f.resource,
      volume: Object.keys(volume).length === 0 ? undefined : volume,
      api_type: f.apiType,
      session_id: sessionId,
      impersonated_user: isImpersonation ? impersonator : undefined,
      secret_exposures: f.secretExposures.length === 0 ? undefined : f.secretExposures,
    }),
  }) as TokenActivity;
}
