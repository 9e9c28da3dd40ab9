import { z } from 'zod';
import type { FirstSeenReader } from '../../baselines/keyed-state.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { defineDetector } from '../define-detector.js';
import { clientLabel, DAY_MS, eventTimeMs, fmtList, fmtNumber, ownerLabel } from '../explain.js';
import { isEndOfLife, isFailure } from '../lookup.js';
import { type AppVettingFact, UNKNOWN_VETTING } from '../lookups.js';
import { firstSeenSet } from '../state.js';
import { isBroadScope } from '../token-scope-broad-or-escalated/detector.js';

/**
 * `app.first_seen_in_org`: the first time the organization sees an OAuth app / GitHub App /
 * connected app (`token.client.id`) in any successful record, once the organization has
 * `learningDays` of history of that source (before that every app is "new"; a source onboarded
 * later learns on its own, and so does a source whose records resume after 30 days of silence). Third-party app vetting starts
 * here: the alert says which scopes the first grant carried and how the app registry
 * (`ctx.apps`, `<state>/apps.json`) judges the app. Severity: approved = low 21 (informational),
 * revoked = high, approval expired = medium; unknown apps by their scopes: admin / full-access
 * scopes (or Salesforce `api` + `refresh_token`) high, other scopes medium, no scopes logged low.
 *
 * Known gaps: an app first used before the learning period ends is known from then on; an app
 * seen only in logs tokenwatch does not ingest; GitHub classic PATs carry no client id.
 */
export const appFirstSeenInOrg = defineDetector({
  id: 'app.first_seen_in_org',
  name: 'OAuth app seen for the first time in the organization',
  description:
    'An OAuth app, GitHub App or connected app appeared for the first time in the organization; severity by the scopes granted and by its vetting state in the app registry.',
  summary:
    'The first successful record of an app (`token.client.id`, per source) the organization never saw, once the organization has `learningDays` of history of that source (per `organization.name`; a source silent for 30+ days learns again); finding on the app (`app:<source>:<client id>`), naming the first user and the scopes granted. Approved in the app registry: low 21 (informational); revoked: high; approval expired: medium; unknown: high with admin/full-access scopes or Salesforce `api`+`refresh_token` (S2), medium with other scopes, low when no scopes were logged. Known apps live in declared state (org-wide first-seen set, 400 days).',
  knownGaps:
    'Apps first seen during the learning period (and on the first record of a source after 30 days of silence); apps idle for more than 400 days look new again; GitHub classic PATs and browser sessions carry no client id.',
  version: 1,
  severity: 'medium',
  riskScore: 50,
  category: 'iam',
  mitre: ['TA0006:T1528', 'TA0001:T1199'],
  sources: ['google_workspace', 'github', 'salesforce'],
  requiredFields: [
    'organization',
    'organization.id',
    'organization.name',
    'token.client.id',
    'token.client.name',
    'token.scopes',
    'token.lifecycle',
    'event.outcome',
  ],
  falsePositives: [
    'A team trying a new SaaS tool before anyone asked for its approval',
    'A vendor rotating its OAuth client id (the same app under a new id)',
  ],
  goodlog: { unlabeled: 1, N13: 1 },
  // N13, an approved company-wide rollout: one informational (low) alert by design (issue 10)
  goodlogSimulated: { N13: 1 },
  runbook: [
    'Identify the app (client id, name, publisher, website) and the scopes of its first grant; check who authorized it and from where.',
    'Unknown app with broad scopes: review it with its first user; if unsanctioned, revoke its grants (Workspace API controls, GitHub OAuth app restrictions, Salesforce connected-app policy).',
    'Sanctioned: approve it with `tokenwatch apps approve <source> <client id> --by <you> --scopes ...` so later sightings are informational.',
  ],
  groupWindowMs: 24 * 3_600_000,
  settings: z.object({
    learningDays: z
      .number()
      .min(0)
      .max(365)
      .default(14)
      .describe('Days of org history before a never-seen app counts as new'),
  }),
  state: {
    /** every app an organization used (value `<org>|app:<source>:<client id>`), first and last record */
    apps: firstSeenSet({ key: 'org', cap: 16_384, maxKeys: 1, ttlMs: 400 * DAY_MS }),
    /** when each organization's history of each source starts (value `<org>|<source>`) */
    history: firstSeenSet({ key: 'org', cap: 256, maxKeys: 1, ttlMs: 400 * DAY_MS }),
  },

  observe(activity, { state }) {
    const atMs = eventTimeMs(activity);
    const key = historyOf(activity);
    const last = state.history.get(key)?.last;
    // records resume after a gap: the history (and the learning period) starts over
    if (last !== undefined && atMs - last > GAP_MS) state.history.add(`${key}|resumed:${atMs}`, atMs);
    state.history.add(key, atMs);
    const app = appOf(activity);
    if (app !== undefined) state.apps.add(`${orgOf(activity)}|${app}`, atMs);
  },

  evaluate(activity, ctx, { settings, state }) {
    const app = appOf(activity);
    if (app === undefined || state.apps.get(`${orgOf(activity)}|${app}`) !== undefined) return [];
    const atMs = eventTimeMs(activity);
    const since = historyStart(state.history, historyOf(activity), atMs);
    if (since === undefined || atMs - since < settings.learningDays * DAY_MS) return [];

    const clientId = activity.token.client?.id as string;
    const vetting = ctx.apps?.vetting(activity.event.module, clientId, atMs) ?? UNKNOWN_VETTING;
    const scopes = activity.token.scopes;
    const broad = broadScopes(activity);
    const name = clientLabel(activity) ?? clientId;
    const who = ownerLabel(activity) ?? 'an unnamed owner';
    const scopeText = scopes.length > 0 ? `with scopes ${fmtList(scopes, 4)}` : 'with no scopes logged';
    const verb =
      activity.token.lifecycle === 'authorized'
        ? 'authorized'
        : `${activity.token.lifecycle} a credential of`;
    return [
      {
        entity: app,
        reason:
          `${who} ${verb} OAuth app "${name}" (${activity.event.module} client ${clientId}) ${scopeText}: ` +
          `the first record of this app in the organization in ${fmtNumber((atMs - since) / DAY_MS, 0)} days of history; ` +
          `${vettingText(vetting)}${broad.length > 0 ? `; broad scopes ${fmtList(broad, 3)}` : ''}.`,
        explanation: {
          feature: 'app_first_seen_in_org',
          observed: `${activity.event.module}:${clientId}`,
          expected: `an app the organization used before (${fmtNumber(state.apps.size, 0)} known apps) or one approved in the app registry`,
          baseline_entity: 'none',
          history_days: Math.round((atMs - since) / DAY_MS),
          history_events: state.apps.size,
          maturity: 'mature',
        },
        ...severityOf(vetting, scopes, broad),
      },
    ];
  },
});

/** A silence of a source longer than this restarts its history (logs onboarded, lost, re-enabled). */
const GAP_MS = 30 * DAY_MS;

/**
 * When the current continuous history of `key` started, as of a record at `atMs`: its latest
 * resumption, else its first record; `atMs` itself when this record ends a silence of more than
 * {@link GAP_MS} (the first record after a gap starts the new history: `observe` only marks the
 * resumption after every detector evaluated the record, and the first record back often carries
 * an app the old history never saw, such as the first Workspace record after an older export).
 */
function historyStart(history: FirstSeenReader, key: string, atMs: number): number | undefined {
  const seen = history.get(key);
  if (seen === undefined) return undefined;
  if (atMs - seen.last > GAP_MS) return atMs;
  let start = seen.first;
  for (const [value, seen] of history.firstSeenSince(start)) {
    if (value.startsWith(`${key}|resumed:`) && seen.first > start) start = seen.first;
  }
  return start;
}

/** The organization a record belongs to (`organization.name`: the GitHub org, Workspace customer, Salesforce org). */
const orgOf = (activity: TokenActivity): string =>
  activity.organization?.name ?? activity.organization?.id ?? '';

/**
 * The history an app's novelty is judged against: its organization's records of its source. A
 * source onboarded later (or another tenant) learns on its own: its apps are not all "new".
 */
const historyOf = (activity: TokenActivity): string => `${orgOf(activity)}|${activity.event.module}`;

/** `app:<source>:<client id>` of a successful record with a client id, else undefined. */
function appOf(activity: TokenActivity): string | undefined {
  const client = activity.token.client?.id;
  if (client === undefined || client === '' || isFailure(activity) || isEndOfLife(activity)) return undefined;
  return `app:${activity.event.module}:${client}`;
}

/** Admin / full-access scopes of the grant, plus Salesforce `api` with a refresh token. */
function broadScopes(activity: TokenActivity): string[] {
  const scopes = activity.token.scopes;
  const broad = scopes.filter(isBroadScope);
  if (
    activity.event.module === 'salesforce' &&
    scopes.includes('api') &&
    scopes.some((s) => s === 'refresh_token' || s === 'offline_access')
  )
    broad.push('api+refresh_token');
  return broad;
}

function vettingText(v: AppVettingFact): string {
  switch (v.status) {
    case 'approved':
      return `it is approved in the app registry by ${v.approvedBy ?? 'an admin'} (informational)`;
    case 'revoked':
      return 'its approval was revoked in the app registry';
    case 'expired':
      return 'its approval in the app registry has expired';
    default:
      return 'it is not in the app registry (unvetted)';
  }
}

function severityOf(v: AppVettingFact, scopes: readonly string[], broad: readonly string[]) {
  if (v.status === 'approved') return { severity: 'low' as const, riskScore: 21 };
  if (v.status === 'revoked') return { severity: 'high' as const, riskScore: 80 };
  if (v.status === 'expired') return { severity: 'medium' as const, riskScore: 55 };
  if (broad.length > 0) return { severity: 'high' as const, riskScore: 75 };
  if (scopes.length > 0) return { severity: 'medium' as const, riskScore: 50 };
  return { severity: 'low' as const, riskScore: 35 };
}
