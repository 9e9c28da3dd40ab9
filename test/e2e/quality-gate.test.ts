import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMULATE_PRESETS } from '../../src/cli/simulate-command.js';
import { loadConfig } from '../../src/config.js';
import { evaluateDataset } from '../../src/eval/evaluate.js';
import type { EvalReport } from '../../src/eval/score.js';
import { createLogger } from '../../src/logger.js';
import { simulate } from '../../src/simulate/simulate.js';

/**
 * Detection-quality gate: a fixed-seed, CI-sized simulated dataset with every attack kind
 * (S1..S10) and the benign look-alikes, evaluated end to end. A change that makes detection worse
 * fails here. Detectors are tuned on seed 7 (`tokenwatch simulate --preset ci --seed 7`); the gate
 * runs on a different seed so it checks generalization, not memorization.
 */
const GATE_SEED = 20_261_129;

/**
 * Bounds the gate enforces (the targets are recall >= 95 %, median TTD <= 5 min, <= 1 false
 * alert / 1,000 tokens / day), set just past what this seed measured so a regression fails CI:
 * recall 10/10 (100 %; 0.95 still demands every incident), median time to detect 0 s (bound 1 min),
 * 0.86 false alerts / 1,000 tokens / day (20 false alerts over 222 tokens x 105 days; bound 1.0,
 * the target). Of the 20, 10 are `token.network.first_seen_prefix` on the first people onto
 * each new SDP egress of the N3 rollout; see detectors/README.md.
 */
const BOUNDS = {
  minRecall: 0.95,
  maxMedianTimeToDetectMs: 60_000,
  maxFalseAlertsPer1000TokensPerDay: 1.0, // the issue target; measured 0.86 on this seed (2026-11-29)
  requiredKinds: ['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8', 'S9', 'S10'],
};

describe('detection quality gate (simulated dataset, fixed seed)', () => {
  let dir: string;
  let report: EvalReport;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokenwatch-gate-'));
    await simulate({ ...SIMULATE_PRESETS.ci, outDir: dir, seed: GATE_SEED });
    const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
    ({ report } = await evaluateDataset({ dataset: dir, config, logger: createLogger('silent') }));
  }, 900_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('injects every scenario kind', () => {
    expect(report.byKind.map((k) => k.kind)).toEqual(BOUNDS.requiredKinds);
  });

  it(`detects at least ${BOUNDS.minRecall * 100} % of incidents`, () => {
    const missed = report.incidents.filter((i) => !i.detected).map((i) => `${i.id} ${i.entity}`);
    expect(report.overall.recall, `missed: ${missed.join(', ')}`).toBeGreaterThanOrEqual(BOUNDS.minRecall);
  });

  it('detects within minutes of event time (median)', () => {
    expect(report.overall.medianTimeToDetectMs).not.toBeNull();
    expect(report.overall.medianTimeToDetectMs as number).toBeLessThanOrEqual(BOUNDS.maxMedianTimeToDetectMs);
  });

  it('keeps false alerts on benign traffic (look-alikes included) under the bound', () => {
    const top = report.falseAlerts.slice(0, 5).map((f) => `${f.rule}: ${f.message}`);
    expect(report.overall.falseAlertsPer1000TokensPerDay, top.join('\n')).toBeLessThanOrEqual(
      BOUNDS.maxFalseAlertsPer1000TokensPerDay,
    );
  });

  it('every alert explains itself against a baseline', () => {
    expect(report.overall.alerts).toBeGreaterThan(0);
    expect(report.detectors.every((d) => d.alerts === d.truePositives + d.falsePositives)).toBe(true);
  });
});
