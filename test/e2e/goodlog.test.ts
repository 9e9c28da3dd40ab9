import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectors } from '../../detectors/registry.js';
import { evaluateDataset } from '../../sim/eval/evaluate.js';
import type { EvalReport } from '../../sim/eval/score.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';

/**
 * Goodlog check (Sigma's known-FP pattern): every detector runs over the bundled data
 * (`samples/`); an alert on benign traffic (not attributed to a labeled incident) counts against
 * the detector's declared known false positives (`goodlog` in its metadata: the most alerts per
 * look-alike class). A detector that starts alerting on benign data it did not declare fails here.
 */
describe('goodlog: detectors over the bundled benign data', () => {
  let out: string;
  let report: EvalReport;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'tokenwatch-goodlog-'));
    const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
    ({ report } = await evaluateDataset({
      dataset: 'samples',
      config,
      logger: createLogger('silent'),
      outDir: out,
    }));
  });

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it.each(detectors.map((d) => [d.id, d] as const))(
    '%s: benign alerts within its known false positives',
    (id, d) => {
      const found: Record<string, number> = {};
      for (const c of report.falsePositiveClasses) if (c.detector === id) found[c.lookalike] = c.falseAlerts;
      const beyond = Object.entries(found)
        .filter(([cls, n]) => n > (d.goodlog?.[cls] ?? 0))
        .map(([cls, n]) => `${cls}: ${n} > ${d.goodlog?.[cls] ?? 0}`);
      const examples = report.falseAlerts
        .filter((a) => a.rule === id && beyond.some((b) => b.startsWith(`${a.lookalike ?? 'unlabeled'}:`)))
        .slice(0, 3)
        .map((a) => a.message);
      expect(
        beyond,
        `undeclared benign alerts (add to goodlog only if accepted): ${examples.join(' | ')}`,
      ).toEqual([]);
    },
  );
});
