import { describe, expect, it } from 'vitest';
import { activityFixture, FIXTURE_TIME_MS, trainStore } from './testing.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const t0 = FIXTURE_TIME_MS;

describe('BaselineStore', () => {
  it('gives empty learning views for unseen entities', () => {
    const store = trainStore([]);
    const ctx = store.contextFor(activityFixture());
    expect(ctx.token.entity).toBe('github:hash:fixturetoken');
    expect(ctx.token.eventCount).toBe(0);
    expect(ctx.token.maturity).toBe('learning');
    expect(ctx.token.firstSeen).toBe(0);
    expect(ctx.app?.entity).toBe('app:github:Iv1.fixture');
    expect(ctx.owner?.entity).toBe('owner:github:alice@example.com');
    expect(ctx.reference).toBeUndefined();
    expect(store.size('token')).toBe(0);
  });

  it('returns the view as of before the activity (evaluate-then-update)', () => {
    const store = trainStore([activityFixture({ at: t0 })]);
    const next = activityFixture({
      at: t0 + HOUR,
      tokenwatch: { network: { ip_prefix: '198.51.100.0/24' } },
    });
    const seen = store.evaluateThenUpdate(next, (ctx) => ({
      count: ctx.token.eventCount,
      last: ctx.token.lastSeen,
      prefix: ctx.token.seen('ip_prefix', '198.51.100.0/24'),
    }));
    expect(seen).toEqual({ count: 1, last: t0, prefix: undefined });
    const after = store.contextFor(next).token;
    expect(after.eventCount).toBe(2);
    expect(after.seen('ip_prefix', '198.51.100.0/24')).toEqual({
      count: 1,
      firstSeen: t0 + HOUR,
      lastSeen: t0 + HOUR,
    });
  });

  it('counts a failed attempt as an event but learns neither its network, country, client nor place', () => {
    const home = activityFixture({ at: t0 });
    const spray = activityFixture({
      at: t0 + HOUR,
      event: { action: 'login_failure', outcome: 'failure' },
      source: {
        ip: '198.51.100.7',
        geo: { country_iso_code: 'BR', city_name: 'São Paulo', location: { lat: -23.55, lon: -46.63 } },
      },
      user_agent: { original: 'python-requests/2.32', name: 'python-requests', version: '2.32' },
      tokenwatch: { network: { ip_prefix: '198.51.100.0/24' } },
    });
    const view = trainStore([home, spray]).contextFor(home).token;
    expect(view.eventCount).toBe(2);
    expect(view.seen('action', 'login_failure')).toBeDefined();
    expect(view.seen('ip_prefix', '198.51.100.0/24')).toBeUndefined();
    expect(view.seen('country', 'BR')).toBeUndefined();
    expect(view.seen('ua_family', 'python-requests')).toBeUndefined();
    expect(view.lastLocation?.ip).toBe('203.0.113.10');
  });

  it('falls back to the app, then the owner, while the token is learning', () => {
    // 40 events over 10 days by token A (same app, same owner) make app and owner mature
    const history = Array.from({ length: 40 }, (_, i) =>
      activityFixture({ at: t0 + i * 6 * HOUR, token: { id: 'github:hash:A' } }),
    );
    const store = trainStore(history);
    const newToken = activityFixture({ at: t0 + 11 * DAY, token: { id: 'github:hash:B' } });
    const ctx = store.contextFor(newToken);
    expect(ctx.token.eventCount).toBe(0);
    expect(ctx.reference?.entity).toBe('app');
    expect(ctx.reference?.view.entity).toBe('app:github:Iv1.fixture');

    const noClient = activityFixture({
      at: t0 + 11 * DAY,
      token: { id: 'github:hash:C', client: undefined },
    });
    const ctx2 = store.contextFor(noClient);
    expect(ctx2.app).toBeUndefined();
    expect(ctx2.reference?.entity).toBe('owner');

    const mature = store.contextFor(activityFixture({ at: t0 + 11 * DAY, token: { id: 'github:hash:A' } }));
    expect(mature.reference?.entity).toBe('token');
  });

  it('keeps at most maxEntities per kind, dropping the least recently updated', () => {
    const ids = ['a', 'b', 'c', 'a', 'd'];
    const store = trainStore(
      ids.map((id, i) => activityFixture({ at: t0 + i * 1000, token: { id: `github:hash:${id}` } })),
      { maxEntities: 3 },
    );
    expect([...store.entities('token')].map((e) => e.entity)).toEqual([
      'github:hash:c',
      'github:hash:a',
      'github:hash:d',
    ]);
    expect(store.evictions.token).toBe(1);
  });

  it('evicts idle entities by event time', () => {
    const store = trainStore([
      activityFixture({ at: t0, token: { id: 'github:hash:old' } }),
      activityFixture({ at: t0 + 500 * DAY, token: { id: 'github:hash:new' } }),
    ]);
    expect(store.evictIdle(t0 + 100 * DAY)).toBe(1);
    expect(store.get('token', 'github:hash:old')).toBeUndefined();
    expect(store.get('token', 'github:hash:new')?.eventCount).toBe(1);
  });

  it('never folds into an entity dropped between contextFor and update', () => {
    const a = activityFixture({ at: t0, token: { id: 'github:hash:a' } });
    const store = trainStore([a]);
    store.contextFor(a);
    store.evictIdle(t0 + 1);
    store.update(a);
    expect(store.get('token', 'github:hash:a')?.eventCount).toBe(1);

    const lru = trainStore([a], { maxEntities: 1 });
    lru.contextFor(a);
    lru.update(activityFixture({ at: t0 + 1000, token: { id: 'github:hash:b' } })); // evicts token a
    lru.update(a);
    expect(lru.get('token', 'github:hash:a')?.eventCount).toBe(1);
    expect(lru.get('token', 'github:hash:b')).toBeUndefined();
  });

  it('notices an activity object mutated between contextFor and update', () => {
    const a = activityFixture({ at: t0 });
    const store = trainStore([]);
    store.contextFor(a);
    a.token.id = 'github:hash:other';
    a.user.email = 'bob@example.com';
    store.update(a);
    expect(store.get('token', 'github:hash:other')?.eventCount).toBe(1);
    expect(store.get('owner', 'owner:github:bob@example.com')?.eventCount).toBe(1);
    expect(store.get('token', 'github:hash:fixturetoken')).toBeUndefined();
  });

  it('rejects an invalid config with a typed error', () => {
    expect(() => trainStore([], { setCap: 0 })).toThrow(/setCap/);
    expect(() => trainStore([], { learningDays: -1 })).toThrowError(
      expect.objectContaining({ code: 'BASELINE_CONFIG_INVALID' }),
    );
  });
});
