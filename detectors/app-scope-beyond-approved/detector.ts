import type { TokenActivity } from '../../schemas/token-activity.js';
import { defineDetector } from '../define-detector.js';
import { clientLabel, DAY_MS, eventTimeMs, fmtList, ownerLabel } from '../explain.js';
import { isEndOfLife, isFailure } from '../lookup.js';
import { firstSeenSet } from '../state.js';
import { isBroadScope } from '../token-scope-broad-or-escalated/detector.js';

/**
 * `app.scope_beyond_approved`: a grant of an app the app registry approved for a list of scopes
 * (`tokenwatch apps approve --scopes ...`; an empty list approves any scope) holds a scope the
 * approval does not cover. Vetting covers an app *and* what it may do: an approved app that later
 * asks for mail or admin access (a new version, a compromised vendor, an incremental-consent
 * screen users click through) is no longer what was vetted.
 *
 * Coverage follows each vendor's scope hierarchy: GitHub's parent scopes (`repo` covers
 * `public_repo`, `repo:status`...; https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps),
 * Google's suffixes (`.../auth/drive` covers `.../auth/drive.readonly` and `.../auth/drive.file`;
 * `https://mail.google.com/` covers the `gmail.*` scopes;
 * https://developers.google.com/identity/protocols/oauth2/scopes), Salesforce `full` covers every
 * other connected-app scope (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_tokens_scopes.htm).
 *
 * Fires once per grant and excess scope (declared state: scopes already reported per token), on
 * the consent or on the first use that shows the scope; the finding is on the app, so one alert
 * per app and day groups every user. Medium; high when an excess scope is admin / full access.
 *
 * Known gaps: Salesforce and Workspace log scopes on authorization only; fine-grained GitHub
 * permissions are not scopes; apps approved without a scope list are never checked.
 */
export const appScopeBeyondApproved = defineDetector({
  id: 'app.scope_beyond_approved',
  name: 'Approved app granted scopes beyond its approval',
  description:
    'A grant of an app approved in the app registry holds scopes the approval does not cover (the app asks for more than what was vetted).',
  summary:
    'A successful grant or use of an app approved in the app registry for a scope list, holding a scope that list does not cover (vendor hierarchies: GitHub parent scopes, Google scope suffixes, `https://mail.google.com/` over `gmail.*`, Salesforce `full`). Once per grant and excess scope (declared state per token); finding on the app, so one alert per app and day. Medium; high when an excess scope is admin/full access. Apps approved without scopes (any scope), unknown and revoked apps are left to `app.first_seen_in_org` / `app.consent_wave`.',
  knownGaps:
    'Vendors that log scopes on authorization only (Workspace) or not at all (most Salesforce records); GitHub fine-grained permissions; approvals without a scope list.',
  version: 1,
  severity: 'medium',
  riskScore: 60,
  category: 'iam',
  mitre: ['TA0006:T1528', 'TA0003:T1098.001'],
  sources: ['google_workspace', 'github', 'salesforce'],
  requiredFields: [
    'token.client.id',
    'token.client.name',
    'token.scopes',
    'token.lifecycle',
    'event.outcome',
  ],
  falsePositives: [
    'The vendor released a feature that needs a new scope and the approval was not updated',
    'The approval listed the scopes by another name (an alias the vendor hierarchy does not cover)',
  ],
  runbook: [
    'Compare the approved scopes (`tokenwatch apps list`) with the excess scopes in the alert; ask the app owner why the app needs them.',
    'Justified: re-approve with the new scope list (`tokenwatch apps approve ... --scopes`).',
    'Not justified: revoke the grants holding the excess scopes and restrict the app (Workspace API controls, GitHub OAuth app policy, Salesforce connected-app policy).',
  ],
  groupWindowMs: 24 * 3_600_000,
  state: {
    /** scopes of each grant already reported (or seen before), so a grant fires once per scope */
    seen: firstSeenSet({ key: 'token', cap: 64, ttlMs: 180 * DAY_MS }),
  },

  observe(activity, { state }) {
    if (!grantOrUse(activity)) return;
    const atMs = eventTimeMs(activity);
    for (const s of activity.token.scopes) state.seen.add(s, atMs);
  },

  evaluate(activity, ctx, { state }) {
    const clientId = activity.token.client?.id;
    if (clientId === undefined || !grantOrUse(activity) || activity.token.scopes.length === 0) return [];
    const atMs = eventTimeMs(activity);
    const vetting = ctx.apps?.vetting(activity.event.module, clientId, atMs);
    if (vetting?.status !== 'approved' || vetting.scopes.length === 0) return [];
    const beyond = activity.token.scopes.filter(
      (s) => !vetting.scopes.some((a) => scopeCovers(activity.event.module, a, s)),
    );
    const fresh = beyond.filter((s) => state.seen.get(s) === undefined);
    if (fresh.length === 0) return [];
    const broad = beyond.filter(isBroadScope);
    const name = clientLabel(activity) ?? clientId;
    const verb =
      activity.token.lifecycle === 'authorized' ? 'authorized' : `${activity.token.lifecycle} the grant of`;
    return [
      {
        entity: `app:${activity.event.module}:${clientId}`,
        reason:
          `${ownerLabel(activity) ?? 'A user'} ${verb} approved app "${name}" with ${fmtList(beyond, 4)} beyond its approval ` +
          `(approved by ${vetting.approvedBy ?? 'an admin'} for ${fmtList(vetting.scopes, 4)})` +
          `${broad.length > 0 ? `; ${fmtList(broad, 3)} ${broad.length === 1 ? 'is' : 'are'} admin or full access` : ''}.`,
        explanation: {
          feature: 'scopes_beyond_approval',
          observed: beyond.join(' '),
          expected: `scopes covered by the approval: ${vetting.scopes.join(' ')}`,
          baseline_entity: 'none',
          history_days: 0,
          history_events: 0,
          maturity: 'mature',
        },
        ...(broad.length > 0 ? { severity: 'high' as const, riskScore: 80 } : {}),
      },
    ];
  },
});

/** A successful record showing the grant's scopes (not its end of life). */
const grantOrUse = (activity: TokenActivity): boolean => !isFailure(activity) && !isEndOfLife(activity);

/** GitHub parent scopes that include narrower ones. */
const GITHUB_CHILDREN: Readonly<Record<string, readonly string[]>> = {
  repo: ['repo:status', 'repo_deployment', 'public_repo', 'repo:invite', 'security_events'],
  'admin:org': ['write:org', 'read:org', 'manage_runners:org'],
  'write:org': ['read:org'],
  'admin:public_key': ['write:public_key', 'read:public_key'],
  'write:public_key': ['read:public_key'],
  'admin:repo_hook': ['write:repo_hook', 'read:repo_hook'],
  'write:repo_hook': ['read:repo_hook'],
  'admin:gpg_key': ['write:gpg_key', 'read:gpg_key'],
  'write:gpg_key': ['read:gpg_key'],
  'write:packages': ['read:packages'],
  user: ['read:user', 'user:email', 'user:follow'],
  'admin:enterprise': ['manage_runners:enterprise', 'manage_billing:enterprise', 'read:enterprise'],
};

const GOOGLE_MAIL = /^https:\/\/(mail\.google\.com\/?|www\.googleapis\.com\/auth\/gmail\.[a-z_.]+)$/;

/**
 * True when an approval for scope `approved` covers the granted scope `granted` under the
 * vendor's hierarchy (see the detector's doc comment). Exact matches always cover.
 */
export function scopeCovers(
  source: TokenActivity['event']['module'],
  approved: string,
  granted: string,
): boolean {
  if (approved === granted) return true;
  switch (source) {
    case 'github':
      return GITHUB_CHILDREN[approved]?.includes(granted) ?? false;
    case 'google_workspace':
      if (/^https:\/\/mail\.google\.com\/?$/.test(approved)) return GOOGLE_MAIL.test(granted);
      return granted.startsWith(`${approved}.`);
    case 'salesforce':
      return approved === 'full' && granted !== 'refresh_token' && granted !== 'offline_access';
  }
}
