import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../../src/config.js';
import { InputError } from '../../src/errors.js';
import { loadAppVetting } from '../../src/pipeline/apps-lookup.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { type RunResult, runFiles } from '../../src/run/run-files.js';
import { labelsFileSchema as labelsSchema } from '../simulate/labels.js';
import { type EvalReport, scoreAlerts } from './score.js';

/** Options of {@link evaluateDataset}. */
export interface EvaluateOptions {
  /** Directory with the raw logs (read like `tokenwatch run <dir>`). */
  dataset: string;
  /** Labels file; default `<dataset>/labels.json`. */
  labels?: string;
  config: Readonly<Config>;
  logger: Logger;
  /** Write alerts etc. here (optional). */
  outDir?: string;
  /** Bytes read so far of the total, for a progress display. */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
}

/**
 * Runs the pipeline over a labeled dataset (with its app registry `apps.json`, when present) and
 * scores the alerts (see score.ts). Works on any
 * dataset whose labels file follows the labels format (sim/simulate/labels.ts).
 * @throws InputError when the labels file is missing or invalid.
 */
export async function evaluateDataset(
  options: EvaluateOptions,
): Promise<{ report: EvalReport; run: RunResult }> {
  const labelsPath = options.labels ?? join(options.dataset, 'labels.json');
  let labels: ReturnType<typeof labelsSchema.parse>;
  try {
    labels = labelsSchema.parse(JSON.parse(readFileSync(labelsPath, 'utf8')));
  } catch (cause) {
    throw new InputError(`invalid labels file ${labelsPath}: ${(cause as Error).message}`, { cause });
  }
  const tokens = new Set<string>();
  let minTs = Number.POSITIVE_INFINITY;
  let maxTs = Number.NEGATIVE_INFINITY;
  // the dataset's app vetting registry (`<dataset>/apps.json`, written by the simulator; absent: every app unknown)
  const pipeline = new Pipeline({ config: options.config.pipeline, logger: options.logger });
  pipeline.apps = await loadAppVetting(options.dataset);
  const run = await runFiles({
    pipeline,
    inputs: [options.dataset],
    config: options.config,
    logger: options.logger,
    ...(options.outDir ? { outDir: options.outDir } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    onActivity: (a) => {
      tokens.add(a.token.id);
      const t = Date.parse(a['@timestamp']);
      if (t < minTs) minTs = t;
      if (t > maxTs) maxTs = t;
    },
  });
  const days = Number.isFinite(minTs) ? (maxTs - minTs) / 86_400_000 : 0;
  const report = scoreAlerts(run.alerts, labels.incidents, labels.lookalikes, { tokens: tokens.size, days });
  return { report, run };
}
