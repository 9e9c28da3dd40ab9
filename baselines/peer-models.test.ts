import { describe, expect, it } from 'vitest';
import type { TokenActivity } from '../schemas/token-activity.js';
import { BaselineConfigError, BaselineInputError, BaselineStateError } from './errors.js';
import { activityFixture } from './fixture.js';
import { appPeerGroupKey, PeerModels, type PeerModelsConfigInput, peerGroupKey } from './peer-models.js';
import { SeededRandom } from './seeded-random.js';
import { DAY_MS, featureVector, HOUR_MS, TOKEN_HOUR_FEATURES } from './token-hour-features.js';

const START = Date.UTC(2025, 6, 7);
const TEMPLATE = activityFixture();

/** Small models so the mechanics are quick to exercise. */
const SMALL: PeerModelsConfigInput = {
  matureDays: 1,
  reservoirSize: 64,
  minTrainRows: 32,
  retrainEvery: 16,
  trees: 20,
  sampleSize: 32,
};

interface ActOptions {
  repo?: string;
  prefix?: string;
  ua?: string;
  client?: string;
  bytes?: number;
}

function act(token: string, at: number, o: ActOptions = {}): TokenActivity {
  return {
    ...TEMPLATE,
    '@timestamp': new Date(at).toISOString(),
    event: { ...TEMPLATE.event, id: `${token}@${at}` },
    user_agent: { original: `${o.ua ?? 'git'}/1`, name: o.ua ?? 'git' },
    token: {
      ...TEMPLATE.token,
      id: `github:hash:${token}`,
      ...(o.client !== undefined ? { client: { id: o.client } } : { client: undefined }),
    },
    tokenwatch: {
      ...TEMPLATE.tokenwatch,
      resource: { type: 'repo', name: o.repo ?? 'acme/api' },
      volume: { items: 1, bytes: o.bytes ?? 1_000_000 },
      network: { ip_prefix: o.prefix ?? '203.0.113.0/24' },
    },
  };
}

/**
 * `tokens` developers over `days` days: each working hour (08-17 UTC) active with probability 0.5,
 * 1-6 clones of 3 repos from 2 networks. Sorted by time; deterministic.
 */
function stream(
  tokens: number,
  days: number,
  seed = 1,
  client?: (t: number) => string | undefined,
): TokenActivity[] {
  const r = new SeededRandom(seed);
  const out: TokenActivity[] = [];
  for (let d = 0; d < days; d++) {
    for (let h = 8; h < 18; h++) {
      for (let t = 0; t < tokens; t++) {
        if (r.next() < 0.5) continue;
        const n = 1 + r.int(6);
        for (let i = 0; i < n; i++) {
          const c = client?.(t);
          out.push(
            act(`dev${t}`, START + d * DAY_MS + h * HOUR_MS + t * 1000 + i * 60_000, {
              repo: `acme/r${t % 5}-${r.int(3)}`,
              prefix: r.next() < 0.8 ? `10.${t}.0.0/24` : `10.${t}.1.0/24`,
              bytes: Math.round(1e5 + r.next() * 5e6),
              ...(c !== undefined ? { client: c } : {}),
            }),
          );
        }
      }
    }
  }
  return out;
}

const feed = (peers: PeerModels, activities: readonly TokenActivity[]) => {
  for (const a of activities) peers.update(a);
  return peers;
};

describe('PeerModels configuration', () => {
  it('applies defaults and rejects invalid values', () => {
    expect(new PeerModels().config).toMatchObject({
      matureDays: 7,
      reservoirSize: 2048,
      minTrainRows: 256,
      trees: 100,
      sampleSize: 256,
      appGroups: { enabled: true, minTokens: 20 },
    });
    expect(() => new PeerModels({ reservoirSize: 3 })).toThrow(BaselineConfigError);
    expect(() => new PeerModels({ nope: 1 } as PeerModelsConfigInput)).toThrow(/invalid peer models config/);
  });

  it('keys peer groups by module and token type, and by client for app groups', () => {
    const a = act('x', START, { client: 'Iv1.abc' });
    expect(peerGroupKey(a)).toBe('github:pat_classic');
    expect(appPeerGroupKey(a)).toBe('github:pat_classic:app:Iv1.abc');
    expect(appPeerGroupKey(act('x', START))).toBeUndefined();
  });
});

describe('PeerModels training', () => {
  it('collects only completed hours of mature tokens, trains at minTrainRows and retrains by count', () => {
    const peers = new PeerModels(SMALL);
    const day1 = stream(6, 1);
    feed(peers, day1);
    // Day 0 hours end less than a day after each token's first event: nothing collected.
    expect(peers.stats()).toEqual([]);
    expect(peers.contextFor(act('dev0', START + DAY_MS + 9 * HOUR_MS))).toBeUndefined();

    feed(
      peers,
      stream(6, 6).filter((a) => Date.parse(a['@timestamp']) >= START + DAY_MS),
    );
    const [g] = peers.stats();
    expect(g).toMatchObject({ key: 'github:pat_classic', kind: 'type', reservoir: 64 });
    expect(g!.generation).toBeGreaterThan(1);
    // Trained at 32 rows, then once per 16 new rows: merged = 32 + 16 (generation - 1).
    expect(g!.offered).toBe(32 + 16 * (g!.generation - 1));
    expect(g!.pending).toBeLessThan(16);
    expect(g!.trainedOn).toBe(64);
  });

  it('closes an idle token hour after the lateness allowance, and forgets tokens idle past the TTL', () => {
    const peers = new PeerModels({ ...SMALL, idleTokenTtlDays: 3 });
    feed(peers, [act('quiet', START), act('quiet', START + 2 * DAY_MS + 9 * HOUR_MS)]);
    feed(peers, [act('busy', START + 2 * DAY_MS + 9 * HOUR_MS + 1)]);
    expect(peers.stats()).toEqual([]);
    // 2 h later (hour end + 1 h lateness): quiet's 09:00 hour is complete and it is mature -> pending.
    feed(peers, [act('busy', START + 2 * DAY_MS + 11 * HOUR_MS + 5)]);
    expect(peers.stats()[0]).toMatchObject({ pending: 1 });
    expect(peers.tokenCount).toBe(2);
    feed(peers, [act('busy', START + 6 * DAY_MS)]);
    expect(peers.tokenCount).toBe(1);
  });

  it('gives an OAuth app its own group once it has enough mature tokens, preferred when trained', () => {
    const client = (t: number) => (t < 4 ? 'Iv1.app' : undefined);
    const peers = feed(new PeerModels({ ...SMALL, appGroups: { minTokens: 3 } }), stream(8, 8, 2, client));
    const groups = peers.stats();
    expect(groups.map((g) => [g.key, g.kind])).toEqual([
      ['github:pat_classic', 'type'],
      ['github:pat_classic:app:Iv1.app', 'app'],
    ]);
    expect(groups[1]!.trainedOn).toBeGreaterThan(0);
    const probe = act('dev1', START + 8 * DAY_MS + 9 * HOUR_MS, { client: 'Iv1.app' });
    expect(peers.contextFor(probe)).toMatchObject({
      group: 'github:pat_classic:app:Iv1.app',
      groupKind: 'app',
    });
    expect(peers.contextFor(act('dev5', START + 8 * DAY_MS + 9 * HOUR_MS))?.groupKind).toBe('type');
    const off = feed(new PeerModels({ ...SMALL, appGroups: { enabled: false } }), stream(8, 8, 2, client));
    expect(off.stats().map((g) => g.kind)).toEqual(['type']);
  });
});

describe('PeerModels.contextFor', () => {
  const history = stream(6, 8);
  const peers = feed(new PeerModels(SMALL), history);
  const probeAt = START + 8 * DAY_MS + 9 * HOUR_MS;

  it("gives the token's current hour including the activity, without changing state", () => {
    const home = { prefix: '10.0.0.0/24' };
    feed(peers, [act('dev0', probeAt, home), act('dev0', probeAt + 1000, { ...home, repo: 'acme/other' })]);
    const before = JSON.stringify(peers.snapshot());
    const probe = act('dev0', probeAt + 2000, { repo: 'acme/third', prefix: '198.51.100.0/24', ua: 'curl' });
    const ctx = peers.contextFor(probe)!;
    expect(JSON.stringify(peers.snapshot())).toBe(before);
    expect(ctx.window).toMatchObject({
      hourStart: probeAt,
      events: 3,
      distinctResources: 3,
      newNetwork: '198.51.100.0/24',
      newUaFamily: 'curl',
    });
    expect(ctx.features).toEqual(featureVector(ctx.window));
    expect(ctx.featureNames).toEqual(TOKEN_HOUR_FEATURES);
    expect(ctx).toMatchObject({
      group: 'github:pat_classic',
      groupKind: 'type',
      trainedOn: 64,
      tokenMature: true,
    });
    // The novelty flags turned on: a checkpoint.
    expect(ctx.checkpoint).toBe(true);
    expect(ctx.trainingSpanDays).toBeGreaterThan(5);
    expect(ctx.trainingScores.p99).toBeGreaterThanOrEqual(ctx.trainingScores.p50);
  });

  it('scores lazily and once; contributions cover every display feature, largest drop first', () => {
    const ctx = peers.contextFor(act('dev1', probeAt + 5000, { prefix: '198.51.100.0/24', ua: 'curl' }))!;
    const s = ctx.score()!;
    expect(ctx.score()).toBe(s);
    expect(s.score).toBeGreaterThan(0);
    expect(s.score).toBeLessThanOrEqual(1);
    expect(s.contributions).toBe(s.contributions);
    expect(s.contributions).toHaveLength(10);
    const drops = s.contributions.map((c) => c.drop);
    expect(drops).toEqual([...drops].sort((a, b) => b - a));
    const ua = s.contributions.find((c) => c.feature === 'new_ua_family')!;
    expect(ua).toMatchObject({ value: 1, baseline_median: 0, baseline_share: 0 });
    expect(s.contributions.find((c) => c.feature === 'hour_of_day')?.value).toBe(9);
    // scoreAbove: the same (memoized) score when it reaches the floor, else undefined.
    expect(ctx.scoreAbove(s.score)).toBe(s);
    expect(ctx.scoreAbove(s.score + 0.0001)).toBeUndefined();
    const fresh = peers.contextFor(act('dev1', probeAt + 5000, { prefix: '198.51.100.0/24', ua: 'curl' }))!;
    expect(fresh.scoreAbove(0.99)).toBeUndefined();
    expect(fresh.scoreAbove(0.01)?.score).toBe(s.score);
    expect(fresh.score()).toBe(fresh.scoreAbove(0.01));
  });

  it('returns undefined for a late activity and throws on a bad timestamp', () => {
    expect(peers.contextFor(act('dev0', probeAt - 3 * HOUR_MS))).toBeUndefined();
    const bad = { ...act('dev0', probeAt), '@timestamp': 'yesterday' };
    expect(() => peers.contextFor(bad)).toThrow(BaselineInputError);
    expect(() => peers.update(bad)).toThrow(BaselineInputError);
  });
});

describe('PeerModels determinism and snapshots', () => {
  const history = stream(6, 8, 3);
  const later = stream(6, 10, 3).filter((a) => Date.parse(a['@timestamp']) >= START + 8 * DAY_MS);
  const probe = act('dev2', START + 10 * DAY_MS + 9 * HOUR_MS, { prefix: '198.51.100.0/24', bytes: 9e9 });

  it('same stream => identical state and scores, with or without contextFor before each update', () => {
    const a = feed(new PeerModels(SMALL), history);
    const b = new PeerModels(SMALL);
    for (const x of history) {
      b.contextFor(x)?.score();
      b.update(x);
    }
    expect(JSON.stringify(b.snapshot())).toBe(JSON.stringify(a.snapshot()));
    expect(b.contextFor(probe)?.score()?.score).toBe(a.contextFor(probe)?.score()?.score);
  });

  it('restores from plain JSON to the same models, and both continue identically', () => {
    const original = feed(new PeerModels(SMALL), history);
    const json = JSON.stringify(original.snapshot());
    const restored = new PeerModels(SMALL).restore(JSON.parse(json));
    expect(JSON.stringify(restored.snapshot())).toBe(json);
    expect(restored.contextFor(probe)?.score()).toEqual(original.contextFor(probe)?.score());
    feed(original, later);
    feed(restored, later);
    expect(JSON.stringify(restored.snapshot())).toBe(JSON.stringify(original.snapshot()));
    const s = original.contextFor(probe)!.score()!;
    expect(restored.contextFor(probe)!.score()!.contributions).toEqual(s.contributions);
  });

  it('rejects snapshots of another version or shape', () => {
    const peers = new PeerModels(SMALL);
    let err: unknown;
    try {
      peers.restore({ version: 99 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BaselineStateError);
    expect((err as BaselineStateError).code).toBe('BASELINE_STATE_VERSION');
    expect(() => peers.restore({ ...new PeerModels(SMALL).snapshot(), tokens: 'x' })).toThrow(
      /invalid snapshot/,
    );
    expect(() => peers.restore(null)).toThrow(BaselineStateError);
  });
});
