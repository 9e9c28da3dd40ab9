import { bufferReader, gunzipPieces, isGzip } from '../run/gzip.js';

/**
 * Largest decompressed text of one gzip-compressed Kafka message value: 64 MiB (a GitHub
 * audit-log streaming object or a Reports page is far smaller; past this it is a decompression
 * bomb, dead-lettered instead of held in memory).
 */
export const MAX_MESSAGE_TEXT_BYTES = 64 * 1024 * 1024;

/** Compressed bytes handed to the decompressor at a time (bounds one step's output to ~16 MiB). */
const BLOCK_BYTES = 16 * 1024;

/** A message value as text, or why it could not be decoded (with what was decoded, for the dead letter). */
export type MessageText = { kind: 'text'; text: string } | { kind: 'error'; reason: string; partial: string };

/**
 * The text of a raw-topic message value. A value starting with the gzip magic bytes (`1f 8b`,
 * RFC 1952) is decompressed like a `.gz` input file (`src/run/gzip.ts`: multi-member streams, the
 * CRC-32 and size trailer checked): producers that forward GitHub's audit-log streaming objects
 * (written gzip-compressed to S3 / Blob / GCS) or gzip their payloads themselves, instead of using
 * Kafka's own compression, send such values. Anything else is read as UTF-8. Never throws: a
 * corrupt, truncated or over-{@link MAX_MESSAGE_TEXT_BYTES} stream is an `error` with its reason.
 */
export function decodeMessageValue(value: Buffer, maxBytes = MAX_MESSAGE_TEXT_BYTES): MessageText {
  if (!isGzip(value)) return { kind: 'text', text: value.toString('utf8') };
  let text = '';
  for (const piece of gunzipPieces(bufferReader(value, BLOCK_BYTES), {
    pieceBytes: 0,
    mode: 'whole',
    maxBytes,
  })) {
    if (piece.kind === 'error')
      return { kind: 'error', reason: `gzip message value: ${piece.reason}`, partial: piece.partial };
    text += piece.text;
  }
  return { kind: 'text', text };
}
