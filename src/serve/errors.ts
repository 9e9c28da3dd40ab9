import { TokenwatchError } from '../errors.js';

/**
 * A delivery was abandoned because the service is shutting down (the grace period ran out while
 * a sink was still failing). The batch was not acknowledged, so its offsets are not committed
 * and no checkpoint covers it: it is consumed again after a restart.
 */
export class DeliveryAbortedError extends TokenwatchError {
  constructor(message = 'delivery abandoned: shutting down', options: { cause?: unknown } = {}) {
    super('TW_ERR_ABORTED', message, { retriable: true, ...options });
  }
}

/**
 * A startup step failed with an error retrying cannot fix (rejected template, bad credentials,
 * unreadable CA file). serve stops instead of waiting forever; the cause says what to fix.
 */
export class StartupError extends TokenwatchError {
  constructor(step: string, cause: unknown) {
    super('TW_ERR_STARTUP', `serve cannot start (${step}): ${(cause as Error).message}`, { cause });
  }
}
