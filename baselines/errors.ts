/** Stable error codes of the baselines module; retry/DLQ decisions read `code`, never the message. */
export type BaselineErrorCode =
  | 'BASELINE_CONFIG_INVALID'
  | 'BASELINE_INPUT_INVALID'
  | 'BASELINE_STATE_CORRUPT'
  | 'BASELINE_STATE_VERSION'
  | 'BASELINE_STATE_MISSING';

/** Base class of every error thrown by `baselines/`. */
export class BaselineError extends Error {
  readonly code: BaselineErrorCode;

  constructor(code: BaselineErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BaselineError';
    this.code = code;
  }
}

/** The store configuration failed validation (message lists the zod issues). */
export class BaselineConfigError extends BaselineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BASELINE_CONFIG_INVALID', message, options);
    this.name = 'BaselineConfigError';
  }
}

/** An activity could not be folded in (e.g. an unparseable `@timestamp`). */
export class BaselineInputError extends BaselineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BASELINE_INPUT_INVALID', message, options);
    this.name = 'BaselineInputError';
  }
}

/**
 * A saved baseline file could not be restored: `BASELINE_STATE_CORRUPT` (not gzip, bad JSON, a line
 * failing the schema, truncated), `BASELINE_STATE_VERSION` (written by an unknown format version) or
 * `BASELINE_STATE_MISSING` (no file in the directory). `file` and, when known, `line` (1-based) say where.
 */
export class BaselineStateError extends BaselineError {
  readonly file: string;
  readonly line: number | undefined;

  constructor(
    code: 'BASELINE_STATE_CORRUPT' | 'BASELINE_STATE_VERSION' | 'BASELINE_STATE_MISSING',
    file: string,
    message: string,
    options?: { cause?: unknown; line?: number },
  ) {
    super(code, `${file}${options?.line !== undefined ? `:${options.line}` : ''}: ${message}`, options);
    this.name = 'BaselineStateError';
    this.file = file;
    this.line = options?.line;
  }
}
