import { type GwsActivity, type GwsEvent, safeParseGwsActivity } from '../../schemas/raw/google-workspace.js';
import type { TokenActivity, TokenType } from '../../schemas/token-activity.js';
import {
  googleDwdTokenId,
  googleEventId,
  googleGrantTokenId,
  googleSessionTokenId,
  googleSplitPosition,
  type TokenKey,
} from '../common/ids.js';
import { canonicalIp } from '../common/ip.js';
import { deadResult, guardNormalize } from '../common/normalize-guard.js';
import { redactRecord, unredacted } from '../common/redact.js';
import { toIsoUtc } from '../common/time.js';
import { compact, describeZodError, distinct, text } from '../common/values.js';
import type { NormalizeResult, RawRecord } from '../types.js';
import { DWD_GRANT, DWD_REMOVE, gwsEventClass, gwsLifecycle, isFailureEvent } from './event-map.js';
import {
  flattenParameters,
  type ParamMap,
  paramList,
  paramNumber,
  paramText,
  scopeDataNames,
} from './parameters.js';

/**
 * Normalizes one Google Workspace Reports API event (an activity envelope with a single event,
 * as `frame.ts` produces; `schemas/raw/google-workspace.ts`) to token activity.
 *
 * - `event.id` = `google_workspace:<app>:<uniqueQualifier>:<id.time ms>:<event index>:<event name>`
 *   (IDS.md; already-split inputs use a hash of the event's parameters as position); time from `id.time`;
 * - token key per `ingestors/IDS.md`: admin `AUTHORIZE_API_CLIENT_ACCESS` /
 *   `REMOVE_API_CLIENT_ACCESS` -> `google_workspace:dwd:<API_CLIENT_NAME>`; impersonation via an
 *   OAuth client -> `google_workspace:dwd:<client>` (+ `tokenwatch.impersonated_user`); `token`
 *   application or any client id -> `google_workspace:grant:<actor>:<client>`; else the user's
 *   session `google_workspace:session:<actor>`. `<actor>` is `actor.email`, else `profileId`, else
 *   `key` (IDS.md only names the email; the fallbacks apply when it is missing);
 * - token app: `authorize` (authorized, scopes from `scope` / `scope_data`), `revoke` (revoked),
 *   `activity` / `request` (used, `num_response_bytes` -> `volume.bytes`, `api_name` ->
 *   `api_type`, `method_name` -> resource); client from `client_id` / `app_name`;
 * - login app: `login_failure` is a failure; `login_type` -> `api_type`;
 * - admin app: DWD grant with `API_SCOPES` scopes; other admin events `used`, resource the OAuth
 *   client (`OAUTH2_APP_ID`), user (`USER_EMAIL`) or setting (`SETTING_NAME`) changed;
 * - drive app: resource `{type: 'file', name: doc_id}`, `download` counts `volume.items: 1`;
 * - principal machine for `callerType: KEY`, 2LO keys, impersonation and DWD grants;
 * - `ipAddress` optional; invalid addresses are dropped. ECS as Elastic's `google_workspace`
 *   integration maps it: `user.name` / `source.user.*` / `related.user` / `related.hosts` from the
 *   actor, `user.target.*` from an admin event's `USER_EMAIL`, `source.as.number` from
 *   `networkInfo.ipAsn`;
 *
 * Raw secrets are redacted and listed in `tokenwatch.secret_exposures`. Dead letters:
 * `schema_invalid` (shape, no event), `bad_timestamp`, `no_principal` (no email/profileId/key).
 * Never throws.
 */
export function normalizeGoogleWorkspace(record: RawRecord): NormalizeResult {
  return guardNormalize('google_workspace', record, () => {
    // Framing marks records whose raw text cannot hold a secret (redaction would be a no-op).
    const { value, exposures } = record.secretFree ? unredacted(record.value) : redactRecord(record.value);
    const parsed = safeParseGwsActivity(value);
    if (!parsed.success) {
      return deadResult(
        'google_workspace',
        record,
        'schema_invalid',
        `not a Reports API activity: ${describeZodError(parsed.error)}`,
      );
    }
    const a = parsed.data;
    const picked = pickEvent(a);
    if (!picked) return deadResult('google_workspace', record, 'schema_invalid', 'activity has no events');
    const timestamp = toIsoUtc(a.id.time);
    const actorKey = text(a.actor?.email) ?? text(a.actor?.profileId) ?? text(a.actor?.key);
    if (!actorKey) {
      return deadResult('google_workspace', record, 'no_principal', 'actor has no email, profileId or key');
    }
    const activity = buildActivity(a, picked.event, picked.index, timestamp, actorKey);
    if (exposures.length > 0) activity.tokenwatch.secret_exposures = exposures;
    return { kind: 'activity', activity };
  });
}

/**
 * The single event of the record and its position for `event.id` (IDS.md): its index in the
 * original `events[]` when framing split the activity (`tokenwatch_event_index`), else (the input
 * arrived already split) `s<hash of its parameters>`.
 */
function pickEvent(a: GwsActivity): { event: GwsEvent; index: number | string } | undefined {
  const given = a.tokenwatch_event_index ?? undefined;
  if (Array.isArray(a.events)) {
    const event = a.events[given ?? 0];
    return event ? { event, index: given ?? 0 } : undefined;
  }
  if (a.events) return { event: a.events, index: position(given, a.events) };
  if (a.event) return { event: a.event, index: position(given, a.event) };
  if (a.name) {
    const event = { name: a.name, type: a.type, parameters: a.parameters };
    return { event, index: position(given, event) };
  }
  return undefined;
}

/** An already-split event's position: the framing's index when given, else a hash of its parameters. */
function position(given: number | undefined, e: GwsEvent): number | string {
  return given ?? googleSplitPosition(e.parameters);
}

function buildActivity(
  a: GwsActivity,
  ev: GwsEvent,
  index: number | string,
  timestamp: string,
  actorKey: string,
): TokenActivity {
  const app = a.id.applicationName;
  const name = ev.name;
  const params = flattenParameters(ev.parameters);
  const email = text(a.actor?.email);
  const profileId = text(a.actor?.profileId);
  const callerType = text(a.actor?.callerType)?.toUpperCase();
  const appInfo = a.actor?.applicationInfo;
  const impersonation = appInfo?.impersonation === true;
  const clientId = text(appInfo?.oauthClientId) ?? paramText(params, 'client_id');
  const dwdEvent = app === 'admin' && (name === DWD_GRANT || name === DWD_REMOVE);
  const dwdClient = dwdEvent ? paramText(params, 'API_CLIENT_NAME') : undefined;
  const keyCaller = callerType === 'KEY' || (text(a.actor?.key) !== undefined && !email);
  const ip = canonicalIp(text(a.ipAddress));

  let key: TokenKey;
  let type: TokenType;
  let impersonated: string | undefined;
  let owner: TokenActivity['token']['owner'] = compact({ id: profileId, email });
  const appName = paramText(params, 'app_name') ?? text(appInfo?.applicationName);
  if (dwdClient) {
    key = googleDwdTokenId(dwdClient);
    type = 'service_account';
    owner = { id: dwdClient };
  } else if (impersonation && clientId) {
    key = googleDwdTokenId(clientId);
    type = 'service_account';
    impersonated = email;
    owner = compact({ id: clientId, name: appName });
  } else if (app === 'token' || clientId) {
    key = googleGrantTokenId(actorKey, clientId ?? '');
    type = keyCaller ? 'service_account' : 'oauth_access_token';
  } else {
    key = googleSessionTokenId(actorKey);
    type = keyCaller ? 'service_account' : 'session';
  }

  const failed = isFailureEvent(name) || /fail/i.test(paramText(params, 'login_challenge_status') ?? '');
  const { category, type: ecsType } = gwsEventClass(app, name);
  const activity: TokenActivity = {
    '@timestamp': timestamp,
    event: {
      id: googleEventId({
        applicationName: app,
        uniqueQualifier: a.id.uniqueQualifier,
        timeMs: Date.parse(timestamp),
        position: index,
        name: name ?? '',
      }),
      kind: 'event',
      category,
      type: ecsType,
      action: name,
      outcome: failed ? 'failure' : 'success',
      module: 'google_workspace',
      dataset: `google_workspace.${app}`,
      provider: `reports:${app}`,
    },
    user: compact({ id: profileId, name: localPart(email), email, domain: email?.split('@')[1] }),
    related: { ip: ip ? [ip] : [], user: distinct([profileId, localPart(email), email]), hash: [] },
    token: {
      id: key.id,
      key_kind: key.keyKind,
      type,
      scopes: scopesOf(app, name, params),
      lifecycle: gwsLifecycle(app, name),
      owner,
      principal: keyCaller || impersonation || dwdClient !== undefined ? 'machine' : 'human',
    },
    tokenwatch: {},
  };
  const client = compact({ id: dwdClient ?? clientId, name: appName });
  if (client.id || client.name) activity.token.client = client;
  const domain = email?.split('@')[1];
  if (domain) activity.related.hosts = [domain];
  const sourceUser = compact({ id: profileId, name: localPart(email), email, domain });
  const asn = vendorAsn(a.networkInfo?.ipAsn);
  if (ip) {
    activity.source = { ip };
    if (Object.keys(sourceUser).length > 0) activity.source.user = sourceUser;
    if (asn !== undefined) activity.source.as = { number: asn };
  }
  const org = compact({ id: text(a.id.customerId), name: text(a.ownerDomain) });
  if (org.id || org.name) activity.organization = org;
  if (impersonated) activity.tokenwatch.impersonated_user = impersonated;
  addAppDetails(activity, app, name, params, dwdClient);
  return activity;
}

/** `lee` of `lee@acme.example` (ECS `user.name`, as Elastic's integration derives it). */
function localPart(email: string | undefined): string | undefined {
  const at = email?.indexOf('@') ?? -1;
  return at > 0 ? email?.slice(0, at) : undefined;
}

/**
 * The autonomous system Google reports for `ipAddress` (`networkInfo.ipAsn`, first entry): kept as
 * ECS `source.as.number`, which enrichment does not replace.
 */
function vendorAsn(list: readonly (string | number)[] | null | undefined): number | undefined {
  const n = Number(list?.[0]);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

function scopesOf(app: string, name: string, params: ParamMap): string[] {
  if (app === 'admin' && (name === DWD_GRANT || name === DWD_REMOVE))
    return distinct(paramList(params, 'API_SCOPES'));
  const scopes = paramList(params, 'scope');
  return distinct(scopes.length > 0 ? scopes : scopeDataNames(params));
}

/** Resource, volume and API type per application. */
function addAppDetails(
  a: TokenActivity,
  app: string,
  name: string,
  params: ParamMap,
  dwdClient: string | undefined,
): void {
  const tw = a.tokenwatch;
  if (app === 'token') {
    const apiName = paramText(params, 'api_name');
    const method = paramText(params, 'method_name');
    const bytes = paramNumber(params, 'num_response_bytes');
    if (apiName) tw.api_type = apiName;
    if (method) tw.resource = { type: 'api_method', name: method };
    if (bytes !== undefined && bytes >= 0) tw.volume = { bytes };
  } else if (app === 'login') {
    const loginType = paramText(params, 'login_type');
    if (loginType) tw.api_type = loginType;
  } else if (app === 'drive') {
    const doc = paramText(params, 'doc_id') ?? paramText(params, 'doc_title');
    if (doc) tw.resource = { type: 'file', name: doc };
    if (name === 'download') tw.volume = { items: 1 };
  } else if (app === 'admin') {
    const user = paramText(params, 'USER_EMAIL');
    const setting = paramText(params, 'SETTING_NAME');
    const oauthClient = dwdClient ?? paramText(params, 'OAUTH2_APP_ID');
    if (oauthClient) tw.resource = { type: 'oauth_client', name: oauthClient };
    else if (user) tw.resource = { type: 'user', name: user };
    else if (setting) tw.resource = { type: 'setting', name: setting };
    if (user) {
      a.user.target = compact({ name: localPart(user), email: user, domain: user.split('@')[1] });
      // an admin action on a user account is identity management too (ECS iam / user)
      if (!a.event.category.includes('iam')) a.event.category.push('iam');
      if (!a.event.type.includes('user')) a.event.type.push('user');
      for (const u of [localPart(user), user]) if (u && !a.related.user.includes(u)) a.related.user.push(u);
    }
  }
}
