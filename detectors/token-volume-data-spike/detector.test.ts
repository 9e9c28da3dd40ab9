import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { DAY, dailyTimes, HOUR, salesforceActivity, trainedContext } from '../testing.js';
import { tokenVolumeDataSpike as detector } from './detector.js';

const START = Date.UTC(2025, 4, 1);
const EVERY_HOUR = Array.from({ length: 24 }, (_, h) => h);

/** The Drift integration: 2 REST lookups of 20 rows every hour, 24x7, for `days` days. */
const drift = (days: number, start = START): TokenActivity[] =>
  dailyTimes({ start, days, perDay: 48, hours: EVERY_HOUR }).map((at, i) =>
    salesforceActivity({ at, event: { id: `h${i}` } }),
  );

const bulk = (at: number, rows: number, id = 'bulk') =>
  salesforceActivity({
    at,
    event: { id, action: 'BulkApiResultEvent' },
    tokenwatch: { api_type: 'Bulk2', resource: { type: 'sobject', name: 'Case' }, volume: { rows } },
  });

describe(detector.id, () => {
  it('fires high for a bulk export ~5,000x the hourly baseline (S1), with p50/p99 and z', () => {
    const probe = bulk(START + 30 * DAY + 14 * HOUR + 30 * 60_000, 200_000);
    const [f, ...rest] = detector.evaluate(probe, trainedContext(drift(30), probe));
    expect(rest).toHaveLength(0);
    expect(f?.severity).toBe('high');
    expect(f?.reason).toMatch(
      /^OAuth token salesforce:grant:005000000000001AAA:0H4000000000001 \(app "Drift"\) of drift.integration@acme.com read/,
    );
    expect(f?.reason).toContain('read 200,000 rows in the hour from 14:00 UTC: 5,000x the hourly p99 of 40');
    expect(f?.explanation).toMatchObject({
      feature: 'rows_per_hour',
      observed: 200_000,
      baseline_p50: 40,
      baseline_p99: 40,
      window: '1h',
      baseline_entity: 'token',
    });
    expect(f?.explanation.zscore).toBeGreaterThan(100_000);
    expect(f?.explanation.expected).toContain('median 40 and p99 40 rows/hour');
  });

  it('is medium just past the threshold and fires only when crossing it', () => {
    const at = START + 30 * DAY + 14 * HOUR + 30 * 60_000;
    const history = [...drift(30), bulk(at, 4_000, 'b1')];
    const probe = bulk(at + 60_000, 2_000, 'b2');
    const [f] = detector.evaluate(probe, trainedContext(history, probe));
    expect(f?.severity).toBeUndefined();
    expect(f?.explanation.observed).toBe(6_000);
    const again = bulk(at + 120_000, 2_000, 'b3');
    expect(detector.evaluate(again, trainedContext([...history, probe], again))).toEqual([]);
  });

  it('stays quiet for a quarterly backfill when history holds the previous one (N5)', () => {
    const days = 100;
    const history = [...drift(days), bulk(START + 5 * DAY + 2 * HOUR, 10_000_000, 'q1')];
    const probe = bulk(START + days * DAY + 2 * HOUR, 12_000_000, 'q2');
    expect(detector.evaluate(probe, trainedContext(history, probe))).toEqual([]);
    // Without the earlier backfill the same run is a spike.
    expect(detector.evaluate(probe, trainedContext(drift(days), probe))).toHaveLength(1);
  });

  it('stays quiet for a bot whose hourly clones are already that high (N4)', () => {
    const bot = {
      token: { principal: 'machine' as const },
      tokenwatch: { volume: { items: 1, bytes: 1000 } },
    };
    const history = dailyTimes({ start: START, days: 20, perDay: 150, hours: [3] }).map((at, i) =>
      activityFixture({ ...bot, at, event: { id: `h${i}` } }),
    );
    const hour = START + 20 * DAY + 3 * HOUR;
    const run = Array.from({ length: 299 }, (_, i) =>
      activityFixture({ ...bot, at: hour + i * 10_000, event: { id: `r${i}` } }),
    );
    const probe = activityFixture({ ...bot, at: hour + 3_000_000 });
    expect(detector.evaluate(probe, trainedContext([...history, ...run], probe))).toEqual([]);
  });

  it('judges a new token by its owner who never exported against the no-history floor (S2 cold start)', () => {
    // A sales rep's browser sessions (no rows), then a new connected app's first bulk job.
    const browser = dailyTimes({ start: START, days: 30, perDay: 9 }).map((at, i) =>
      salesforceActivity({
        at,
        event: { id: `s${i}`, action: 'LightningUriEvent' },
        token: {
          id: 'salesforce:user:005000000000002AAA',
          key_kind: 'session',
          type: 'session',
          client: undefined,
          principal: 'human',
        },
        tokenwatch: { volume: undefined, api_type: undefined },
      }),
    );
    const probe = bulk(START + 30 * DAY + 10 * HOUR, 300_000);
    probe.token = {
      ...probe.token,
      id: 'salesforce:grant:005000000000001AAA:0H4EVIL',
      client: { id: '0H4EVIL', name: 'My Ticket Portal' },
    };
    const ctx = trainedContext(browser, probe);
    expect(ctx.reference?.entity).toBe('owner');
    const [f] = detector.evaluate(probe, ctx);
    expect(f?.explanation.baseline_entity).toBe('owner');
    expect(f?.explanation.baseline_p99).toBe(0);
    expect(f?.reason).toContain("read 300,000 rows in the hour from 10:00 UTC (its owner's tokens together)");
    // A person's first data-loader export of thousands of rows stays under the no-history floor
    // that a comparison with the owner's browser sessions needs.
    const small = bulk(START + 30 * DAY + 10 * HOUR, 20_000);
    small.token = probe.token;
    expect(detector.evaluate(small, trainedContext(browser, small))).toEqual([]);
  });

  it('judges a token with no mature baseline anywhere against the no-history floor', () => {
    const job = (rows: number, at: number, id: string) => {
      const a = bulk(at, rows, id);
      a.user = { id: '005000000000009AAA' };
      a.token = {
        ...a.token,
        id: 'salesforce:grant:005000000000009AAA:0H4EVIL',
        client: { id: '0H4EVIL' },
        owner: {},
      };
      return a;
    };
    const t = START + 30 * DAY + 15 * HOUR;
    const small = job(60_000, t + 60_000, 'j2');
    expect(detector.evaluate(small, trainedContext([job(30_000, t, 'j1')], small))).toEqual([]);
    const big = job(80_000, t + 120_000, 'j3');
    const [f] = detector.evaluate(big, trainedContext([job(30_000, t, 'j1'), small], big));
    expect(f?.reason).toContain(
      'read 170,000 rows in the hour from 15:00 UTC, above the 100,000 rows/hour allowed without a baseline (neither the token, its app nor its owner has a mature one).',
    );
    expect(f?.explanation).toMatchObject({ baseline_entity: 'none', observed: 170_000, history_events: 0 });
  });

  it('ignores activities without volume', () => {
    const probe = salesforceActivity({ at: START + 30 * DAY, tokenwatch: { volume: undefined } });
    expect(detector.evaluate(probe, trainedContext(drift(30), probe))).toEqual([]);
  });
});
