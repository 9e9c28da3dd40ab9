import type { AdminAction, TokenActivity } from '../../schemas/token-activity.js';

/**
 * Vendor-neutral facts about admin actions on accounts, computed once in the ingest stage so no
 * detector reads vendor event names: `tokenwatch.admin_action` and `user.target.*` (the account
 * acted on).
 *
 * - Google Workspace Admin SDK Reports, application `admin`, USER_SETTINGS events `SUSPEND_USER`,
 *   `DELETE_USER`, `ARCHIVE_USER`; the account is the `USER_EMAIL` parameter, which the normalizer
 *   records as `tokenwatch.resource {type: 'user'}`
 *   (https://developers.google.com/workspace/admin/reports/v1/appendix/activity/admin-user-settings).
 * - GitHub audit log `org.remove_member`, `business.remove_member`,
 *   `org.remove_outside_collaborator`: the removed login is the event's `user`, which the
 *   normalizer puts into `related.user` next to the actor
 *   (https://docs.github.com/en/organizations/keeping-your-organization-secure/managing-security-settings-for-your-organization/audit-log-events-for-your-organization#org).
 * - Salesforce: a user deactivation when an event names it (`UserDeactivated`, a `*deactivat*`
 *   action with a `user` resource).
 *
 * Failed admin actions carry no fact.
 */

const GWS: Readonly<Record<string, AdminAction>> = {
  SUSPEND_USER: 'user_suspended',
  DELETE_USER: 'user_deleted',
  ARCHIVE_USER: 'user_archived',
};
const GITHUB = new Set(['org.remove_member', 'business.remove_member', 'org.remove_outside_collaborator']);

/** The admin action and the account it targets, if the activity records one. */
export function adminFactsOf(a: TokenActivity): { action: AdminAction; target: string } | undefined {
  if (a.event.outcome === 'failure') return undefined;
  const resource = a.tokenwatch.resource;
  switch (a.event.module) {
    case 'google_workspace': {
      const action = GWS[a.event.action];
      if (action && resource?.type === 'user' && resource.name) return { action, target: resource.name };
      return undefined;
    }
    case 'github': {
      if (!GITHUB.has(a.event.action)) return undefined;
      // the normalizer's user.target (the event's `user`); related.user also holds the actor's id
      const target = a.user.target?.name ?? a.related.user.find((u) => u !== a.user.name && u !== a.user.id);
      return target ? { action: 'member_removed', target } : undefined;
    }
    case 'salesforce':
      if (/deactivat/i.test(a.event.action) && resource?.type === 'user' && resource.name)
        return { action: 'user_deactivated', target: resource.name };
      return undefined;
  }
}

/**
 * The activity with `tokenwatch.admin_action` and `user.target` set when it is an admin action on
 * an account (a copy; the input is not modified); the activity itself otherwise. An existing
 * `user.target` from the normalizer is kept.
 */
export function withAdminFacts(a: TokenActivity): TokenActivity {
  const facts = adminFactsOf(a);
  if (facts === undefined) return a;
  const target =
    a.user.target ?? (facts.target.includes('@') ? { email: facts.target } : { name: facts.target });
  return {
    ...a,
    user: { ...a.user, target },
    tokenwatch: { ...a.tokenwatch, admin_action: facts.action },
  };
}
