import type { ReplayResult } from '../kafka/replay.js';

/**
 * The terminal summary of `tokenwatch replay`: messages per source and topic, files not produced
 * (source not recognized) and records too large for a Kafka message. A few lines, whatever the
 * number of files (`--json` gives the per-file list).
 */
export function formatReplaySummary(r: ReplayResult, brokers: readonly string[]): string {
  const bySource = new Map<string, { topic: string; files: number; messages: number }>();
  const unknown: string[] = [];
  for (const f of r.files) {
    if (f.source === 'unknown') {
      unknown.push(f.file);
      continue;
    }
    const row = bySource.get(f.source) ?? { topic: f.topic ?? '?', files: 0, messages: 0 };
    row.files += 1;
    row.messages += f.messages;
    bySource.set(f.source, row);
  }
  const out = [
    `replayed ${r.messages.toLocaleString('en-US')} messages from ${r.files.length} file(s) to ${brokers.join(',')}`,
  ];
  for (const [source, row] of [...bySource].sort((a, b) => a[0].localeCompare(b[0])))
    out.push(
      `  ${source.padEnd(17)} ${String(row.messages).padStart(8)} messages  ${String(row.files).padStart(4)} file(s)  -> ${row.topic}`,
    );
  if (unknown.length > 0)
    out.push(
      `  not produced (source not recognized, use --source): ${unknown.length} file(s): ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', ...' : ''}`,
    );
  if (r.tooLarge > 0) out.push(`  not produced (larger than a Kafka message): ${r.tooLarge} record(s)`);
  return out.join('\n');
}
