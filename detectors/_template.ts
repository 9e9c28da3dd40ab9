/**
 * TEMPLATE that `npm run new:detector -- <id>` copies into `detectors/<id as ->/detector.ts`
 * (not registered; kept compiling so it never rots). See detectors/README.md for the workflow.
 *
 * 1. Metadata: severity and riskScore from one band (low 21-46, medium 47-72, high 73-98,
 *    critical 99-100); MITRE references `'<tactic>:<technique>'` from mitre.ts; `summary` and
 *    `knownGaps` feed the generated catalogue (`npm run docs:detectors`).
 * 2. Thresholds in `settings` (zod: bounds, `.default`, `.describe`); memory in `state`
 *    (state.ts) updated by `observe`; never a constant or an edit in baselines/.
 * 3. `evaluate`: PURE (time is `eventTimeMs(activity)`), `[]` unless it fires. Compare with
 *    `ctx.reference` and put `...referenceFacts(ref)` in the explanation; the reason is one plain
 *    sentence: what was seen, what was expected.
 * 4. Tests: fires / must-not-fire in `detector.test.ts` (`trainedContext`, `replay`), raw vendor
 *    records in `cases/*.json` (`tokenwatch detectors test <id>`).
 *
 * Test skeleton:
 *
 *   import { describe, expect, it } from 'vitest';
 *   import { activityFixture } from '../baselines/testing.js';
 *   import { DAY, dailyTimes, HOUR, trainedContext } from './testing.js';
 *   import { tokenExampleNewThing as detector } from './token-example-new-thing.js';
 *
 *   const START = Date.UTC(2025, 6, 1);
 *   const history = () =>
 *     dailyTimes({ start: START, days: 30, perDay: 6 }).map((at, i) => activityFixture({ at, event: { id: `h${i}` } }));
 *
 *   describe(detector.id, () => {
 *     it('fires when ...', () => {
 *       const probe = activityFixture({ at: START + 30 * DAY + 10 * HOUR, user_agent: { original: 'x/1', name: 'x' } });
 *       const [f] = detector.evaluate(probe, trainedContext(history(), probe));
 *       expect(f?.reason).toContain('...');
 *       expect(f?.explanation).toMatchObject({ observed: 'x', baseline_entity: 'token' });
 *     });
 *     it('stays quiet for the benign look-alike ...', () => { ... toEqual([]) });
 *   });
 */
import { defineDetector } from './define-detector.js';
import { baselineName, fmtTop, historySpan, referenceFacts, tokenLabel } from './explain.js';
import { isEndOfLife, seenByAny } from './lookup.js';

/**
 * `token.example.new_thing`: one paragraph on what it catches, how it weighs baseline maturity,
 * and which scenario (S1-S10) it serves.
 *
 * Known gaps: what it cannot see, and which benign activity still looks like it.
 */
export const tokenExampleNewThing = defineDetector({
  id: 'token.example.new_thing',
  name: 'Token used with a never-seen thing',
  description: 'One sentence for the rule description in Kibana.',
  summary: 'What it catches (catalogue): the rule, severity variations, what keeps it quiet, scenarios.',
  knownGaps: 'What it cannot see; which benign activity still looks like it.',
  version: 1,
  severity: 'low',
  riskScore: 30,
  category: 'iam',
  mitre: ['TA0005:T1550.001'],
  sources: ['github', 'google_workspace', 'salesforce'],
  requiredFields: ['user_agent.name'],
  falsePositives: ['The benign reason an analyst will most often find'],
  runbook: ['First thing to check.', 'How to confirm.', 'How to contain.'],
  groupWindowMs: 3_600_000,

  evaluate(activity, ctx) {
    const value = activity.user_agent?.name;
    const ref = ctx.reference;
    // Nothing mature to compare with: stay quiet (every first event would be "new").
    if (value === undefined || ref === undefined || isEndOfLife(activity)) return [];
    if (seenByAny([ctx.token, ref.view], 'ua_family', value)) return [];
    const seen = fmtTop(ref.view, 'ua_family');
    return [
      {
        reason: `${tokenLabel(activity)} used ${value} for the first time; ${historySpan(ref.view)} ${baselineName(ref.entity)} only used ${seen}.`,
        explanation: {
          feature: 'user_agent.name',
          observed: value,
          expected: `seen: ${seen}`,
          ...referenceFacts(ref),
        },
        // Optional per-finding override; defineDetector keeps severity and risk in one band.
        // severity: 'medium', riskScore: 55,
      },
    ];
  },
});
