import { defineDetector } from '../define-detector.js';
import { DAY_MS, eventTimeMs, fmtDuration, tokenLabel } from '../explain.js';
import { isFailure } from '../lookup.js';
import { slidingWindow } from '../state.js';

/** What each vendor-neutral admin action means in a reason. */
const WHAT: Readonly<Record<string, string>> = {
  user_suspended: 'suspended',
  user_deleted: 'deleted',
  user_archived: 'archived',
  member_removed: 'removed from the organization',
  user_deactivated: 'deactivated',
};

/**
 * `token.lifecycle.used_after_owner_offboarded`: a credential is used successfully after its
 * owner was offboarded: suspended, deleted or archived in Google Workspace, removed from the GitHub
 * organization, deactivated in Salesforce (`tokenwatch.admin_action` with `user.target`, set by the
 * ingest stage). The person is linked across sources by email, else by login (declared state keyed
 * by `identity`), so a Workspace suspension also covers the person's GitHub PAT when GitHub logs
 * their SAML email. High: a leaver's credential that keeps working is either forgotten access or
 * someone else using it.
 *
 * Known gaps: a GitHub org removal names a login, so it links to credentials whose owner has no
 * email in the logs only; offboarding before the state's retention (1 year); a re-hired person.
 */
export const tokenLifecycleUsedAfterOwnerOffboarded = defineDetector({
  id: 'token.lifecycle.used_after_owner_offboarded',
  name: 'Credential used after its owner was offboarded',
  description:
    'A credential was used successfully after its owner was suspended, deleted or removed from the organization.',
  summary:
    'A successful use (or refresh) of any credential of a person after an offboarding event for them: Workspace `SUSPEND_USER` / `DELETE_USER` / `ARCHIVE_USER`, GitHub `org.remove_member`, Salesforce deactivation (vendor-neutral `tokenwatch.admin_action`). People are linked across sources by email, else login. High, naming the offboarding event, who did it and how long ago. Offboardings live in declared state keyed by the person (`identity`).',
  knownGaps:
    'GitHub removals name a login: they link only to credentials whose owner has no email in the logs; offboardings older than a year; re-hired people.',
  version: 1,
  severity: 'high',
  riskScore: 80,
  category: 'iam',
  mitre: ['TA0001:T1078.004', 'TA0005:T1550.001'],
  sources: ['google_workspace', 'github', 'salesforce'],
  requiredFields: [
    'token.lifecycle',
    'tokenwatch.admin_action',
    'user.target',
    'event.action',
    'token.owner.email',
  ],
  falsePositives: [
    'A grace period: the person was suspended but their automation was handed over and still runs under their name',
    'A person re-instated after a suspension (the reinstatement is not an offboarding event)',
  ],
  runbook: [
    'Confirm the offboarding (who, when, which system) and whether the person was reinstated.',
    'List every credential of the person still in use (tokenwatch inventory --flag owner_offboarded) and what they did after the offboarding.',
    'Revoke the credentials and transfer what they automate to a service account with a named owner.',
  ],
  groupWindowMs: 24 * 3_600_000,
  state: {
    /** offboarding events per person: admin action, vendor event, who did it, source */
    offboarding: slidingWindow({ key: 'identity', windowMs: 365 * DAY_MS, cap: 4, maxKeys: 65_536 }),
  },

  observe(activity, { state }) {
    const action = activity.tokenwatch.admin_action;
    if (action === undefined || WHAT[action] === undefined) return;
    state.offboarding.add(eventTimeMs(activity), {
      action,
      event: activity.event.action,
      source: activity.event.module,
      by: activity.user.email ?? activity.user.name ?? 'an admin',
    });
  },

  evaluate(activity, _ctx, { state }) {
    if (activity.tokenwatch.admin_action !== undefined || isFailure(activity)) return [];
    const lifecycle = activity.token.lifecycle;
    if (lifecycle !== 'used' && lifecycle !== 'refreshed') return [];
    const atMs = eventTimeMs(activity);
    const off = state.offboarding
      .entries()
      .filter((e) => e.at < atMs)
      .at(-1);
    if (off === undefined) return [];
    const what = WHAT[String(off.data.action)] ?? String(off.data.action);
    const when = new Date(off.at).toISOString();
    const owner =
      activity.token.owner.email ??
      activity.user.email ??
      activity.token.owner.name ??
      activity.user.name ??
      'its owner';
    return [
      {
        reason:
          `${tokenLabel(activity)} was used (${activity.event.action}) ${fmtDuration(atMs - off.at)} after its owner ${owner} ` +
          `was ${what} (${off.data.source} ${off.data.event} by ${off.data.by} at ${when}).`,
        explanation: {
          feature: 'use_after_owner_offboarded',
          observed: activity.event.action,
          expected: `no use after ${off.data.source} ${off.data.event} of ${owner} at ${when}`,
          baseline_entity: 'none',
          history_days: Math.round((atMs - off.at) / DAY_MS),
          history_events: 0,
          maturity: 'mature',
        },
      },
    ];
  },
});
