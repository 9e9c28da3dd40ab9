import type { Alert } from '../../schemas/alert.js';
import type { RunResult } from '../run/run-files.js';
import { NameBook } from './names.js';

/** Severity labels by `event.severity` (21/47/73/99). */
export const SEVERITY_LABEL: Record<number, string> = { 99: 'CRITICAL', 73: 'HIGH', 47: 'MEDIUM', 21: 'LOW' };

/** Width used when stdout is not a terminal (files, pipes, CI logs). */
export const DEFAULT_WIDTH = 100;

/** The width alert lines are fitted to: the terminal's columns, else {@link DEFAULT_WIDTH}. */
export function outputWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return stream.isTTY && stream.columns ? Math.max(40, stream.columns) : DEFAULT_WIDTH;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** `2025-08-12 03:10Z` */
function shortTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;
}

/**
 * Word-wraps `text` into lines of at most `width` characters, each prefixed by `indent` (counted in
 * the width). Words longer than a line (URLs, ids) are cut.
 */
export function wrap(text: string, width: number, indent: string): string[] {
  const room = Math.max(10, width - indent.length);
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (word.length > room) {
      if (line) {
        lines.push(line);
        line = '';
      }
      lines.push(word.slice(0, room));
      word = word.slice(room);
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= room) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines.map((l) => indent + l);
}

/** `text` cut to `n` characters with an ellipsis in the middle (ids stay recognizable at both ends). */
function fitWidth(text: string, n: number): string {
  if (text.length <= n) return text;
  const head = Math.ceil((n - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (n - 1 - head))}`;
}

/**
 * One alert for the terminal: a headline (severity, event time, detector) and under it the
 * plain-words reason wrapped to `width`, with user and app ids replaced by the names the logs
 * carry (see {@link NameBook}). Every line is at most `width` characters after `indent`.
 */
export function alertLines(a: Alert, width = DEFAULT_WIDTH, names = new NameBook(), indent = ''): string[] {
  const sev = pad(SEVERITY_LABEL[a.event.severity] ?? String(a.event.severity), 8);
  const head = `${indent}${sev} ${shortTime(a['@timestamp'])}  ${a.event.action}`;
  return [fitWidth(head, width), ...wrap(names.message(a), width, `${indent}         `)];
}

/** @deprecated single-line form kept for callers that want one line per alert (not fitted). */
export function alertLine(a: Alert): string {
  return `${pad(SEVERITY_LABEL[a.event.severity] ?? String(a.event.severity), 8)} ${shortTime(a['@timestamp'])}  ${pad(a.event.action, 40)} ${a.message}`;
}

/** Alerts per severity label and per detector (`event.action`), as `--json` reports them. */
export function alertCounts(alerts: readonly Alert[]): {
  severity: Record<'critical' | 'high' | 'medium' | 'low', number>;
  detectors: Record<string, number>;
} {
  const severity = { critical: 0, high: 0, medium: 0, low: 0 };
  const detectors: Record<string, number> = {};
  for (const a of alerts) {
    const label = (SEVERITY_LABEL[a.event.severity] ?? '').toLowerCase();
    if (label in severity) severity[label as keyof typeof severity] += 1;
    detectors[a.event.action] = (detectors[a.event.action] ?? 0) + 1;
  }
  const sorted = Object.fromEntries(
    Object.entries(detectors).sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])),
  );
  return { severity, detectors: sorted };
}

/** Options of {@link formatSummary}. */
export interface SummaryOptions {
  /** Line width to fit alert lines to (default {@link DEFAULT_WIDTH}). */
  width?: number;
  /** Names learned during the run (default: none, raw ids shown). */
  names?: NameBook;
  /** Most tokens' alert blocks shown (default 15); the rest are counted. */
  maxTokens?: number;
}

/**
 * The terminal summary of a run: inputs (and files not read, with why), record accounting
 * (`records = normalized + dead-lettered + skipped`), alerts by severity and detector, then the
 * alerts grouped by token (most severe first), each as a headline with its reason wrapped under it.
 */
export function formatSummary(r: RunResult, options: SummaryOptions = {}): string {
  const width = options.width ?? DEFAULT_WIDTH;
  const names = options.names ?? new NameBook();
  const maxTokens = options.maxTokens ?? 15;
  const c = r.counts;
  const out: string[] = [];
  out.push(
    `tokenwatch run: ${r.files.length} file(s), ${(r.files.reduce((s, f) => s + f.bytes, 0) / 1e6).toFixed(1)} MB in ${(r.durationMs / 1000).toFixed(1)} s`,
  );
  const skipped = r.skippedFiles ?? [];
  if (skipped.length > 0) {
    out.push(`  not read (${skipped.length}):`);
    for (const s of skipped.slice(0, 10)) out.push(...wrap(`${s.path}: ${s.reason}`, width, '    '));
    if (skipped.length > 10) out.push(`    ... ${skipped.length - 10} more`);
  }
  if (r.unknownFiles.length > 0)
    out.push(
      ...wrap(
        `dead-lettered whole (source not recognized, use --source): ${r.unknownFiles.join(', ')}`,
        width,
        '  ',
      ),
    );
  const ok = c.records === c.normalized + c.deadLettered + c.skipped;
  out.push(
    `records: ${c.records} = ${c.normalized} normalized + ${c.deadLettered} dead-lettered + ${c.skipped} skipped${ok ? '' : '  (MISMATCH)'}`,
  );
  out.push(
    `  by source: github ${c.bySource.github}, google_workspace ${c.bySource.google_workspace}, salesforce ${c.bySource.salesforce}; raw secrets redacted: ${c.secretsRedacted}`,
  );
  if (c.duplicates > 0 || c.idCollisions > 0)
    out.push(
      `  re-deliveries skipped (same event.id and content): ${c.duplicates}; id collisions kept under a suffixed id: ${c.idCollisions}`,
    );
  const counts = alertCounts(r.alerts);
  out.push(
    `alerts: ${r.alerts.length} (${Object.entries(counts.severity)
      .map(([s, n]) => `${s} ${n}`)
      .join(', ')}) from ${c.findings} findings`,
  );
  for (const [rule, n] of Object.entries(counts.detectors)) out.push(`  ${pad(rule, 44)} ${n}`);
  // Alerts grouped by token: the tokens with the most severe and most numerous alerts first, each
  // with its alerts in time order (at most `perToken`), so one incident reads as one story.
  const byToken = new Map<string, Alert[]>();
  for (const a of r.alerts) {
    const k = a.tokenwatch.token.id;
    const list = byToken.get(k);
    if (list) list.push(a);
    else byToken.set(k, [a]);
  }
  const score = (as: Alert[]): number => Math.max(...as.map((a) => a.event.severity)) * 1000 + as.length;
  const tokens = [...byToken].sort((a, b) => score(b[1]) - score(a[1]));
  if (tokens.length > 0) out.push('', `alerts by token (${tokens.length} tokens, most severe first):`);
  const perToken = 3;
  for (const [i, [token, as]] of tokens.entries()) {
    if (i >= maxTokens) {
      out.push(
        `  ... ${tokens.length - i} more tokens; all alerts in ${r.outputs.alerts ?? 'the alerts output'}`,
      );
      break;
    }
    const first = as[0] as Alert;
    const owner = names.ownerOf(first);
    const app = names.appOf(first);
    const who = [
      first.tokenwatch.token.type,
      app ? `app ${app}` : '',
      owner && owner !== app ? `owner ${owner}` : '',
    ].filter(Boolean);
    const count = `: ${as.length} alert(s)`;
    out.push('', `  ${fitWidth(token, Math.max(20, width - 2 - count.length))}${count}`);
    out.push(...wrap(who.join(', '), width, '    '));
    const sortedAs = [...as].sort((a, b) => a['@timestamp'].localeCompare(b['@timestamp']));
    for (const a of sortedAs.slice(0, perToken)) out.push(...alertLines(a, width, names, '    '));
    if (as.length > perToken) out.push(`    ... ${as.length - perToken} more`);
  }
  if (r.deadLetters.length > 0) {
    out.push('', `dead letters (first ${Math.min(5, r.deadLetters.length)} of ${c.deadLettered}):`);
    for (const d of r.deadLetters.slice(0, 5))
      out.push(...wrap(`${d.location}: [${d.code}] ${d.reason}`, width, '  '));
  }
  const o = r.outputs;
  const written = [o.alerts, o.activity, o.deadLetters, o.skipped].filter(Boolean);
  if (written.length > 0)
    out.push('', `written: ${written.join(', ')}${o.state ? `; state saved to ${o.state}` : ''}`);
  return out.join('\n');
}
