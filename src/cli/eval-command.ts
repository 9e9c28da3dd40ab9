import { writeFileSync } from 'node:fs';
import { evaluateDataset } from '../../sim/eval/evaluate.js';
import { formatEvalReport } from '../../sim/eval/report.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import type { PipelineCounts } from '../pipeline/counts.js';

/**
 * `tokenwatch eval <dataset>`: prints the report tables, optionally writes the JSON report.
 * Progress (bytes read) goes to `onProgress`. Returns the run's record counts (for the exit code).
 */
export async function runEvalCommand(
  dataset: string,
  opts: {
    labels?: string;
    json?: string;
    config?: string;
    logLevel?: string;
    onProgress?: (doneBytes: number, totalBytes: number) => void;
  },
): Promise<PipelineCounts> {
  const config = loadConfig({ file: opts.config, overrides: { logLevel: opts.logLevel } });
  const logger = createLogger(config.logLevel);
  process.stderr.write(`evaluating ${dataset} ...\n`);
  const { report, run } = await evaluateDataset({
    dataset,
    ...(opts.labels ? { labels: opts.labels } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    config,
    logger,
  });
  const c = run.counts;
  process.stdout.write(
    `evaluated ${dataset}: ${c.records} records (${c.normalized} normalized, ${c.deadLettered} dead-lettered, ${c.skipped} skipped) in ${(run.durationMs / 1000).toFixed(1)} s\n\n`,
  );
  process.stdout.write(`${formatEvalReport(report)}\n`);
  if (opts.json) {
    writeFileSync(opts.json, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`\nJSON report written to ${opts.json}\n`);
  }
  return c;
}
