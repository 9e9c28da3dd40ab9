import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { contextOf, DAY, dailyTimes, HOUR, plainView, trainedContext } from '../testing.js';
import { tokenBehaviorResourceBreadth as detector } from './detector.js';

const START = Date.UTC(2025, 6, 1);
const BURST_AT = START + 30 * DAY + 10 * HOUR;
const KNOWN = ['acme/api', 'acme/web', 'acme/docs'];

type Overrides = Parameters<typeof activityFixture>[0];
const repo = (name: string) => ({ tokenwatch: { resource: { type: 'repo', name } } });

/** 30 days of clones of three repos. */
const history = (overrides: Overrides = {}): TokenActivity[] =>
  dailyTimes({ start: START, days: 30, perDay: 6 }).map((at, i) =>
    activityFixture({ ...overrides, ...repo(KNOWN[i % 3] ?? 'acme/api'), at, event: { id: `h${i}` } }),
  );
/** Clones of `n` never-seen private repos, one a minute. */
const sweep = (n: number, overrides: Overrides = {}) =>
  Array.from({ length: n }, (_, i) =>
    activityFixture({
      ...overrides,
      ...repo(`acme/secret-${i}`),
      at: BURST_AT + i * 60_000,
      event: { id: `s${i}` },
    }),
  );
const probeAfter = (n: number, overrides: Overrides = {}) =>
  activityFixture({
    ...overrides,
    ...repo('acme/payroll'),
    at: BURST_AT + n * 60_000 + 1000,
    event: { id: 'probe' },
  });

describe(detector.id, () => {
  it('fires on the 10th never-seen repo within an hour (S3 clone sweep), explaining the usual set', () => {
    const probe = probeAfter(9);
    const [f] = detector.evaluate(probe, trainedContext([...history(), ...sweep(9)], probe));
    expect(f?.reason).toContain(
      'touched 10 repo resources never touched before within 1 h (latest: acme/payroll)',
    );
    expect(f?.reason).toContain(
      'this token touched 3 distinct resources before this burst (mostly repo:acme/',
    );
    expect(f?.explanation).toMatchObject({
      feature: 'new_resources_per_window',
      observed: 10,
      window: '1 h',
      baseline_entity: 'token',
      maturity: 'mature',
    });
    expect(f?.explanation.expected).toContain('fewer than 10 new resources per 1 h');
  });

  it('fires once: quiet below the threshold, past it, and for known repos', () => {
    const below = probeAfter(8);
    expect(detector.evaluate(below, trainedContext([...history(), ...sweep(8)], below))).toEqual([]);
    const past = probeAfter(10);
    expect(detector.evaluate(past, trainedContext([...history(), ...sweep(10)], past))).toEqual([]);
    const known = activityFixture({ ...repo('acme/web'), at: BURST_AT + 20 * 60_000 });
    expect(detector.evaluate(known, trainedContext([...history(), ...sweep(12)], known))).toEqual([]);
  });

  it('counts what is new to the owner for a brand-new token (S10), not everything', () => {
    const noClient = { token: { client: undefined } };
    const fresh = { token: { id: 'github:hash:fresh', client: undefined } };
    const probe = probeAfter(9, fresh);
    const [f] = detector.evaluate(probe, trainedContext([...history(noClient), ...sweep(9, fresh)], probe));
    expect(f?.explanation.baseline_entity).toBe('owner');
    // The same new token cloning the owner's usual repos is not breadth.
    const usual = KNOWN.flatMap((name, i) =>
      Array.from({ length: 4 }, (_, k) =>
        activityFixture({
          ...fresh,
          ...repo(name),
          at: BURST_AT + (i * 4 + k) * 60_000,
          event: { id: `u${i}${k}` },
        }),
      ),
    );
    const again = activityFixture({ ...fresh, ...repo('acme/api'), at: BURST_AT + 30 * 60_000 });
    expect(detector.evaluate(again, trainedContext([...history(noClient), ...usual], again))).toEqual([]);
  });

  it('stays quiet for a bot that touches hundreds of repos every run (N4: high usual novelty rate)', () => {
    const bot = { token: { principal: 'machine' as const } };
    const botHistory = dailyTimes({ start: START, days: 20, perDay: 60, hours: [3] }).map((at, i) =>
      activityFixture({ ...bot, ...repo(`acme/svc-${i % 300}`), at, event: { id: `h${i}` } }),
    );
    const runAt = START + 20 * DAY + 3 * HOUR;
    const run = Array.from({ length: 40 }, (_, i) =>
      activityFixture({
        ...bot,
        ...repo(`acme/svc-${(i * 7) % 300}`),
        at: runAt + i * 30_000,
        event: { id: `r${i}` },
      }),
    );
    const probe = activityFixture({ ...bot, ...repo('acme/svc-299'), at: runAt + 41 * 30_000 });
    expect(detector.evaluate(probe, trainedContext([...botHistory, ...run], probe))).toEqual([]);
  });

  it('stays quiet when a saturated resource set has no eviction counter (novelty unknowable)', () => {
    const names = Array.from({ length: 32 }, (_, i) => `repo:acme/r${i}`);
    const view = plainView({
      seen: { resource: names },
      current: { newResourceTimes: Array(9).fill(BURST_AT) },
    });
    const probe = probeAfter(9);
    expect(detector.evaluate(probe, contextOf({ token: view }))).toEqual([]);
  });
});
