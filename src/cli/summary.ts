import type { Alert } from '../../schemas/alert.js';
import type { RunResult } from '../run/run-files.js';

const SEVERITY_LABEL: Record<number, string> = { 99: 'CRITICAL', 73: 'HIGH', 47: 'MEDIUM', 21: 'LOW' };

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** `2025-08-12 03:10Z` */
function shortTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;
}

/** One line per alert: severity, time, detector, and the plain-words reason. */
export function alertLine(a: Alert): string {
  return `${pad(SEVERITY_LABEL[a.event.severity] ?? String(a.event.severity), 8)} ${shortTime(a['@timestamp'])}  ${pad(a.event.action, 40)} ${a.message}`;
}

/**
 * The terminal summary of a run: inputs, record accounting (`records = normalized + dead-lettered
 * + skipped`), alerts by severity and detector, and each alert's one-line reason (most severe
 * first, at most `maxLines`).
 */
export function formatSummary(r: RunResult, maxLines = 60): string {
  const c = r.counts;
  const out: string[] = [];
  out.push(
    `tokenwatch run: ${r.files.length} file(s), ${(r.files.reduce((s, f) => s + f.bytes, 0) / 1e6).toFixed(1)} MB in ${(r.durationMs / 1000).toFixed(1)} s`,
  );
  if (r.unknownFiles.length > 0)
    out.push(`  dead-lettered whole (source not recognized, use --source): ${r.unknownFiles.join(', ')}`);
  const ok = c.records === c.normalized + c.deadLettered + c.skipped;
  out.push(
    `records: ${c.records} = ${c.normalized} normalized + ${c.deadLettered} dead-lettered + ${c.skipped} skipped${ok ? '' : '  (MISMATCH)'}`,
  );
  out.push(
    `  by source: github ${c.bySource.github}, google_workspace ${c.bySource.google_workspace}, salesforce ${c.bySource.salesforce}; raw secrets redacted: ${c.secretsRedacted}`,
  );
  const bySev = new Map<string, number>();
  const byRule = new Map<string, number>();
  for (const a of r.alerts) {
    const s = SEVERITY_LABEL[a.event.severity] ?? '?';
    bySev.set(s, (bySev.get(s) ?? 0) + 1);
    byRule.set(a.event.action, (byRule.get(a.event.action) ?? 0) + 1);
  }
  out.push(
    `alerts: ${r.alerts.length} (${['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'].map((s) => `${s.toLowerCase()} ${bySev.get(s) ?? 0}`).join(', ')}) from ${c.findings} findings`,
  );
  for (const [rule, n] of [...byRule].sort((a, b) => b[1] - a[1])) out.push(`  ${pad(rule, 44)} ${n}`);
  // Alerts grouped by token: the tokens with the most severe and most numerous alerts first, each
  // with its alerts in time order (at most `perToken`), so one incident reads as one story.
  const byToken = new Map<string, Alert[]>();
  for (const a of r.alerts) {
    const k = a.tokenwatch.token.id;
    byToken.set(k, [...(byToken.get(k) ?? []), a]);
  }
  const score = (as: Alert[]): number => Math.max(...as.map((a) => a.event.severity)) * 1000 + as.length;
  const tokens = [...byToken].sort((a, b) => score(b[1]) - score(a[1]));
  if (tokens.length > 0) out.push('', `alerts by token (${tokens.length} tokens, most severe first):`);
  let lines = 0;
  const perToken = 4;
  for (const [i, [token, as]] of tokens.entries()) {
    if (lines >= maxLines) {
      out.push(
        `  ... ${tokens.length - i} more tokens; all alerts in ${r.outputs.alerts ?? 'the alerts output'}`,
      );
      break;
    }
    const first = as[0] as Alert;
    const owner = first.tokenwatch.token.owner ?? first.user.name ?? '';
    out.push(
      `  ${token} (${first.tokenwatch.token.type}${owner ? `, ${owner}` : ''}): ${as.length} alert(s)`,
    );
    const sortedAs = [...as].sort((a, b) => a['@timestamp'].localeCompare(b['@timestamp']));
    for (const a of sortedAs.slice(0, perToken)) out.push(`    ${alertLine(a)}`);
    if (as.length > perToken) out.push(`    ... ${as.length - perToken} more`);
    lines += 1 + Math.min(perToken, as.length);
  }
  if (r.deadLetters.length > 0) {
    out.push('', `dead letters (first ${Math.min(5, r.deadLetters.length)} of ${c.deadLettered}):`);
    for (const d of r.deadLetters.slice(0, 5)) out.push(`  ${d.location}: [${d.code}] ${d.reason}`);
  }
  const o = r.outputs;
  const written = [o.alerts, o.activity, o.deadLetters].filter(Boolean);
  if (written.length > 0)
    out.push('', `written: ${written.join(', ')}${o.state ? `; state saved to ${o.state}` : ''}`);
  return out.join('\n');
}
