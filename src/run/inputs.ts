import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, extname, isAbsolute } from 'node:path';
import { glob } from 'tinyglobby';
import { detectSource } from '../../ingestors/index.js';
import { csvChunks } from '../../ingestors/salesforce/csv-chunks.js';
import type { Source } from '../../schemas/token-activity.js';
import { InputError } from '../errors.js';
import { type ByteReader, bufferReader, type GunzipPiece, gunzipHead, gunzipPieces, isGzip } from './gzip.js';

/**
 * File extensions read from directories and globs; `.gz` is any of them gzip-compressed (GitHub
 * audit-log streaming objects are `.json.gz` holding NDJSON).
 */
export const INPUT_EXTENSIONS = ['.ndjson', '.jsonl', '.json', '.csv', '.log', '.gz'];

/**
 * NDJSON files are read in chunks of about this many bytes (split at line ends). The time merge
 * of a run holds the current chunk of every input at once (daily files: hundreds), so this bounds
 * what each input file costs in memory: 256 KiB (plus the longest line) instead of 4 MiB, which
 * kept most of every day file in memory (about 0.5 GiB of text for 134 day files); reads of this
 * size cost nothing measurable.
 */
export const NDJSON_CHUNK_BYTES = 256 * 1024;

/**
 * Salesforce EventLogFile CSV files are read in chunks of about this many characters, cut between
 * records, each after the first starting with the header again (ingestors/salesforce/csv-chunks.ts),
 * instead of whole: a busy org's daily `RestApi` file runs to hundreds of megabytes.
 */
export const CSV_CHUNK_CHARS = 256 * 1024;

/** Bytes read to detect a file's source. */
const SNIFF_BYTES = 64 * 1024;

/** A piece of input text and where it starts. */
export interface InputChunk {
  text: string;
  /** `file` for whole files; `file@<first line>` for NDJSON chunks after the first. */
  location: string;
  bytes: number;
  /**
   * Set when the input could not be decoded from here on (a corrupt or truncated gzip stream):
   * the reader's reason, with the undecodable text (redact before storing). `text` holds what
   * decoded before it (possibly nothing); the caller dead-letters the rest with this reason.
   */
  error?: { reason: string; partial: string };
}

/**
 * One resolved input. `chunks()` reads it lazily: NDJSON in line-aligned chunks, Salesforce CSV in
 * record-aligned chunks that repeat the header, others whole. Every chunk frames on its own.
 */
export interface InputFile {
  /** path, or `stdin` */
  name: string;
  bytes: number;
  source: Source | undefined;
  /** True when the input is gzip-compressed (decompressed by `chunks()`). */
  gzip?: boolean;
  chunks(): Iterable<InputChunk>;
}

/** A file found in a directory or glob that is not read, and why. */
export interface SkippedInputFile {
  path: string;
  reason: string;
}

/** Why a file found in a directory or glob is not read, or undefined when it is read. */
function skipReason(path: string): string | undefined {
  if (/^labels.*\.json(?:\.gz)?$/i.test(basename(path)))
    return 'labels file (evaluation ground truth, not a log)';
  if (/^apps\.json$/i.test(basename(path))) return 'app vetting registry (state, not a log)';
  const ext = extname(path).toLowerCase();
  if (!INPUT_EXTENSIONS.includes(ext))
    return `extension ${ext || '(none)'} is not read (${INPUT_EXTENSIONS.join(' ')}; name the file itself to read it)`;
  return undefined;
}

/** Inputs expanded from CLI arguments: the files to read, and those found but not read. */
export interface ResolvedInputs {
  /** Paths (or `-` for stdin), sorted per argument, without duplicates. */
  paths: string[];
  /** Files in the named directories / globs left out because of their name, with the reason. */
  skipped: SkippedInputFile[];
}

/**
 * Expands CLI input arguments into files: a file path (always read, whatever its name), a
 * directory (read recursively: every `.ndjson`/`.jsonl`/`.json`/`.csv`/`.log` except labels
 * files), a glob (`logs/**\/*.csv`), or `-` for stdin. Sorted by path so runs are reproducible.
 * Files a directory or glob holds but that are not read are returned in `skipped` with their
 * reason (nothing is ignored without a word).
 * @throws InputError when an argument matches no readable file (the message lists what was skipped).
 */
export async function resolveInputs(args: readonly string[]): Promise<ResolvedInputs> {
  const out: string[] = [];
  const skipped: SkippedInputFile[] = [];
  for (const arg of args) {
    if (arg === '-') {
      out.push('-');
      continue;
    }
    let st: ReturnType<typeof statSync> | undefined;
    try {
      st = statSync(arg);
    } catch {
      st = undefined;
    }
    if (st?.isFile()) {
      out.push(arg);
      continue;
    }
    const pattern = st?.isDirectory() ? `${arg.replace(/\/+$/, '')}/**/*` : arg;
    // An absolute argument gives absolute paths (tinyglobby would make them relative to the cwd).
    const found = (await glob(pattern, { onlyFiles: true, dot: false, absolute: isAbsolute(arg) })).sort();
    const matches: string[] = [];
    const left: SkippedInputFile[] = [];
    for (const path of found) {
      const reason = skipReason(path);
      if (reason === undefined) matches.push(path);
      else left.push({ path, reason });
    }
    if (matches.length === 0) {
      const also = left.length > 0 ? ` (found but not read: ${left.map((s) => s.path).join(', ')})` : '';
      throw new InputError(`no input files match "${arg}"${also}`);
    }
    out.push(...matches);
    skipped.push(...left);
  }
  const paths = [...new Set(out)];
  const read = new Set(paths);
  const seen = new Set<string>();
  return {
    paths,
    skipped: skipped.filter((s) => !read.has(s.path) && !seen.has(s.path) && seen.add(s.path)),
  };
}

/**
 * The paths of {@link resolveInputs} (files that are read), for callers that do not report skips.
 * @throws InputError when an argument matches nothing.
 */
export async function resolveInputPaths(args: readonly string[]): Promise<string[]> {
  return (await resolveInputs(args)).paths;
}

function readHeadBytes(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** Compressed blocks of a file, read sequentially; the file is closed at its end. */
function fileReader(path: string): { read: ByteReader; close: () => void } {
  const fd = openSync(path, 'r');
  let open = true;
  const close = (): void => {
    if (open) closeSync(fd);
    open = false;
  };
  return {
    read: () => {
      if (!open) return undefined;
      const buf = Buffer.allocUnsafe(1024 * 1024);
      const got = readSync(fd, buf, 0, buf.length, null);
      if (got === 0) {
        close();
        return undefined;
      }
      return buf.subarray(0, got);
    },
    close,
  };
}

/**
 * How decompressed text is framed: `lines` (NDJSON: cut into line-aligned chunks) when the inner
 * name says so (`x.ndjson.gz`) or the text starts with an object that closes on its first line
 * (GitHub streaming objects are `.json.gz` holding NDJSON); else `whole` (a JSON document or CSV).
 */
function gzipMode(name: string, head: string): 'lines' | 'whole' {
  const inner = extname(name.replace(/\.gz$/i, '')).toLowerCase();
  if (['.ndjson', '.jsonl', '.log'].includes(inner)) return 'lines';
  if (inner === '.csv') return 'whole';
  const body = head.replace(/^\ufeff/, '').trimStart();
  if (!body.startsWith('{')) return 'whole';
  const nl = body.indexOf('\n');
  if (nl < 0) return 'whole';
  try {
    JSON.parse(body.slice(0, nl));
    return 'lines';
  } catch {
    return 'whole';
  }
}

/** Decompressed chunks of a gzip input (see gzip.ts); `location` like {@link ndjsonChunks}. */
function* gzipChunks(
  name: string,
  open: () => { read: ByteReader; close: () => void },
  mode: 'lines' | 'whole',
): Generator<InputChunk> {
  const reader = open();
  try {
    const pieces: Iterable<GunzipPiece> = gunzipPieces(reader.read, { pieceBytes: NDJSON_CHUNK_BYTES, mode });
    for (const piece of pieces) {
      const location = piece.line === 1 ? name : `${name}@${piece.line}`;
      if (piece.kind === 'text') yield { text: piece.text, location, bytes: piece.bytes };
      else
        yield {
          text: '',
          location: `${name}:${piece.line}`,
          bytes: 0,
          error: { reason: piece.reason, partial: piece.partial },
        };
    }
  } finally {
    reader.close();
  }
}

/** An {@link InputFile} for gzip-compressed bytes: source detected on the decompressed head. */
function gzipInput(
  name: string,
  bytes: number,
  source: Source | undefined,
  open: () => { read: ByteReader; close: () => void },
): InputFile {
  const sniff = open();
  let head: ReturnType<typeof gunzipHead>;
  try {
    head = gunzipHead(sniff.read, SNIFF_BYTES);
  } finally {
    sniff.close();
  }
  if ('error' in head) {
    const error = { reason: head.error, partial: '' };
    return { name, bytes, source, gzip: true, chunks: () => [{ text: '', location: name, bytes: 0, error }] };
  }
  const inner = name.replace(/\.gz$/i, '');
  return {
    name,
    bytes,
    source: source ?? detectSource(head.text, inner),
    gzip: true,
    chunks: () => gzipChunks(name, open, gzipMode(name, head.text)),
  };
}

/** Reads an NDJSON file in line-aligned chunks (bounded memory for large inputs). */
function* ndjsonChunks(path: string): Generator<InputChunk> {
  const fd = openSync(path, 'r');
  try {
    // Reads of NDJSON_CHUNK_BYTES, or for a small file one read big enough to take it whole (the
    // same chunks; at least 64 KiB in case the file grows).
    const readBytes = Math.min(NDJSON_CHUNK_BYTES, Math.max(64 * 1024, fstatSync(fd).size + 1));
    const reader: ChunkReader = { fd, path, readBytes, carry: Buffer.alloc(0), line: 1, done: false };
    for (let chunk = nextChunk(reader); chunk !== undefined; chunk = nextChunk(reader)) yield chunk;
  } finally {
    closeSync(fd);
  }
}

interface ChunkReader {
  fd: number;
  path: string;
  readBytes: number;
  /** Bytes after the last line end read so far. */
  carry: Buffer;
  /** Line number of the next chunk's first line. */
  line: number;
  done: boolean;
}

/**
 * The next line-aligned chunk of an NDJSON file, or undefined at its end. Read buffers live only
 * in here, not in the suspended generator: every input of a run waits in the merge with its next
 * record, and meanwhile holds only its current chunk's text.
 */
function nextChunk(r: ChunkReader): InputChunk | undefined {
  while (!r.done) {
    const buf = Buffer.allocUnsafe(r.readBytes);
    const got = readSync(r.fd, buf, 0, r.readBytes, null);
    const read = buf.subarray(0, got);
    const data = got === 0 ? r.carry : r.carry.length === 0 ? read : Buffer.concat([r.carry, read]);
    if (data.length === 0) break;
    const cut = got > 0 ? data.lastIndexOf(0x0a) + 1 : data.length;
    if (cut === 0) {
      r.carry = data; // a line longer than the chunk: keep reading (framing dead-letters it if oversized)
      continue;
    }
    const piece = data.subarray(0, cut);
    r.carry = Buffer.from(data.subarray(cut));
    const chunk = {
      text: piece.toString('utf8'),
      location: r.line === 1 ? r.path : `${r.path}@${r.line}`,
      bytes: piece.length,
    };
    for (let i = 0; i < piece.length; i++) if (piece[i] === 0x0a) r.line += 1;
    if (got === 0) r.done = true;
    return chunk;
  }
  r.done = true;
  return undefined;
}

/**
 * Decoded text of a file in pieces of about `readBytes`, each cut after its last line feed byte
 * (so no UTF-8 character is split), the rest carried into the next piece.
 */
function* textPieces(path: string, readBytes: number): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    let carry: Buffer = Buffer.alloc(0);
    for (;;) {
      const buf = Buffer.allocUnsafe(readBytes);
      const got = readSync(fd, buf, 0, readBytes, null);
      if (got === 0) break;
      const data = carry.length === 0 ? buf.subarray(0, got) : Buffer.concat([carry, buf.subarray(0, got)]);
      const cut = data.lastIndexOf(0x0a) + 1;
      if (cut > 0) yield data.toString('utf8', 0, cut);
      carry = Buffer.from(data.subarray(cut));
    }
    if (carry.length > 0) yield carry.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * A Salesforce CSV file in record-aligned chunks (csv-chunks.ts); `location` `file` for the first,
 * `file@<line>` for the others (framing appends the line in the chunk, as for NDJSON chunks). A
 * file that is not ELF CSV after all (JSON, no ELF header) comes back whole.
 */
function* csvFileChunks(path: string): Generator<InputChunk> {
  for (const c of csvChunks(textPieces(path, NDJSON_CHUNK_BYTES), CSV_CHUNK_CHARS))
    yield { text: c.text, location: c.line === 1 ? path : `${path}@${c.line}`, bytes: c.bytes };
}

/**
 * An input held in memory (stdin): gzip (magic bytes) is decompressed, anything else is read as
 * UTF-8 text; the source is detected unless given.
 */
export function openBuffer(name: string, buf: Buffer, source: Source | undefined): InputFile {
  if (isGzip(buf)) {
    const open = () => ({ read: bufferReader(buf), close: () => undefined });
    return gzipInput(name, buf.length, source, open);
  }
  const text = buf.toString('utf8');
  return {
    name,
    bytes: buf.length,
    source: source ?? detectSource(text, name),
    chunks: () => [{ text, location: name, bytes: buf.length }],
  };
}

/**
 * Opens an input and detects its source from its first 64 KiB (unless `source` is given). Gzip
 * input (magic bytes `1f 8b`, any name, also on stdin) is decompressed as a stream: its source is
 * detected on the decompressed head and a corrupt stream ends in a chunk with `error`.
 * @throws InputError when the file cannot be read.
 */
export function openInput(path: string, source: Source | undefined): InputFile {
  try {
    if (path === '-') {
      return openBuffer('stdin', readFileSync(0), source);
    }
    const bytes = statSync(path).size;
    const headBytes = readHeadBytes(path, SNIFF_BYTES);
    if (isGzip(headBytes)) return gzipInput(path, bytes, source, () => fileReader(path));
    const detected = source ?? detectSource(headBytes.toString('utf8'), path);
    const ext = extname(path).toLowerCase();
    const isNdjson = ['.ndjson', '.jsonl', '.log'].includes(ext);
    const isCsv = ext === '.csv' && detected === 'salesforce';
    return {
      name: path,
      bytes,
      source: detected,
      chunks: () =>
        isNdjson
          ? ndjsonChunks(path)
          : isCsv
            ? csvFileChunks(path)
            : [{ text: readFileSync(path).toString('utf8'), location: path, bytes }],
    };
  } catch (cause) {
    throw new InputError(`cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
}
