import { describe, expect, it } from 'vitest';
import type { TokenActivity } from '../schemas/token-activity.js';
import { activityFixture } from './fixture.js';
import {
  DAY_MS,
  DISPLAY_FEATURES,
  DISPLAY_GROUPS,
  DistinctCounter,
  displayValue,
  EXACT_DISTINCT_CAP,
  FEATURE_COUNT,
  featureVector,
  HOUR_MS,
  hash32,
  hourOfVector,
  isCheckpoint,
  SEEN_CAP,
  summarize,
  TOKEN_HOUR_FEATURES,
  TOKEN_STATE_MAX_BYTES,
  TokenHourState,
  type TokenHourSummary,
} from './token-hour-features.js';

const T0 = Date.UTC(2025, 7, 4, 10, 0, 0);
const TEMPLATE = activityFixture();
const NOVELTY_AFTER = 7 * DAY_MS;

/** A GitHub clone (fixture defaults) with the given time, repo, network, client and outcome. */
function act(
  at: number,
  o: {
    repo?: string;
    prefix?: string;
    ua?: string;
    action?: string;
    failure?: boolean;
    bytes?: number;
    rows?: number;
  } = {},
): TokenActivity {
  return {
    ...TEMPLATE,
    '@timestamp': new Date(at).toISOString(),
    event: { ...TEMPLATE.event, action: o.action ?? 'git.clone', outcome: o.failure ? 'failure' : 'success' },
    user_agent: { original: `${o.ua ?? 'git'}/1`, name: o.ua ?? 'git' },
    tokenwatch: {
      ...TEMPLATE.tokenwatch,
      resource: { type: 'repo', name: o.repo ?? 'acme/api' },
      volume: { items: 1, bytes: o.bytes ?? 1000, ...(o.rows !== undefined ? { rows: o.rows } : {}) },
      network: { ip_prefix: o.prefix ?? '203.0.113.0/24' },
    },
  };
}

/** Folds activities into a state (evaluate-then-update order); returns the closed windows. */
function feed(state: TokenHourState, activities: TokenActivity[]) {
  const closed = [];
  for (const a of activities) {
    const w = state.apply(
      state.delta(a, Date.parse(a['@timestamp']), NOVELTY_AFTER),
      'github:pat_classic',
      undefined,
    );
    if (w) closed.push(w);
  }
  return closed;
}

describe('hash32', () => {
  it('is deterministic, 32-bit unsigned, and spreads similar strings', () => {
    expect(hash32('repo:acme/api')).toBe(hash32('repo:acme/api'));
    expect(hash32('repo:acme/api')).not.toBe(hash32('repo:acme/apj'));
    const hs = Array.from({ length: 10_000 }, (_, i) => hash32(`repo:acme/r${i}`));
    expect(new Set(hs).size).toBe(10_000);
    expect(hs.every((h) => Number.isInteger(h) && h >= 0 && h < 2 ** 32)).toBe(true);
    // Low 11 bits (the sketch index) are spread too.
    expect(new Set(hs.map((h) => h & 2047)).size).toBeGreaterThan(1900);
  });
});

describe('DistinctCounter', () => {
  it('counts exactly up to the cap, then estimates within a few %', () => {
    const c = new DistinctCounter();
    for (let i = 0; i < EXACT_DISTINCT_CAP; i++) {
      expect(c.countWith(hash32(`r${i}`))).toBe(i + 1);
      expect(c.add(hash32(`r${i}`))).toBe(true);
      expect(c.add(hash32(`r${i}`))).toBe(false);
    }
    expect(c.count).toBe(EXACT_DISTINCT_CAP);
    for (let i = EXACT_DISTINCT_CAP; i < 1000; i++) c.add(hash32(`r${i}`));
    expect(Math.abs(c.count - 1000) / 1000).toBeLessThan(0.05);
    for (let i = 1000; i < 4000; i++) c.add(hash32(`r${i}`));
    expect(Math.abs(c.count - 4000) / 4000).toBeLessThan(0.1);
    // countWith never changes the counter
    const before = c.count;
    c.countWith(hash32('never'));
    expect(c.count).toBe(before);
  });

  it('round-trips through JSON in both modes, within 256 bytes of payload', () => {
    const small = new DistinctCounter();
    for (let i = 0; i < 5; i++) small.add(hash32(`r${i}`));
    const big = new DistinctCounter();
    for (let i = 0; i < 500; i++) big.add(hash32(`r${i}`));
    for (const c of [small, big]) {
      const back = DistinctCounter.fromJSON(JSON.parse(JSON.stringify(c.toJSON())));
      expect(back.count).toBe(c.count);
      expect(back.has(hash32('r3'))).toBe(true);
    }
    expect(JSON.stringify(big.toJSON()).length).toBeLessThan(360);
    expect(() => DistinctCounter.fromJSON({ b: 'AAAA' })).toThrow(RangeError);
  });
});

describe('TokenHourState', () => {
  it('accumulates an event-time hour and hands it over when the next hour starts', () => {
    const s = new TokenHourState();
    const closed = feed(s, [
      act(T0 + 60_000, { repo: 'acme/api', bytes: 100 }),
      act(T0 + 120_000, { repo: 'acme/web', action: 'git.fetch', bytes: 50, failure: true }),
      act(T0 + 180_000, { repo: 'acme/api', rows: 7 }),
      act(T0 + HOUR_MS + 5, { repo: 'acme/docs' }),
    ]);
    expect(closed).toHaveLength(1);
    expect(summarize(closed[0]!)).toEqual({
      hourStart: T0,
      events: 3,
      failures: 1,
      distinctResources: 2,
      distinctActions: 2,
      rows: 7,
      bytes: 1150,
      items: 3,
      newNetwork: undefined,
      newUaFamily: undefined,
      resourceType: 'repo',
    });
    expect(s.window?.hourStart).toBe(T0 + HOUR_MS);
    expect(s.window?.events).toBe(1);
  });

  it('previews exactly what apply will produce, without changing anything', () => {
    const s = new TokenHourState();
    feed(s, [act(T0), act(T0 + 1000, { repo: 'acme/web' })]);
    const before = JSON.stringify(s.toJSON());
    const a = act(T0 + 2000, { repo: 'acme/new', failure: true, bytes: 5 });
    const d = s.delta(a, Date.parse(a['@timestamp']), NOVELTY_AFTER);
    const preview = s.preview(d);
    expect(JSON.stringify(s.toJSON())).toBe(before);
    s.apply(d, 'g', undefined);
    expect(preview).toEqual(summarize(s.window!));
  });

  it('flags a new network and client family only for a token old enough to have habits', () => {
    const young = new TokenHourState();
    feed(young, [act(T0)]);
    const y = act(T0 + DAY_MS, { prefix: '198.51.100.0/24', ua: 'python-requests' });
    const yd = young.delta(y, Date.parse(y['@timestamp']), NOVELTY_AFTER);
    expect(yd.prefixNew).toBe(false);
    expect(yd.uaNew).toBe(false);

    const s = new TokenHourState();
    feed(s, [act(T0), act(T0 + 8 * DAY_MS)]);
    const closed = feed(s, [
      act(T0 + 8 * DAY_MS + HOUR_MS, { prefix: '198.51.100.0/24', ua: 'python-requests' }),
      act(T0 + 8 * DAY_MS + HOUR_MS + 10, { prefix: '198.51.100.0/24', ua: 'python-requests' }),
      act(T0 + 8 * DAY_MS + 2 * HOUR_MS, { prefix: '198.51.100.0/24', ua: 'python-requests' }),
    ]);
    const hour = summarize(closed.at(-1)!);
    expect(hour.newNetwork).toBe('198.51.100.0/24');
    expect(hour.newUaFamily).toBe('python-requests');
    // Seen now: the next hour is not novel any more.
    expect(s.window?.newNetwork).toBeUndefined();
    expect(s.window?.newUaFamily).toBeUndefined();
  });

  it(`remembers the ${SEEN_CAP} most recently used networks (bounded)`, () => {
    const s = new TokenHourState();
    const prefixes = Array.from({ length: SEEN_CAP + 1 }, (_, i) => `10.0.${i}.0/24`);
    feed(
      s,
      prefixes.map((p, i) => act(T0 + i * 1000, { prefix: p })),
    );
    expect(s.prefixes).toHaveLength(SEEN_CAP);
    expect(s.prefixes[0]).toBe(hash32(prefixes.at(-1)!));
    expect(s.prefixes).not.toContain(hash32(prefixes[0]!));
  });

  it('keeps late events out of closed hours but learns from them', () => {
    const s = new TokenHourState();
    feed(s, [act(T0 + HOUR_MS + 10)]);
    const late = act(T0 + 10, { prefix: '192.0.2.0/24' });
    const d = s.delta(late, Date.parse(late['@timestamp']), NOVELTY_AFTER);
    expect(d.late).toBe(true);
    expect(s.preview(d)).toBeUndefined();
    s.apply(d, 'g', undefined);
    expect(s.window?.events).toBe(1);
    expect(s.firstSeen).toBe(T0 + 10);
    expect(s.prefixes).toContain(hash32('192.0.2.0/24'));
    // After a sweep closed the open hour, an event of that same hour is late as well.
    s.close();
    const same = act(T0 + HOUR_MS + 20);
    expect(s.delta(same, Date.parse(same['@timestamp']), NOVELTY_AFTER).late).toBe(true);
  });

  it(`round-trips through JSON and stays within ${TOKEN_STATE_MAX_BYTES} bytes even for a huge hour`, () => {
    const s = new TokenHourState();
    const long = 'x'.repeat(500);
    feed(s, [act(T0), act(T0 + 8 * DAY_MS)]);
    feed(
      s,
      Array.from({ length: 3000 }, (_, i) =>
        act(T0 + 8 * DAY_MS + HOUR_MS + i, {
          repo: `acme/r${i}`,
          action: `a${i}`,
          prefix: `${long}${i % 20}`,
          ua: `${long}${i % 20}`,
        }),
      ),
    );
    const json = JSON.stringify(s.toJSON());
    expect(json.length).toBeLessThan(1_400);
    const back = TokenHourState.fromJSON(JSON.parse(json));
    expect(JSON.stringify(back.toJSON())).toBe(json);
    expect(summarize(back.window!)).toEqual(summarize(s.window!));
    expect(summarize(s.window!).newNetwork?.length).toBe(64);
    // An empty state round-trips too (unset times are null in JSON).
    expect(TokenHourState.fromJSON(JSON.parse(JSON.stringify(new TokenHourState().toJSON())))).toEqual(
      new TokenHourState(),
    );
  });
});

describe('featureVector', () => {
  const hour: TokenHourSummary = {
    hourStart: Date.UTC(2025, 7, 4, 6),
    events: 9,
    failures: 5,
    distinctResources: 3,
    distinctActions: 2,
    rows: 0,
    bytes: 1e6,
    items: 4,
    newNetwork: '198.51.100.0/24',
    newUaFamily: undefined,
    resourceType: 'repo',
  };

  it('is log1p counts, 0/1 flags, a shrunk error ratio and a cyclic hour, rounded to 1e-4', () => {
    const v = featureVector(hour);
    expect(v).toHaveLength(FEATURE_COUNT);
    expect(TOKEN_HOUR_FEATURES).toHaveLength(FEATURE_COUNT);
    expect(v).toEqual([
      Math.round(Math.LN10 * 10_000) / 10_000, // 2.3026
      1.3863, // ln 4
      1.0986,
      0,
      13.8155,
      1.6094,
      1,
      0,
      0.3846, // 5 / (9 + 4)
      1, // sin(6/24 · 2π)
      0,
    ]);
    expect(hourOfVector(v)).toBe(6);
    expect(hourOfVector(featureVector({ ...hour, hourStart: Date.UTC(2025, 7, 4, 23) }))).toBe(23);
  });

  it('maps back to natural units per display feature (hour as one feature)', () => {
    const v = featureVector(hour);
    const natural = DISPLAY_FEATURES.map((f) => displayValue(f, v));
    expect(natural).toEqual([9, 3, 2, 0, expect.any(Number), 4, 1, 0, 0.3846, 6]);
    // 1e-4 in log space: within 1e-4 relative.
    expect(Math.abs(natural[4]! - 1e6) / 1e6).toBeLessThan(1e-4);
    expect(DISPLAY_GROUPS.flat().sort((a, b) => a - b)).toEqual(
      Array.from({ length: FEATURE_COUNT }, (_, j) => j),
    );
  });
});

describe('isCheckpoint', () => {
  /** Checkpoints of an hour of `n` events over `repos` repos with `bytes` each. */
  function checkpoints(n: number, repos: number, bytes: number): number[] {
    const s = new TokenHourState();
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const a = act(T0 + i, { repo: `acme/r${i % repos}`, bytes });
      const d = s.delta(a, T0 + i, NOVELTY_AFTER);
      const before = s.window === undefined ? undefined : summarize(s.window);
      if (isCheckpoint(before, s.preview(d)!)) out.push(i + 1);
      s.apply(d, 'g', undefined);
    }
    return out;
  }

  it('scores a quiet hour 2-4 times and a 10k-event hour ~15 times', () => {
    const quiet = checkpoints(10, 3, 2_000_000);
    expect(quiet[0]).toBe(1);
    expect(quiet.length).toBeGreaterThanOrEqual(2);
    expect(quiet.length).toBeLessThanOrEqual(4);
    const busy = checkpoints(10_000, 500, 2_000_000);
    expect(busy).toEqual(expect.arrayContaining([1, 4, 16, 64, 256, 1024, 4096]));
    expect(busy.length).toBeLessThanOrEqual(20);
  });

  it('fires when a novelty flag turns on or a volume jumps', () => {
    const base: TokenHourSummary = {
      hourStart: T0,
      events: 5,
      failures: 0,
      distinctResources: 2,
      distinctActions: 1,
      rows: 0,
      bytes: 100,
      items: 5,
      newNetwork: undefined,
      newUaFamily: undefined,
      resourceType: 'repo',
    };
    const next = { ...base, events: 6 };
    expect(isCheckpoint(base, next)).toBe(false);
    expect(isCheckpoint(base, { ...next, newNetwork: '198.51.100.0/24' })).toBe(true);
    expect(isCheckpoint(base, { ...next, newUaFamily: 'curl' })).toBe(true);
    expect(isCheckpoint(base, { ...next, rows: 1_000_000 })).toBe(true);
    expect(isCheckpoint(undefined, base)).toBe(true);
  });
});
