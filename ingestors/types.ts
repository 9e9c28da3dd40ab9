import type { Source, TokenActivity } from '../schemas/token-activity.js';

/** Where a record came from, for dead letters and logs: `samples/github.ndjson:120` or `topic/0@4711`. */
export type RecordLocation = string;

/**
 * One raw vendor record after framing: a GitHub audit event object, one event of a Google
 * Workspace activity (envelope fields plus a single `events[]` entry), one Salesforce CSV row as a
 * header-keyed object, or one Real-Time Event Monitoring event object.
 */
export interface RawRecord {
  source: Source;
  /** Parsed value (JSON object, or CSV row keyed by header). */
  value: Record<string, unknown>;
  /** Vendor family hint from the framing (`EventLogFile:API`, `ApiEvent`, `reports:token`). */
  family?: string;
  location: RecordLocation;
  /**
   * Set once `needsRedaction` (common/redact.ts, a scan of the parsed string values and keys) said
   * `false`: redacting `value` would find nothing and change nothing, so it may be skipped. Only
   * valid for this `value` (or one derived from it without adding strings).
   */
  secretFree?: boolean;
}

/** Stable reason codes for dead letters. */
export type DeadLetterCode =
  | 'parse_error'
  | 'oversized'
  | 'not_an_object'
  | 'unrecognized_envelope'
  | 'schema_invalid'
  | 'bad_timestamp'
  | 'no_principal'
  | 'unknown_source'
  | 'normalize_error';

/** A record that could not be normalized, with its reason and the (redacted) raw text. */
export interface DeadLetter {
  source: Source | 'unknown';
  code: DeadLetterCode;
  reason: string;
  /** Raw text, secrets redacted, truncated to 64 KiB. */
  raw: string;
  location: RecordLocation;
}

/** A record deliberately not normalized (not about any credential), counted, never silent. */
export interface Skipped {
  source: Source;
  reason: string;
  location: RecordLocation;
}

/** Result of framing raw input: records, and dead letters for undecodable parts. */
export type FramedItem = { kind: 'record'; record: RawRecord } | { kind: 'dead'; dead: DeadLetter };

/** Result of normalizing one raw record. */
export type NormalizeResult =
  | { kind: 'activity'; activity: TokenActivity }
  | { kind: 'dead'; dead: DeadLetter }
  | { kind: 'skipped'; skipped: Skipped };

/** One source's ingestor: framing (bytes to records) and normalization (record to activity). */
export interface Ingestor {
  source: Source;
  /**
   * Splits one input (a whole file or one Kafka message value) into raw records. Accepts the
   * shapes the source really arrives in (NDJSON, JSON arrays, API response pages, CSV...).
   * Never throws: undecodable input comes back as dead letters.
   */
  frame(text: string, location: RecordLocation): Iterable<FramedItem>;
  /** Validates one raw record with the source's zod schema and maps it to token activity. Pure. */
  normalize(record: RawRecord): NormalizeResult;
}
