import { z } from 'zod';
import type { BaselineView } from '../../baselines/types.js';
import { githubLifecycle } from '../../ingestors/github/action-map.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { defineDetector } from '../define-detector.js';
import {
  countOf,
  eventTimeMs,
  fmtDuration,
  fmtTop,
  historySpan,
  referenceFacts,
  tokenLabel,
} from '../explain.js';
import { isEndOfLife, noveltyReliable, personDriven } from '../lookup.js';
import { breadthWindowSetting, firstSeenInWindow } from '../novelty.js';

/** Sensitive action families (GitHub, Google Workspace, Salesforce), matched on `event.action`. */
export const SENSITIVE_ACTIONS: readonly { category: string; pattern: RegExp }[] = [
  {
    category: 'credential or app management',
    pattern:
      /^(personal_access_token|oauth_access|oauth_authorization|oauth_application|public_key|deploy_key|integration_installation|integration|org_credential_authorization)\.|API_CLIENT_ACCESS|OAUTH2|ConnectedApp|APPLICATION_SPECIFIC_PASSWORD|secret/i,
  },
  { category: 'self-hosted runner', pattern: /runner/i },
  {
    category: 'repository visibility or ownership',
    pattern: /^repo\.(access|transfer|destroy|create|rename)$|visibility/i,
  },
  {
    category: 'organization or admin settings',
    pattern:
      /^(org|business|enterprise|team|hook|protected_branch|ip_allow_list|audit_log_streaming)\.|^(CREATE|DELETE|SUSPEND|UNSUSPEND|RENAME)_USER$|ROLE|ADMIN_PRIVILEGE|PASSWORD|PermSet|Profile|LoginAs|SETTINGS_CHANGE/i,
  },
  { category: 'mail delegation or forwarding', pattern: /DELEGAT|FORWARD/i },
  { category: 'bulk export', pattern: /bulk|export|takeout/i },
];

/** This many never-seen actions within the breadth window are a burst (S9's new vocabulary). */
export const NEW_ACTION_BURST = 5;

/**
 * True when the record removes a credential: GitHub's token categories with a revocation
 * operation (`personal_access_token.destroy`, `oauth_authorization.destroy`,
 * `oauth_access.destroy`, `.revoke`, `.access_revoked`; ingestors/github/action-map.ts). GitHub
 * puts a deletion that names no token on the actor's web session (ingestors/github/normalize.ts),
 * where it is the person deleting their own PAT or revoking an app: hygiene, like revoking the
 * token itself, not an attacker's step (creating or authorizing a credential is, and stays sensitive).
 */
export const isCredentialRemoval = (activity: TokenActivity): boolean =>
  activity.event.module === 'github' && githubLifecycle(activity.event.action) === 'revoked';

/**
 * True when this use comes from a network (/24, /64) and with a client family the token itself
 * already used (its own egress and its own client).
 */
function fromOwnEgress(activity: TokenActivity, view: BaselineView): boolean {
  const prefix = activity.tokenwatch.network?.ip_prefix;
  const ua = activity.user_agent?.name;
  return (
    prefix !== undefined &&
    ua !== undefined &&
    view.seen('ip_prefix', prefix) !== undefined &&
    view.seen('ua_family', ua) !== undefined
  );
}

/** The sensitive category of an action, if any. */
export const sensitiveCategory = (action: string): string | undefined =>
  SENSITIVE_ACTIONS.find((s) => s.pattern.test(action))?.category;

/**
 * `token.behavior.first_seen_action`: a mature token performs an action it never performed, and
 * the action is sensitive (credential/app management, secrets, self-hosted runners, repository
 * visibility or ownership, org/admin settings, mail delegation, bulk export), or is the
 * {@link NEW_ACTION_BURST}th never-seen action within the breadth window (a new vocabulary). A first
 * Bulk API call (`tokenwatch.api_type`) of a REST-only token counts as sensitive.
 *
 * Only for a mature token's own baseline: on cold start everything is new. Sensitive and part of
 * a burst is high (S9: repo.create + visibility flips + runner registration); an action the owner
 * already performs with other credentials is low.
 *
 * Known gaps: the sensitive list is a static vocabulary; renamed vendor actions slip through until
 * listed; a single non-sensitive new action is deliberately ignored.
 */
export const tokenBehaviorFirstSeenAction = defineDetector({
  id: 'token.behavior.first_seen_action',
  name: 'Token performed a sensitive or burst of never-seen actions',
  description:
    'A mature token performed a sensitive action (admin, credential, secret, runner, visibility, bulk export) it never performed before, or a burst of never-seen actions.',
  version: 1,
  severity: 'medium',
  riskScore: 55,
  category: 'configuration',
  mitre: ['TA0003:T1098.001', 'TA0010:T1567.001', 'TA0005:T1550.001'],
  sources: ['github', 'google_workspace', 'salesforce'],
  requiredFields: [
    'event.action',
    'tokenwatch.api_type',
    'tokenwatch.network.ip_prefix',
    'tokenwatch.network.class',
    'tokenwatch.network.cloud_provider',
    'source.ip',
    'user_agent.name',
  ],
  summary:
    "A mature token's first sensitive action (credential/app management, secrets, runners, visibility, org/admin, mail delegation, bulk export; first Bulk API call) or the 5th never-seen action within the window. High for sensitive + burst (S9); low when the owner does it with other credentials; revoking/deleting one's own token is ignored, and so is a GitHub credential removal recorded on the person's web session (deleting a PAT, revoking an app: hygiene); a machine connector's first bulk query from its own egress with its own client is left to data_spike (connectors switch to the Bulk API for re-syncs, N5).",
  knownGaps:
    "Static sensitive vocabulary; a single non-sensitive new action is ignored by design; a connector's token abused from the connector's own egress with its own client for a bulk export is left to data_spike.",
  falsePositives: [
    'Owner taking on admin duties or a new automation step added to a pipeline',
    'Vendor renaming an audit action (looks new once)',
  ],
  runbook: [
    'Read the action and its target: what changed (visibility, secret, runner, credential, role)?',
    'Ask the owner whether they did it; check the network and client of the event.',
    'Revert the change if unexpected (make the repo private again, remove the runner, revoke the new credential) and revoke the token.',
  ],
  settings: z.object({
    breadthWindowMs: breadthWindowSetting(),
  }),
  groupWindowMs: 3_600_000,

  evaluate(activity, ctx, { settings }) {
    const ref = ctx.reference;
    // Revoking or deleting one's own token is hygiene, not an attack step; so is deleting a PAT or
    // revoking an app from one's web session (the record lands on the session when it names no token).
    if (ref === undefined || ref.entity !== 'token' || isEndOfLife(activity)) return [];
    if (isCredentialRemoval(activity)) return [];
    const view = ref.view;
    const action = activity.event.action;
    const apiType = activity.tokenwatch.api_type;
    const newAction = view.seen('action', action) === undefined;
    const newBulkApi =
      apiType !== undefined && /bulk/i.test(apiType) && view.seen('api_type', apiType) === undefined;
    if (!newAction && !newBulkApi) return [];

    const atMs = eventTimeMs(activity);
    const window = settings.breadthWindowMs;
    const earlier = newAction ? firstSeenInWindow(view.current.newActionTimes, atMs, window) : 0;
    const burst = newAction && earlier + 1 >= NEW_ACTION_BURST;
    const category = newBulkApi ? 'bulk API' : newAction ? sensitiveCategory(action) : undefined;
    if (category === undefined && !burst) return [];

    // A connector's first bulk query from its own egress with its own client: connectors switch to
    // the Bulk API by themselves for historical re-syncs and high-volume syncs (Fivetran: "We use
    // the Bulk API for historical syncs and high-volume incremental syncs"; N5), so the API alone says
    // nothing there; the volume is data_spike's to judge. A replayed integration token's first bulk
    // export from a new network or client (S1) still fires, and so does a person's.
    const bulkOnly = !burst && (category === 'bulk API' || category === 'bulk export');
    if (bulkOnly && !personDriven(activity) && fromOwnEgress(activity, view)) return [];
    const ownerDoesIt = newAction && ctx.owner?.seen('action', action) !== undefined;
    // A token with more distinct actions than the baseline keeps may have done this long ago.
    const forgetful = newAction && !noveltyReliable(view, 'action');
    const what = newBulkApi && !newAction ? `its first ${apiType} API call (${action})` : `${action}`;
    let reason =
      `${tokenLabel(activity)} performed ${what}${category ? ` (${category})` : ''} for the first time; ` +
      `${historySpan(view)} it performed ${countOf(view.distinct('action'), 'distinct action')} (${fmtTop(view, 'action')})` +
      `${apiType !== undefined ? ` over ${fmtTop(view, 'api_type')} APIs` : ''}.`;
    if (burst) reason += ` It is never-seen action number ${earlier + 1} within ${fmtDuration(window)}.`;
    if (ownerDoesIt && !burst) reason += ' The owner performs this action with other credentials.';
    if (forgetful && !burst) {
      reason +=
        ' (This token has more distinct actions than the baseline keeps, so it may have done this long ago.)';
    }

    const severity =
      category !== undefined && burst
        ? ({ severity: 'high', riskScore: 75 } as const)
        : (ownerDoesIt || forgetful) && !burst
          ? ({ severity: 'low', riskScore: 28 } as const)
          : category === undefined
            ? ({ severity: 'medium', riskScore: 50 } as const)
            : {};
    return [
      {
        reason,
        explanation: {
          feature: newAction ? 'event.action' : 'tokenwatch.api_type',
          observed: newAction ? action : (apiType ?? action),
          expected: newAction
            ? `actions seen: ${fmtTop(view, 'action', 5)}${burst ? `; fewer than ${NEW_ACTION_BURST} new actions per ${fmtDuration(window)}` : ''}`
            : `API types seen: ${fmtTop(view, 'api_type', 5)}`,
          ...(burst ? { window: fmtDuration(window) } : {}),
          ...referenceFacts(ref),
        },
        ...severity,
      },
    ];
  },
});
