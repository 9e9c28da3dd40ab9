import { stringify } from 'csv-stringify/sync';
import type { CaseInput } from './case-file.js';
import { expandRepeat, repeatKind } from './repeat.js';

/**
 * The text the framing of a case input's source reads: `text` as given; `records` as NDJSON (one
 * JSON object a line); `rows` as an EventLogFile CSV file (header of every column named in the
 * order first met, every value quoted as Salesforce writes them, a missing column empty). With
 * `repeat`, the records or rows are expanded first (src/cases/repeat.ts).
 * @throws CaseFileError when a repeated record has no time field of its kind or a time does not parse.
 */
export function inputText(input: CaseInput): string {
  if (input.text !== undefined) return input.text;
  const rows = input.rows !== undefined;
  const templates: Record<string, unknown>[] = input.rows ?? input.records ?? [];
  const list =
    input.repeat === undefined
      ? templates
      : expandRepeat(repeatKind(input.source, rows), templates, input.repeat);
  if (!rows) return list.map((r) => JSON.stringify(r)).join('\n');
  const columns = [...new Set(list.flatMap((r) => Object.keys(r)))];
  return stringify(
    list.map((r) => columns.map((c) => String(r[c] ?? ''))),
    { header: true, columns, quoted: true, quoted_empty: true },
  );
}
