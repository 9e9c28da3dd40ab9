import { type GithubAuditEvent, safeParseGithubAuditEvent } from '../../schemas/raw/github-audit.js';
import type { TokenActivity, TokenLifecycle, TokenType } from '../../schemas/token-activity.js';
import {
  githubAppInstallationTokenId,
  githubEventId,
  githubHashTokenId,
  githubNumericTokenId,
  githubSessionTokenId,
  type TokenKey,
} from '../common/ids.js';
import { canonicalIp } from '../common/ip.js';
import { deadResult, guardNormalize, skippedResult } from '../common/normalize-guard.js';
import { redactRecord, unredacted } from '../common/redact.js';
import { toIsoUtc } from '../common/time.js';
import { compact, describeZodError, distinct, text } from '../common/values.js';
import type { NormalizeResult, RawRecord } from '../types.js';
import { githubEventClass, githubLifecycle, isFailureAction } from './action-map.js';
import { githubPrincipal } from './principal.js';
import { githubTokenType, isServerToServer } from './token-type.js';

/**
 * Normalizes one raw GitHub audit-log event (`schemas/raw/github-audit.ts`) to token activity.
 *
 * - time: `@timestamp` (or Panther's `at_sign_timestamp`, or `created_at`), epoch ms / s or string;
 *   missing or impossible -> dead letter `bad_timestamp`;
 * - ids per `ingestors/IDS.md` (`github:<_document_id>`, else a hash of the whole record; token by hash / app installation /
 *   token_id / session);
 * - token: type from `programmatic_access_type` (`token-type.ts`), lifecycle from the action
 *   (`action-map.ts`), scopes from `token_scopes`, client from `oauth_application_*` / `integration`;
 * - principal: `principal.ts`; user = `actor`; organization = `org` / `org_id` (arrays joined);
 * - resource: `repository` or `repo` as `{type: 'repo'}`; volume `items: 1` on `git.clone` and
 *   `repo.download_zip`; `api_type` = `request_category`, or `git` for `git.*`;
 * - outcome: failure for failed/denied/rejected/blocked actions or `status_code >= 400`;
 * - `source.ip` = `actor_ip` (or the older `actor_location.ip`) when valid; vendor country from
 *   `actor_location.country_code` (replaced by GeoIP in enrichment);
 * - raw secrets anywhere in the record are redacted and listed in `tokenwatch.secret_exposures`.
 *
 * Unknown actions are normalized as lifecycle `used`. Events with neither an actor nor a token
 * (anonymous public clone, formats.md 1e.8) are skipped, not dead-lettered. Schema failures ->
 * `schema_invalid`. Never throws.
 */
export function normalizeGithub(record: RawRecord): NormalizeResult {
  return guardNormalize('github', record, () => {
    // Framing marks records whose raw text cannot hold a secret (redaction would be a no-op).
    const { value, exposures } = record.secretFree ? unredacted(record.value) : redactRecord(record.value);
    const parsed = safeParseGithubAuditEvent(value);
    if (!parsed.success) {
      return deadResult(
        'github',
        record,
        'schema_invalid',
        `not a GitHub audit event: ${describeZodError(parsed.error)}`,
      );
    }
    const e = parsed.data;
    const rawTime = e['@timestamp'] ?? e.at_sign_timestamp ?? e.created_at;
    if (rawTime === undefined || rawTime === null) {
      return deadResult('github', record, 'bad_timestamp', 'no @timestamp or created_at');
    }
    const timestamp = toIsoUtc(rawTime);

    const actor = text(e.actor);
    const hashedToken = text(e.hashed_token);
    const tokenIdRaw = text(e.token_id);
    if (!actor && !hashedToken && !tokenIdRaw) {
      return skippedResult(
        'github',
        record,
        'anonymous event: no actor and no token (e.g. public repository clone)',
      );
    }
    const activity = buildActivity(e, { timestamp, actor, hashedToken, tokenIdRaw, record: value });
    if (exposures.length > 0) activity.tokenwatch.secret_exposures = exposures;
    return { kind: 'activity', activity };
  });
}

interface Core {
  timestamp: string;
  actor: string | undefined;
  hashedToken: string | undefined;
  tokenIdRaw: string | undefined;
  /** The raw record (redacted), hashed into `event.id` when it has no `_document_id`. */
  record: Readonly<Record<string, unknown>>;
}

function buildActivity(e: GithubAuditEvent, core: Core): TokenActivity {
  const { actor, hashedToken, tokenIdRaw } = core;
  const accessType = text(e.programmatic_access_type);
  const oauthAppId = text(e.oauth_application_id);
  const integration = text(e.integration);
  const serverToServer = accessFacts(accessType).serverToServer;
  const org = orgText(e.org);
  const ip = canonicalIp(text(e.actor_ip) ?? text(e.actor_location?.ip));
  const country = text(e.actor_location?.country_code)?.toUpperCase();
  const userAgent = text(e.user_agent);
  const repo = text(e.repository) ?? text(e.repo);
  const statusCode = Number(e.status_code);
  const action = actionFacts(e.action, text(e.operation_type));
  const failed = action.failed || (Number.isFinite(statusCode) && statusCode >= 400);
  const email = text(e.external_identity_nameid);
  const userEmail = email?.includes('@') ? email : undefined;

  const activity: TokenActivity = {
    '@timestamp': core.timestamp,
    event: {
      id: githubEventId({ documentId: text(e._document_id), record: core.record }),
      kind: 'event',
      category: [...action.category],
      type: [...action.type],
      action: e.action,
      outcome: failed ? 'failure' : 'success',
      module: 'github',
      dataset: 'github.audit',
    },
    user: compact({ id: text(e.actor_id), name: actor, email: userEmail, domain: userEmail?.split('@')[1] }),
    related: {
      ip: ip ? [ip] : [],
      user: distinct([actor, text(e.actor_id), text(e.user)]),
      hash: hashedToken ? [hashedToken] : [],
    },
    token: {
      ...tokenKeyOf({ hashedToken, tokenIdRaw, actor, serverToServer, app: oauthAppId ?? integration, org }),
      type: tokenTypeOf(e.action, accessType, oauthAppId, hashedToken ?? tokenIdRaw),
      scopes: scopesOf(e.token_scopes),
      lifecycle: namedTokenLifecycle(action.lifecycle, hashedToken, tokenIdRaw),
      owner: compact({ id: text(e.actor_id), name: actor }),
      principal: githubPrincipal({
        actor,
        isBot: e.actor_is_bot === true,
        isAgent: e.actor_is_agent === true,
        serverToServer,
        userAgent,
      }),
    },
    tokenwatch: {},
  };
  const clientId = oauthAppId ?? integration;
  const clientName = text(e.oauth_application_name) ?? text(e.oauth_application) ?? integration;
  if (clientId || clientName) activity.token.client = compact({ id: clientId, name: clientName });
  if (ip || country)
    activity.source = compact({ ip, geo: country?.length === 2 ? { country_iso_code: country } : undefined });
  if (userAgent) activity.user_agent = { original: userAgent };
  addEcsDetails(activity, e, { org, country, statusCode, accessType, tokenIdRaw });
  const orgId = Array.isArray(e.org_id) ? e.org_id.join(',') : text(e.org_id);
  if (org || orgId) activity.organization = compact({ id: orgId || undefined, name: org || undefined });
  if (repo) activity.tokenwatch.resource = { type: 'repo', name: repo };
  if (e.action === 'git.clone' || e.action === 'repo.download_zip') activity.tokenwatch.volume = { items: 1 };
  const apiType = text(e.request_category) ?? (e.action.startsWith('git.') ? 'git' : undefined);
  if (apiType) activity.tokenwatch.api_type = apiType;
  return activity;
}

/**
 * `token.type`: from `programmatic_access_type` (`token-type.ts`). Without one, a record that
 * names a token (`hashed_token` / `token_id`) is not a web session: on `oauth_access.*` the token
 * is a classic PAT or an OAuth app's token (GitHub logs a classic PAT's creation as
 * `oauth_access.create`, https://github.com/orgs/community/discussions/39421), elsewhere
 * (`api.request` streamed without the field) its kind is `unknown`.
 */
function tokenTypeOf(
  action: string,
  accessType: string | undefined,
  oauthAppId: string | undefined,
  token: string | undefined,
): TokenType {
  if (accessType === undefined && token !== undefined) {
    if (action.startsWith('oauth_access.'))
      return oauthAppId !== undefined ? 'oauth_access_token' : 'pat_classic';
    return 'unknown';
  }
  return oauthAppId !== undefined ? accessFacts(accessType).withApp : accessFacts(accessType).withoutApp;
}

/**
 * ECS fields Elastic's GitHub integration sets for the same record
 * (elastic/integrations `packages/github/data_stream/audit/elasticsearch/ingest_pipeline/default.yml`):
 * `client.geo.country_iso_code` from `actor_location.country_code`; `user.target.*` from `user` /
 * `user_id` (the affected user); `group.name` (and `user.target.group.name`) from `org` on `org.*`
 * and from `team` on `team.*`. Also `http.request.method` / `http.response.status_code` from
 * `request_method` / `status_code`, the templated `route`, the token's own `token_id`, the PAT's
 * name and the vendor's access-type wording.
 */
function addEcsDetails(
  activity: TokenActivity,
  e: GithubAuditEvent,
  f: {
    org: string;
    country: string | undefined;
    statusCode: number;
    accessType: string | undefined;
    tokenIdRaw: string | undefined;
  },
): void {
  if (f.country?.length === 2) activity.client = { geo: { country_iso_code: f.country } };
  const targetName = text(e.user);
  const team = text((e as Record<string, unknown>).team);
  const group = e.action.startsWith('team.')
    ? team
    : e.action.startsWith('org.')
      ? f.org || undefined
      : undefined;
  if (group) activity.group = { name: group };
  if (targetName) {
    activity.user.target = compact({
      id: text(e.user_id),
      name: targetName,
      group: group ? { name: group } : undefined,
    });
  }
  const method = text(e.request_method)?.toUpperCase();
  const status = Number.isInteger(f.statusCode) && f.statusCode > 0 ? f.statusCode : undefined;
  if (method || status !== undefined)
    activity.http = compact({
      request: method ? { method } : undefined,
      response: status !== undefined ? { status_code: status } : undefined,
    });
  const route = text(e.route);
  if (route) activity.tokenwatch.route = route;
  if (f.tokenIdRaw) activity.token.vendor_id = f.tokenIdRaw;
  const patName = text(e.user_programmatic_access_name);
  if (patName) activity.token.name = patName;
  if (f.accessType) activity.token.access_type = f.accessType;
}

/**
 * A token lifecycle step (`personal_access_token.destroy`, `oauth_authorization.destroy`,
 * `.create`...) applies to the token the record names (`hashed_token` or `token_id`) and to no
 * other entity: when the record names none, the only entity left is the actor's web session
 * (`github:session:<actor>`), which the step is not about, so it is recorded as a `used` of that
 * session (revoking one PAT never revokes the person's session or other tokens).
 */
function namedTokenLifecycle(
  lifecycle: TokenLifecycle,
  hashedToken: string | undefined,
  tokenId: string | undefined,
): TokenLifecycle {
  return lifecycle === 'used' || hashedToken !== undefined || tokenId !== undefined ? lifecycle : 'used';
}

/** `org` as one string: arrays (user security log) joined with `,`; `[]` -> ''. */
function orgText(org: string | string[] | null | undefined): string {
  if (Array.isArray(org)) return org.join(',');
  return org ?? '';
}

/** `token_scopes` split on commas, spaces trimmed (`"repo, read:org"` -> `['repo','read:org']`). */
function scopesOf(scopes: string | string[] | null | undefined): string[] {
  if (scopes === null || scopes === undefined) return [];
  const list = Array.isArray(scopes) ? scopes : scopes.split(',');
  return distinct(list.map((s) => s.trim()));
}

/** token.id / key_kind per IDS.md. */
function tokenKeyOf(k: {
  hashedToken: string | undefined;
  tokenIdRaw: string | undefined;
  actor: string | undefined;
  serverToServer: boolean;
  app: string | undefined;
  org: string;
}): { id: string; key_kind: TokenKey['keyKind'] } {
  let key: TokenKey;
  if (k.hashedToken && k.serverToServer && k.app) key = githubAppInstallationTokenId(k.app, k.org);
  else if (k.hashedToken) key = githubHashTokenId(k.hashedToken);
  else if (k.tokenIdRaw) key = githubNumericTokenId(k.tokenIdRaw);
  else key = githubSessionTokenId(k.actor ?? '');
  return { id: key.id, key_kind: key.keyKind };
}

/**
 * What the action-map and token-type functions say about an action / access type wording. Both
 * are pure functions of a few dozen distinct strings, so they are computed once per string
 * (bounded memo: cleared when full); category and type arrays are copied into each activity.
 */
interface ActionFacts {
  category: readonly string[];
  type: readonly string[];
  lifecycle: TokenLifecycle;
  failed: boolean;
}
interface AccessFacts {
  serverToServer: boolean;
  withApp: TokenType;
  withoutApp: TokenType;
}
const MEMO_MAX = 4096;
const actionMemo = new Map<string, ActionFacts>();
const accessMemo = new Map<string | undefined, AccessFacts>();

function actionFacts(action: string, operationType: string | undefined): ActionFacts {
  // unambiguous: `u<action>` without an operation type, else `<length>:<operation type><action>`
  const key =
    operationType === undefined ? `u${action}` : `${operationType.length}:${operationType}${action}`;
  let facts = actionMemo.get(key);
  if (facts === undefined) {
    const { category, type } = githubEventClass(action, operationType);
    facts = { category, type, lifecycle: githubLifecycle(action), failed: isFailureAction(action) };
    if (actionMemo.size >= MEMO_MAX) actionMemo.clear();
    actionMemo.set(key, facts);
  }
  return facts;
}

function accessFacts(accessType: string | undefined): AccessFacts {
  let facts = accessMemo.get(accessType);
  if (facts === undefined) {
    facts = {
      serverToServer: isServerToServer(accessType),
      withApp: githubTokenType(accessType, true),
      withoutApp: githubTokenType(accessType, false),
    };
    if (accessMemo.size >= MEMO_MAX) accessMemo.clear();
    accessMemo.set(accessType, facts);
  }
  return facts;
}
