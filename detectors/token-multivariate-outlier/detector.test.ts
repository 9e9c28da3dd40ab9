import { beforeAll, describe, expect, it, vi } from 'vitest';
import { activityFixture } from '../../baselines/fixture.js';
import { type FeatureContribution, type PeerContext, PeerModels } from '../../baselines/peer-models.js';
import { SeededRandom } from '../../baselines/seeded-random.js';
import { trainStore } from '../../baselines/testing.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { contextOf } from '../testing.js';
import type { Finding } from '../types.js';
import {
  tokenMultivariateOutlier as detector,
  fmtBytes,
  MIN_TRAINED_ON,
  MULTIVARIATE_SCORE_THRESHOLD,
  reasonsOf,
  withinOwnHistory,
} from './detector.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Monday. */
const START = Date.UTC(2025, 6, 7);
/** Weeks 1-3 train the peer group; week 4 is the held-out benign week; attacks come after it. */
const EVAL_FROM = START + 21 * DAY;
const ATTACK_AT = START + 28 * DAY;
const TEMPLATE = activityFixture();

interface Use {
  at: number;
  token: string;
  action?: string;
  repo: string;
  prefix: string;
  ua: string;
  bytes: number;
  items?: number;
  failure?: boolean;
  machine?: boolean;
}

function use(u: Use): TokenActivity {
  const ip = u.prefix.replace(/0\/24$/, '10');
  return {
    ...TEMPLATE,
    '@timestamp': new Date(u.at).toISOString(),
    event: {
      ...TEMPLATE.event,
      id: `${u.token}@${u.at}`,
      action: u.action ?? 'git.clone',
      outcome: u.failure ? 'failure' : 'success',
    },
    user: { name: u.token },
    source: { ip },
    user_agent: { original: `${u.ua}/1.0`, name: u.ua },
    token: {
      ...TEMPLATE.token,
      id: `github:hash:${u.token}`,
      client: undefined,
      owner: { name: u.token },
      principal: u.machine ? 'machine' : 'human',
    },
    tokenwatch: {
      resource: { type: 'repo', name: u.repo },
      volume: { bytes: u.bytes, items: u.items ?? 0 },
      network: { ip_prefix: u.prefix },
    },
  };
}

const poisson = (r: SeededRandom, mean: number): number => {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= r.next();
  } while (p > limit);
  return k - 1;
};
const logNormal = (r: SeededRandom, mu: number, sigma: number): number =>
  Math.exp(
    mu + sigma * Math.sqrt(-2 * Math.log(Math.max(1e-12, r.next()))) * Math.cos(2 * Math.PI * r.next()),
  );

/**
 * A realistic GitHub classic-PAT peer group over `days` days, sorted by time:
 * - 24 developers in 5 time zones: workdays (and 10% of weekend days), 08-18 local, active in
 *   30-60% of those hours, Poisson 3-11 git operations and API reads per hour over their 3-8 repos,
 *   office or home network (2% of days travelling from a new network), 2% failures, and now and
 *   then a first `GitHub CLI` hour;
 * - 12 CI bots, 24x7, active 60% of hours, 5-25 clones per hour of 2-9 repos; half behind a
 *   runner pool of 30 networks (a new network most hours), some with `Go-http-client`;
 * - 3 mirror bots cloning 80-180 repos every night (bulk activity is not unusual in this group).
 */
function peerGroup(days: number, seed: number): TokenActivity[] {
  const r = new SeededRandom(seed);
  const out: TokenActivity[] = [];
  const repos = Array.from({ length: 300 }, (_, i) => `acme/repo-${i}`);
  for (let h = 0; h < 24; h++) {
    const token = `dev${h}`;
    const offset = [0, 1, 2, -5, -8][h % 5]!;
    const mine = Array.from({ length: 3 + (h % 6) }, () => repos[r.int(120)]!);
    const activeShare = 0.3 + r.next() * 0.3;
    const perHour = 3 + r.next() * 8;
    for (let d = 0; d < days; d++) {
      if (d % 7 >= 5 && r.next() > 0.1) continue;
      const prefix =
        r.next() < 0.02 ? `172.${h}.${d}.0/24` : r.next() < 0.3 ? `10.${h}.2.0/24` : `10.${h}.1.0/24`;
      for (let local = 8; local < 19; local++) {
        if (r.next() > activeShare) continue;
        const hourStart = START + d * DAY + (local - offset) * HOUR;
        const n = Math.max(1, poisson(r, perHour));
        const cli = r.next() < 0.004;
        for (let i = 0; i < n; i++) {
          const action = ['git.clone', 'git.fetch', 'git.fetch', 'git.push', 'repo.get'][r.int(5)]!;
          out.push(
            use({
              at: hourStart + Math.floor(r.next() * HOUR),
              token,
              action,
              repo: mine[r.int(1 + r.int(mine.length))]!,
              prefix,
              ua: cli && i > n / 2 ? 'GitHub CLI' : 'git',
              bytes: action === 'repo.get' ? 0 : Math.round(logNormal(r, 14, 1.5)),
              items: action === 'git.clone' ? 1 : 0,
              failure: r.next() < 0.02,
            }),
          );
        }
      }
    }
  }
  for (let b = 0; b < 12; b++) {
    const token = `ci${b}`;
    const pool =
      b % 2 === 0 ? Array.from({ length: 30 }, (_, i) => `20.${b}.${i}.0/24`) : [`10.200.${b}.0/24`];
    const mine = Array.from({ length: 2 + (b % 8) }, () => repos[r.int(300)]!);
    const perHour = 5 + r.next() * 20;
    for (let d = 0; d < days; d++) {
      for (let hour = 0; hour < 24; hour++) {
        if (r.next() > 0.6) continue;
        const hourStart = START + d * DAY + hour * HOUR;
        const n = Math.max(1, poisson(r, perHour));
        const prefix = pool[r.int(pool.length)]!;
        for (let i = 0; i < n; i++) {
          out.push(
            use({
              at: hourStart + Math.floor(r.next() * HOUR),
              token,
              action: r.next() < 0.7 ? 'git.clone' : 'git.fetch',
              repo: mine[r.int(mine.length)]!,
              prefix,
              ua: b % 3 === 0 ? 'Go-http-client' : 'git',
              bytes: Math.round(logNormal(r, 16, 1)),
              items: 1,
              failure: r.next() < 0.01,
              machine: true,
            }),
          );
        }
      }
    }
  }
  for (let m = 0; m < 3; m++) {
    for (let d = 0; d < days; d++) {
      const n = 80 + r.int(100);
      for (let i = 0; i < n; i++) {
        out.push(
          use({
            at: START + d * DAY + (2 + m) * HOUR + Math.floor((i / n) * HOUR),
            token: `mirror${m}`,
            repo: repos[(i * 7 + d) % 300]!,
            prefix: `10.250.${m}.0/24`,
            ua: 'git',
            bytes: Math.round(logNormal(r, 15, 1)),
            items: 1,
            machine: true,
          }),
        );
      }
    }
  }
  return out.sort((a, b) =>
    a['@timestamp'] < b['@timestamp'] ? -1 : a['@timestamp'] > b['@timestamp'] ? 1 : 0,
  );
}

/** An exfiltration hour through dev3's token: python-requests from a VPS network, ~250 repos. */
function exfilHour(at: number, events = 400, distinctRepos = 250): TokenActivity[] {
  const r = new SeededRandom(99);
  return Array.from({ length: events }, (_, i) =>
    use({
      at: at + Math.floor((i / events) * HOUR),
      token: 'dev3',
      action: i % 3 === 0 ? 'repo.download_zip' : 'git.clone',
      repo: `acme/repo-${i % distinctRepos}`,
      prefix: '185.220.101.0/24',
      ua: 'python-requests',
      bytes: Math.round(logNormal(r, 15, 1)),
      items: 1,
    }),
  );
}

/** Evaluate-then-update through the detector; returns findings and, per token-hour, the highest score. */
function replay(peers: PeerModels, activities: readonly TokenActivity[], from = 0) {
  const findings: Finding[] = [];
  const maxScore = new Map<string, number>();
  for (const a of activities) {
    const peer = peers.contextFor(a);
    if (Date.parse(a['@timestamp']) >= from) {
      findings.push(...detector.evaluate(a, { ...contextOf({}), ...(peer ? { peer } : {}) }));
      if (peer?.checkpoint) {
        const key = `${a.token.id}@${peer.window.hourStart}`;
        maxScore.set(key, Math.max(maxScore.get(key) ?? 0, peer.score()?.score ?? 0));
      }
    }
    peers.update(a);
  }
  return { findings, maxScore };
}

describe(detector.id, () => {
  let trained: string;
  let benign: ReturnType<typeof replay>;

  beforeAll(() => {
    const peers = new PeerModels();
    benign = replay(peers, peerGroup(28, 1), EVAL_FROM);
    trained = JSON.stringify(peers.snapshot());
  }, 120_000); // ~90k events through the models: a few seconds, more on a loaded machine
  const trainedPeers = () => new PeerModels().restore(JSON.parse(trained));

  it('calibration: benign hours of a realistic peer group stay under the threshold (held-out week)', () => {
    const scores = [...benign.maxScore.values()].sort((a, b) => a - b);
    expect(scores.length).toBeGreaterThan(1500);
    const p99 = scores[Math.floor(scores.length * 0.99)]!;
    expect(p99).toBeLessThan(MULTIVARIATE_SCORE_THRESHOLD - 0.05);
    expect(scores.at(-1)!).toBeLessThan(MULTIVARIATE_SCORE_THRESHOLD);
    expect(benign.findings).toEqual([]);
  });

  it('fires on an exfiltration hour (new client family + new network + ~250 repos) naming the features', () => {
    const { findings } = replay(trainedPeers(), exfilHour(ATTACK_AT + 14 * HOUR));
    expect(findings.length).toBeGreaterThan(0);
    const f = findings[0]!;
    expect(f.detectorId).toBe('token.multivariate.outlier');
    expect(f.entity).toBe('github:hash:dev3');
    expect(f.reason).toMatch(
      /^Classic PAT github:hash:dev3 of dev3: this hour looks unlike its peer group \(github:pat_classic\): /,
    );
    expect(f.reason).toContain('new client family python-requests (');
    expect(f.reason).toMatch(
      /isolation score 0\.\d\d \(alert at 0\.7; the peers' own hours score ~0\.\d+, p99 0\.\d+\)\.$/,
    );
    const last = findings.at(-1)!;
    expect(last.reason).toMatch(/~2\d\d distinct repos \(peers ~\d\)/);
    expect(f.explanation).toMatchObject({
      feature: 'token_hour_isolation_score',
      baseline_entity: 'none',
      history_events: 2048,
      maturity: 'mature',
      window: '1 h',
    });
    expect(f.explanation.observed as number).toBeGreaterThanOrEqual(MULTIVARIATE_SCORE_THRESHOLD);
    expect(f.explanation.expected).toContain(
      'below 0.7 for peer group github:pat_classic (new_ua_family in ',
    );
    expect(f.explanation.baseline_p99!).toBeLessThan(MULTIVARIATE_SCORE_THRESHOLD);
    expect(f.severity).toBe('medium');
    expect(f.riskScore!).toBeGreaterThanOrEqual(50);
    expect(f.riskScore!).toBeLessThanOrEqual(72);
    // Checkpoints only: a handful of findings for 400 events (grouped into one alert per hour).
    expect(findings.length).toBeLessThanOrEqual(8);
  });

  it('stays quiet on a typical hour of a developer, and on a busy but familiar hour', () => {
    const typical = Array.from({ length: 8 }, (_, i) =>
      use({
        at: ATTACK_AT + 10 * HOUR + i * 300_000,
        token: 'dev3',
        action: i % 2 ? 'git.fetch' : 'git.clone',
        repo: `acme/repo-${i % 3}`,
        prefix: '10.3.1.0/24',
        ua: 'git',
        bytes: 2_000_000,
        items: i % 2 ? 0 : 1,
      }),
    );
    expect(replay(trainedPeers(), typical).findings).toEqual([]);
    const nightlyMirror = Array.from({ length: 150 }, (_, i) =>
      use({
        at: ATTACK_AT + 2 * HOUR + i * 20_000,
        token: 'mirror0',
        repo: `acme/repo-${i}`,
        prefix: '10.250.0.0/24',
        ua: 'git',
        bytes: 3_000_000,
        items: 1,
        machine: true,
      }),
    );
    expect(replay(trainedPeers(), nightlyMirror).findings).toEqual([]);
  });

  it('stays quiet when only one feature is unusual (a first GitHub CLI call: the client detector’s job)', () => {
    const peers = trainedPeers();
    const first = use({
      at: ATTACK_AT + 11 * HOUR,
      token: 'dev3',
      action: 'repo.get',
      repo: 'acme/repo-1',
      prefix: '10.3.1.0/24',
      ua: 'GitHub CLI',
      bytes: 0,
    });
    const peer = peers.contextFor(first)!;
    expect(reasonsOf(peer.score()!.contributions).length).toBeLessThan(2);
    expect(detector.evaluate(first, { ...contextOf({}), peer })).toEqual([]);
  });

  it('does not fire without a peer model, with a model trained on too few rows, or between checkpoints', () => {
    // The first exfiltration event that fires, with its peer context.
    const peers = trainedPeers();
    let firing: { activity: TokenActivity; peer: PeerContext } | undefined;
    for (const a of exfilHour(ATTACK_AT + 14 * HOUR)) {
      const peer = peers.contextFor(a);
      if (peer && detector.evaluate(a, { ...contextOf({}), peer }).length > 0) {
        firing = { activity: a, peer };
        break;
      }
      peers.update(a);
    }
    const { activity, peer } = firing!;
    expect(peer.checkpoint).toBe(true);

    expect(detector.evaluate(activity, contextOf({}))).toEqual([]);
    // A group before its first training gives no context at all.
    expect(new PeerModels().contextFor(activity)).toBeUndefined();
    const young: PeerContext = { ...peer, trainedOn: MIN_TRAINED_ON - 1 };
    expect(detector.evaluate(activity, { ...contextOf({}), peer: young })).toEqual([]);
    const score = vi.fn(peer.score);
    const scoreAbove = vi.fn(peer.scoreAbove);
    const between: PeerContext = { ...peer, checkpoint: false, score, scoreAbove };
    expect(detector.evaluate(activity, { ...contextOf({}), peer: between })).toEqual([]);
    expect(score).not.toHaveBeenCalled();
    expect(scoreAbove).not.toHaveBeenCalled();
    // Revocation records are not uses.
    const revoked = { ...activity, token: { ...activity.token, lifecycle: 'revoked' as const } };
    expect(detector.evaluate(revoked, { ...contextOf({}), peer })).toEqual([]);
  });

  it('has the metadata analysts and the registry expect', () => {
    expect(detector).toMatchObject({
      id: 'token.multivariate.outlier',
      severity: 'medium',
      groupWindowMs: HOUR,
      sources: ['github', 'google_workspace', 'salesforce'],
    });
    expect(detector.mitre.map((m) => `${m.tactic.id}:${m.id}`)).toEqual([
      'TA0005:T1550.001',
      'TA0001:T1078.004',
    ]);
    expect(fmtBytes(0)).toBe('0 B');
    expect(fmtBytes(2_345_678_901)).toBe('2.3 GB');
    expect(fmtBytes(77_376_988)).toBe('77 MB');
  });
});

describe('withinOwnHistory (unlike its peers but like itself)', () => {
  // A bot that sweeps ~200 repos in one hour every week, otherwise quiet: 3 weeks of history.
  const HOUR = 3_600_000;
  const start = Date.UTC(2025, 5, 2, 3);
  const history = [];
  for (let week = 0; week < 3; week++) {
    for (let i = 0; i < 200; i++)
      history.push(activityFixture({ at: start + week * 7 * 24 * HOUR + i * 15_000 }));
    for (let d = 1; d < 7; d++) history.push(activityFixture({ at: start + (week * 7 + d) * 24 * HOUR }));
  }
  const probe = activityFixture({ at: start + 21 * 24 * HOUR + 5 * HOUR });
  const own = trainStore(history).contextFor(probe).token;
  const c = (feature: FeatureContribution['feature'], value: number): FeatureContribution => ({
    feature,
    value,
    baseline_median: 1,
    drop: 0.05,
  });

  it('has a mature baseline with a large busiest hour', () => {
    expect(own.maturity).toBe('mature');
    expect(own.hourlyEvents.max).toBeGreaterThanOrEqual(190);
  });

  it('counts an hour as large as its own weekly sweep as within history', () => {
    expect(withinOwnHistory(c('events', 180), own)).toBe(true);
    expect(withinOwnHistory(c('distinct_resources', 150), own)).toBe(true);
  });

  it('does not excuse hours beyond its own history, or any novelty', () => {
    expect(withinOwnHistory(c('events', 2_000), own)).toBe(false);
    expect(withinOwnHistory(c('new_network', 1), own)).toBe(false);
    expect(withinOwnHistory(c('new_ua_family', 1), own)).toBe(false);
    expect(withinOwnHistory(c('rows', 10), own)).toBe(false);
  });
});
