import type { Source } from '../../schemas/token-activity.js';
import type { NormalizeResult, RawRecord } from '../types.js';
import { deadLetter } from './dead-letter.js';
import { IngestError } from './errors.js';

/**
 * Runs a normalizer body so that it never throws: a typed {@link IngestError} (e.g.
 * `TimestampError`) becomes a dead letter with its own code, anything else `normalize_error`.
 * The dead letter's raw text is the (redacted, truncated) JSON of the record.
 */
export function guardNormalize(
  source: Source,
  record: RawRecord,
  body: () => NormalizeResult,
): NormalizeResult {
  try {
    return body();
  } catch (e) {
    const code = e instanceof IngestError ? e.code : 'normalize_error';
    const reason = e instanceof IngestError ? e.message : `normalizer failed: ${(e as Error).message}`;
    return { kind: 'dead', dead: deadLetter(source, code, reason, safeJson(record.value), record.location) };
  }
}

/** A dead-letter result for a record (raw text = redacted JSON of the record). */
export function deadResult(
  source: Source,
  record: RawRecord,
  code: Parameters<typeof deadLetter>[1],
  reason: string,
): NormalizeResult {
  return { kind: 'dead', dead: deadLetter(source, code, reason, safeJson(record.value), record.location) };
}

/** A skipped result for a record. */
export function skippedResult(source: Source, record: RawRecord, reason: string): NormalizeResult {
  return { kind: 'skipped', skipped: { source, reason, location: record.location } };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
