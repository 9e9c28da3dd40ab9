import { parse } from 'csv-parse/sync';
import type { FramedItem, RecordLocation } from '../types.js';
import { type ScannedRecord, scanRecords } from './csv-scan.js';
import { deadFromText, MAX_RECORD_CHARS } from './dead-letter.js';
import { elfFamily } from './family.js';

/**
 * Framing of EventLogFile CSV (Salesforce REST API Developer Guide, "Get Event Monitoring Content
 * from a Record": the `LogFile` blob, `application/octetstream`, always CSV). Every field is
 * double-quoted, embedded quotes are doubled, values may hold commas, tabs and newlines, and the
 * column order differs per event type and release, so rows are keyed by the header line.
 */

/** Options for {@link frameCsv}. */
export interface CsvFrameOptions {
  /**
   * ELF event type to use when the header has no `EVENT_TYPE` column (or a row leaves it empty),
   * e.g. from the `EventLogFile.EventType` the file was downloaded for.
   */
  eventType?: string;
}

/** Columns present in every ELF event type; a header without any of them is not an ELF header. */
const ELF_MARKER_COLUMNS = [
  'EVENT_TYPE',
  'TIMESTAMP',
  'TIMESTAMP_DERIVED',
  'REQUEST_ID',
  'ORGANIZATION_ID',
  'USER_ID',
];

/** Records handed to csv-parse in one call. */
const BATCH = 2000;

/** Parses CSV text strictly; throws csv-parse's `CsvError` on malformed input. */
function parseStrict(text: string): string[][] {
  // csv-parse decodes a Buffer about twice as fast as the same text given as a string.
  return parse(Buffer.from(text, 'utf8'), {
    record_delimiter: '\n',
    relax_column_count: true,
    skip_empty_lines: false,
  }) as string[][];
}

/** Values of the SESSION_KEY column (and key-shaped quoted values) in a row that failed to parse. */
function sessionKeysIn(raw: string, sessionKeyIndex: number): string[] {
  if (sessionKeyIndex < 0) return [];
  const keys: string[] = [];
  try {
    const rows = parse(raw, {
      relax_quotes: true,
      relax_column_count: true,
      skip_records_with_error: true,
    }) as string[][];
    for (const row of rows) {
      const v = row[sessionKeyIndex];
      if (v !== undefined && v !== '') keys.push(v);
    }
  } catch {
    // Best effort only; the pattern below still applies.
  }
  for (const m of raw.matchAll(/"([A-Za-z0-9+/]{16})"/g)) if (m[1] !== undefined) keys.push(m[1]);
  return keys;
}

class CsvFramer {
  private readonly header: string[];
  private readonly sessionKeyIndex: number;

  constructor(
    private readonly text: string,
    private readonly location: RecordLocation,
    header: string[],
    private readonly options: CsvFrameOptions,
  ) {
    this.header = header;
    this.sessionKeyIndex = header.indexOf('SESSION_KEY');
  }

  private loc(rec: ScannedRecord): RecordLocation {
    return `${this.location}:${rec.line}`;
  }

  dead(rec: ScannedRecord, code: 'parse_error' | 'oversized', reason: string): FramedItem {
    const raw = this.text.slice(rec.start, rec.end);
    return {
      kind: 'dead',
      dead: deadFromText(code, reason, raw, this.loc(rec), sessionKeysIn(raw, this.sessionKeyIndex)),
    };
  }

  private toItem(rec: ScannedRecord, fields: string[]): FramedItem {
    if (fields.length !== this.header.length) {
      return this.dead(rec, 'parse_error', `expected ${this.header.length} columns, got ${fields.length}`);
    }
    const value: Record<string, string> = {};
    this.header.forEach((name, i) => {
      if (!Object.hasOwn(value, name)) value[name] = fields[i] ?? '';
    });
    const type = (value.EVENT_TYPE ?? '').trim() || this.options.eventType;
    return {
      kind: 'record',
      record: { source: 'salesforce', value, family: elfFamily(type), location: this.loc(rec) },
    };
  }

  /** Parses a batch of well-formed records in one csv-parse call; falls back to one call each. */
  *flush(batch: ScannedRecord[]): Generator<FramedItem> {
    if (batch.length === 0) return;
    let rows: string[][] | undefined;
    try {
      rows = parseStrict(batch.map((r) => this.text.slice(r.start, r.end)).join('\n'));
    } catch {
      rows = undefined;
    }
    if (rows !== undefined && rows.length === batch.length) {
      for (const [i, rec] of batch.entries()) yield this.toItem(rec, rows[i] ?? []);
      return;
    }
    for (const rec of batch) {
      try {
        const one = parseStrict(this.text.slice(rec.start, rec.end));
        if (one.length === 1 && one[0] !== undefined) yield this.toItem(rec, one[0]);
        else yield this.dead(rec, 'parse_error', `row splits into ${one.length} CSV records`);
      } catch (err) {
        yield this.dead(
          rec,
          'parse_error',
          `CSV parse error: ${(err as Error).message.replace(/ at line \d+/g, '')}`,
        );
      }
    }
  }
}

/** Parses the header record; returns column names or a reason it is unusable (also csv-chunks.ts). */
export function readHeader(text: string, rec: ScannedRecord): string[] | string {
  if (rec.error !== undefined) return `CSV header is malformed: ${rec.error.message}`;
  let rows: string[][];
  try {
    rows = parseStrict(text.slice(rec.start, rec.end));
  } catch (err) {
    return `CSV header does not parse: ${(err as Error).message}`;
  }
  const names = (rows[0] ?? []).map((h) => h.trim());
  if (rows.length !== 1 || !names.some((n) => ELF_MARKER_COLUMNS.includes(n))) {
    return `not an EventLogFile CSV header (none of ${ELF_MARKER_COLUMNS.join(', ')})`;
  }
  return names;
}

/**
 * Splits EventLogFile CSV text into one RawRecord per row: `value` keyed by header, `family`
 * `EventLogFile:<EVENT_TYPE>`, `location` `<location>:<line the row starts on>`.
 *
 * Rows that cannot be decoded become dead letters with a reason and framing continues: wrong
 * column count, a stray or unclosed quote (only that row's first line is consumed, so later rows
 * survive), rows over 1 MiB. A text whose first record is not an ELF header yields a dead letter
 * for the header and one per following row. A leading BOM and CRLF line ends are accepted. Blank
 * lines are ignored. Never throws.
 */
export function* frameCsv(
  text: string,
  location: RecordLocation,
  options: CsvFrameOptions = {},
): Generator<FramedItem> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records = scanRecords(body);
  const first = records.next();
  if (first.done === true) return;
  const header = readHeader(body, first.value);
  if (typeof header === 'string') {
    const raw = body.slice(first.value.start, first.value.end);
    yield { kind: 'dead', dead: deadFromText('parse_error', header, raw, `${location}:${first.value.line}`) };
    for (const rec of records) {
      yield {
        kind: 'dead',
        dead: deadFromText(
          'parse_error',
          'no usable CSV header',
          body.slice(rec.start, rec.end),
          `${location}:${rec.line}`,
        ),
      };
    }
    return;
  }
  const framer = new CsvFramer(body, location, header, options);
  let batch: ScannedRecord[] = [];
  for (const rec of records) {
    if (rec.error !== undefined) {
      yield* framer.flush(batch);
      batch = [];
      yield framer.dead(rec, 'parse_error', `malformed CSV row: ${rec.error.message}`);
    } else if (rec.end - rec.start > MAX_RECORD_CHARS) {
      yield* framer.flush(batch);
      batch = [];
      yield framer.dead(
        rec,
        'oversized',
        `CSV row of ${rec.end - rec.start} characters exceeds ${MAX_RECORD_CHARS}`,
      );
    } else {
      batch.push(rec);
      if (batch.length >= BATCH) {
        yield* framer.flush(batch);
        batch = [];
      }
    }
  }
  yield* framer.flush(batch);
}
