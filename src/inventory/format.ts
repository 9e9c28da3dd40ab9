import { stringify } from 'csv-stringify/sync';

/** A column of a printed table: header and how to get the cell text. */
export interface Column<T> {
  header: string;
  get: (row: T) => string;
  /** minimum width; wide columns shrink towards it to fit the terminal */
  min?: number;
}

/** Output formats of the inventory-style commands. */
export const OUTPUT_FORMATS = ['table', 'csv', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Neutralizes control characters (terminal escapes in attacker-controlled strings) for a terminal cell. */
const clean = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

/**
 * A plain-text table fitting `width` columns: every column gets its content width, then the
 * widest shrink (cells cut with `…`) until the table fits or every column is at its minimum.
 */
export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[], width = 160): string {
  const cells = rows.map((r) => columns.map((c) => clean(c.get(r))));
  const widths = columns.map((c, i) =>
    Math.max(c.header.length, ...cells.map((row) => (row[i] ?? '').length)),
  );
  const total = (): number => widths.reduce((s, w) => s + w, 0) + 2 * (widths.length - 1);
  while (total() > width) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      const min = columns[i]?.min ?? 6;
      if ((widths[i] ?? 0) > min && (widest < 0 || (widths[i] ?? 0) > (widths[widest] ?? 0))) widest = i;
    }
    if (widest < 0) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
  const clip = (s: string, w: number): string =>
    s.length > w ? `${s.slice(0, Math.max(0, w - 1))}…` : s.padEnd(w);
  const line = (vals: readonly string[]): string =>
    vals
      .map((v, i) => clip(v, widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((c) => c.header)),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
  ].join('\n');
}

/** Cells a spreadsheet would run as a formula (OWASP CSV injection) get a leading `'`. */
const defuse = (s: string): string => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

/**
 * CSV with a header row (csv-stringify; RFC 4180 quoting). Cells starting with `= + - @` are
 * prefixed with `'` so a spreadsheet shows attacker-controlled text instead of evaluating it.
 */
export function formatCsv<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  return stringify([columns.map((c) => c.header), ...rows.map((r) => columns.map((c) => defuse(c.get(r))))]);
}
