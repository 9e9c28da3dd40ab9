import { scanRecord } from './csv-scan.js';
import { MAX_RECORD_CHARS } from './dead-letter.js';
import { readHeader } from './frame-csv.js';

/**
 * EventLogFile CSV read as a stream: an ELF file is one CSV document whose header keys every row
 * (Salesforce REST API Developer Guide, "Get Event Monitoring Content from a Record"; a busy org's
 * daily `API` or `RestApi` file runs to hundreds of megabytes), so it cannot be cut at any line
 * end: a quoted field may hold line ends. {@link csvChunks} cuts the text, arriving in pieces, into
 * chunks that each frame on their own with `frameCsv`: cuts fall only between records as the
 * framing's own scanner (csv-scan.ts) finds them, and every chunk after the first starts with the
 * header record again. Framing the chunks gives the same records, values and dead letters as
 * framing the whole text, with locations `<file>@<line>:<line in chunk>` (the NDJSON chunks'
 * convention: input line = `<line> + <line in chunk> - 1`) for rows after the first chunk, and
 * line numbers in dead-letter reasons counted the same way.
 *
 * Only a usable ELF header starts chunking. Text that is JSON (first significant character `{` or
 * `[`), blank, or whose first record is not an ELF header comes back as one chunk, as before.
 *
 * Memory: a chunk of about `chunkChars`, plus the record being read. A quoted field still open
 * after {@link MAX_OPEN_RECORD_CHARS} characters is taken as never closed (the whole-text verdict
 * when it really never closes: a `parse_error` for its first line, framing resumes on the next);
 * only a record longer than that which does close later frames differently (its lines become
 * dead letters instead of one `oversized` dead letter).
 */

/** Characters a quoted field may stay open before it is judged never closed (4 x the row limit). */
export const MAX_OPEN_RECORD_CHARS = 4 * MAX_RECORD_CHARS;

/** One chunk of {@link csvChunks}. */
export interface CsvChunk {
  /**
   * Text that frames on its own: the first chunk is the input's own beginning (byte-order mark
   * and header included); the others are the header record, `\n`, then whole records.
   */
  text: string;
  /** The input line the chunk's line 1 stands for (1 for the first chunk; header lines counted). */
  line: number;
  /** UTF-8 bytes of the input this chunk covers (the repeated header not counted). */
  bytes: number;
}

const LF = 10;

/**
 * Cuts CSV text arriving in `pieces` (any split, but not inside a UTF-16 surrogate pair) into
 * chunks of about `chunkChars` characters, each framable alone (see the module comment). Every
 * character of the input is in exactly one chunk. Never throws on malformed CSV.
 */
export function* csvChunks(pieces: Iterable<string>, chunkChars: number): Generator<CsvChunk> {
  let pending = '';
  let bom = '';
  // (a cast, not an annotation: the closures below change it, which narrowing would not see)
  let mode = 'undecided' as 'undecided' | 'csv' | 'whole';
  let header = '';
  let headerLines = 1;
  /** Next record start in `pending` (records before it are complete) and its input line. */
  let pos = 0;
  let line = 1;
  /** Input line of `pending[0]`; whether the first chunk is still to come. */
  let pendingLine = 1;
  let first = true;

  const emit = (cut: number): CsvChunk => {
    const body = pending.slice(0, cut);
    const chunk: CsvChunk = first
      ? { text: bom + body, line: 1, bytes: Buffer.byteLength(bom + body) }
      : { text: `${header}\n${body}`, line: pendingLine - headerLines, bytes: Buffer.byteLength(body) };
    pending = pending.slice(cut);
    pos -= cut;
    pendingLine = line;
    first = false;
    return chunk;
  };

  /** Decides the mode once the header record is complete; false while more text is needed. */
  const decide = (final: boolean): boolean => {
    if (bom === '' && pending.charCodeAt(0) === 0xfeff) {
      bom = '\ufeff';
      pending = pending.slice(1);
    }
    const significant = /\S/.exec(pending);
    if (significant === null) {
      if (final) mode = 'whole';
      return final;
    }
    if (significant[0] === '{' || significant[0] === '[') {
      mode = 'whole';
      return true;
    }
    // the header: the first record that is not blank
    let p = 0;
    let l = 1;
    for (;;) {
      const rec = scanRecord(pending, p, l);
      const complete =
        final ||
        (rec.error?.unclosed === true
          ? pending.length - rec.start > MAX_OPEN_RECORD_CHARS
          : pending.charCodeAt(rec.next - 1) === LF);
      if (!complete) return false;
      if (rec.error === undefined && pending.slice(rec.start, rec.end).trim() === '') {
        p = rec.next;
        l = rec.nextLine;
        continue;
      }
      if (typeof readHeader(pending, rec) === 'string') {
        mode = 'whole';
        return true;
      }
      mode = 'csv';
      header = pending.slice(rec.start, rec.end);
      headerLines = rec.nextLine - rec.line;
      pos = rec.next;
      line = rec.nextLine;
      return true;
    }
  };

  /** Moves `pos` over the complete records; yields a chunk each time `chunkChars` are complete. */
  function* advance(final: boolean): Generator<CsvChunk> {
    while (pos < pending.length) {
      const rec = scanRecord(pending, pos, line);
      const complete =
        final ||
        (rec.error?.unclosed === true
          ? pending.length - rec.start > MAX_OPEN_RECORD_CHARS
          : pending.charCodeAt(rec.next - 1) === LF);
      if (!complete) return;
      pos = rec.next;
      line = rec.nextLine;
      if (pos >= chunkChars) yield emit(pos);
    }
  }

  for (const piece of pieces) {
    pending += piece;
    if (mode === 'undecided' && !decide(false)) continue;
    if (mode === 'csv') yield* advance(false);
  }
  if (mode === 'undecided') decide(true);
  if (mode === 'csv') {
    yield* advance(true);
    if (pending.length > 0 || first) yield emit(pending.length);
    return;
  }
  yield emit(pending.length);
}
