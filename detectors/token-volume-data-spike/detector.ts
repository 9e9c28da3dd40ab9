import { z } from 'zod';
import type { VolumeMetric } from '../../baselines/types.js';
import { defineDetector, type FindingDraft } from '../define-detector.js';
import {
  baselineName,
  eventTimeMs,
  fmtNumber,
  historySpan,
  hourStartOf,
  referenceFacts,
  tokenLabel,
} from '../explain.js';
import { NO_STATS, SPIKE_SETTINGS, type SpikeFloors, spikeCrossing } from '../spike.js';

/** Per-metric floors: below `floor` an hour is never a spike; without history, `noHistoryFloor`. */
export const DATA_FLOORS: Readonly<Record<VolumeMetric, SpikeFloors>> = {
  rows: { floor: 5_000, noHistoryFloor: 100_000 },
  bytes: { floor: 50 * 1024 * 1024, noHistoryFloor: 1024 * 1024 * 1024 },
  items: { floor: 20, noHistoryFloor: 300 },
};

const UNIT: Record<VolumeMetric, string> = { rows: 'rows', bytes: 'bytes', items: 'items' };
const VERB: Record<VolumeMetric, string> = {
  rows: 'read',
  bytes: 'transferred',
  items: 'fetched',
};
/** A spike this many times the threshold (one huge export job) is high severity. */
const BLATANT_RATIO = 10;

const METRICS: readonly VolumeMetric[] = ['rows', 'bytes', 'items'];

/**
 * `token.volume.data_spike`: rows (Salesforce), bytes (Google `num_response_bytes`) or items
 * (clones, downloads) in the current event-time hour far above the entity's own robust hourly
 * baseline for that metric (see `spike.ts`). S1's x1000 rows fires; a bot whose p99 is already high
 * (N4) and a backfill whose size was seen before (N5, historical max guard) do not.
 *
 * As for activity spikes, the hour is measured on the reference entity itself (token, else owner or
 * app across their tokens). An entity that never moved the metric (median and p99 zero, e.g. a user
 * who never used the API, S2) is judged against the absolute floor; a new token judged by its
 * owner's other credentials (cold start, reference `owner`) at least against the no-history floor
 * (the owner's browser UI is no baseline for a data loader: 13,000 rows is not a spike, S2's
 * 10^5-10^6 rows are); with no mature baseline at all
 * (a brand-new connected app of a brand-new user), the token's own hour is judged against the
 * higher no-history floor (100,000 rows, 1 GiB, 300 items per hour). Fires once per metric per hour
 * when the threshold is crossed; one record 10x past the threshold (a bulk job) is high.
 *
 * Known gaps: exports split across many hours below the threshold; GitHub has no byte counts, only
 * items (clone/download events).
 */
export const tokenVolumeDataSpike = defineDetector({
  id: 'token.volume.data_spike',
  name: 'Token data volume far above its hourly baseline',
  description:
    'Rows, bytes or items read in the current hour are far above the hourly p99 and robust baseline of the token (or of its owner/app on cold start), and above any hour seen before.',
  version: 2,
  severity: 'medium',
  riskScore: 65,
  category: 'api',
  mitre: ['TA0010:T1020', 'TA0009:T1213', 'TA0009:T1213.004'],
  sources: ['github', 'google_workspace', 'salesforce'],
  requiredFields: ['tokenwatch.volume.rows', 'tokenwatch.volume.bytes', 'tokenwatch.volume.items'],
  summary:
    "Rows / bytes / items in the current hour over the same robust threshold per metric (S1 x1000 rows; high when one record is 10x past it). The largest-hour guard keeps a repeat backfill quiet (N5); a bot's high p99 keeps it quiet (N4); a new token judged by its owner's other credentials, and no mature baseline at all: 100,000 rows / 1 GiB / 300 items per hour (S2). One alert per 6 h export.",
  knownGaps:
    'Exports split under the threshold across hours; GitHub has only item counts; a first-ever quarterly backfill (N5 without an earlier quarter).',
  falsePositives: [
    'First run of a new backfill or data-warehouse sync (later runs are absorbed by the history)',
    'A migration exporting everything once',
  ],
  goodlog: { N5: 2 },
  goodlogSimulated: { N5: 1 },
  runbook: [
    'Identify the objects / repositories / files read this hour and their sensitivity.',
    'Check for a change ticket or announcement for a backfill or migration by this integration.',
    'If unannounced, revoke the token, block the client, and estimate the exposed records.',
  ],
  settings: z.object({
    ...SPIKE_SETTINGS,
  }),
  groupWindowMs: 6 * 3_600_000,

  evaluate(activity, ctx, { settings }) {
    const volume = activity.tokenwatch.volume;
    if (volume === undefined) return [];
    // Without any mature baseline the token's own hour is judged against the no-history floor.
    const ref = ctx.reference;
    const view = ref?.view ?? ctx.token;
    const hour = hourStartOf(eventTimeMs(activity));
    const sameHour = view.current.hourStart === hour;
    const findings: FindingDraft[] = [];
    for (const metric of METRICS) {
      const delta = volume[metric] ?? 0;
      if (delta <= 0) continue;
      const before = sameHour ? view.current[metric] : 0;
      const after = before + delta;
      const stats = ref ? view.hourlyVolume(metric) : NO_STATS;
      const floors = DATA_FLOORS[metric];
      // A new credential judged by its owner's other credentials (often a browser UI moving a few
      // rows an hour) needs at least the no-history floor: a person's first data-loader export of
      // thousands of rows is not a theft signal; S2's 10^5-10^6 rows are.
      const ownerFloors = ref?.entity === 'owner' ? { ...floors, floor: floors.noHistoryFloor } : floors;
      const spike = spikeCrossing(stats, before, after, ownerFloors, settings);
      if (spike === undefined) continue;

      const unit = UNIT[metric];
      const hourLabel = `${new Date(hour).toISOString().slice(11, 16)} UTC`;
      const who =
        ref === undefined || ref.entity === 'token' ? '' : ` (${baselineName(ref.entity)} together)`;
      const seen = `${tokenLabel(activity)} ${VERB[metric]} ${fmtNumber(after)} ${unit} in the hour from ${hourLabel}${who}`;
      const expected = spike.noHistory
        ? `no hourly ${unit} history; at most ${fmtNumber(spike.threshold, 0)} ${unit}/hour without one`
        : `median ${fmtNumber(stats.median)} and p99 ${fmtNumber(stats.p99)} ${unit}/hour (max ${fmtNumber(stats.max)}); spike above ${fmtNumber(spike.threshold, 0)}`;
      const reason =
        ref === undefined
          ? `${seen}, above the ${fmtNumber(spike.threshold, 0)} ${unit}/hour allowed without a baseline (neither the token, its app nor its owner has a mature one).`
          : spike.noHistory
            ? `${seen}, with no hourly ${unit} history to compare with.`
            : `${seen}: ${fmtNumber(after / Math.max(stats.p99, 1))}x the hourly p99 of ${fmtNumber(stats.p99)} ` +
              `(median ${fmtNumber(stats.median)}, largest hour ${fmtNumber(stats.max)}, robust z ${fmtNumber(spike.zscore)}) ` +
              `${historySpan(view)} of ${baselineName(ref.entity)}.`;
      findings.push({
        reason,
        explanation: {
          feature: `${metric}_per_hour`,
          observed: after,
          expected,
          baseline_p50: stats.median,
          baseline_p99: stats.p99,
          zscore: spike.zscore,
          window: '1h',
          ...referenceFacts(ref),
        },
        ...(spike.ratio >= BLATANT_RATIO ? { severity: 'high' as const, riskScore: 80 } : {}),
      });
    }
    return findings;
  },
});
