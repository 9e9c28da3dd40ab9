import type {
  CounterDecl,
  DistinctDecl,
  FirstSeenDecl,
  StateKeyKind,
  WindowDecl,
} from '../baselines/keyed-state.js';

/**
 * Declaring detector state (baselines/keyed-state.ts holds the storage the pipeline owns). A
 * detector lists what it must remember in `state`, updates it in `observe` (after every
 * detector evaluated the activity: evaluate-then-update), and reads it in `evaluate` as
 * `env.state`. Every table is keyed by one key of the activity (token, app, owner, org, source
 * address) and bounded (keys, values per key, TTL), saved and restored with the pipeline state.
 *
 * ```ts
 * state: { failures: slidingWindow({ key: 'owner', windowMs: 14 * DAY_MS, cap: 64 }) },
 * observe(activity, { state }) { if (isFailure(activity)) state.failures.add(eventTimeMs(activity), { prefix }); },
 * evaluate(activity, ctx, { state }) { const recent = state.failures.entries(atMs - WEEK); ... },
 * ```
 */

const DAY_MS = 86_400_000;
/** Default bounds: 16,384 keys, idle keys dropped after 30 days. */
const DEFAULTS = { maxKeys: 16_384, ttlMs: 30 * DAY_MS };

type Opt<T, K extends keyof T> = Omit<T, K | 'kind'> & Partial<Pick<T, K>>;

/** Values with first/last time and count per key (new apps, users an app acted as, offboarded users). */
export const firstSeenSet = (
  o: Opt<FirstSeenDecl, 'maxKeys' | 'ttlMs'> & { key: StateKeyKind },
): FirstSeenDecl => ({
  kind: 'first_seen',
  ...DEFAULTS,
  ...o,
});
/** Time-ordered entries per key within `windowMs` (failed sign-ins, consents). */
export const slidingWindow = (
  o: Opt<WindowDecl, 'maxKeys' | 'ttlMs'> & { key: StateKeyKind },
): WindowDecl => ({
  kind: 'window',
  ...DEFAULTS,
  ttlMs: o.windowMs,
  ...o,
});
/** A count per key, reset after `ttlMs` idle. */
export const keyedCounter = (
  o: Opt<CounterDecl, 'maxKeys' | 'ttlMs'> & { key: StateKeyKind },
): CounterDecl => ({
  kind: 'counter',
  ...DEFAULTS,
  ...o,
});
/** Distinct values per key, exact up to `cap` (then saturated). */
export const distinctCount = (
  o: Opt<DistinctDecl, 'maxKeys' | 'ttlMs'> & { key: StateKeyKind },
): DistinctDecl => ({
  kind: 'distinct',
  ...DEFAULTS,
  ...o,
});
