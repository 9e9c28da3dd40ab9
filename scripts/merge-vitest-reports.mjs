/**
 * Merges vitest JSON reports (the `json` reporter's files) into one, as if one vitest process had
 * run every file: counts are summed, `testResults` concatenated, `startTime` is the earliest and
 * `success` true only when every report succeeded. scripts/test.sh runs the integration project in
 * a second vitest process beside unit + e2e and merges both into .cache/vitest-report.json.
 *
 *   node scripts/merge-vitest-reports.mjs <out.json> <in.json>...
 *
 * Inputs that do not exist are skipped (a step that did not run); with none, nothing is written.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const [out, ...inputs] = process.argv.slice(2);
if (!out || inputs.length === 0) {
  console.error('usage: node scripts/merge-vitest-reports.mjs <out.json> <in.json>...');
  process.exit(2);
}
const reports = inputs.filter((f) => existsSync(f)).map((f) => JSON.parse(readFileSync(f, 'utf8')));
if (reports.length > 0) {
  const merged = { ...reports[0], testResults: [] };
  for (const key of Object.keys(merged)) if (key.startsWith('num')) merged[key] = 0;
  for (const r of reports) {
    for (const [key, value] of Object.entries(r)) if (key.startsWith('num')) merged[key] += value;
    merged.testResults.push(...r.testResults);
    merged.startTime = Math.min(merged.startTime, r.startTime);
    merged.success = merged.success && r.success;
  }
  writeFileSync(out, JSON.stringify(merged));
}
