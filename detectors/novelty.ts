import { z } from 'zod';

/**
 * The "never seen before, within a window" pieces the novelty-burst detectors share
 * (`token.behavior.first_seen_action`, `token.behavior.resource_breadth`,
 * `app.impersonation_fanout`): the window setting and the count of first-seen times in it.
 */

/**
 * The `breadthWindowMs` setting: the window of never-seen values, ms, 1 min .. 1 h (a baseline's
 * first-seen times are kept for its 1 h recent window, `baselines/config.ts` `recentWindowMs`).
 */
export const breadthWindowSetting = (): z.ZodDefault<z.ZodNumber> =>
  z
    .number()
    .int()
    .min(60_000)
    .max(3_600_000)
    .default(3_600_000)
    .describe("Window of never-seen values, ms (at most the baselines' 1 h recent window)");

/**
 * How many first-seen times (epoch ms) fall in the window `(atMs - windowMs, atMs]`; with
 * `{ later: true }` also those after `atMs` (already folded in, arrived earlier: counting them
 * makes a threshold crossing follow arrival order when a burst is delivered out of event-time
 * order).
 */
export function firstSeenInWindow(
  times: Iterable<number>,
  atMs: number,
  windowMs: number,
  options: { later?: boolean } = {},
): number {
  const from = atMs - windowMs;
  let n = 0;
  for (const t of times) if (t > from && (options.later === true || t <= atMs)) n++;
  return n;
}
