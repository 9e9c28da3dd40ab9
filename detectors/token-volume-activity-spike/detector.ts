import { z } from 'zod';
import { defineDetector } from '../define-detector.js';
import {
  baselineName,
  eventTimeMs,
  fmtNumber,
  historySpan,
  hourStartOf,
  referenceFacts,
  tokenLabel,
} from '../explain.js';
import { NO_STATS, SPIKE_SETTINGS, spikeCrossing } from '../spike.js';

/** Events in one hour below this are never a spike. */
export const ACTIVITY_FLOOR = 20;
/** Without hourly history, this many events in an hour still is. */
export const ACTIVITY_NO_HISTORY_FLOOR = 300;

/**
 * `token.volume.activity_spike`: events in the current event-time hour far above the entity's
 * hourly baseline (see `spike.ts`: p99 multiple, robust z on median/MAD, historical max, floor).
 *
 * The hour is measured on the reference entity itself (the token's own counter when its baseline is
 * mature; on cold start the owner's or app's counter across their tokens, against their own hourly
 * baseline), so observed and expected are always the same kind of number. With no mature baseline
 * at all, the token's own hour is judged against {@link ACTIVITY_NO_HISTORY_FLOOR}. Fires once per
 * hour when the count crosses the threshold.
 *
 * Known gaps: low-and-slow activity below the threshold; an hour split across two buckets counts
 * half in each; a prior attack hour in history raises the seasonal guard.
 */
export const tokenVolumeActivitySpike = defineDetector({
  id: 'token.volume.activity_spike',
  name: 'Token activity far above its hourly baseline',
  description:
    'The number of events in the current hour is far above the hourly p99 and the robust (median/MAD) baseline of the token, or of its owner or app on cold start.',
  version: 1,
  severity: 'medium',
  riskScore: 50,
  category: 'api',
  mitre: ['TA0009:T1213', 'TA0010:T1020'],
  sources: ['github', 'google_workspace', 'salesforce'],
  requiredFields: ['@timestamp', 'token.id'],
  summary:
    'Events in the current hour above max(3x p99, median + 6 robust σ, 1.5x largest hour, 20); fires once per hour. Cold start measures the owner/app across tokens; with no mature baseline at all, 300 calls/hour.',
  knownGaps: 'Low-and-slow activity; a previous attack hour raises the seasonal guard.',
  falsePositives: [
    'A one-off migration or maintenance script run with the token',
    'A new deployment of the integration increasing its call rate',
  ],
  runbook: [
    'See which actions and resources make up the burst (group this hour by event.action and resource).',
    'Check whether the owner or integration team announced a migration or backfill.',
    'If the burst reads data the token does not usually read, treat it as exfiltration: revoke and scope the exposure.',
  ],
  settings: z.object({
    ...SPIKE_SETTINGS,
  }),
  groupWindowMs: 3_600_000,

  evaluate(activity, ctx, { settings }) {
    // Without any mature baseline the token's own hour is judged against the no-history floor.
    const ref = ctx.reference;
    const view = ref?.view ?? ctx.token;
    const hour = hourStartOf(eventTimeMs(activity));
    const before = view.current.hourStart === hour ? view.current.events : 0;
    const stats = ref ? view.hourlyEvents : NO_STATS;
    const spike = spikeCrossing(
      stats,
      before,
      before + 1,
      { floor: ACTIVITY_FLOOR, noHistoryFloor: ACTIVITY_NO_HISTORY_FLOOR },
      settings,
    );
    if (spike === undefined) return [];

    const observed = before + 1;
    const hourLabel = `${new Date(hour).toISOString().slice(11, 16)} UTC`;
    const expected = spike.noHistory
      ? `no hourly history yet; at most ${fmtNumber(spike.threshold, 0)} events/hour without one`
      : `median ${fmtNumber(stats.median)} and p99 ${fmtNumber(stats.p99)} events/hour (max ${fmtNumber(stats.max)}); spike above ${fmtNumber(spike.threshold, 0)}`;
    const who = ref === undefined || ref.entity === 'token' ? '' : ` (${baselineName(ref.entity)} together)`;
    const seen = `${tokenLabel(activity)} made ${fmtNumber(observed)} calls in the hour from ${hourLabel}${who}`;
    const reason =
      ref === undefined
        ? `${seen}, above the ${fmtNumber(spike.threshold, 0)} calls/hour allowed without a baseline (neither the token, its app nor its owner has a mature one).`
        : spike.noHistory
          ? `${seen}, with no hourly history to compare with.`
          : `${seen}: ${fmtNumber(observed / Math.max(stats.p99, 1))}x the hourly p99 of ${fmtNumber(stats.p99)} ` +
            `(median ${fmtNumber(stats.median)}, robust z ${fmtNumber(spike.zscore)}) ${historySpan(view)} of ${baselineName(ref.entity)}.`;
    return [
      {
        reason,
        explanation: {
          feature: 'events_per_hour',
          observed,
          expected,
          baseline_p50: stats.median,
          baseline_p99: stats.p99,
          zscore: spike.zscore,
          window: '1h',
          ...referenceFacts(ref),
        },
      },
    ];
  },
});
