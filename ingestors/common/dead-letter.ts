import type { Source } from '../../schemas/token-activity.js';
import type { DeadLetter, DeadLetterCode, RecordLocation } from '../types.js';
import { redactText } from './redact.js';

/** Dead-letter raw text is cut to this many UTF-8 bytes (64 KiB). */
export const MAX_DEAD_RAW_BYTES = 64 * 1024;

/** Only this much of an oversized input is even looked at when building its dead letter. */
const READ_LIMIT_CHARS = 2 * MAX_DEAD_RAW_BYTES;
const TRUNCATED = '…[truncated]';
// C0 controls except tab, LF, CR: binary junk is kept visible but not as raw control bytes.
const CONTROL_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/**
 * Builds a {@link DeadLetter}: the raw text has secrets redacted (`redact.ts`), control
 * characters replaced by U+FFFD and is truncated to {@link MAX_DEAD_RAW_BYTES} UTF-8 bytes.
 */
export function deadLetter(
  source: Source | 'unknown',
  code: DeadLetterCode,
  reason: string,
  raw: string,
  location: RecordLocation,
): DeadLetter {
  const head = raw.length > READ_LIMIT_CHARS ? raw.slice(0, READ_LIMIT_CHARS) : raw;
  const clean = redactText(head).text.replace(CONTROL_RE, '\ufffd');
  return {
    source,
    code,
    reason,
    raw: truncateUtf8(clean, MAX_DEAD_RAW_BYTES, raw.length > head.length),
    location,
  };
}

/** Cuts text to at most `maxBytes` UTF-8 bytes, never inside a character, marking the cut. */
export function truncateUtf8(text: string, maxBytes: number, alreadyCut = false): string {
  if (!alreadyCut && text.length * 3 <= maxBytes) return text;
  const buf = Buffer.from(text, 'utf8');
  if (!alreadyCut && buf.length <= maxBytes) return text;
  const keep = maxBytes - Buffer.byteLength(TRUNCATED);
  let cut = Math.min(keep, buf.length);
  // step back to a UTF-8 character boundary (continuation bytes are 10xxxxxx)
  while (cut > 0 && ((buf[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return buf.subarray(0, cut).toString('utf8') + TRUNCATED;
}
