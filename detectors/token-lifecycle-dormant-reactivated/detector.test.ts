import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { DAY, dailyTimes, HOUR, trainedContext } from '../testing.js';
import { tokenLifecycleDormantReactivated as detector } from './detector.js';

const START = Date.UTC(2025, 0, 6);
/** Daily use for 30 days; the last use is on day 29 at 17:xx. */
const daily = (overrides: Parameters<typeof activityFixture>[0] = {}): TokenActivity[] =>
  dailyTimes({ start: START, days: 30, perDay: 9 }).map((at, i) =>
    activityFixture({ ...overrides, at, event: { id: `h${i}` } }),
  );
const lastUse = (h: TokenActivity[]) => Math.max(...h.map((a) => Date.parse(a['@timestamp'])));

describe(detector.id, () => {
  it('fires (medium) after 100 idle days for a token used daily, with its usual gap', () => {
    const h = daily();
    const probe = activityFixture({ at: lastUse(h) + 100 * DAY });
    const [f] = detector.evaluate(probe, trainedContext(h, probe));
    expect(f?.severity).toBeUndefined();
    expect(f?.entity).toBe('github:hash:fixturetoken');
    expect(f?.reason).toMatch(
      /^Classic PAT github:hash:fixturetoken of alice@example\.com was used again after 100 idle days \(last use 2025-02-04\); before that it was usually used again within \d+ h( \d+ min)? \(p99 gap; longest \d+ h( \d+ min)?\), 270 events in 29 days\.$/,
    );
    expect(f?.explanation).toMatchObject({
      feature: 'days_since_last_use',
      observed: 100,
      baseline_entity: 'token',
      history_events: 270,
    });
    expect(f?.explanation.expected).toContain('idle less than 90 days');
  });

  it('is high after half a year', () => {
    const h = daily();
    const probe = activityFixture({ at: lastUse(h) + 200 * DAY });
    expect(detector.evaluate(probe, trainedContext(h, probe))[0]?.severity).toBe('high');
  });

  it('fires for a dormant OAuth app through a brand-new grant (S7), about the app entity', () => {
    const legacy = daily({ token: { id: 'github:hash:legacy' } });
    const probe = activityFixture({ at: lastUse(legacy) + 250 * DAY, token: { id: 'github:hash:new' } });
    const [f] = detector.evaluate(probe, trainedContext(legacy, probe));
    expect(f?.entity).toBe('app:github:Iv1.fixture');
    expect(f?.severity).toBe('high');
    expect(f?.reason).toContain(
      'OAuth app "Fixture CLI" was used again (via Classic PAT github:hash:new of alice@example.com) after 250 idle days',
    );
    expect(f?.explanation.baseline_entity).toBe('app');
  });

  it('stays quiet below the dormancy setting and for a token used once a quarter', () => {
    const h = daily();
    const soon = activityFixture({ at: lastUse(h) + 30 * DAY });
    expect(detector.evaluate(soon, trainedContext(h, soon))).toEqual([]);

    const quarterly = [0, 1, 2, 3, 4].map((q) =>
      activityFixture({ at: START + q * 91 * DAY + 10 * HOUR, event: { id: `q${q}` } }),
    );
    const probe = activityFixture({ at: START + 4 * 91 * DAY + 10 * HOUR + 100 * DAY });
    expect(detector.evaluate(probe, trainedContext(quarterly, probe))).toEqual([]);
  });

  it('ignores the revocation of a dormant token', () => {
    const h = daily();
    const probe = activityFixture({ at: lastUse(h) + 120 * DAY, token: { lifecycle: 'revoked' } });
    expect(detector.evaluate(probe, trainedContext(h, probe))).toEqual([]);
  });
});
