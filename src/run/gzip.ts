import { crc32 } from 'node:zlib';
import { Gunzip } from 'fflate';

/**
 * Synchronous streaming gzip decompression for inputs (`.gz` files, gzip on stdin): GitHub
 * audit-log streaming writes gzip-compressed NDJSON objects to Amazon S3, Azure Blob Storage and
 * Google Cloud Storage (https://docs.github.com/en/enterprise-cloud@latest/admin/monitoring-activity-in-your-enterprise/reviewing-audit-logs-for-your-enterprise/streaming-the-audit-log-for-your-enterprise),
 * and collectors gzip Salesforce EventLogFile CSV and Reports API pages alike.
 *
 * A gzip input is recognised by its magic bytes (RFC 1952: `1f 8b`), whatever its name. It is
 * decompressed with fflate's streaming `Gunzip` (single- and multi-member files) in bounded
 * memory: compressed bytes are read in blocks and decompressed text is handed out in pieces cut
 * at line ends. fflate does not check the trailer, so a single-member stream's CRC-32 and ISIZE
 * are checked here (RFC 1952 2.3.1); in multi-member files only the deflate structure is checked.
 * Decompression never throws to the caller: a corrupt or truncated stream ends with one
 * {@link GunzipError} piece saying where and why.
 */

/** RFC 1952 member header: ID1 ID2. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Decompressed text: whole lines (except for the last piece of a stream). */
export interface GunzipText {
  kind: 'text';
  text: string;
  /** 1-based line number of the piece's first line in the decompressed stream. */
  line: number;
  /** Decompressed bytes in this piece. */
  bytes: number;
}

/** The stream is corrupt or truncated; nothing after {@link GunzipError.line} was decoded. */
export interface GunzipError {
  kind: 'error';
  /** `corrupt gzip stream after 1234 decompressed bytes: invalid block type` */
  reason: string;
  /** Line of the decompressed stream where decoding stopped. */
  line: number;
  /** The incomplete text decoded before the error (at most 64 KiB), for the dead letter. */
  partial: string;
}

/** A piece of a decompressed stream. */
export type GunzipPiece = GunzipText | GunzipError;

/** Source of compressed bytes: the next block, or undefined at the end. */
export type ByteReader = () => Uint8Array | undefined;

/** Options of {@link gunzipPieces}. */
export interface GunzipOptions {
  /** Hand out text in pieces of about this many decompressed bytes, cut at line ends. */
  pieceBytes: number;
  /**
   * `lines`: pieces of whole lines (NDJSON); `whole`: the whole decompressed text as one piece
   * (a JSON document or CSV that must be framed at once). In `whole` mode a corrupt stream yields
   * only the error (a truncated document is not framed).
   */
  mode: 'lines' | 'whole';
  /**
   * Stop with a {@link GunzipError} once more than this many bytes are decompressed (a
   * decompression bomb in a small message); no limit when absent. Checked after each block, so
   * feed small blocks (deflate inflates at most ~1032:1).
   */
  maxBytes?: number;
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function countLines(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) n++;
  return n;
}

const decoder = new TextDecoder('utf-8');

/** The last `n` bytes of `prev` followed by `block`. */
function lastBytes(prev: Uint8Array, block: Uint8Array, n: number): Uint8Array {
  if (block.length >= n) return block.slice(block.length - n);
  const joined = new Uint8Array(prev.length + block.length);
  joined.set(prev);
  joined.set(block, prev.length);
  return joined.slice(Math.max(0, joined.length - n));
}

/**
 * RFC 1952 member trailer: CRC-32 then ISIZE (size mod 2^32), little-endian.
 * @throws Error when they disagree with the decompressed data.
 */
function checkTrailer(tail: Uint8Array, crc: number, size: number): void {
  if (tail.length < 8) throw new Error('stream shorter than its trailer');
  const view = new DataView(tail.buffer, tail.byteOffset, 8);
  if (view.getUint32(0, true) !== crc >>> 0) throw new Error('CRC-32 mismatch (data corrupted)');
  if (view.getUint32(4, true) !== size % 2 ** 32) throw new Error('ISIZE mismatch (data corrupted)');
}

/**
 * Decompresses a gzip stream read from `read`, yielding text pieces (see {@link GunzipOptions})
 * and, for a corrupt or truncated stream, one final {@link GunzipError}. Never throws.
 */
export function* gunzipPieces(read: ByteReader, options: GunzipOptions): Generator<GunzipPiece> {
  let out: Uint8Array[] = [];
  let outBytes = 0;
  let total = 0;
  let line = 1;
  let crc = 0;
  let members = 1;
  let tail: Uint8Array = new Uint8Array(0);
  const inflater = new Gunzip((data) => {
    if (data.length === 0) return;
    out.push(data);
    outBytes += data.length;
    total += data.length;
    crc = crc32(data, crc);
  });
  inflater.onmember = () => {
    members += 1;
  };
  /** Takes the buffered output up to its last line end (or all of it when `all`). */
  const take = (all: boolean): GunzipText | undefined => {
    if (outBytes === 0) return undefined;
    const data = concat(out, outBytes);
    const cut = all ? data.length : data.lastIndexOf(0x0a) + 1;
    if (cut === 0) {
      out = [data];
      return undefined;
    }
    const piece = data.subarray(0, cut);
    const rest = data.subarray(cut);
    out = rest.length > 0 ? [rest.slice()] : [];
    outBytes = rest.length;
    const text: GunzipText = { kind: 'text', text: decoder.decode(piece), line, bytes: piece.length };
    line += countLines(piece);
    return text;
  };
  let failure: string | undefined;
  let seen = 0;
  try {
    for (let block = read(); ; block = read()) {
      if (block === undefined) {
        if (seen === 0) throw new Error('empty input, no gzip header');
        inflater.push(new Uint8Array(0), true);
        if (options.maxBytes !== undefined && total > options.maxBytes)
          throw new Error(`decompressed size over the limit of ${options.maxBytes} bytes`);
        if (members === 1) checkTrailer(tail, crc, total);
        break;
      }
      seen += block.length;
      tail = lastBytes(tail, block, 8);
      inflater.push(block, false);
      if (options.maxBytes !== undefined && total > options.maxBytes)
        throw new Error(`decompressed size over the limit of ${options.maxBytes} bytes`);
      if (options.mode === 'lines' && outBytes >= options.pieceBytes) {
        const piece = take(false);
        if (piece) yield piece;
      }
    }
  } catch (err) {
    failure = `corrupt gzip stream after ${total} decompressed bytes: ${(err as Error).message}`;
  }
  if (failure === undefined) {
    const piece = take(true);
    if (piece) yield piece;
    return;
  }
  if (options.mode === 'lines') {
    const piece = take(false);
    if (piece) yield piece;
  }
  const partialBytes = concat(out, outBytes);
  yield {
    kind: 'error',
    reason: failure,
    line: options.mode === 'lines' ? line : 1,
    partial: decoder.decode(partialBytes.subarray(0, 65_536)),
  };
}

/** A {@link ByteReader} over an in-memory buffer, in blocks of `blockBytes`. */
export function bufferReader(buf: Uint8Array, blockBytes = 256 * 1024): ByteReader {
  let at = 0;
  return () => {
    if (at >= buf.length) return undefined;
    const block = buf.subarray(at, Math.min(buf.length, at + blockBytes));
    at += block.length;
    return block;
  };
}

/**
 * The first `maxBytes` of decompressed text (for source detection and choosing the framing), or
 * undefined with the reason when not even that much decodes.
 */
export function gunzipHead(read: ByteReader, maxBytes: number): { text: string } | { error: string } {
  const parts: Uint8Array[] = [];
  let got = 0;
  const inflater = new Gunzip((data) => {
    parts.push(data);
    got += data.length;
  });
  try {
    let seen = 0;
    for (let block = read(); got < maxBytes; block = read()) {
      if (block === undefined) {
        if (seen === 0) throw new Error('empty input, no gzip header');
        inflater.push(new Uint8Array(0), true);
        break;
      }
      seen += block.length;
      inflater.push(block, false);
    }
  } catch (err) {
    if (got === 0) return { error: `corrupt gzip stream: ${(err as Error).message}` };
  }
  const all = concat(parts, got);
  return { text: decoder.decode(all.subarray(0, Math.min(all.length, maxBytes))) };
}
