import { z } from 'zod';
import type { FirstSeenReader } from '../../baselines/keyed-state.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { defineDetector } from '../define-detector.js';
import {
  baselineFacts,
  clientLabel,
  countOf,
  eventTimeMs,
  fmtDuration,
  fmtList,
  historySpan,
} from '../explain.js';
import { breadthWindowSetting, firstSeenInWindow } from '../novelty.js';
import { firstSeenSet } from '../state.js';
import type { DetectorContext } from '../types.js';

/** Never-seen impersonated users within the window that are a fan-out, at least. */
export const FANOUT_MIN_USERS = 10;
/** And at least this multiple of the users the client impersonated before. */
export const FANOUT_KNOWN_MULTIPLE = 2;

/** Users remembered per delegation client (least recently impersonated dropped, counted as evicted). */
export const IMPERSONATED_USERS_CAP = 4_096;
/** Delegation clients remembered (least recently used dropped). */
export const DELEGATED_CLIENT_CAP = 1_024;

/** Resource types under which an ingestor may record the mailbox / user a DWD access acted on. */
const USER_RESOURCE_TYPES = ['mailbox', 'user'] as const;

/** What the baselines know about the users a delegation client impersonated before `before` (ms). */
interface Known {
  users: string[];
  /** how many (the org state may hold more than it lists) */
  count: number;
  /** the org state forgot users (cap): a "new" user may be a forgotten one */
  forgetful: boolean;
}

/**
 * Users the client impersonated before `before`: the organization state's impersonation index
 * (`ctx.org`, every `tokenwatch.impersonated_user` of the client), else the client's mailbox/user
 * resources (an ingestor recording the mailbox as the resource).
 */
function knownUsers(ctx: DetectorContext, index: FirstSeenReader, before: number): Known {
  if (index.size > 0) {
    const users = index
      .recent(IMPERSONATED_USERS_LISTED)
      .filter((u) => (index.get(u)?.first ?? before) < before);
    const recent = index.firstSeenSince(before).length;
    return { users, count: Math.max(0, index.size - recent), forgetful: index.evicted > 0 };
  }
  const view = ctx.token;
  const users = view
    .top('resource', 256)
    .filter((r) => USER_RESOURCE_TYPES.some((t) => r.startsWith(`${t}:`)))
    .filter((r) => (view.seen('resource', r)?.firstSeen ?? before) < before)
    .map((r) => r.slice(r.indexOf(':') + 1));
  return { users, count: users.length, forgetful: false };
}

/** Users listed at most from the index (the count covers the rest). */
const IMPERSONATED_USERS_LISTED = 256;

/**
 * Whether the client impersonated `user` before: the impersonation index has it, it appears as a
 * mailbox/user resource of the client's baseline, or (when the activity's owner is the
 * impersonated user) the user's own baseline has seen this client.
 */
function impersonatedBefore(
  activity: TokenActivity,
  user: string,
  ctx: DetectorContext,
  index: FirstSeenReader,
): boolean {
  if (index.get(user) !== undefined) return true;
  if (USER_RESOURCE_TYPES.some((t) => ctx.token.seen('resource', `${t}:${user}`) !== undefined)) return true;
  const clientId = activity.token.client?.id;
  const ownerIsUser = [activity.user.email, activity.token.owner.email].includes(user);
  return clientId !== undefined && ownerIsUser && ctx.owner?.seen('client', clientId) !== undefined;
}

/**
 * First impersonations of the client already folded in, within `window` before `atMs` or after it
 * (index times, else new resources). Counting the later ones too makes the crossing follow arrival
 * order: Workspace delivers a burst out of event-time order, and a count bounded at `atMs` can skip
 * the threshold (8, then 10 when a late event lands before the others).
 */
function newUsersInWindow(
  ctx: DetectorContext,
  index: FirstSeenReader,
  atMs: number,
  window: number,
): number {
  if (index.size > 0) return index.firstSeenSince(atMs - window + 1).length;
  return firstSeenInWindow(ctx.token.current.newResourceTimes, atMs, window, { later: true });
}

/**
 * `app.impersonation_fanout`: an OAuth client with Google Workspace domain-wide delegation (DWD:
 * `token.key_kind` `oauth_grant` with `tokenwatch.impersonated_user`) impersonates many users it
 * never impersonated before within `settings.breadthWindowMs`: at least {@link FANOUT_MIN_USERS}
 * and {@link FANOUT_KNOWN_MULTIPLE} x the users it impersonated before (S6: a client that served
 * 5 service mailboxes suddenly reads 20-500 executives' mail). The finding is about the app entity.
 * Fires once, when the count crosses the threshold.
 *
 * The count comes from the detector's declared state `impersonated` (a first-seen set per client
 * token): every impersonated user of the client with the time it was first impersonated, whatever
 * the ingestor records as the resource (Workspace records API methods and Drive files, not
 * mailboxes). While it is empty (hand-built contexts), mailbox/user resources and the impersonated
 * user's own baseline stand in.
 *
 * Known gaps: a client that impersonates more than 4,096 users forgets the least recent ones (the
 * 2x-known threshold then keeps it quiet: a backup tool that reads everyone is not a fan-out); a
 * slow fan-out below 10 new users per window; impersonation the logs do not flag
 * (`actor.applicationInfo.impersonation`).
 */
export const appImpersonationFanout = defineDetector({
  id: 'app.impersonation_fanout',
  name: 'Domain-wide delegation client impersonating many new users',
  description:
    'An OAuth client with domain-wide delegation started impersonating many users it never impersonated before, within a short window.',
  version: 2,
  severity: 'high',
  riskScore: 80,
  category: 'iam',
  mitre: ['TA0009:T1114.002', 'TA0009:T1530', 'TA0005:T1550.001'],
  sources: ['google_workspace'],
  requiredFields: ['tokenwatch.impersonated_user', 'token.client.id', 'tokenwatch.resource.name'],
  summary:
    'A DWD client impersonating ≥ 10 (and ≥ 2x its known) never-impersonated users within the window (S6); finding on the app entity. Users and first-impersonation times come from its declared state (a first-seen set of every `tokenwatch.impersonated_user` per client), whatever the ingestor records as the resource.',
  knownGaps:
    'A client past 4,096 users forgets the least recent (the 2x bar keeps a backup tool quiet); slow fan-outs under 10 new users per window.',
  falsePositives: [
    'A newly deployed backup, archiving or e-discovery tool starting its first full run',
    'An existing DWD integration rolled out to a new department',
  ],
  runbook: [
    'Identify the client id and who granted it domain-wide delegation (admin log AUTHORIZE_API_CLIENT_ACCESS) and when.',
    'List the impersonated users and what was read (Gmail, Drive); check for executives and security staff.',
    'If not a planned rollout, remove the client’s delegation in the Admin console and rotate the service-account keys.',
  ],
  settings: z.object({
    breadthWindowMs: breadthWindowSetting(),
  }),
  groupWindowMs: 3_600_000,
  state: {
    /** users each delegation client (token) acted as, with first/last time */
    impersonated: firstSeenSet({
      key: 'token',
      cap: IMPERSONATED_USERS_CAP,
      maxKeys: DELEGATED_CLIENT_CAP,
      ttlMs: 400 * 86_400_000,
    }),
  },

  observe(activity, { state }) {
    const user = activity.tokenwatch.impersonated_user;
    if (user === undefined || activity.event.outcome === 'failure') return;
    state.impersonated.add(user, eventTimeMs(activity));
  },

  evaluate(activity, ctx, { settings, state }) {
    const user = activity.tokenwatch.impersonated_user;
    if (user === undefined || activity.token.key_kind !== 'oauth_grant') return [];
    if (activity.event.outcome === 'failure') return [];
    const client = ctx.token;
    const index = state.impersonated;
    if (impersonatedBefore(activity, user, ctx, index)) return [];

    const atMs = eventTimeMs(activity);
    const window = settings.breadthWindowMs;
    const earlier = newUsersInWindow(ctx, index, atMs, window);
    const count = earlier + 1;
    const known = knownUsers(ctx, index, atMs - window);
    const threshold = Math.max(FANOUT_MIN_USERS, FANOUT_KNOWN_MULTIPLE * known.count);
    if (!(earlier < threshold && count >= threshold)) return [];

    const name = clientLabel(activity) ?? activity.token.id;
    const clientId = activity.token.client?.id;
    const history =
      client.firstSeen > 0 && client.firstSeen <= atMs - window
        ? `${historySpan(client)} it impersonated ${countOf(known.count, 'user')}${known.users.length > 0 ? ` (${fmtList(known.users, 3, known.count)})` : ''}`
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
          expected: `fewer than ${threshold} new impersonated users per ${fmtDuration(window)}; known: ${fmtList(known.users, 3, known.count)}`,
          window: fmtDuration(window),
          ...baselineFacts(client, client.eventCount > 0 ? 'token' : 'none'),
        },
      },
    ];
  },
});
