import { z } from 'zod';
import type { BaselineView, EntityKind } from '../../baselines/types.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { defineDetector, type FindingDraft } from '../define-detector.js';
import {
  baselineFacts,
  clientLabel,
  DAY_MS,
  eventTimeMs,
  fmtDuration,
  fmtNumber,
  tokenLabel,
} from '../explain.js';
import { isEndOfLife } from '../lookup.js';

/** The idle gap must also be this multiple of the entity's own p99 gap between uses. */
export const GAP_P99_MULTIPLE = 3;
/** Idle this long (days) is high severity. */
export const LONG_DORMANT_DAYS = 180;

/**
 * `token.lifecycle.dormant_reactivated`: a token idle for at least `settings.dormantDays` (default
 * 90) is used again, and the idle gap is at least {@link GAP_P99_MULTIPLE} x its own p99 gap between
 * uses (a token used once a quarter is not dormant after 90 days). Also for the OAuth app / client
 * across all its tokens (S7: a legacy app silent for months gets a new grant or a new credential);
 * the app finding is about the app entity and is only raised when the token's own is not.
 *
 * Known gaps: a token whose history was evicted from the store looks new, not dormant; dormancy
 * shorter than `dormantDays` (S5's 21+ days) needs a lower setting.
 */
export const tokenLifecycleDormantReactivated = defineDetector({
  id: 'token.lifecycle.dormant_reactivated',
  name: 'Dormant token or OAuth app used again',
  description:
    'A token (or an OAuth app across its tokens) unused for longer than the dormancy setting and far longer than its own usual gaps is active again.',
  version: 1,
  severity: 'medium',
  riskScore: 60,
  category: 'iam',
  mitre: ['TA0001:T1078.004', 'TA0005:T1550.001'],
  sources: ['github', 'google_workspace', 'salesforce'],
  requiredFields: ['@timestamp', 'token.id', 'token.client.id'],
  summary:
    "Use after ≥ `dormantDays` idle and ≥ 3x the token's own p99 gap; high after 180 days. Also for an OAuth app across its tokens (S7), as an app finding.",
  knownGaps: "Evicted baselines look new, not dormant; S5's 21-day dormancy needs a lower setting.",
  falsePositives: [
    'Seasonal job (yearly audit, annual report) using a long-lived token',
    'Owner back from long leave',
  ],
  runbook: [
    'Find who owns the token or app and whether it should still exist (rotation deadline, leaver, legacy app).',
    'Check the network, client and actions of the reactivating events.',
    'If the reactivation is unexplained, revoke the token (or the app’s credentials) and rotate related secrets.',
  ],
  settings: z.object({
    dormantDays: z
      .number()
      .min(1)
      .max(3650)
      .default(90)
      .describe('Idle days after which a use counts as a reactivation'),
  }),
  groupWindowMs: 24 * 3_600_000,

  evaluate(activity, ctx, { settings }) {
    if (isEndOfLife(activity)) return [];
    const atMs = eventTimeMs(activity);
    const tokenFinding = dormancy(activity, ctx.token, 'token', atMs, settings);
    if (tokenFinding) return [tokenFinding];
    const appFinding = ctx.app ? dormancy(activity, ctx.app, 'app', atMs, settings) : undefined;
    return appFinding ? [appFinding] : [];
  },
});

function dormancy(
  activity: TokenActivity,
  view: BaselineView,
  kind: EntityKind,
  atMs: number,
  settings: { readonly dormantDays: number },
): FindingDraft | undefined {
  if (view.eventCount === 0 || view.lastSeen <= 0) return undefined;
  const gap = atMs - view.lastSeen;
  if (gap < settings.dormantDays * DAY_MS) return undefined;
  if (view.gapP99 > 0 && gap < GAP_P99_MULTIPLE * view.gapP99) return undefined;

  const days = gap / DAY_MS;
  const usual =
    view.gapP99 > 0
      ? `usually used again within ${fmtDuration(view.gapP99)} (p99 gap; longest ${fmtDuration(view.gapMax)})`
      : 'used only once before';
  const lastUse = new Date(view.lastSeen).toISOString().slice(0, 10);
  const subject =
    kind === 'token' ? tokenLabel(activity) : `OAuth app "${clientLabel(activity) ?? view.entity}"`;
  const via = kind === 'app' ? ` (via ${tokenLabel(activity)})` : '';
  return {
    entity: view.entity,
    reason:
      `${subject} was used again${via} after ${fmtNumber(days, 0)} idle days (last use ${lastUse}); ` +
      `before that it was ${usual}, ${fmtNumber(view.eventCount, 0)} events in ${fmtNumber(view.historyDays, 0)} days.`,
    explanation: {
      feature: 'days_since_last_use',
      observed: Math.round(days * 10) / 10,
      expected: `idle less than ${settings.dormantDays} days and less than ${GAP_P99_MULTIPLE}x the p99 gap (${view.gapP99 > 0 ? fmtDuration(view.gapP99) : 'n/a'})`,
      baseline_p99: Math.round((view.gapP99 / DAY_MS) * 10) / 10,
      ...baselineFacts(view, kind),
    },
    ...(days >= LONG_DORMANT_DAYS ? { severity: 'high' as const, riskScore: 75 } : {}),
  };
}
