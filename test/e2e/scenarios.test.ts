import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateDataset } from '../../sim/eval/evaluate.js';
import type { EvalReport } from '../../sim/eval/score.js';
import { type LoadedScenario, loadScenarios } from '../../sim/simulate/scenarios.js';
import { simulate } from '../../sim/simulate/simulate.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';

/**
 * Every scenario module (`detectors/<id>/scenarios/*.ts`, `sim/scenarios/*.ts`) through the
 * simulator and the real pipeline: an attack must be detected by each detector it names, a
 * look-alike must draw no alert from the detectors it names. Small on purpose (one org of 16
 * people, 21 days, no built-in incidents or look-alikes).
 */
describe('scenarios: each attack caught by its detectors, each look-alike quiet', () => {
  let dir: string;
  let report: EvalReport;
  let scenarios: LoadedScenario[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokenwatch-scenarios-'));
    scenarios = await loadScenarios('all');
    await simulate({
      outDir: join(dir, 'data'),
      seed: 23,
      days: 21,
      orgs: 1,
      people: 16,
      incidents: 'none',
      lookalikes: false,
      scenarios: 'all',
    });
    const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
    ({ report } = await evaluateDataset({
      dataset: join(dir, 'data'),
      config,
      logger: createLogger('silent'),
      outDir: join(dir, 'out'),
    }));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The kind a scenario's label carries: its catalogued number (S11, N13) or its id. */
  const kindOf = (s: LoadedScenario['scenario']): string => s.label ?? s.id;

  it('placed every scenario', () => {
    const placed = new Set([
      ...report.incidents.map((i) => i.kind),
      ...scenarios.filter((s) => s.scenario.kind === 'lookalike').map((s) => kindOf(s.scenario)),
    ]);
    expect(scenarios.map((s) => kindOf(s.scenario)).filter((kind) => !placed.has(kind))).toEqual([]);
  });

  it('detects each attack scenario with the detectors it names', () => {
    for (const { scenario } of scenarios.filter((s) => s.scenario.kind === 'attack')) {
      const result = report.incidents.find((i) => i.kind === kindOf(scenario));
      expect(result?.detected, scenario.id).toBe(true);
      expect(result?.detectors, scenario.id).toEqual(expect.arrayContaining([...scenario.detectors]));
    }
  });

  it('draws no alert from the named detectors on a look-alike scenario', () => {
    for (const { scenario } of scenarios.filter((s) => s.scenario.kind === 'lookalike')) {
      const noisy = report.falseAlerts.filter(
        (a) => a.lookalike === kindOf(scenario) && scenario.detectors.includes(a.rule),
      );
      expect(
        noisy.map((a) => a.message),
        scenario.id,
      ).toEqual([]);
    }
  });
});
