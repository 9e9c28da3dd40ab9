import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { DAY, dailyTimes, HOUR, trainedContext } from '../testing.js';
import { activeHours, tokenTimeUnusualHour as detector, fmtHours } from './detector.js';

const START = Date.UTC(2025, 6, 1);
const NEXT_DAY = START + 30 * DAY;

const history = (
  hours: readonly number[],
  perDay: number,
  overrides: Parameters<typeof activityFixture>[0] = {},
) =>
  dailyTimes({ start: START, days: 30, perDay, hours }).map(
    (at, i): TokenActivity => activityFixture({ ...overrides, at, event: { id: `h${i}` } }),
  );
const OFFICE = [9, 10, 11, 12, 13, 14, 15, 16, 17];

describe(detector.id, () => {
  it('summarizes a profile as its active hours', () => {
    const shares = Array.from({ length: 24 }, (_, h) => (OFFICE.includes(h) ? 1 / 9 : 0));
    expect(fmtHours(activeHours(shares))).toBe('09-17 UTC');
    expect(fmtHours([22, 23, 0, 1])).toBe('00-01, 22-23 UTC');
  });

  /** The same country (DE), another network. */
  const elsewhere = {
    source: { ip: '198.51.100.7', geo: { country_iso_code: 'DE', city_name: 'Munich' } },
    tokenwatch: { network: { ip_prefix: '198.51.100.0/24' } },
  };

  it('fires (low) for a person used at 03:00 UTC from a never-seen network, naming the usual hours', () => {
    const probe = activityFixture({ ...elsewhere, at: NEXT_DAY + 3 * HOUR + 12 * 60_000 });
    const [f] = detector.evaluate(probe, trainedContext(history(OFFICE, 9), probe));
    expect(f?.severity).toBeUndefined();
    expect(detector.severity).toBe('low');
    expect(f?.reason).toContain('was used at 03:xx UTC, an hour with no activity at all in 29 days');
    expect(f?.reason).toContain(
      'this token was active at 09-17 UTC (90% of events). It came from a never-seen network 198.51.100.0/24.',
    );
    expect(f?.explanation).toMatchObject({
      feature: 'hour_of_day_share',
      observed: '03:00 UTC (0%)',
      expected: 'active hours 09-17 UTC; unusual below 0.5%',
      baseline_entity: 'token',
      maturity: 'mature',
    });
  });

  it('is medium for a nightly machine job running in the afternoon (S8)', () => {
    const etl = { token: { principal: 'machine' as const } };
    const probe = activityFixture({ ...etl, at: NEXT_DAY + 14 * HOUR });
    const [f] = detector.evaluate(probe, trainedContext(history([1, 2], 10, etl), probe));
    expect(f?.severity).toBe('medium');
    expect(f?.reason).toContain('active at 01-02 UTC');
  });

  it('stays quiet for a sparse bot whose few runs cannot make a schedule (< 240 events)', () => {
    const bot = { token: { principal: 'machine' as const } };
    const probe = activityFixture({ ...bot, at: NEXT_DAY + 14 * HOUR });
    // 2 runs a day at 01-02 UTC for 30 days: 60 events, a "profile" that says nothing yet
    expect(detector.evaluate(probe, trainedContext(history([1, 2], 2, bot), probe))).toEqual([]);
    // the same schedule with 10 runs a day (300 events) is a schedule, and 14:00 breaks it
    expect(detector.evaluate(probe, trainedContext(history([1, 2], 10, bot), probe))).toHaveLength(1);
  });

  it('judges a machine on its active hours: a bot woken at all hours stays quiet despite a weekly burst', () => {
    const bot = { token: { principal: 'machine' as const } };
    const at = (day: number, hour: number, minute = 0) => START + day * DAY + hour * HOUR + minute * 60_000;
    // a dependency bot: webhook-driven runs at 12 hours of the day every other day, and a weekly
    // sweep of 400 clones in one hour (90 % of its events at 03 UTC, but 4 of its ~190 active hours)
    const runs = Array.from({ length: 15 }, (_, d) =>
      [0, 1, 2, 4, 8, 10, 12, 14, 16, 18, 20, 22].map((h) => at(2 * d, h, 17)),
    ).flat();
    const sweeps = [0, 7, 14, 21].flatMap((d) => Array.from({ length: 400 }, (_, k) => at(d, 3, k / 8)));
    const events = [...runs, ...sweeps].map((t, i) =>
      activityFixture({ ...bot, at: t, event: { id: `b${i}` } }),
    );
    const probe = activityFixture({ ...bot, at: NEXT_DAY + 6 * HOUR + 5 * 60_000 });
    const ctx = trainedContext(events, probe);
    // by events it would look like a 03 UTC job; 06:xx has no events within an hour either side
    expect(ctx.token.hourOfDayShare(3)).toBeGreaterThan(0.85);
    expect(ctx.token.hourOfDayShare(6)).toBe(0);
    expect(ctx.token.activeHours).toBe(184);
    expect(detector.evaluate(probe, ctx)).toEqual([]);
    // a nightly job is a schedule by its active hours too (S8 above), and says so
    const etl = activityFixture({ ...bot, at: NEXT_DAY + 14 * HOUR });
    const [f] = detector.evaluate(etl, trainedContext(history([1, 2], 10, bot), etl));
    expect(f?.reason).toContain('active at 01-02 UTC (90% of active hours)');
  });

  it("stays quiet for a person's odd hour alone (usual network and client: working late)", () => {
    // Changed with v2: a lone odd hour of a person used to fire low; it was all noise on the tuning set.
    const probe = activityFixture({ at: NEXT_DAY + 3 * HOUR + 12 * 60_000 });
    expect(detector.evaluate(probe, trainedContext(history(OFFICE, 9), probe))).toEqual([]);
    const script = activityFixture({
      at: NEXT_DAY + 3 * HOUR,
      user_agent: { original: 'python-requests/2.32', name: 'python-requests' },
    });
    expect(detector.evaluate(script, trainedContext(history(OFFICE, 9), script))[0]?.reason).toContain(
      'It came from a never-seen client family python-requests.',
    );
  });

  it('stays quiet one hour past the usual end (neighbour rule) and within the profile', () => {
    const late = activityFixture({ ...elsewhere, at: NEXT_DAY + 18 * HOUR + 30 * 60_000 });
    expect(detector.evaluate(late, trainedContext(history(OFFICE, 9), late))).toEqual([]);
    const usual = activityFixture({ ...elsewhere, at: NEXT_DAY + 11 * HOUR });
    expect(detector.evaluate(usual, trainedContext(history(OFFICE, 9), usual))).toEqual([]);
  });

  it('leaves a person some slack (20:00 for a 09-17 profile) but not a machine job an hour early', () => {
    const evening = activityFixture({ ...elsewhere, at: NEXT_DAY + 20 * HOUR + 30 * 60_000 });
    expect(detector.evaluate(evening, trainedContext(history(OFFICE, 9), evening))).toEqual([]);
    const etl = { token: { principal: 'machine' as const } };
    const early = activityFixture({ ...etl, at: NEXT_DAY + 22 * HOUR });
    expect(detector.evaluate(early, trainedContext(history([1, 2], 10, etl), early))).toHaveLength(1);
  });

  it('stays quiet for a person abroad (another time zone, N2): the country detectors report the trip', () => {
    const abroad = activityFixture({
      user_agent: { original: 'python-requests/2.32', name: 'python-requests' },
      at: NEXT_DAY + 3 * HOUR,
      source: {
        ip: '126.0.0.5',
        geo: { country_iso_code: 'JP', city_name: 'Tokyo', location: { lat: 35.68, lon: 139.69 } },
      },
      tokenwatch: { network: { ip_prefix: '126.0.0.0/24' } },
    });
    expect(detector.evaluate(abroad, trainedContext(history(OFFICE, 9), abroad))).toEqual([]);
  });

  it("treats a per-user grant used from its owner's own address as a person (±3 h, low)", () => {
    // A mail or CRM plug-in (Salesforce for Outlook) is a "machine" OAuth grant that follows a person.
    const plugin = {
      token: {
        id: 'salesforce:grant:005A:0H4B',
        key_kind: 'oauth_grant' as const,
        type: 'oauth_access_token' as const,
        principal: 'machine' as const,
      },
    };
    const evening = activityFixture({ ...plugin, ...elsewhere, at: NEXT_DAY + 20 * HOUR + 30 * 60_000 });
    expect(detector.evaluate(evening, trainedContext(history(OFFICE, 9, plugin), evening))).toEqual([]);
    const night = activityFixture({ ...plugin, ...elsewhere, at: NEXT_DAY + 3 * HOUR });
    const [f] = detector.evaluate(night, trainedContext(history(OFFICE, 9, plugin), night));
    expect(f).toBeDefined();
    expect(f?.severity).toBeUndefined();
    // The same grant called from a vendor's cloud is a server-side integration: machine rules.
    const cloud = {
      ...plugin,
      tokenwatch: { network: { ip_prefix: '3.91.12.0/24', cloud_provider: 'aws' } },
    };
    const job = activityFixture({ ...cloud, at: NEXT_DAY + 22 * HOUR });
    expect(detector.evaluate(job, trainedContext(history([1, 2], 10, cloud), job))[0]?.severity).toBe(
      'medium',
    );
  });

  it('places a person by their latest non-cloud use when this use has no location (abroad: quiet)', () => {
    const inTokyo = activityFixture({
      at: NEXT_DAY + 2 * HOUR,
      event: { id: 'tokyo' },
      token: { id: 'github:hash:laptop' },
      source: { ip: '126.0.0.5', geo: { country_iso_code: 'JP', location: { lat: 35.68, lon: 139.69 } } },
      tokenwatch: { network: { ip_prefix: '126.0.0.0/24' } },
    });
    const script = {
      source: undefined,
      user_agent: { original: 'python-requests/2.32', name: 'python-requests' },
    };
    const probe = activityFixture({ ...script, at: NEXT_DAY + 3 * HOUR });
    expect(detector.evaluate(probe, trainedContext([...history(OFFICE, 9), inTokyo], probe))).toEqual([]);
    expect(detector.evaluate(probe, trainedContext(history(OFFICE, 9), probe))).toHaveLength(1);
  });

  it('never reports a person for a SaaS vendor calling from the cloud on their behalf (Zoom grant)', () => {
    const zoom = {
      token: { id: 'google_workspace:grant:alice:zoom', client: { id: 'zoom', name: 'Zoom' } },
      user_agent: undefined,
      source: { ip: '3.91.12.9', geo: { country_iso_code: 'US', location: { lat: 39.04, lon: -77.49 } } },
      tokenwatch: { network: { ip_prefix: '3.91.12.0/24', cloud_provider: 'aws' } },
    };
    const probe = activityFixture({ ...zoom, at: NEXT_DAY + 3 * HOUR });
    expect(detector.evaluate(probe, trainedContext(history(OFFICE, 9, zoom), probe))).toEqual([]);
  });

  it('ignores failed attempts (a spray at night is not the owner working)', () => {
    const probe = activityFixture({ ...elsewhere, at: NEXT_DAY + 3 * HOUR, event: { outcome: 'failure' } });
    expect(detector.evaluate(probe, trainedContext(history(OFFICE, 9), probe))).toEqual([]);
  });

  it('stays quiet for a 24x7 CI bot', () => {
    const allDay = Array.from({ length: 24 }, (_, h) => h).filter((h) => h !== 3);
    const probe = activityFixture({ at: NEXT_DAY + 3 * HOUR, token: { principal: 'machine' } });
    expect(detector.evaluate(probe, trainedContext(history(allDay, 23), probe))).toEqual([]);
  });

  it('reports once per token-hour and not on a learning baseline', () => {
    const first = activityFixture({ ...elsewhere, at: NEXT_DAY + 3 * HOUR, event: { id: 'first' } });
    const second = activityFixture({
      ...elsewhere,
      at: NEXT_DAY + 3 * HOUR + 60_000,
      event: { id: 'second' },
    });
    expect(detector.evaluate(second, trainedContext([...history(OFFICE, 9), first], second))).toEqual([]);
    const young = history(OFFICE, 9).slice(0, 20);
    expect(detector.evaluate(first, trainedContext(young, first))).toEqual([]);
  });
});
