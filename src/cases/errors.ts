import { TokenwatchError } from '../errors.js';

/** A detector's raw-log case file that cannot be read or is invalid. Never retriable. */
export class CaseFileError extends TokenwatchError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('TW_ERR_CASE_FILE', message, options);
  }
}
