/**
 * Typed errors with stable codes. `retriable` tells the Kafka consumer and sinks whether retrying
 * may help (a broker or cluster that is down) or not (bad configuration, corrupt state).
 */
export class TokenwatchError extends Error {
  readonly code: string;
  readonly retriable: boolean;

  constructor(code: string, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** Invalid configuration (environment, config file or CLI flags). Never retriable. */
export class ConfigError extends TokenwatchError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('TW_ERR_CONFIG', message, options);
  }
}

/** Input that cannot be read at all (missing file, unreadable stdin). */
export class InputError extends TokenwatchError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('TW_ERR_INPUT', message, options);
  }
}

/** Saved state that cannot be loaded (corrupt, unknown version). */
export class StateError extends TokenwatchError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('TW_ERR_STATE', message, options);
  }
}

/** A sink (Elasticsearch, Kafka) refused or failed a write. Retriable unless the cause says otherwise. */
export class SinkError extends TokenwatchError {
  constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super('TW_ERR_SINK', message, { retriable: options.retriable ?? true, cause: options.cause });
  }
}
