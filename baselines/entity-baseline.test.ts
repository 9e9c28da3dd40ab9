import { mad as ssMad, median as ssMedian, quantile as ssQuantile } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import type { TokenActivity } from '../schemas/token-activity.js';
import { EntityBaseline, stateBytes } from './entity-baseline.js';
import type { DeepPartial } from './fixture.js';
import type { BaselineStoreConfig } from './store.js';
import {
  activityFixture,
  developerTokenHistory,
  FIXTURE_TIME_MS,
  seededRandom,
  snapshotView,
  trainStore,
} from './testing.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Monday 2025-08-04 00:00 UTC */
const MONDAY = FIXTURE_TIME_MS - 10 * HOUR;
const TOKEN = 'github:hash:fixturetoken';

const tokenOf = (acts: TokenActivity[], config?: BaselineStoreConfig): EntityBaseline => {
  const e = trainStore(acts, config).get('token', TOKEN);
  if (e === undefined) throw new Error('token not trained');
  return e;
};
const at = (t: number, o: DeepPartial<TokenActivity> = {}): TokenActivity => activityFixture({ ...o, at: t });
const shuffle = <T>(items: readonly T[], seed: number): T[] => {
  const rnd = seededRandom(seed);
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
};

describe('EntityBaseline counters and event time', () => {
  it('counts events and keeps first/last seen by event time', () => {
    const e = tokenOf([at(MONDAY + 5 * HOUR), at(MONDAY + 2 * HOUR), at(MONDAY + 9 * HOUR)]);
    expect(e.eventCount).toBe(3);
    expect(e.firstSeen).toBe(MONDAY + 2 * HOUR);
    expect(e.lastSeen).toBe(MONDAY + 9 * HOUR);
    expect(e.historyDays).toBeCloseTo(7 / 24, 10);
  });

  it('counts a late event in its own hour without touching lastSeen or the current hour', () => {
    const e = tokenOf([
      at(MONDAY + 10 * HOUR, { tokenwatch: { volume: { rows: 5 } } }),
      at(MONDAY + 12 * HOUR + 30 * MIN, { tokenwatch: { volume: { rows: 7 } } }),
      at(MONDAY + 10 * HOUR + 20 * MIN, { tokenwatch: { volume: { rows: 11 } } }),
    ]);
    expect(e.lastSeen).toBe(MONDAY + 12 * HOUR + 30 * MIN);
    expect(e.current).toMatchObject({ hourStart: MONDAY + 12 * HOUR, events: 1, rows: 7 });
    // the 10:00 hour (completed) now holds 2 events and 16 rows
    expect(e.hourlyEvents).toEqual({ n: 1, median: 2, mad: 0, p99: 2, max: 2 });
    expect(e.hourlyVolume('rows').max).toBe(16);
  });

  it('keeps events older than the 48 h tolerance out of the hourly series only', () => {
    // the newest hour is 101: hours 54..101 are kept, an event in hour 53 is too late
    const e = tokenOf([at(MONDAY + 100 * HOUR), at(MONDAY + 101 * HOUR), at(MONDAY + 53 * HOUR + 59 * MIN)]);
    expect(e.eventCount).toBe(3);
    expect(e.firstSeen).toBe(MONDAY + 53 * HOUR + 59 * MIN);
    expect(e.lastSeen).toBe(MONDAY + 101 * HOUR);
    expect(e.lateEvents).toBe(1);
    expect(e.hourlyEvents.n).toBe(1);
    const f = tokenOf([at(MONDAY + 100 * HOUR), at(MONDAY + 101 * HOUR), at(MONDAY + 54 * HOUR)]);
    expect(f.lateEvents).toBe(0);
    expect(f.hourlyEvents.n).toBe(2);
  });
});

describe('hourly series', () => {
  it('gives exact median/MAD/p99/max of events per completed active hour', () => {
    const counts = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4];
    const acts: TokenActivity[] = [];
    counts.forEach((c, h) => {
      for (let i = 0; i < c; i++) acts.push(at(MONDAY + h * HOUR + i * MIN));
    });
    acts.push(at(MONDAY + 30 * HOUR)); // current hour: not part of the stats
    const s = tokenOf(acts).hourlyEvents;
    expect(s).toEqual({
      n: 20,
      median: ssMedian(counts),
      mad: ssMad(counts),
      p99: ssQuantile(counts, 0.99),
      max: 9,
    });
    expect(s.median).toBe(4.5);
    expect(s.mad).toBe(2);
  });

  it('summarizes rows per hour within the ±4.5% binning, with the exact max', () => {
    // 10 days of one event per hour with rows = 100 + 37 * (h mod 50), then a quiet current hour
    const rows: number[] = [];
    const acts: TokenActivity[] = [];
    for (let h = 0; h < 240; h++) {
      const r = 100 + 37 * (h % 50);
      rows.push(r);
      acts.push(at(MONDAY + h * HOUR, { tokenwatch: { volume: { rows: r } } }));
    }
    acts.push(at(MONDAY + 240 * HOUR, { tokenwatch: { volume: { rows: 1 } } }));
    const s = tokenOf(acts).hourlyVolume('rows');
    expect(s.n).toBe(240);
    expect(s.max).toBe(Math.max(...rows)); // exact
    expect(Math.abs(s.median / ssMedian(rows) - 1)).toBeLessThan(0.045);
    expect(Math.abs(s.mad / ssMad(rows) - 1)).toBeLessThan(0.1);
    expect(Math.abs(s.p99 / ssQuantile(rows, 0.99) - 1)).toBeLessThan(0.045);
    // hours without volume count as 0 rows
    expect(tokenOf([at(MONDAY), at(MONDAY + HOUR), at(MONDAY + 2 * HOUR)]).hourlyVolume('rows')).toEqual({
      n: 2,
      median: 0,
      mad: 0,
      p99: 0,
      max: 0,
    });
  });

  it('makes a x1000 volume hour stand out against the baseline p99', () => {
    const acts = Array.from({ length: 200 }, (_, h) =>
      at(MONDAY + h * HOUR, { tokenwatch: { volume: { rows: 1000 + (h % 7) * 50 } } }),
    );
    const e = tokenOf([...acts, at(MONDAY + 200 * HOUR, { tokenwatch: { volume: { rows: 1_000_000 } } })]);
    expect(e.current.rows).toBe(1_000_000);
    expect(e.hourlyVolume('rows').p99).toBeLessThan(1400);
    expect(e.hourlyVolume('rows').max).toBe(1300);
  });
});

describe('inter-use gaps', () => {
  it('is 0 with fewer than two completed uses', () => {
    expect(tokenOf([at(MONDAY)]).gapP99).toBe(0);
    expect(tokenOf([at(MONDAY), at(MONDAY + 5 * HOUR)]).gapMax).toBe(0); // second use is the current hour
  });

  it('gives p99 and exact max of gaps between uses, including a long dormancy', () => {
    // 150 uses every 2 h at hh:10, a 95-day pause, 2 more uses, then one in a later hour (current)
    const times: number[] = [];
    for (let i = 0; i < 150; i++) times.push(MONDAY + i * 2 * HOUR + 10 * MIN);
    const resume = times[times.length - 1]! + 95 * DAY;
    times.push(resume, resume + 3 * HOUR, resume + 6 * HOUR);
    const e = tokenOf(times.map((t) => at(t)));
    const gaps = times.slice(1, -1).map((t, i) => t - times[i]!);
    expect(e.gapMax).toBe(95 * DAY);
    // 151 gaps (149 x 2 h, 3 h, 95 d): p99 interpolates 2 h and 3 h, the dormancy stays above it
    expect(ssQuantile(gaps, 0.99)).toBe(2.5 * HOUR);
    expect(Math.abs(e.gapP99 / (2.5 * HOUR) - 1)).toBeLessThan(0.091);
  });

  it('replaces a gap split by a late event (max and distribution)', () => {
    // uses at 10:00 and 20:00 (completed), 21:00 (current); then a late one at 15:00
    const inOrder = tokenOf([10, 15, 20, 21].map((h) => at(MONDAY + h * HOUR)));
    const late = tokenOf([10, 20, 21, 15].map((h) => at(MONDAY + h * HOUR)));
    expect(late.gapMax).toBe(5 * HOUR);
    expect(late.gapP99).toBe(inOrder.gapP99);
    expect(late.hourlyEvents).toEqual({ n: 3, median: 1, mad: 0, p99: 1, max: 1 });
    expect(late.toJSON()).toEqual(inOrder.toJSON());
  });

  it('approximates gaps inside one hour by their mean', () => {
    // 3 uses at 10:00, 10:10, 10:40 (gaps 10 and 30 min: mean 20 min), then 12:00 (gap 80 min), then 14:00
    const e = tokenOf([0, 10, 40, 120, 240].map((m) => at(MONDAY + 10 * HOUR + m * MIN)));
    expect(e.gapMax).toBe(80 * MIN);
    const all = [20 * MIN, 20 * MIN, 80 * MIN];
    expect(Math.abs(e.gapP99 / ssQuantile(all, 0.99) - 1)).toBeLessThan(0.091);
  });
});

describe('hour-of-week profile', () => {
  it('indexes Monday 00:00 UTC as 0 and shares sum to 1', () => {
    const history = developerTokenHistory({ days: 21 });
    const e = tokenOf([...history, at(MONDAY + 6 * DAY + 23 * HOUR + 30 * MIN)]); // Sunday 23:30
    let week = 0;
    for (let h = 0; h < 168; h++) week += e.hourOfWeekShare(h);
    let day = 0;
    for (let h = 0; h < 24; h++) day += e.hourOfDayShare(h);
    expect(week).toBeCloseTo(1, 12);
    expect(day).toBeCloseTo(1, 12);
    expect(e.hourOfWeekShare(167)).toBeCloseTo(1 / e.eventCount, 12);
    expect(e.hourOfWeekShare(5 * 24 + 12)).toBe(0); // Saturday noon: never
    expect(e.hourOfDayShare(3)).toBe(0);
    expect(e.hourOfWeekShare(168)).toBe(0);
    const single = tokenOf([at(MONDAY + 10 * HOUR)]);
    expect(single.hourOfWeekShare(10)).toBe(1);
    expect(single.hourOfDayShare(10)).toBe(1);
  });
});

describe('maturity', () => {
  it('needs both the history span and the event count', () => {
    const cfg = { learningDays: 7, learningEvents: 30 };
    // 100 events within one day: enough events, too short
    const burst = Array.from({ length: 100 }, (_, i) => at(MONDAY + i * 10 * MIN));
    expect(tokenOf(burst, cfg).maturity).toBe('learning');
    // 29 events over 10 days: long enough, too few; the 30th makes it mature
    const sparse = Array.from({ length: 29 }, (_, i) => at(MONDAY + (i * 10 * DAY) / 28));
    const store = trainStore(sparse, cfg);
    expect(store.get('token', TOKEN)?.maturity).toBe('learning');
    store.update(at(MONDAY + 10 * DAY + HOUR));
    expect(store.get('token', TOKEN)?.maturity).toBe('mature');
    // exactly 7 days of span counts
    const edge = [...Array.from({ length: 29 }, (_, i) => at(MONDAY + i * HOUR)), at(MONDAY + 7 * DAY)];
    expect(tokenOf(edge, cfg).maturity).toBe('mature');
    expect(tokenOf(edge, { learningDays: 7.5, learningEvents: 30 }).maturity).toBe('learning');
  });
});

describe('first/last-seen sets', () => {
  it('keeps count, first and last seen per value for every dimension', () => {
    const e = tokenOf([
      at(MONDAY, { token: { scopes: ['repo', 'gist'] } }),
      at(MONDAY + HOUR, {
        user_agent: { name: 'curl', original: 'curl/8.5' },
        tokenwatch: { api_type: 'rest' },
      }),
      at(MONDAY + 2 * HOUR),
    ]);
    expect(e.seen('ip_prefix', '203.0.113.0/24')).toEqual({
      count: 3,
      firstSeen: MONDAY,
      lastSeen: MONDAY + 2 * HOUR,
    });
    expect(e.seen('country', 'DE')?.count).toBe(3);
    expect(e.seen('ua_family', 'curl')).toEqual({
      count: 1,
      firstSeen: MONDAY + HOUR,
      lastSeen: MONDAY + HOUR,
    });
    expect(e.seen('action', 'git.clone')?.count).toBe(3);
    expect(e.seen('resource', 'repo:acme/api')?.count).toBe(3);
    expect(e.seen('client', 'Iv1.fixture')?.count).toBe(3);
    expect(e.seen('api_type', 'rest')?.count).toBe(1);
    expect(e.seen('scope', 'gist')).toEqual({ count: 1, firstSeen: MONDAY, lastSeen: MONDAY });
    expect(e.seen('scope', 'repo')?.count).toBe(3);
    expect(e.seen('ua_family', 'git/2.43.0')).toBeUndefined();
    expect(e.distinct('ua_family')).toBe(2);
    expect(e.top('ua_family', 5)).toEqual(['git', 'curl']);
    expect(e.top('ua_family', 1)).toEqual(['git']);
    expect([...e.scopes].sort()).toEqual(['gist', 'repo']);
  });

  it('holds the cap under 10k distinct values and keeps a frequent value', () => {
    const acts: TokenActivity[] = [];
    for (let i = 0; i < 10_000; i++) {
      acts.push(at(MONDAY + i * MIN, { tokenwatch: { resource: { type: 'repo', name: `acme/r${i}` } } }));
      if (i % 10 === 0)
        acts.push(at(MONDAY + i * MIN + 1, { tokenwatch: { resource: { type: 'repo', name: 'acme/hot' } } }));
    }
    const e = tokenOf(acts);
    expect(e.distinct('resource')).toBe(32);
    expect(e.evicted('resource')).toBe(10_001 - 32);
    expect(e.seen('resource', 'repo:acme/hot')?.count).toBe(1000);
    expect(e.seen('resource', 'repo:acme/r9999')?.count).toBe(1);
    expect(e.seen('resource', 'repo:acme/r0')).toBeUndefined();
    expect(e.top('resource', 100)).toHaveLength(32);
    expect(e.top('resource', 1)).toEqual(['repo:acme/hot']);
    expect(e.current.newResourceTimes.length).toBeLessThanOrEqual(64);
    expect(stateBytes(e)).toBeLessThan(6 * 1024);
    const capped = tokenOf(acts.slice(0, 500), { setCap: 8 });
    expect(capped.distinct('resource')).toBe(8);
  });
});

describe('current window', () => {
  it('lists first-seen resources and actions of the last hour, oldest first', () => {
    const repo = (name: string, t: number, action = 'git.clone') =>
      at(t, { event: { action }, tokenwatch: { resource: { type: 'repo', name } } });
    const e = tokenOf([
      repo('a', MONDAY),
      repo('b', MONDAY + 50 * MIN),
      repo('a', MONDAY + 70 * MIN),
      repo('c', MONDAY + 80 * MIN, 'git.push'),
      repo('d', MONDAY + 75 * MIN), // late, still in the window: inserted in order
    ]);
    expect(e.current.newResourceTimes).toEqual([MONDAY + 50 * MIN, MONDAY + 75 * MIN, MONDAY + 80 * MIN]);
    expect(e.current.newActionTimes).toEqual([MONDAY + 80 * MIN]);
    expect(e.current.hourStart).toBe(MONDAY + HOUR);
    expect(e.current.events).toBe(3);
    // a late event seen earlier than b's first sighting moves b's entry out of the window
    const f = tokenOf([
      repo('b', MONDAY + 50 * MIN),
      repo('x', MONDAY + 80 * MIN),
      repo('b', MONDAY + 5 * MIN),
    ]);
    expect(f.current.newResourceTimes).toEqual([MONDAY + 80 * MIN]);
    expect(f.seen('resource', 'repo:b')?.firstSeen).toBe(MONDAY + 5 * MIN);
  });

  it('caps the list at 64 entries', () => {
    const acts = Array.from({ length: 100 }, (_, i) =>
      at(MONDAY + i * 10_000, { tokenwatch: { resource: { type: 'repo', name: `r${i}` } } }),
    );
    const e = tokenOf(acts);
    expect(e.current.newResourceTimes).toHaveLength(64);
    expect(e.current.newResourceTimes[0]).toBe(MONDAY + 36 * 10_000);
  });
});

describe('lifecycle, location and created context', () => {
  const lc = (
    t: number,
    lifecycle: TokenActivity['token']['lifecycle'],
    o: DeepPartial<TokenActivity> = {},
  ) => at(t, { ...o, token: { lifecycle } });

  it('sets revokedAt on revoked/expired and clears it on a later created/authorized, in any order', () => {
    expect(tokenOf([lc(MONDAY, 'created'), at(MONDAY + HOUR)]).revokedAt).toBeUndefined();
    expect(tokenOf([lc(MONDAY, 'created'), lc(MONDAY + DAY, 'revoked')]).revokedAt).toBe(MONDAY + DAY);
    expect(tokenOf([lc(MONDAY, 'expired')]).revokedAt).toBe(MONDAY);
    const events = [lc(MONDAY, 'created'), lc(MONDAY + DAY, 'revoked'), lc(MONDAY + 2 * DAY, 'authorized')];
    expect(tokenOf(events).revokedAt).toBeUndefined();
    expect(tokenOf([events[2]!, events[1]!, events[0]!]).revokedAt).toBeUndefined();
    expect(tokenOf([lc(MONDAY + 3 * DAY, 'revoked'), ...events]).revokedAt).toBe(MONDAY + 3 * DAY);
  });

  it('keeps the context of the latest created/authorized event', () => {
    const created = lc(MONDAY, 'created', {
      source: { ip: '192.0.2.5', geo: { country_iso_code: 'US', location: { lat: 40.7, lon: -74 } } },
      tokenwatch: { network: { ip_prefix: '192.0.2.0/24' } },
    });
    const e = tokenOf([created, at(MONDAY + 5 * MIN)]);
    expect(e.created).toEqual({ at: MONDAY, ip: '192.0.2.5', country: 'US', ipPrefix: '192.0.2.0/24' });
    const reauth = lc(MONDAY + DAY, 'authorized', { source: undefined, tokenwatch: { network: undefined } });
    expect(tokenOf([reauth, created]).created).toEqual({ at: MONDAY + DAY });
    expect(tokenOf([at(MONDAY)]).created).toBeUndefined();
  });

  it('updates the last location only from located events, never from an older one', () => {
    const tokyo = at(MONDAY + 2 * HOUR, {
      source: {
        ip: '198.51.100.99',
        geo: { country_iso_code: 'JP', city_name: 'Tokyo', location: { lat: 35.68, lon: 139.69 } },
      },
      tokenwatch: { network: { ip_prefix: '198.51.100.0/24', cloud_provider: 'aws' } },
    });
    const noGeo = at(MONDAY + 3 * HOUR, { source: { ip: '192.0.2.1', geo: undefined } });
    const e = tokenOf([at(MONDAY), tokyo, noGeo, at(MONDAY + HOUR)]);
    expect(e.lastLocation).toEqual({
      lat: 35.68,
      lon: 139.69,
      country: 'JP',
      city: 'Tokyo',
      ip: '198.51.100.99',
      at: MONDAY + 2 * HOUR,
      cloud: true,
    });
    expect(tokenOf([at(MONDAY)]).lastLocation?.cloud).toBe(false);
  });
});

describe('order of events', () => {
  const history = developerTokenHistory({ days: 30 });

  it('gives the same baseline when events arrive up to 47 h late', () => {
    // shuffle within 2-day blocks: every event arrives less than 48 h after its own hour
    const blocks = new Map<number, TokenActivity[]>();
    for (const a of history) {
      const k = Math.floor((Date.parse(a['@timestamp']) - MONDAY) / (47 * HOUR));
      blocks.set(k, [...(blocks.get(k) ?? []), a]);
    }
    const shuffled = [...blocks.values()].flatMap((b, i) => shuffle(b, i + 7));
    expect(shuffled).not.toEqual(history);
    const inOrder = tokenOf(history);
    const late = tokenOf(shuffled);
    expect(late.lateEvents).toBe(0);
    expect(snapshotView(late)).toEqual(snapshotView(inOrder));
  });

  it('differs only in the hourly series and gaps when events are arbitrarily late', () => {
    const shuffled = shuffle(history, 42);
    const inOrder = snapshotView(tokenOf(history));
    const e = tokenOf(shuffled);
    // expected late events: those more than 48 hours-of-bucket behind the newest event seen before them
    let maxHour = Number.NEGATIVE_INFINITY;
    let expectedLate = 0;
    for (const a of shuffled) {
      const h = Math.floor(Date.parse(a['@timestamp']) / HOUR);
      if (h <= maxHour - 48) expectedLate++;
      maxHour = Math.max(maxHour, h);
    }
    expect(e.lateEvents).toBe(expectedLate);
    expect(expectedLate).toBeGreaterThan(0);
    const { hourlyEvents, hourlyVolume, gapP99, gapMax, ...rest } = snapshotView(e);
    const { hourlyEvents: _a, hourlyVolume: _b, gapP99: _c, gapMax: _d, ...expected } = inOrder;
    expect(rest).toEqual(expected);
    expect(hourlyEvents.n).toBeLessThanOrEqual(inOrder.hourlyEvents.n);
  });
});

describe('stateBytes', () => {
  const HASHED = 'github:hash:Z2l0aHViLWhhc2hlZC10b2tlbi1zaGEyNTYtYmFzZTY0LTQ0Yw==';
  /** Persisted (binary) and version 1 JSON sizes of the token over 4 seeds x 30/60 days. */
  const sizes = (options: { bytes: boolean }) =>
    [1, 2, 3, 4].flatMap((seed) =>
      [30, 60].map((days) => {
        const e = trainStore(developerTokenHistory({ days, seed, tokenId: HASHED, ...options })).get(
          'token',
          HASHED,
        )!;
        expect(e.maturity).toBe('mature');
        expect(e.eventCount).toBeGreaterThan(400);
        return { bytes: stateBytes(e), json: Buffer.byteLength(JSON.stringify(e.toJSON())) };
      }),
    );

  it('stays under 1 KiB for a typical mature GitHub developer token, under half of its JSON', () => {
    // 30/60 days, ~25 git operations per workday, 2 networks, 6 repos, 44-char token hash, items only
    const s = sizes({ bytes: false });
    // measured: 717-745 bytes; version 1 JSON 1,679-1,753 (see entity-baseline.ts doc comment)
    expect(Math.min(...s.map((x) => x.bytes))).toBeGreaterThan(500);
    expect(Math.max(...s.map((x) => x.bytes))).toBeLessThanOrEqual(1024);
    for (const x of s) expect(x.bytes).toBeLessThan(x.json / 2);
  });

  it('stays under 1.25 KiB with a bytes volume on every event', () => {
    // measured: 823-888 bytes; version 1 JSON 1,917-2,088
    expect(Math.max(...sizes({ bytes: true }).map((x) => x.bytes))).toBeLessThanOrEqual(1280);
  });

  it('does not grow with history length once mature', () => {
    const month = stateBytes(tokenOf(developerTokenHistory({ days: 30, bytes: true })));
    const year = stateBytes(tokenOf(developerTokenHistory({ days: 365, bytes: true })));
    expect(year).toBeLessThan(month * 1.3);
  });

  it('round-trips through toJSON', () => {
    const e = tokenOf(developerTokenHistory({ days: 30 }));
    const back = EntityBaseline.fromJSON(JSON.parse(JSON.stringify(e.toJSON())), trainStore([]).config);
    expect(snapshotView(back)).toEqual(snapshotView(e));
    expect(back.toJSON()).toEqual(e.toJSON());
  });
});
