import { defineDetector } from '../define-detector.js';
import { baselineFacts, eventTimeMs, fmtDuration, tokenLabel } from '../explain.js';
import { isUse } from '../lookup.js';

/** Uses within this long after the revocation are clock skew / in-flight requests. */
export const REVOCATION_GRACE_MS = 60_000;

/**
 * `token.lifecycle.used_after_revocation`: a use (`used`/`refreshed`) of a token whose baseline
 * holds a revocation or expiry (`revokedAt`, cleared by a later re-authorization) earlier in event
 * time, beyond a {@link REVOCATION_GRACE_MS} grace. A successful use means the revocation did not
 * take effect (S2: revoking the password does not stop a connected app) and is high; a refused use
 * means someone still holds and tries the revoked token, and is medium.
 *
 * Revocations are what the vendor defines as one (ingestors/IDS.md, "Lifecycle semantics"): a
 * Salesforce Logout ends a session and revokes nothing; a GitHub PAT revocation naming no token
 * revokes nothing; a failed authorization neither authorizes nor clears a revocation (baselines
 * count successful steps only).
 *
 * Known gaps: Salesforce logs no token revocation; a GitHub PAT expiry has no event, so expired
 * PATs are only covered when the ingestor emits `expired`.
 */
export const tokenLifecycleUsedAfterRevocation = defineDetector({
  id: 'token.lifecycle.used_after_revocation',
  name: 'Token used after it was revoked or expired',
  description:
    'A token was used (or its use was attempted) after a revocation or expiry event for it, with no re-authorization in between.',
  version: 1,
  severity: 'high',
  riskScore: 85,
  category: 'authentication',
  mitre: ['TA0005:T1550.001', 'TA0006:T1528'],
  sources: ['github', 'google_workspace', 'salesforce'],
  requiredFields: ['token.lifecycle', 'event.outcome', '@timestamp', 'token.key_kind'],
  summary:
    "A use after the token's revocation/expiry (60 s grace): high when it succeeded, medium when refused. Not for a person's actor identity (key_kind `principal`: a deletion that named no token revokes nothing).",
  knownGaps: 'Salesforce logs no token revocation; PAT expiry has no GitHub event.',
  falsePositives: [
    'Revocation logged before in-flight requests finished (covered by a short grace)',
    'Vendor re-using the same grant id after a re-authorization the logs missed',
  ],
  runbook: [
    'Confirm the revocation really happened (and of which credential: refresh token, session, grant).',
    'If the use succeeded, block the client / connected app at the source; revoking the password is not enough.',
    'Identify the network and client still holding the token and hunt for other tokens used from them.',
  ],
  groupWindowMs: 3_600_000,

  evaluate(activity, ctx) {
    const revokedAt = ctx.token.revokedAt;
    if (revokedAt === undefined || !isUse(activity)) return [];
    // A person's actor identity (`github:session:<actor>`, key_kind `principal`) is not a credential:
    // a deletion recorded against it named no token (a fine-grained PAT deleted without its hash),
    // and nothing revokes a person's later web sessions.
    if (activity.token.key_kind === 'principal') return [];
    const atMs = eventTimeMs(activity);
    if (atMs - revokedAt <= REVOCATION_GRACE_MS) return [];
    const succeeded = activity.event.outcome !== 'failure';
    const when = new Date(revokedAt).toISOString().replace('.000Z', 'Z');
    const reason = succeeded
      ? `${tokenLabel(activity)} was used successfully (${activity.event.action}) ${fmtDuration(atMs - revokedAt)} after it was revoked or expired at ${when}: the revocation did not take effect.`
      : `Someone tried to use the revoked ${tokenLabel(activity)} (${activity.event.action}, refused) ${fmtDuration(atMs - revokedAt)} after it was revoked or expired at ${when}: the token is still held by someone.`;
    return [
      {
        reason,
        explanation: {
          feature: 'use_after_revocation',
          observed: `${activity.token.lifecycle} ${activity.event.outcome} at ${activity['@timestamp']}`,
          expected: `no use after revocation/expiry at ${when}`,
          window: fmtDuration(atMs - revokedAt),
          ...baselineFacts(ctx.token, 'token'),
        },
        ...(succeeded ? {} : { severity: 'medium' as const, riskScore: 55 }),
      },
    ];
  },
});
