import { describe, expect, it } from 'vitest';
import { providerBlock } from '../baselines/org-baseline.js';
import { BaselineStore } from '../baselines/store.js';
import { activityFixture } from '../baselines/testing.js';
import { KNOWN_NETWORK_MIN_AGE_MS, knownNetwork, knowsProviderBlock } from './lookup.js';
import { cachedProviderBlock, groupByBlock, prefixesByBlock, SeenBefore } from './seen-before.js';
import { contextOf, plainView } from './testing.js';

const DAY = 86_400_000;
const AT = Date.UTC(2025, 7, 4, 9);

describe('SeenBefore', () => {
  it('groups prefixes by provider block in their order, leaving blockless ones out', () => {
    expect([
      ...groupByBlock(['73.15.12.0/24', '2001:db8:1::/64', 'x', '73.15.99.0/24', '73.16.1.0/24']),
    ]).toEqual([
      ['73.15', ['73.15.12.0/24', '73.15.99.0/24']],
      ['2001:db8', ['2001:db8:1::/64']],
      ['73.16', ['73.16.1.0/24']],
    ]);
  });

  it('remembers provider blocks with the same answers as providerBlock', () => {
    for (const p of ['203.0.113.0/24', '2001:0DB8::/64', '2001::/64', 'not-an-ip', '203.0.113.0/24'])
      expect(cachedProviderBlock(p)).toBe(providerBlock(p));
  });

  it('builds state keys once per event', () => {
    const a = activityFixture({
      event: { module: 'github' },
      token: { owner: { name: 'alice', email: 'Alice@Example.com' } },
      user: { email: 'alice@example.com', name: 'alice' },
    });
    const seen = new SeenBefore(a);
    expect(seen.stateKey('owner')).toBe('owner:github:alice@example.com');
    expect(seen.stateKey('org')).toBe('org');
    expect(seen.stateKey('source_as')).toBe(
      a.source?.as?.number === undefined ? undefined : `AS${a.source.as.number}`,
    );
    // memoized: the same answer even if asked again
    expect(seen.stateKey('owner')).toBe('owner:github:alice@example.com');
  });

  it("keeps a view's prefixes by block until an event is folded into it", () => {
    const store = new BaselineStore();
    const use = (ip: string, m: number) =>
      activityFixture({
        at: AT + m * 60_000,
        event: { id: `e${m}` },
        source: { ip },
        tokenwatch: { network: { ip_prefix: ip.replace(/\.\d+$/, '.0/24') } },
      });
    store.update(use('73.15.12.7', 0));
    const view = store.contextFor(use('73.15.12.7', 1)).token;
    const before = prefixesByBlock(view);
    expect([...before]).toEqual([['73.15', ['73.15.12.0/24']]]);
    expect(prefixesByBlock(view)).toBe(before);
    store.update(use('73.15.99.7', 2));
    store.update(use('8.8.4.4', 3));
    expect(store.contextFor(use('8.8.4.4', 4)).token).toBe(view);
    // in `top` order: equal counts, most recently seen first
    expect([...prefixesByBlock(view)]).toEqual([
      ['8.8', ['8.8.4.0/24']],
      ['73.15', ['73.15.99.0/24', '73.15.12.0/24']],
    ]);
  });

  it('answers known-network questions as the direct lookup does, once per question', () => {
    // the owner used 73.15.12.0/24 for weeks: 73.15.200.0/24 (same provider block) is known
    const owner = plainView({
      kind: 'owner',
      seen: { ip_prefix: { '73.15.12.0/24': { firstSeen: AT - 20 * DAY, lastSeen: AT - DAY } } },
    });
    const fresh = plainView({
      seen: { ip_prefix: { '198.51.100.0/24': { firstSeen: AT - 60_000, lastSeen: AT - 60_000 } } },
    });
    const direct = contextOf({ owner, token: fresh });
    const summary = new SeenBefore(activityFixture({ at: AT }));
    const withSummary = { ...direct, seen: summary };
    for (const [prefix, expected] of [
      ['73.15.200.0/24', true],
      ['73.16.200.0/24', false],
      // seen a minute ago only: too young to be known
      ['198.51.100.0/24', false],
    ] as const) {
      expect(knownNetwork(direct, prefix, AT, AT)).toBe(expected);
      expect(knownNetwork(withSummary, prefix, AT, AT)).toBe(expected);
    }
    // a day later the young prefix is established
    expect(knownNetwork(direct, '198.51.100.0/24', AT + KNOWN_NETWORK_MIN_AGE_MS, AT + DAY)).toBe(true);
    expect(knownNetwork(withSummary, '198.51.100.0/24', AT + KNOWN_NETWORK_MIN_AGE_MS, AT + DAY)).toBe(true);
    // memoized per question: asked again, the first answer stands without computing
    let computed = 0;
    expect(
      summary.knownNetwork('73.15.200.0/24', AT, AT, () => {
        computed++;
        return false;
      }),
    ).toBe(true);
    expect(computed).toBe(0);
    expect(knowsProviderBlock([owner], '73.15.1.0/24', summary)).toBe(true);
    expect(knowsProviderBlock([owner], '73.14.1.0/24', summary)).toBe(false);
  });
});
