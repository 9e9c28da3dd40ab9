import { deadLetter, MAX_DEAD_RAW_BYTES } from '../common/dead-letter.js';
import type { DeadLetter, DeadLetterCode, RecordLocation, Skipped } from '../types.js';
import { redactRawText, redactRecord } from './redact.js';

/** Records (CSV rows, JSON objects) larger than this many characters (1 MiB) are dead letters. */
export const MAX_RECORD_CHARS = 1024 * 1024;

/**
 * A Salesforce dead letter from unparsed text: session keys removed (Salesforce rules), then the
 * full rule set of common/redact.ts and the common truncation to 64 KiB of UTF-8
 * (common/dead-letter.ts).
 */
export function deadFromText(
  code: DeadLetterCode,
  reason: string,
  raw: string,
  location: RecordLocation,
  knownSessionKeys: readonly string[] = [],
): DeadLetter {
  const head = raw.length > 2 * MAX_DEAD_RAW_BYTES ? raw.slice(0, 2 * MAX_DEAD_RAW_BYTES) : raw;
  const dead = deadLetter('salesforce', code, reason, redactRawText(head, knownSessionKeys), location);
  return head === raw || dead.raw.endsWith('[truncated]')
    ? dead
    : { ...dead, raw: `${dead.raw}…[truncated]` };
}

/**
 * A Salesforce dead letter from a parsed record: session keys removed, serialized (a value too
 * deep to serialize is described instead), then redacted and truncated like {@link deadFromText}.
 */
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
    raw = '(value could not be serialized)';
  }
  return deadLetter('salesforce', code, reason, raw, location);
}

/** A Salesforce skipped record. */
export function skipped(reason: string, location: RecordLocation): Skipped {
  return { source: 'salesforce', reason, location };
}
