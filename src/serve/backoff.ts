import { TokenwatchError } from '../errors.js';
import { DeliveryAbortedError, StartupError } from './errors.js';

/** Exponential backoff: `initialMs * 2^(attempt-1)`, capped at `maxMs`, with ±20% jitter. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 200, maxMs: 30_000 };

/** Delay before retry number `attempt` (1-based), ms. */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exp = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (0.8 + 0.4 * random()));
}

/**
 * Resolves after `ms`, or rejects with {@link DeliveryAbortedError} as soon as `signal` aborts.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DeliveryAbortedError());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new DeliveryAbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Hooks of {@link retryUntilDone}. */
export interface RetryHooks {
  /** Called after a failed attempt, before waiting `delayMs`. */
  onFailure?: (err: unknown, attempt: number, delayMs: number) => void;
  /** Called when an attempt succeeds after at least one failure. */
  onRecovered?: (failedAttempts: number) => void;
}

/**
 * Why this is not `p-retry` / `exponential-backoff` / `async-retry` (looked at for issue 13): the
 * delivery loop needs a retry that never gives up on its own (a sink that is down must not lose
 * data, so there is no attempt limit or deadline), stops only on an AbortSignal with *our*
 * {@link DeliveryAbortedError} (batch-loop tells a shutdown from a failure by that type), lets
 * {@link StartupError} and programming errors (TypeError, RangeError) through at once, and reports
 * each failure and the recovery to flow control (pause consumption, readiness, metrics). p-retry
 * does the attempt loop but throws its own AbortError and counts retries; wrapping it to restore
 * these semantics is more code than the 25 lines below, with `backoffDelay` unit-tested on its own.
 *
 * Runs `attempt` until it resolves, waiting with exponential backoff between failures. It never
 * gives up on its own (a sink that is down must not lose data): only `signal` stops it, with
 * {@link DeliveryAbortedError}. Programming errors (TypeError, RangeError) are rethrown at once.
 */
export async function retryUntilDone<T>(
  attempt: () => Promise<T>,
  options: { signal?: AbortSignal; backoff?: BackoffOptions } & RetryHooks = {},
): Promise<T> {
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  for (let failures = 0; ; ) {
    if (options.signal?.aborted) throw new DeliveryAbortedError();
    try {
      const value = await attempt();
      if (failures > 0) options.onRecovered?.(failures);
      return value;
    } catch (err) {
      if (err instanceof TypeError || err instanceof RangeError) throw err;
      if (err instanceof DeliveryAbortedError || err instanceof StartupError) throw err;
      failures += 1;
      const delayMs = backoffDelay(failures, backoff);
      options.onFailure?.(err, failures, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}

/**
 * True for errors that say retrying may help. Typed errors carry the decision; of kafkajs
 * errors, authentication and authorization failures are final (also when wrapped in
 * `KafkaJSNumberOfRetriesExceeded`); anything else (connection refused, broker or cluster still
 * starting) may pass.
 */
export function isRetriable(err: unknown): boolean {
  if (err instanceof TokenwatchError) return err.retriable;
  const e = err as { name?: unknown; type?: unknown; originalError?: unknown } | null;
  if (!e || typeof e !== 'object') return true;
  if (e.name === 'KafkaJSSASLAuthenticationError') return false;
  if (typeof e.type === 'string' && /AUTHORIZATION_FAILED|AUTHENTICATION_FAILED/.test(e.type)) return false;
  if (e.name === 'KafkaJSNumberOfRetriesExceeded' && e.originalError) return isRetriable(e.originalError);
  return true;
}
