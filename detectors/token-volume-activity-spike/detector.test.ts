import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { contextOf, DAY, dailyTimes, HOUR, plainView, trainedContext } from '../testing.js';
import { tokenVolumeActivitySpike as detector } from './detector.js';

const START = Date.UTC(2025, 6, 1);
const PROBE_HOUR = START + 30 * DAY + 10 * HOUR;

/** One clone per office hour for 30 days: median 1, p99 1 events/hour. */
const history = (overrides: Parameters<typeof activityFixture>[0] = {}): TokenActivity[] =>
  dailyTimes({ start: START, days: 30, perDay: 9 }).map((at, i) =>
    activityFixture({ ...overrides, at, event: { id: `h${i}` } }),
  );
/** `n` events in the probe hour, one every 2 minutes (the burst before the probe). */
const burst = (n: number, overrides: Parameters<typeof activityFixture>[0] = {}) =>
  Array.from({ length: n }, (_, i) =>
    activityFixture({ ...overrides, at: PROBE_HOUR + i * 120_000, event: { id: `b${i}` } }),
  );
const probeAfter = (n: number, overrides: Parameters<typeof activityFixture>[0] = {}) =>
  activityFixture({ ...overrides, at: PROBE_HOUR + n * 120_000 + 1000, event: { id: 'probe' } });

describe(detector.id, () => {
  it('fires once, on the event that crosses the threshold, with observed vs p50/p99 and z', () => {
    const probe = probeAfter(19);
    const [f] = detector.evaluate(probe, trainedContext([...history(), ...burst(19)], probe));
    expect(f?.reason).toContain(
      'made 20 calls in the hour from 10:00 UTC: 20x the hourly p99 of 1 (median 1, robust z 19)',
    );
    expect(f?.explanation).toMatchObject({
      feature: 'events_per_hour',
      observed: 20,
      baseline_p50: 1,
      baseline_p99: 1,
      zscore: 19,
      window: '1h',
      baseline_entity: 'token',
      maturity: 'mature',
    });
    expect(f?.explanation.expected).toContain('spike above 20');
  });

  it('does not fire again past the threshold, nor below it', () => {
    const after = probeAfter(20);
    expect(detector.evaluate(after, trainedContext([...history(), ...burst(20)], after))).toEqual([]);
    const below = probeAfter(17);
    expect(detector.evaluate(below, trainedContext([...history(), ...burst(17)], below))).toEqual([]);
  });

  it('measures the owner across tokens for a cold-start token', () => {
    const noClient = { token: { client: undefined } };
    const fresh = { token: { id: 'github:hash:fresh', client: undefined } };
    const probe = probeAfter(19, fresh);
    const [f] = detector.evaluate(probe, trainedContext([...history(noClient), ...burst(19, fresh)], probe));
    expect(f?.explanation.baseline_entity).toBe('owner');
    expect(f?.reason).toContain("(its owner's tokens together)");
  });

  it('stays quiet for a bot whose busy hour is already that busy (N4)', () => {
    const bot = { token: { principal: 'machine' as const } };
    const botHistory = dailyTimes({ start: START, days: 20, perDay: 60, hours: [3] }).map((at, i) =>
      activityFixture({ ...bot, at, event: { id: `h${i}` } }),
    );
    const hour = START + 20 * DAY + 3 * HOUR;
    const run = Array.from({ length: 70 }, (_, i) =>
      activityFixture({ ...bot, at: hour + i * 30_000, event: { id: `r${i}` } }),
    );
    const probe = activityFixture({ ...bot, at: hour + 71 * 30_000 });
    expect(detector.evaluate(probe, trainedContext([...botHistory, ...run], probe))).toEqual([]);
  });

  it('uses the no-history floor when the baseline has too few hourly samples', () => {
    const view = plainView({
      hourlyEvents: { n: 3, median: 2, p99: 2, max: 2 },
      current: { hourStart: PROBE_HOUR, events: 299 },
    });
    const probe = activityFixture({ at: PROBE_HOUR + 50 * 60_000 });
    const [f] = detector.evaluate(probe, contextOf({ token: view }));
    expect(f?.reason).toContain(
      'made 300 calls in the hour from 10:00 UTC, with no hourly history to compare with',
    );
    expect(f?.explanation.zscore).toBe(0);
  });

  it('judges a token with no mature baseline anywhere against the no-history floor', () => {
    const run = Array.from({ length: 299 }, (_, i) =>
      activityFixture({ at: PROBE_HOUR + i * 10_000, event: { id: `r${i}` } }),
    );
    const probe = activityFixture({ at: PROBE_HOUR + 3_000_000 });
    const ctx = trainedContext(run, probe);
    expect(ctx.reference).toBeUndefined();
    const [f] = detector.evaluate(probe, ctx);
    expect(f?.reason).toContain(
      'made 300 calls in the hour from 10:00 UTC, above the 300 calls/hour allowed without a baseline',
    );
    expect(f?.explanation.baseline_entity).toBe('none');
  });

  it('stays quiet without a mature baseline below the floor', () => {
    const probe = probeAfter(19);
    expect(
      detector.evaluate(probe, trainedContext([...history().slice(0, 10), ...burst(19)], probe)),
    ).toEqual([]);
  });
});
