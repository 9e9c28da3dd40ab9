/**
 * Test builders for other modules' tests: a valid activity with overrides, and (with the store)
 * a real trained baseline instead of hand-faked views.
 */
export { activityFixture, type DeepPartial, FIXTURE_TIME_MS, isoAt } from './fixture.js';
