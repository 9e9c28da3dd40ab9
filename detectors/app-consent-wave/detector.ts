import { z } from 'zod';
import type { WindowEntry } from '../../baselines/keyed-state.js';
import { defineDetector } from '../define-detector.js';
import { clientLabel, DAY_MS, eventTimeMs, fmtDuration, fmtList, fmtNumber } from '../explain.js';
import { isFailure } from '../lookup.js';
import { UNKNOWN_VETTING } from '../lookups.js';
import { firstSeenSet, slidingWindow } from '../state.js';

/**
 * `app.consent_wave`: many distinct people authorize one OAuth app the organization has only just
 * met, within a short window, far above the organization's usual rate of consents to new apps: a
 * consent-phishing campaign (the lure reaches many inboxes at once) rather than word of mouth.
 * A consent is a successful `token.lifecycle: authorized` with a client id (Workspace `authorize`,
 * GitHub OAuth authorization, Salesforce connected-app approval). Severity follows the app
 * registry (`ctx.apps`, `<state>/apps.json`): an approved app rolled out by an admin is
 * informational (low 21), an unknown app medium, a revoked one high.
 *
 * Known gaps: a slow campaign under `minUsers` per window; a wave for an app the organization has
 * used for longer than `newAppDays`; consents the vendor does not log (Salesforce logs none for
 * most connected apps).
 */
export const appConsentWave = defineDetector({
  id: 'app.consent_wave',
  name: 'Consent wave: many people authorizing a new OAuth app',
  description:
    'Many distinct users authorized one OAuth app new to the organization within a short window, far above the usual rate of consents to new apps (consent phishing).',
  summary:
    "At least `minUsers` distinct people, and `baseRateMultiple` x the org's usual consents to new apps per window, authorize one app first seen in the org within `newAppDays`, within `windowMs` (consent phishing; issue 10). Fires once per wave, on the consent that crosses the bar; finding on the app. Low 21 (informational) when the app registry has it approved (an admin rollout), high when revoked, else medium. Consents and new apps live in declared state (per app and org-wide).",
  knownGaps:
    'Campaigns slower than `minUsers` per window; waves for apps the org has used for longer than `newAppDays`; vendors that do not log consents.',
  version: 1,
  severity: 'medium',
  riskScore: 60,
  category: 'iam',
  mitre: ['TA0006:T1528', 'TA0005:T1550.001'],
  sources: ['google_workspace', 'github', 'salesforce'],
  requiredFields: ['token.lifecycle', 'token.client.id', 'token.owner.email', 'token.scopes'],
  falsePositives: [
    'A company-wide rollout of a new tool announced by email, before it is approved in the app registry',
    'A training session where everyone connects the same app',
  ],
  // N13, an approved company-wide rollout: one informational alert by design (issue 10)
  goodlogSimulated: { N13: 1 },
  runbook: [
    'Identify the app (client id, name, publisher) and the scopes it was granted; look for a lure email sent to the consenting users shortly before.',
    'If not a sanctioned rollout: block the app (Workspace API controls, GitHub OAuth app restrictions, Salesforce connected-app policy) and revoke its grants for every user.',
    'If sanctioned: approve it with `tokenwatch apps approve` so later waves are informational.',
  ],
  groupWindowMs: 24 * 3_600_000,
  settings: z.object({
    windowMs: z
      .number()
      .int()
      .min(60_000)
      .max(7 * DAY_MS)
      .default(3_600_000)
      .describe('Window in which the consents of one app are counted, ms'),
    minUsers: z
      .number()
      .int()
      .min(2)
      .max(10_000)
      .default(10)
      .describe('Distinct consenting users that make a wave'),
    baseRateMultiple: z
      .number()
      .min(1)
      .max(1000)
      .default(5)
      .describe("And this multiple of the org's usual consents to new apps per window"),
    newAppDays: z
      .number()
      .min(1)
      .max(365)
      .default(14)
      .describe('An app first authorized in the org within this many days is new'),
  }),
  state: {
    /** consents per app within the last week: the consenting user */
    consents: slidingWindow({ key: 'app', windowMs: 7 * DAY_MS, cap: 1024, maxKeys: 8192 }),
    /** apps the organization authorized, first and last consent */
    apps: firstSeenSet({ key: 'org', cap: 16_384, maxKeys: 1, ttlMs: 400 * DAY_MS }),
    /** consents org-wide to apps that were new at the time (the base rate), 30 days */
    newAppConsents: slidingWindow({ key: 'org', windowMs: 30 * DAY_MS, cap: 8192, maxKeys: 1 }),
  },

  observe(activity, { state, settings }) {
    const consent = consentOf(activity);
    if (consent === undefined) return;
    const atMs = eventTimeMs(activity);
    state.consents.add(atMs, { user: consent.user });
    const first = state.apps.get(consent.app)?.first ?? atMs;
    if (atMs - first <= settings.newAppDays * DAY_MS)
      state.newAppConsents.add(atMs, { app: consent.app, user: consent.user });
    state.apps.add(consent.app, atMs);
  },

  evaluate(activity, ctx, { settings, state }) {
    const consent = consentOf(activity);
    if (consent === undefined) return [];
    const atMs = eventTimeMs(activity);
    const firstSeen = state.apps.get(consent.app)?.first ?? atMs;
    if (atMs - firstSeen > settings.newAppDays * DAY_MS) return [];

    const since = atMs - settings.windowMs;
    // The bar is at least `minUsers` and grows with the base rate, which is at most every kept
    // new-app consent since 30 days: both bounds are cheap, so most consents (few users, or a
    // wave long past its bar) are settled without scanning the org-wide window (8,192 entries).
    const history30 = state.newAppConsents.entries();
    const historyFrom = firstAtOrAfter(history30, atMs - 30 * DAY_MS);
    const windows = (30 * DAY_MS) / settings.windowMs;
    const thresholdOf = (n: number) =>
      Math.max(settings.minUsers, Math.ceil(settings.baseRateMultiple * (n / windows)));
    const maxThreshold = thresholdOf(history30.length - historyFrom);
    // Consents already folded in count whether they are earlier or later in event time than this
    // one: Workspace delivers a burst out of event-time order (minutes of reporting lag each), and
    // a count bounded at `atMs` could skip the crossing (the `phishing-wave` scenario found it).
    const users = new Set<string>();
    for (const e of state.consents.entries(since)) {
      if (e.at > atMs + settings.windowMs) continue;
      users.add(String(e.data.user));
      // before >= the largest possible bar: no crossing on this consent
      if (users.size >= maxThreshold) return [];
    }
    const before = users.size;
    users.add(consent.user);
    const after = users.size;
    // after < minUsers <= the bar: no crossing
    if (after < settings.minUsers) return [];

    // the base rate: consents to (then) new apps other than this one, per window, over 30 days
    let others = 0;
    for (let i = historyFrom; i < history30.length; i++)
      if ((history30[i] as WindowEntry).data.app !== consent.app) others++;
    const baseRate = others / windows;
    const threshold = thresholdOf(others);
    if (!(before < threshold && after >= threshold)) return [];
    const clientId = activity.token.client?.id ?? consent.app;
    const vetting = ctx.apps?.vetting(activity.event.module, clientId, atMs) ?? UNKNOWN_VETTING;
    const name = clientLabel(activity) ?? clientId;
    const scopes = activity.token.scopes;
    const vettingText =
      vetting.status === 'approved'
        ? `approved in the app registry by ${vetting.approvedBy ?? 'an admin'} (an admin rollout: informational)`
        : vetting.status === 'unknown'
          ? 'not in the app registry (vetting state unknown)'
          : `${vetting.status} in the app registry`;
    return [
      {
        entity: consent.app,
        reason:
          `${fmtNumber(after, 0)} people authorized OAuth app "${name}" within ${fmtDuration(settings.windowMs)} ` +
          `(latest ${consent.user}${scopes.length > 0 ? `, scopes ${fmtList(scopes, 3)}` : ''}); the org first saw the app ` +
          `${fmtDuration(atMs - firstSeen)} ago and usually sees ${fmtNumber(baseRate, 2)} consents to new apps per ` +
          `${fmtDuration(settings.windowMs)}; the app is ${vettingText}.`,
        explanation: {
          feature: 'distinct_consenting_users_per_window',
          observed: after,
          expected: `fewer than ${threshold} (max of ${settings.minUsers} and ${settings.baseRateMultiple}x the base rate ${fmtNumber(baseRate, 2)})`,
          window: fmtDuration(settings.windowMs),
          baseline_entity: 'none',
          history_days: Math.round((atMs - firstSeen) / DAY_MS),
          history_events: others,
          maturity: 'learning',
        },
        ...(vetting.status === 'approved'
          ? { severity: 'low' as const, riskScore: 21 }
          : vetting.status === 'revoked'
            ? { severity: 'high' as const, riskScore: 80 }
            : {}),
      },
    ];
  },
});

/** The app (`app:<source>:<client id>`) and the consenting user of a successful consent. */
function consentOf(
  activity: Parameters<typeof appConsentWave.evaluate>[0],
): { app: string; user: string } | undefined {
  if (activity.token.lifecycle !== 'authorized' || isFailure(activity)) return undefined;
  const client = activity.token.client?.id;
  const user = activity.token.owner.email ?? activity.user.email ?? activity.token.owner.name;
  if (client === undefined || user === undefined) return undefined;
  return { app: `app:${activity.event.module}:${client}`, user: user.toLowerCase() };
}

/** Index of the first entry at or after `sinceMs` in a time-ordered window (its length when none). */
function firstAtOrAfter(list: readonly WindowEntry[], sinceMs: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as WindowEntry).at < sinceMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
