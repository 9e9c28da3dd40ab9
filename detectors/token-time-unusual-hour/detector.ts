import { z } from 'zod';
import type { BaselineView } from '../../baselines/types.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { defineDetector } from '../define-detector.js';
import {
  baselineName,
  baselineWas,
  eventTimeMs,
  fmtNumber,
  historySpan,
  hourStartOf,
  referenceFacts,
  tokenLabel,
} from '../explain.js';
import { cloudProvider, isEndOfLife, isFailure, personDriven, seenByAny } from '../lookup.js';
import type { DetectorContext } from '../types.js';

/** A profile is concentrated when this few UTC hours hold 90% of its events (24x7 bots never are). */
export const MAX_ACTIVE_HOURS = 16;
/**
 * A machine's profile must be tighter: scheduled jobs run at a few hours. A sparse bot used at
 * scattered hours (a dependency bot woken by webhooks) has no schedule to break.
 */
export const MAX_MACHINE_ACTIVE_HOURS = 8;
/** Share of events the active hours must cover. */
const ACTIVE_COVERAGE = 0.9;
/** A machine's hour is unusual when it and the hour on each side are (a job an hour late is not). */
export const MACHINE_MARGIN_HOURS = 1;
/** A person's hour is unusual only 4+ hours away from their active hours (late evenings are normal). */
export const HUMAN_MARGIN_HOURS = 3;
/** Events needed before an hour-of-day profile means anything. */
export const MIN_PROFILE_EVENTS = 50;
/**
 * A machine's profile needs more: an hour it never used only says something once every hour
 * would have seen ~10 events if the job ran at random (24 x 10); a sparse bot (a few webhook-driven
 * runs a day) otherwise "breaks its schedule" on every run.
 */
export const MIN_MACHINE_PROFILE_EVENTS = 240;
/**
 * A machine's hour profile is its active hours (distinct UTC hours with activity), and needs this
 * many: a nightly job for 24 nights, a webhook-driven bot for a few days.
 */
export const MIN_MACHINE_ACTIVE_HOURS = 24;

/**
 * The 24 hour-of-day shares a profile is judged on. A machine's are its active hours
 * (`activeHourOfDayShare`: when it runs, not how much: a weekly sweep of 240 clones in one hour
 * would otherwise make a bot woken by webhooks at all hours look like a job at three hours);
 * undefined while it has fewer than {@link MIN_MACHINE_ACTIVE_HOURS}. A person's are their events
 * (a working day's volume follows the time they work), as are those of a view without an
 * active-hour profile (hand-built test views).
 */
function profileShares(view: BaselineView, machine: boolean): number[] | undefined {
  const active = view.activeHourOfDayShare;
  if (machine && active !== undefined) {
    if ((view.activeHours ?? 0) < MIN_MACHINE_ACTIVE_HOURS) return undefined;
    return Array.from({ length: 24 }, (_, h) => active.call(view, h));
  }
  return Array.from({ length: 24 }, (_, h) => view.hourOfDayShare(h));
}

/**
 * What is new in a person's use besides the hour: a non-cloud network or a client family neither
 * the token nor its owner's other credentials used (`a never-seen network 198.51.100.0/24`), or
 * undefined.
 */
function personNovelty(activity: TokenActivity, ctx: DetectorContext): string | undefined {
  const views = [ctx.token, ctx.owner].filter((v): v is BaselineView => v !== undefined);
  const prefix = activity.tokenwatch.network?.ip_prefix;
  const ua = activity.user_agent?.name;
  const parts: string[] = [];
  if (prefix !== undefined && cloudProvider(activity) === undefined && !seenByAny(views, 'ip_prefix', prefix))
    parts.push(`a never-seen network ${prefix}`);
  if (ua !== undefined && ctx.token.distinct('ua_family') > 0 && !seenByAny(views, 'ua_family', ua))
    parts.push(`a never-seen client family ${ua}`);
  return parts.length > 0 ? parts.join(' and ') : undefined;
}

/** Hours of day (UTC) holding `coverage` of the events, most used first. */
export function activeHours(shares: readonly number[], coverage = ACTIVE_COVERAGE): number[] {
  const order = shares.map((s, h) => [h, s] as const).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const total = shares.reduce((a, b) => a + b, 0);
  const out: number[] = [];
  let acc = 0;
  for (const [h, s] of order) {
    if (acc >= coverage * total || s <= 0) break;
    out.push(h);
    acc += s;
  }
  return out;
}

/** `08-17, 22 UTC` for a set of hours. */
export function fmtHours(hours: readonly number[]): string {
  const sorted = [...hours].sort((a, b) => a - b);
  const ranges: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i] ?? 0;
    let end = start;
    while (sorted[i + 1] === end + 1) {
      i += 1;
      end += 1;
    }
    const pad = (h: number) => String(h).padStart(2, '0');
    ranges.push(start === end ? pad(start) : `${pad(start)}-${pad(end)}`);
    i += 1;
  }
  return `${ranges.join(', ')} UTC`;
}

/**
 * `token.time.unusual_hour`: the token is used at a UTC hour of day that holds less than
 * `settings.unusualHourShare` of the reference baseline's events, and so do the hours around it:
 * {@link MACHINE_MARGIN_HOURS} on each side for machines (a job an hour late is not unusual),
 * {@link HUMAN_MARGIN_HOURS} for people (working late is normal; 03:00 for a 09-17 person is not).
 * "People" are person-driven credentials: a human principal, or a per-user OAuth grant used from a
 * non-cloud address (a mail or CRM plug-in, a desktop data loader: it follows its user's day).
 * Only for a mature reference with a concentrated profile ({@link MAX_ACTIVE_HOURS}); 24x7 CI bots
 * never fire. A person outside the profile's main country (this event's unless it is cloud egress,
 * e.g. Zoom or Slack calling on their behalf; else their latest non-cloud location) is travelling
 * in another time zone and is left to the country detectors (N2). Failed attempts are not uses.
 * One finding per token per hour.
 *
 * A machine's profile counts its active hours (distinct UTC hours with activity), not its events:
 * a GitHub App installation woken by webhooks at all hours whose weekly clone sweep puts 80 % of
 * its events in one hour has no schedule to break (the samples' Renovate installation).
 *
 * Machine tokens on a schedule (nightly ETL, S8) are medium: they have no reason to drift. For
 * people an odd hour alone is everyday (late work, on call): it is reported, low, only when the
 * same use also comes from a non-cloud network or a client family neither the credential nor its
 * owner ever used (a session replayed at night from elsewhere); the tuning month had 8 lone odd
 * hours of people and none was an attack.
 *
 * Known gaps: UTC hours, not the owner's time zone, so daylight-saving shifts move a human profile
 * by an hour (absorbed by the neighbour rule); a change of shift or on-call duty looks unusual.
 */
export const tokenTimeUnusualHour = defineDetector({
  id: 'token.time.unusual_hour',
  name: 'Token used at an hour it is never used',
  description:
    "The token was used at an hour of day (UTC) that is almost absent from its (or its owner's/app's) hour-of-day profile.",
  version: 2,
  severity: 'low',
  riskScore: 35,
  category: 'iam',
  mitre: ['TA0001:T1078.004'],
  sources: ['github', 'google_workspace', 'salesforce'],
  requiredFields: [
    '@timestamp',
    'source.geo.country_iso_code',
    'source.ip',
    'tokenwatch.network.cloud_provider',
    'tokenwatch.network.class',
    'tokenwatch.network.ip_prefix',
    'user_agent.name',
  ],
  summary:
    "Use at a UTC hour holding < `unusualHourShare` of a mature, concentrated profile (machines: judged on their active hours, distinct UTC hours with activity, not events, so a weekly burst does not make a bot woken at all hours look scheduled; at most 8 hours holding 90 % of them, at least 24 active hours and 240 events) (≤ 16 active hours), and so do the hours around it (±1 h for machines, ±3 h for person-driven credentials: humans and per-user grants from their own device). Medium for machine tokens (S8). A person's odd hour fires (low) only with a never-seen non-cloud network or client family in the same use; a person abroad (this use's non-cloud country, else their latest non-cloud use) is left to the country detectors (N2); 24x7 bots never fire; failed attempts ignored.",
  knownGaps:
    "UTC, not the owner's time zone; shift changes; a rescheduled job; a machine's active hours start counting with this version (state saved before it judges machines only once 24 active hours are counted).",
  falsePositives: [
    'Owner working late or on call from a new place (3+ hours outside their usual hours)',
    'A rescheduled integration job',
  ],
  goodlog: {},
  goodlogSimulated: { N5: 1 },
  runbook: [
    'Check whether the owner was working at that time (on call, travel) or the job was rescheduled.',
    'Correlate with network, client and volume findings for the same token in this window.',
  ],
  settings: z.object({
    unusualHourShare: z
      .number()
      .min(0)
      .max(0.2)
      .default(0.005)
      .describe('Hour-of-day share of the profile below which an hour is unusual'),
  }),
  groupWindowMs: 4 * 3_600_000,

  evaluate(activity, ctx, { settings }) {
    const ref = ctx.reference;
    if (ref === undefined || ref.view.maturity !== 'mature' || isEndOfLife(activity)) return [];
    if (isFailure(activity)) return [];
    if (ref.view.eventCount < MIN_PROFILE_EVENTS) return [];
    const atMs = eventTimeMs(activity);
    // Person-driven: a human's credential, or a per-user grant used from their own (non-cloud) device.
    const machine = !personDriven(activity);
    // A person's odd hour alone is common (late work, on call, insomnia): it is reported with a
    // network or client family this credential and its owner never used in the same use (a stolen
    // session replayed at night). Both are first sightings, so this fires once; a machine job fires
    // on its first use in the hour.
    if (machine && ref.view.eventCount < MIN_MACHINE_PROFILE_EVENTS) return [];
    const novelty = machine ? undefined : personNovelty(activity, ctx);
    if (!machine && novelty === undefined) return [];
    const hourStart = hourStartOf(atMs);
    if (machine && ctx.token.current.hourStart === hourStart && ctx.token.current.events > 0) return [];

    const shares = profileShares(ref.view, machine);
    if (shares === undefined) return [];
    const usual = activeHours(shares);
    if (usual.length === 0 || usual.length > (machine ? MAX_MACHINE_ACTIVE_HOURS : MAX_ACTIVE_HOURS))
      return [];
    // A person abroad lives in another time zone: the country detectors report the trip. Where the
    // person is: this use's country unless it is cloud egress (a SaaS vendor calling on their
    // behalf), else their latest non-cloud located use.
    const located = [ctx.owner?.lastLocation, ctx.token.lastLocation]
      .filter((l) => l !== undefined && !l.cloud)
      .sort((x, y) => (y?.at ?? 0) - (x?.at ?? 0))[0];
    const here = cloudProvider(activity) === undefined ? activity.source?.geo?.country_iso_code : undefined;
    const country = here ?? located?.country;
    const home = ref.view.top('country', 1)[0] ?? ctx.owner?.top('country', 1)[0];
    if (!machine && country !== undefined && home !== undefined && country !== home) return [];
    const hour = new Date(atMs).getUTCHours();
    const share = shares[hour] ?? 0;
    const margin = machine ? MACHINE_MARGIN_HOURS : HUMAN_MARGIN_HOURS;
    let around = 0;
    for (let d = -margin; d <= margin; d++) around += shares[(hour + d + 24) % 24] ?? 0;
    const limit = settings.unusualHourShare;
    if (share >= limit || around >= (2 * margin + 1) * limit) return [];

    const pct = (x: number) => `${fmtNumber(x * 100, 2)}%`;
    const hourText =
      share === 0 ? 'an hour with no activity at all' : `an hour with only ${pct(share)} of the activity`;
    const reason =
      `${tokenLabel(activity)} was used at ${String(hour).padStart(2, '0')}:xx UTC, ${hourText} ` +
      `${historySpan(ref.view)}; ${baselineName(ref.entity)} ${baselineWas(ref.entity)} active at ${fmtHours(usual)} (90% of ${machine ? 'active hours' : 'events'}).` +
      (novelty ? ` It came from ${novelty}.` : '');
    return [
      {
        reason,
        explanation: {
          feature: 'hour_of_day_share',
          observed: `${String(hour).padStart(2, '0')}:00 UTC (${pct(share)})`,
          expected: `active hours ${fmtHours(usual)}; unusual below ${pct(limit)}`,
          ...referenceFacts(ref),
        },
        ...(machine ? { severity: 'medium' as const, riskScore: 50 } : {}),
      },
    ];
  },
});
