/**
 * Finds CSV record boundaries (RFC 4180 quoting: a field that starts with `"` runs to the next
 * unpaired `"`; `""` is an escaped quote; newlines inside quotes belong to the field), so every
 * record knows the physical line it starts on and a broken record can be isolated.
 *
 * Field values are not decoded here: csv-parse does that (see `frame-csv.ts`). The scanner exists
 * because csv-parse alone cannot give both (a) the start line of a multi-line record (its
 * `info.lines` counts `\r\n` inside quoted fields twice) and (b) an account of every line after
 * an error (with `skip_records_with_error` it silently discards the rest of the line where the
 * error was found, which can hold a whole valid row).
 */

const QUOTE = 34; // "
const COMMA = 44; // ,
const LF = 10;
const CR = 13;

/** One record found by {@link scanRecord}. Offsets are UTF-16 indexes into the scanned text. */
export interface ScannedRecord {
  /** Offset of the first character of the record. */
  start: number;
  /** Offset just past the record's last character, line terminator excluded. */
  end: number;
  /** Offset where scanning resumes: after the terminator, or after the first line on error. */
  next: number;
  /** 1-based physical line the record starts on. */
  line: number;
  /** Physical line the next record starts on. */
  nextLine: number;
  /**
   * Set when the record is malformed; `next` then points at the record's second physical line.
   * `unclosed`: a quoted field still open at the end of the scanned text (more text could close it:
   * streamed input waits for it, see csv-chunks.ts); otherwise a stray character after a closing
   * quote, decided where it stands.
   */
  error?: { message: string; line: number; unclosed?: true };
}

/** Offset just past the physical line starting at `pos` (after its `\n`), or the text length. */
function endOfPhysicalLine(text: string, pos: number): number {
  const nl = text.indexOf('\n', pos);
  return nl < 0 ? text.length : nl + 1;
}

function malformed(
  text: string,
  start: number,
  line: number,
  message: string,
  errLine: number,
  unclosed = false,
): ScannedRecord {
  const next = endOfPhysicalLine(text, start);
  let end = next;
  if (end > start && text.charCodeAt(end - 1) === LF) end--;
  if (end > start && text.charCodeAt(end - 1) === CR) end--;
  const error = unclosed ? { message, line: errLine, unclosed: true as const } : { message, line: errLine };
  return { start, end, next, line, nextLine: line + 1, error };
}

/**
 * Scans one record starting at offset `pos` on physical line `line`. A malformed record (a
 * closing quote followed by something other than `,` or a line end, or a quote left open at the
 * end of the text) is reported with `error` and only its first physical line is consumed, so
 * scanning resumes on the next line and rows after a stray quote are not lost.
 */
export function scanRecord(text: string, pos: number, line: number): ScannedRecord {
  const n = text.length;
  let i = pos;
  let currentLine = line;
  let fieldStart = true;
  let inQuotes = false;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (inQuotes) {
      if (c === QUOTE) {
        if (text.charCodeAt(i + 1) === QUOTE) {
          i += 2;
          continue;
        }
        inQuotes = false;
        i++;
        const d = text.charCodeAt(i);
        if (i < n && d !== COMMA && d !== LF && d !== CR) {
          return malformed(
            text,
            pos,
            line,
            `unexpected character after a closing quote at line ${currentLine}`,
            currentLine,
          );
        }
        continue;
      }
      if (c === LF) currentLine++;
      i++;
      continue;
    }
    if (c === QUOTE && fieldStart) {
      inQuotes = true;
      fieldStart = false;
      i++;
      continue;
    }
    if (c === COMMA) {
      fieldStart = true;
      i++;
      continue;
    }
    if (c === LF) {
      const end = i > pos && text.charCodeAt(i - 1) === CR ? i - 1 : i;
      return { start: pos, end, next: i + 1, line, nextLine: currentLine + 1 };
    }
    fieldStart = false;
    i++;
  }
  if (inQuotes) {
    return malformed(
      text,
      pos,
      line,
      `quoted field opened on line ${line} is never closed`,
      currentLine,
      true,
    );
  }
  let end = n;
  if (end > pos && text.charCodeAt(end - 1) === CR) end--;
  return { start: pos, end, next: n, line, nextLine: currentLine };
}

/** Iterates over all records of `text` from `pos`, skipping blank and whitespace-only lines. */
export function* scanRecords(text: string, pos = 0, line = 1): Generator<ScannedRecord> {
  let p = pos;
  let l = line;
  while (p < text.length) {
    const rec = scanRecord(text, p, l);
    p = rec.next;
    l = rec.nextLine;
    if (rec.error === undefined && text.slice(rec.start, rec.end).trim() === '') continue;
    yield rec;
  }
}
