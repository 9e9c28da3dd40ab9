/**
 * Builds GitHub enterprise audit-log events (streaming JSON shape): epoch-ms `@timestamp` and
 * `created_at`, `_document_id`, `hashed_token`, `programmatic_access_type`, comma-separated
 * `token_scopes`, optional `actor_ip` + `actor_location.country_code`, OAuth app / GitHub App
 * fields, org/repo context and per-action extras.
 */
import type { Emitted } from './emitted.js';
import type { NetAddress } from './geography.js';
import { hashedToken } from './ids.js';
import type { Credential, Repo, Tenant } from './population-types.js';
import { type Rng, rngFor } from './prng.js';

/** Who acted. */
export interface GhActor {
  login: string;
  id: number;
  isBot?: boolean;
}

/** Inputs of one GitHub audit event. */
export interface GhCall {
  t: number;
  tenant: Tenant;
  action: string;
  actor: GhActor;
  /** Credential used; absent for web-session actions. */
  cred?: Credential;
  /** Token described by a lifecycle event (creation/destroy): its hash etc. are logged instead. */
  subject?: Credential;
  /** Source address; null when GitHub does not disclose it. */
  addr: NetAddress | null;
  ua: string;
  repo?: Repo;
  operationType: 'create' | 'modify' | 'remove' | 'access' | 'authentication' | 'transfer';
  extra?: Record<string, unknown>;
  rng: Rng;
  /** Extra delivery lag in ms (late arrival). */
  lag?: number;
}

const installCache = new Map<string, { hashed: string; tokenId: number }>();

/** The hourly-rotating installation token of a GitHub App installation. */
export function installationToken(
  seed: number,
  cred: Credential,
  t: number,
): { hashed: string; tokenId: number } {
  const hour = Math.floor(t / 3_600_000);
  const key = `${cred.idx}:${hour}`;
  let v = installCache.get(key);
  if (!v) {
    const rng = rngFor(seed, 'installation-token', cred.idx, hour);
    v = { hashed: hashedToken(`ghs_${rng.base62(36)}`), tokenId: 70_000_000_000 + rng.int(0, 999_999_999) };
    if (installCache.size > 10_000) installCache.clear();
    installCache.set(key, v);
  }
  return v;
}

function docId(rng: Rng): string {
  return rng.chars(22, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
}

/** Builds one audit event record. */
export function githubRecord(c: GhCall, seed: number): Record<string, unknown> {
  const t = Math.floor(c.t);
  const rec: Record<string, unknown> = {
    '@timestamp': t,
    _document_id: docId(c.rng),
    action: c.action,
    actor: c.actor.login,
    actor_id: c.actor.id,
  };
  if (c.actor.isBot) rec['actor_is_bot'] = true;
  if (c.addr) {
    rec['actor_ip'] = c.addr.ip;
    rec['actor_location'] = { country_code: c.addr.country };
  }
  rec['business'] = c.tenant.github.business;
  rec['business_id'] = c.tenant.github.businessId;
  rec['created_at'] = t;
  const tok = c.subject ?? c.cred;
  if (tok) {
    if (tok.kind === 'gh_app') {
      const inst = installationToken(seed, tok, t);
      rec['hashed_token'] = inst.hashed;
      rec['programmatic_access_type'] = 'GitHub App server-to-server token';
      rec['token_id'] = inst.tokenId;
      rec['oauth_application_id'] = tok.app?.appId;
      rec['integration'] = tok.app?.slug;
    } else Object.assign(rec, githubTokenFields(tok));
  }
  rec['operation_type'] = c.operationType;
  rec['org'] = c.tenant.github.org;
  rec['org_id'] = c.tenant.github.orgId;
  if (c.repo) {
    rec['repo'] = c.repo.full;
    rec['repo_id'] = c.repo.id;
    rec['repository'] = c.repo.full;
    rec['repository_public'] = c.repo.isPublic;
  }
  rec['user_agent'] = c.ua;
  if (c.extra) Object.assign(rec, c.extra);
  return rec;
}

/**
 * The audit-log fields that name a user token (classic / fine-grained PAT, OAuth app token):
 * `hashed_token`, `programmatic_access_type`, `token_id`, `token_scopes` (comma-separated),
 * `oauth_application_id` / `_name`, `user_programmatic_access_name` / `_id` with
 * `repository_selection`; empty for a credential without a token hash (a web session).
 */
export function githubTokenFields(tok: Credential): Record<string, unknown> {
  if (!tok.hashed) return {};
  const rec: Record<string, unknown> = {
    hashed_token: tok.hashed,
    programmatic_access_type: tok.accessType,
    token_id: tok.ghTokenId,
  };
  if (tok.scopes && tok.scopes.length > 0) rec['token_scopes'] = tok.scopes.join(',');
  if (tok.oauthApp) {
    rec['oauth_application_id'] = tok.oauthApp.id;
    rec['oauth_application_name'] = tok.oauthApp.name;
  }
  if (tok.fgName) {
    rec['user_programmatic_access_name'] = tok.fgName;
    rec['user_programmatic_access_id'] = tok.fgId;
    rec['repository_selection'] = 'selected';
  }
  return rec;
}

/** Builds the emitted record (GitHub streaming lag: 1-8 s, plus any extra lag). */
export function githubEmit(c: GhCall, seed: number): Emitted {
  const rec = githubRecord(c, seed);
  const t = rec['@timestamp'] as number;
  return {
    source: 'github',
    t,
    arrival: t + 1000 + c.rng.int(0, 7000) + (c.lag ?? 0),
    tenant: c.tenant.idx,
    rec,
  };
}

/** Extras of a git event. */
export function gitExtra(): Record<string, unknown> {
  return { transport_protocol: 1, transport_protocol_name: 'http' };
}

/** Extras of an `api.request` event. */
export function apiExtra(rng: Rng, method: string, route: string, status = 200): Record<string, unknown> {
  return {
    request_category: 'api',
    request_id: `${rng.hex(4).toUpperCase()}:${rng.hex(5).toUpperCase()}:${rng.hex(7).toUpperCase()}:${rng.hex(7).toUpperCase()}:${rng.hex(8).toUpperCase()}`,
    request_method: method,
    route,
    status_code: status,
  };
}
