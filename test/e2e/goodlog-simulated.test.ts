import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectors } from '../../detectors/registry.js';
import { evaluateDataset } from '../../sim/eval/evaluate.js';
import type { EvalReport } from '../../sim/eval/score.js';
import { simulate } from '../../sim/simulate/simulate.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';

/** The benign population: fixed seed, small (seconds of CPU), no incidents, look-alikes N1..N7 and the standard scenario look-alike N13. */
const GOODLOG_POPULATION = {
  seed: 1009,
  days: 45,
  orgs: 1,
  people: 12,
  volume: 0.5,
  incidents: 'none',
  lookalikes: true,
  scenarios: 'standard',
} as const;

/**
 * Goodlog check over the simulator's benign population (Sigma's known-FP pattern, the sibling of
 * goodlog.test.ts over samples/): every detector runs over {@link GOODLOG_POPULATION}; every alert
 * is benign, and counts against the detector's declared known false positives on it
 * (`goodlogSimulated` in its metadata: the most alerts per look-alike class, or `unlabeled`).
 */
describe('goodlog: detectors over the simulator benign population', () => {
  let dir: string;
  let report: EvalReport;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokenwatch-goodlog-sim-'));
    await simulate({ ...GOODLOG_POPULATION, outDir: join(dir, 'data') });
    const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
    ({ report } = await evaluateDataset({
      dataset: join(dir, 'data'),
      config,
      logger: createLogger('silent'),
      outDir: join(dir, 'out'),
    }));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is benign only: no labeled incident, every alert a false positive', () => {
    expect(report.overall.incidents).toBe(0);
    expect(report.overall.truePositiveAlerts).toBe(0);
  });

  it.each(detectors.map((d) => [d.id, d] as const))(
    '%s: benign alerts within its known false positives',
    (id, d) => {
      const allowed = d.goodlogSimulated ?? {};
      const beyond = report.falsePositiveClasses
        .filter((c) => c.detector === id && c.falseAlerts > (allowed[c.lookalike] ?? 0))
        .map((c) => `${c.lookalike}: ${c.falseAlerts} > ${allowed[c.lookalike] ?? 0}`);
      const examples = report.falseAlerts
        .filter((a) => a.rule === id && beyond.some((b) => b.startsWith(`${a.lookalike ?? 'unlabeled'}:`)))
        .slice(0, 3)
        .map((a) => a.message);
      expect(
        beyond,
        `undeclared benign alerts (add to goodlogSimulated only if accepted): ${examples.join(' | ')}`,
      ).toEqual([]);
    },
  );
});
