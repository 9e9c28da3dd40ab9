import type { BaselineView } from '../baselines/types.js';
import type { TokenActivity } from '../schemas/token-activity.js';
import { defineDetector } from './define-detector.js';
import {
  baselineFacts,
  clientLabel,
  countOf,
  eventTimeMs,
  fmtDuration,
  fmtList,
  historySpan,
} from './explain.js';

/** Never-seen impersonated users within the window that are a fan-out, at least. */
export const FANOUT_MIN_USERS = 10;
/** And at least this multiple of the users the client impersonated before. */
export const FANOUT_KNOWN_MULTIPLE = 2;

/** Resource types under which an ingestor records the mailbox / user a DWD access acted on. */
const USER_RESOURCE_TYPES = ['mailbox', 'user'] as const;

/** Users the client impersonated before `before` (ms), as far as the baseline shows them (resource keys). */
function knownUsers(view: BaselineView, before: number): string[] {
  return view
    .top('resource', 256)
    .filter((r) => USER_RESOURCE_TYPES.some((t) => r.startsWith(`${t}:`)))
    .filter((r) => (view.seen('resource', r)?.firstSeen ?? before) < before)
    .map((r) => r.slice(r.indexOf(':') + 1));
}

/**
 * Whether the client impersonated `user` before: the user appears as a mailbox/user resource of
 * the client's baseline, or (when the activity's owner is the impersonated user) the user's own
 * baseline has seen this client.
 */
function impersonatedBefore(
  activity: TokenActivity,
  user: string,
  token: BaselineView,
  owner?: BaselineView,
): boolean {
  if (USER_RESOURCE_TYPES.some((t) => token.seen('resource', `${t}:${user}`) !== undefined)) return true;
  const clientId = activity.token.client?.id;
  const ownerIsUser = [activity.user.email, activity.token.owner.email].includes(user);
  return clientId !== undefined && ownerIsUser && owner?.seen('client', clientId) !== undefined;
}

/**
 * `app.impersonation_fanout`: an OAuth client with Google Workspace domain-wide delegation (DWD:
 * `token.key_kind` `oauth_grant` with `tokenwatch.impersonated_user`) impersonates many users it
 * never impersonated before within `settings.breadthWindowMs`: at least {@link FANOUT_MIN_USERS}
 * and {@link FANOUT_KNOWN_MULTIPLE} x the users it impersonated before (S6: a client that served
 * 5 service mailboxes suddenly reads 20-500 executives' mail). The finding is about the app entity.
 *
 * How the count works with the current baseline contract: "never impersonated" is read from the
 * client's resource set (mailbox/user resources) or the impersonated user's own baseline having seen
 * this client; the window count is the client's first-seen-resource times of the window, which
 * equals new mailboxes when the ingestor records the mailbox as the resource. Fires once when the
 * count crosses the threshold.
 *
 * Known gaps: the baseline has no impersonated-user dimension. Per-user novelty works with the
 * current Google Workspace ingestor (through the impersonated user's own baseline), but the window
 * count only sees users when they are recorded as `mailbox` / `user` resources; the ingestor
 * records token activity as `api_method` resources and Drive as `file`s, so in production this
 * detector under-counts until the baseline gains an `impersonated_user` dimension with window
 * times (an additive change to `baselines/types.ts`: a `DIMENSIONS` entry plus
 * `CurrentWindow.newImpersonatedTimes`) or the ingestor records the mailbox as the resource.
 * A client impersonating more users than the resource cap keeps forgets older ones.
 */
export const appImpersonationFanout = defineDetector({
  id: 'app.impersonation_fanout',
  name: 'Domain-wide delegation client impersonating many new users',
  description:
    'An OAuth client with domain-wide delegation started impersonating many users it never impersonated before, within a short window.',
  version: 1,
  severity: 'high',
  riskScore: 80,
  category: 'iam',
  mitre: ['TA0009:T1114.002', 'TA0009:T1530', 'TA0005:T1550.001'],
  sources: ['google_workspace'],
  requiredFields: ['tokenwatch.impersonated_user', 'token.client.id', 'tokenwatch.resource.name'],
  falsePositives: [
    'A newly deployed backup, archiving or e-discovery tool starting its first full run',
    'An existing DWD integration rolled out to a new department',
  ],
  runbook: [
    'Identify the client id and who granted it domain-wide delegation (admin log AUTHORIZE_API_CLIENT_ACCESS) and when.',
    'List the impersonated users and what was read (Gmail, Drive); check for executives and security staff.',
    'If not a planned rollout, remove the client’s delegation in the Admin console and rotate the service-account keys.',
  ],
  groupWindowMs: 3_600_000,

  evaluate(activity, ctx) {
    const user = activity.tokenwatch.impersonated_user;
    if (user === undefined || activity.token.key_kind !== 'oauth_grant') return [];
    const client = ctx.token;
    if (impersonatedBefore(activity, user, client, ctx.owner)) return [];

    const atMs = eventTimeMs(activity);
    const window = ctx.settings.breadthWindowMs;
    const earlier = client.current.newResourceTimes.filter((t) => t > atMs - window && t <= atMs).length;
    const count = earlier + 1;
    const known = knownUsers(client, atMs - window);
    const threshold = Math.max(FANOUT_MIN_USERS, FANOUT_KNOWN_MULTIPLE * known.length);
    if (!(earlier < threshold && count >= threshold)) return [];

    const name = clientLabel(activity) ?? activity.token.id;
    const clientId = activity.token.client?.id;
    const history =
      client.firstSeen > 0 && client.firstSeen <= atMs - window
        ? `${historySpan(client)} it impersonated ${countOf(known.length, 'user')}${known.length > 0 ? ` (${fmtList(known)})` : ''}`
        : 'the client was never seen before this window';
    return [
      {
        entity: clientId !== undefined ? `app:${activity.event.module}:${clientId}` : activity.token.id,
        reason:
          `Domain-wide delegation client "${name}" impersonated ${count} users it never impersonated before within ` +
          `${fmtDuration(window)} (latest: ${user}); ${history}.`,
        explanation: {
          feature: 'new_impersonated_users_per_window',
          observed: count,
          expected: `fewer than ${threshold} new impersonated users per ${fmtDuration(window)}; known: ${fmtList(known)}`,
          window: fmtDuration(window),
          ...baselineFacts(client, client.eventCount > 0 ? 'token' : 'none'),
        },
      },
    ];
  },
});
