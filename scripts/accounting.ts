/**
 * Per-source record accounting over input files, without detection: for each source, records
 * framed, normalized (accepted), dead-lettered (by code) and skipped (by reason), as stage 1 of
 * the pipeline (frame, redact, validate, normalize, dedup, enrich) sees them.
 *
 *   npx tsx scripts/accounting.ts samples/ [more inputs...] [--json]
 *
 * Used to report the figures asked for in issue 7 ("records accepted / dead-lettered / skipped
 * per source, before and after"). Files whose source is not detected are counted under `unknown`.
 */
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import { openInput, resolveInputPaths } from '../src/run/inputs.js';

interface Tally {
  records: number;
  normalized: number;
  deadLettered: number;
  skipped: number;
  dead: Record<string, number>;
  skips: Record<string, number>;
}

function tally(): Tally {
  return { records: 0, normalized: 0, deadLettered: 0, skipped: 0, dead: {}, skips: {} };
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const inputs = args.filter((a) => a !== '--json');
  const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
  const pipeline = new Pipeline({ config: config.pipeline, logger: createLogger('silent') });
  const bySource: Record<string, Tally> = {};
  for (const path of await resolveInputPaths(inputs)) {
    const file = openInput(path, undefined);
    const source = file.source ?? 'unknown';
    bySource[source] ??= tally();
    const t = bySource[source] as Tally;
    if (file.source === undefined) {
      t.records += 1;
      t.deadLettered += 1;
      bump(t.dead, 'unknown_source');
      continue;
    }
    for (const chunk of file.chunks()) {
      const items = [...pipeline.normalize(chunk.text, { source: file.source, location: chunk.location })];
      if (chunk.error)
        items.push(pipeline.inputError(file.source, chunk.location, chunk.error.reason, chunk.error.partial));
      for (const item of items) {
        t.records += 1;
        if (item.kind === 'activity') t.normalized += 1;
        else if (item.kind === 'dead') {
          t.deadLettered += 1;
          bump(t.dead, item.dead.code);
        } else {
          t.skipped += 1;
          bump(t.skips, item.reason);
        }
      }
    }
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(bySource, null, 2)}\n`);
    return;
  }
  for (const [source, t] of Object.entries(bySource).sort()) {
    process.stdout.write(
      `${source.padEnd(17)} records ${t.records}  accepted ${t.normalized}  dead-lettered ${t.deadLettered}  skipped ${t.skipped}\n`,
    );
    for (const [code, n] of Object.entries(t.dead)) process.stdout.write(`    dead ${code}: ${n}\n`);
    for (const [reason, n] of Object.entries(t.skips)) process.stdout.write(`    skip ${reason}: ${n}\n`);
  }
}

await main();
