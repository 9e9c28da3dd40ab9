/**
 * Raw GitHub audit-log events (streaming JSON, one object per line) for the serve tests and the
 * Kafka bench: small, deterministic sequences that fire known detectors.
 */
import { createHash } from 'node:crypto';

const HOUR = 3_600_000;

/** A GitHub `hashed_token` value (base64 SHA-256) for a name. */
export function hashedToken(name: string): string {
  return createHash('sha256').update(`tokenwatch-test:${name}`).digest('base64');
}

/** The `token.id` tokenwatch derives from {@link hashedToken}. */
export const githubTokenId = (name: string): string => `github:hash:${hashedToken(name)}`;

let docSeq = 0;

/** One raw GitHub audit event for a classic PAT. `at` is epoch ms. */
export function githubEvent(
  action: string,
  at: number,
  o: { token: string; actor?: string; ip?: string; country?: string; repo?: string; docId?: string } = {
    token: 't',
  },
): Record<string, unknown> {
  docSeq += 1;
  const actor = o.actor ?? 'alice';
  return {
    '@timestamp': at,
    _document_id:
      o.docId ??
      createHash('sha256').update(`${o.token}|${action}|${at}|${docSeq}`).digest('base64').slice(0, 22),
    action,
    actor,
    actor_id: 5001,
    actor_ip: o.ip ?? '81.2.69.142',
    actor_location: { country_code: o.country ?? 'GB' },
    org: 'acme',
    org_id: 9001,
    hashed_token: hashedToken(o.token),
    programmatic_access_type: 'Personal access token (classic)',
    repo: o.repo ?? 'acme/payments-api',
    repository: o.repo ?? 'acme/payments-api',
    repository_public: false,
    token_id: 880000 + (o.token.length % 1000),
    token_scopes: 'repo, read:org',
    transport_protocol_name: 'http',
    user_agent: 'git/2.43.0',
    operation_type: 'access',
  };
}

/**
 * A token created, used a few times, revoked, then used again `gapMs` later: fires
 * `token.lifecycle.used_after_revocation` (high) on the last use. Returns NDJSON lines in
 * event-time order.
 */
export function revokedTokenSequence(token: string, startMs: number, uses = 3, gapMs = 2 * HOUR): string[] {
  const events: Record<string, unknown>[] = [githubEvent('personal_access_token.create', startMs, { token })];
  for (let i = 1; i <= uses; i++) events.push(githubEvent('git.clone', startMs + i * 60_000, { token }));
  const revokedAt = startMs + (uses + 1) * 60_000;
  events.push(githubEvent('personal_access_token.destroy', revokedAt, { token }));
  events.push(githubEvent('git.clone', revokedAt + gapMs, { token, ip: '185.220.101.4', country: 'DE' }));
  return events.map((e) => JSON.stringify(e));
}

/** An unrelated use `at`, to move the event-time watermark forward (closes earlier alert groups). */
export function watermarkEvent(at: number, token = 'watermark'): string {
  return JSON.stringify(githubEvent('git.clone', at, { token, actor: 'carol' }));
}
