import type { DeadLetterCode } from '../types.js';

/**
 * Base class of the typed errors raised inside ingestors. `code` is the dead-letter code the
 * record is filed under when the error escapes a normalizer.
 */
export class IngestError extends Error {
  readonly code: DeadLetterCode;

  constructor(code: DeadLetterCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IngestError';
    this.code = code;
  }
}

/** A vendor timestamp that cannot be turned into an instant (dead-letter code `bad_timestamp`). */
export class TimestampError extends IngestError {
  /** The offending raw value, stringified and cut to 100 chars. */
  readonly value: string;

  constructor(value: unknown, why: string) {
    const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
    super('bad_timestamp', `unparseable timestamp ${shown.slice(0, 100)}: ${why}`);
    this.name = 'TimestampError';
    this.value = shown.slice(0, 100);
  }
}
