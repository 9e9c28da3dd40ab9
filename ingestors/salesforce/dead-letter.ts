import type { DeadLetter, DeadLetterCode, RecordLocation, Skipped } from '../types.js';
import { redactRawText, redactRecord } from './redact.js';

/** Dead-letter raw text is truncated to this many characters (64 KiB), per the DeadLetter contract. */
export const MAX_DEAD_RAW_CHARS = 64 * 1024;

/** Records (CSV rows, JSON objects) larger than this many characters (1 MiB) are dead letters. */
export const MAX_RECORD_CHARS = 1024 * 1024;

function truncate(text: string): string {
  return text.length <= MAX_DEAD_RAW_CHARS ? text : `${text.slice(0, MAX_DEAD_RAW_CHARS - 15)}...[truncated]`;
}

/** A Salesforce dead letter from unparsed text; the text is redacted and truncated. */
export function deadFromText(
  code: DeadLetterCode,
  reason: string,
  raw: string,
  location: RecordLocation,
  knownSessionKeys: readonly string[] = [],
): DeadLetter {
  return {
    source: 'salesforce',
    code,
    reason,
    raw: truncate(redactRawText(raw, knownSessionKeys)),
    location,
  };
}

/** A Salesforce dead letter from a parsed record; the record is redacted, serialized and truncated. */
export function deadFromValue(
  code: DeadLetterCode,
  reason: string,
  value: unknown,
  location: RecordLocation,
): DeadLetter {
  let raw: string;
  try {
    raw = JSON.stringify(redactRecord(value)) ?? String(value);
  } catch {
    raw = String(value);
  }
  return { source: 'salesforce', code, reason, raw: truncate(raw), location };
}

/** A Salesforce skipped record. */
export function skipped(reason: string, location: RecordLocation): Skipped {
  return { source: 'salesforce', reason, location };
}
