import { z } from 'zod';
import { defineDetector } from '../define-detector.js';
import {
  baselineName,
  eventTimeMs,
  fmtDuration,
  fmtList,
  fmtNumber,
  historySpan,
  referenceFacts,
  tokenLabel,
} from '../explain.js';
import { evictedCount, noveltyReliable, seenByAny } from '../lookup.js';
import { breadthWindowSetting, firstSeenInWindow } from '../novelty.js';

/** The threshold also scales to this multiple of the entity's usual new resources per active hour. */
export const BREADTH_RATE_MULTIPLE = 5;

/**
 * `token.behavior.resource_breadth`: many resources (repos, sObjects, files, mailboxes) the
 * reference entity never touched, within `settings.breadthWindowMs` (default 1 h): at least
 * `settings.breadthNewResources` (default 10), or {@link BREADTH_RATE_MULTIPLE} x the entity's usual
 * rate of new resources per active hour when that is higher (crawlers and bots). The novelty count
 * comes from the reference's own window counter (`current.newResourceTimes`), so a cold-start token
 * is judged by what is new to its owner or app, not by everything being new to itself (S10).
 * Fires once when the count crosses the threshold.
 *
 * Catches the clone sweep of S3/S5 and the object enumeration of S8 without a global "10 repos"
 * threshold; a bot that touches hundreds of repos every run (N4) has a high usual novelty rate
 * (its capped resource set keeps evicting and re-inserting) and a correspondingly high threshold,
 * and when the set has evicted anything the burst must also exceed the entity's busiest hour
 * (a weekly run over 50 repos it has "forgotten" since last week).
 * Known gaps: slow sweeps (a few new repos per hour) stay under the window; the
 * baseline's per-dimension cap forgets rarely touched resources, which then look new again (the
 * novelty-rate threshold absorbs that for busy entities).
 */
export const tokenBehaviorResourceBreadth = defineDetector({
  id: 'token.behavior.resource_breadth',
  name: 'Token touched many never-seen resources in a short time',
  description:
    'The token accessed more first-seen repositories, objects or files within the breadth window than its (or its owner’s/app’s) baseline explains.',
  version: 1,
  severity: 'medium',
  riskScore: 60,
  category: 'api',
  mitre: ['TA0009:T1213', 'TA0009:T1213.003', 'TA0009:T1530'],
  sources: ['github', 'google_workspace', 'salesforce'],
  requiredFields: ['tokenwatch.resource.type', 'tokenwatch.resource.name'],
  summary:
    "≥ `breadthNewResources` never-seen repos/objects/files within `breadthWindowMs` (or 5x the entity's usual novelty rate; when the capped set has evicted values, also more than the busiest hour ever: N4 bots). Cold start counts what is new to the owner/app (S10).",
  knownGaps: 'Slow sweeps; capped sets forget rare resources.',
  falsePositives: [
    'Onboarding to a new team or project (many repos at once)',
    'A new bot or migration script run for the first time across the organization',
  ],
  runbook: [
    'List the resources first touched in the window and their sensitivity (private repos, Case, User objects).',
    'Check the network and client of these events against the token’s usual ones.',
    'If not explained by onboarding or a planned migration, revoke the token and review the data read.',
  ],
  settings: z.object({
    breadthWindowMs: breadthWindowSetting(),
    breadthNewResources: z
      .number()
      .int()
      .min(2)
      .max(10_000)
      .default(10)
      .describe('Never-seen resources within the window that make a breadth burst'),
  }),
  groupWindowMs: 3_600_000,

  evaluate(activity, ctx, { settings }) {
    const ref = ctx.reference;
    const resource = activity.tokenwatch.resource;
    if (ref === undefined || resource === undefined) return [];
    const key = `${resource.type}:${resource.name}`;
    if (seenByAny([ctx.token, ref.view], 'resource', key)) return [];

    const atMs = eventTimeMs(activity);
    const window = settings.breadthWindowMs;
    const earlier = firstSeenInWindow(ref.view.current.newResourceTimes, atMs, window);
    const count = earlier + 1;
    // Every insertion into the capped resource set (kept or later evicted) was a "new" resource
    // once, so (distinct + evicted) / active hours is the entity's usual novelty rate. Without the
    // eviction counter a saturated set makes novelty meaningless: stay silent.
    const evicted = evictedCount(ref.view, 'resource');
    if (evicted === undefined && !noveltyReliable(ref.view, 'resource')) return [];
    const activeHours = Math.max(ref.view.hourlyEvents.n, 1);
    const usualPerHour = (ref.view.distinct('resource') + (evicted ?? 0)) / activeHours;
    // When the capped set has evicted values, "new" may mean "forgotten": then a burst must also
    // exceed the busiest hour the entity ever had (a weekly bot run over 50 repos, N4).
    const capacity = (evicted ?? 0) > 0 ? Math.ceil(ref.view.hourlyEvents.max) : 0;
    const threshold = Math.max(
      settings.breadthNewResources,
      Math.ceil(BREADTH_RATE_MULTIPLE * usualPerHour * (window / 3_600_000)),
      capacity,
    );
    if (!(earlier < threshold && count >= threshold)) return [];

    const reason =
      `${tokenLabel(activity)} touched ${count} ${resource.type} resources never touched before within ` +
      `${fmtDuration(window)} (latest: ${resource.name}); ${historySpan(ref.view)} ${baselineName(ref.entity)} ` +
      `touched ${fmtNumber(Math.max(0, ref.view.distinct('resource') - earlier), 0)} distinct resources before this burst ` +
      `(mostly ${fmtList(ref.view.top('resource', 3))}).`;
    return [
      {
        reason,
        explanation: {
          feature: 'new_resources_per_window',
          observed: count,
          expected: `fewer than ${threshold} new resources per ${fmtDuration(window)} (usual ${fmtNumber(usualPerHour, 2)} new per active hour)`,
          window: fmtDuration(window),
          ...referenceFacts(ref),
        },
      },
    ];
  },
});
