import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { activityFixture } from '../baselines/testing.js';
import { defineDetector } from './define-detector.js';
import { detectors } from './registry.js';
import { DetectorRunner } from './runner.js';
import { slidingWindow } from './state.js';
import { contextOf } from './testing.js';
import type { Detector } from './types.js';

describe('DetectorRunner.evaluate', () => {
  const leak = activityFixture({
    tokenwatch: {
      secret_exposures: [{ kind: 'github_pat_classic', field: 'user_agent', fingerprint: 'abc123' }],
    },
  });

  it('runs every detector and returns their findings in registry order', () => {
    const findings = new DetectorRunner(detectors).evaluate(leak, contextOf({}));
    expect(findings.map((f) => f.detectorId)).toEqual(['secret.exposed_in_log']);
  });

  it('runs only the given detectors', () => {
    const only = detectors.filter((d) => d.id !== 'secret.exposed_in_log');
    expect(new DetectorRunner(only).evaluate(leak, contextOf({}))).toEqual([]);
  });

  it('reports a failing detector and keeps evaluating the others', () => {
    const boom: Detector = {
      ...detectors[0]!,
      id: 'test.boom',
      evaluate: () => {
        throw new Error('boom');
      },
    };
    const errors: string[] = [];
    const runner = new DetectorRunner([boom, ...detectors]);
    const findings = runner.evaluate(leak, contextOf({}), { onError: (id) => errors.push(id) });
    expect(errors).toEqual(['test.boom']);
    expect(findings).toHaveLength(1);
    expect(() => runner.evaluate(leak, contextOf({}))).toThrow(
      /detector test.boom failed on event github:fixture-event/,
    );
  });
});

/** A detector that counts an owner's earlier events through declared state. */
const counting = defineDetector({
  id: 'token.test.counting',
  name: 'Counting',
  description: 'Counts earlier events of the owner.',
  summary: 'Test detector.',
  knownGaps: 'None.',
  version: 1,
  severity: 'low',
  riskScore: 21,
  category: 'iam',
  mitre: ['TA0005:T1550.001'],
  sources: ['github'],
  requiredFields: ['token.id'],
  falsePositives: ['None'],
  runbook: ['None.'],
  groupWindowMs: 60_000,
  settings: z.object({ min: z.number().int().min(1).max(10).default(2).describe('Earlier events needed') }),
  state: { seen: slidingWindow({ key: 'owner', windowMs: 3_600_000, cap: 8 }) },
  observe(activity, { state }) {
    state.seen.add(Date.parse(activity['@timestamp']), { id: activity.event.id });
  },
  evaluate(_activity, _ctx, { settings, state }) {
    const n = state.seen.entries().length;
    if (n < settings.min) return [];
    return [
      {
        reason: `${n} earlier`,
        explanation: {
          feature: 'earlier',
          observed: n,
          expected: `< ${settings.min}`,
          baseline_entity: 'none',
          history_days: 0,
          history_events: 0,
          maturity: 'learning',
        },
      },
    ];
  },
});

describe('DetectorRunner declared state', () => {
  const at = (m: number, id: string, user = 'alice@example.com') =>
    activityFixture({ at: Date.UTC(2025, 6, 1, 10, m), event: { id }, user: { email: user, name: user } });

  it('evaluates against the state as of before the activity, then observes it', () => {
    const runner = new DetectorRunner([counting]);
    const seen: string[] = [];
    for (const a of [at(0, 'e1'), at(1, 'e2'), at(2, 'e3'), at(3, 'e4', 'bob@example.com')]) {
      seen.push(...runner.evaluate(a, runner.context(contextOf({}))).map((f) => f.reason));
      runner.observe(a);
    }
    // alice's third event sees two earlier ones; bob's state is his own (keyed by owner)
    expect(seen).toEqual(['2 earlier']);
    expect(runner.state.keyCount('token.test.counting/seen')).toBe(2);
  });

  it('restores saved state into a new runner, and reports changed keys for a changelog', () => {
    const runner = new DetectorRunner([counting]);
    for (const a of [at(0, 'e1'), at(1, 'e2')]) runner.observe(a);
    expect(runner.state.drainChanges()).toEqual([
      ['token.test.counting/seen', 'owner:github:alice@example.com'],
    ]);
    const saved = JSON.parse(JSON.stringify(runner.state.toJSON()));
    const restored = new DetectorRunner([counting]);
    expect(restored.state.restore(saved)).toBe(1);
    const probe = at(5, 'e3');
    expect(restored.evaluate(probe, restored.context(contextOf({}))).map((f) => f.reason)).toEqual([
      '2 earlier',
    ]);
  });

  it('uses the configured settings for the detector', () => {
    const runner = new DetectorRunner([counting], { 'token.test.counting': { min: 1 } });
    runner.observe(at(0, 'e1'));
    expect(runner.evaluate(at(1, 'e2'), runner.context(contextOf({}))).map((f) => f.reason)).toEqual([
      '1 earlier',
    ]);
  });

  it('observes each activity under its own keys, also when it was not the one evaluated last', () => {
    const runner = new DetectorRunner([counting], { 'token.test.counting': { min: 1 } });
    const alice = at(0, 'e1');
    const bob = at(1, 'e2', 'bob@example.com');
    // alice evaluated (handles bound to her key), then bob observed without an evaluation
    runner.evaluate(alice, runner.context(contextOf({})));
    runner.observe(bob);
    runner.observe(alice);
    expect(runner.state.drainChanges().sort()).toEqual([
      ['token.test.counting/seen', 'owner:github:alice@example.com'],
      ['token.test.counting/seen', 'owner:github:bob@example.com'],
    ]);
    // each has one earlier event of their own
    expect(
      runner.evaluate(at(2, 'e3', 'bob@example.com'), runner.context(contextOf({}))).map((f) => f.reason),
    ).toEqual(['1 earlier']);
    expect(runner.evaluate(at(3, 'e4'), runner.context(contextOf({}))).map((f) => f.reason)).toEqual([
      '1 earlier',
    ]);
  });

  it('sees empty state in a hand-built context without a store', () => {
    expect(counting.evaluate(at(0, 'e1'), contextOf({}))).toEqual([]);
  });
});
