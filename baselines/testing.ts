import type { TokenActivity } from '../schemas/token-activity.js';
import { BaselineStore, type BaselineStoreConfig } from './store.js';

/**
 * Test builders for other modules' tests: a valid activity with overrides, and a REAL baseline
 * trained from synthetic activity instead of hand-faked views.
 *
 * @example
 * const t0 = FIXTURE_TIME_MS;
 * const history = Array.from({ length: 60 }, (_, i) => activityFixture({ at: t0 + i * 4 * 3_600_000 }));
 * const store = trainStore(history); // 10 days, 60 events: mature with the defaults (7 days, 30 events)
 * const attack = activityFixture({ at: t0 + 11 * 86_400_000, source: { ip: '198.51.100.7' } });
 * const ctx = store.contextFor(attack);
 */
export { activityFixture, type DeepPartial, FIXTURE_TIME_MS, isoAt } from './fixture.js';
export { seededRandom } from './seeded-random.js';
export { snapshotView, type ViewSnapshot } from './snapshot.js';
export { type DeveloperHistoryOptions, developerTokenHistory } from './synthetic.js';

/**
 * A {@link BaselineStore} with every activity folded in, in the given order (event time need not
 * be sorted: late events are handled as in production). `config` defaults to the store defaults
 * (learningDays 7, learningEvents 30, setCap 32).
 */
export const trainStore = (
  activities: Iterable<TokenActivity>,
  config?: BaselineStoreConfig,
): BaselineStore => {
  const store = new BaselineStore(config);
  for (const a of activities) store.update(a);
  return store;
};
