import type { CaseResult } from './run-cases.js';

/** One line per case (`ok` / `FAIL` with its problems indented) and a total line. */
export function formatCaseResults(results: readonly CaseResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(
      `${r.problems.length === 0 ? 'ok  ' : 'FAIL'} ${r.detectorId}: ${r.name} (${r.alerts.length} alert(s))`,
    );
    for (const p of r.problems) lines.push(`       ${p}`);
  }
  const failed = results.filter((r) => r.problems.length > 0).length;
  lines.push(`${results.length} case(s), ${failed} failed`);
  return `${lines.join('\n')}\n`;
}
