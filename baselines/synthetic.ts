import type { TokenActivity } from '../schemas/token-activity.js';
import { activityFixture, FIXTURE_TIME_MS } from './fixture.js';
import { seededRandom } from './seeded-random.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Options of {@link developerTokenHistory}. */
export interface DeveloperHistoryOptions {
  /** days of history (default 30) */
  days?: number;
  /** epoch ms of the first day's 00:00 UTC (default: the fixture day, Monday 2025-08-04) */
  start?: number;
  /** mean events per workday (default 25) */
  eventsPerDay?: number;
  /** PRNG seed (default 1) */
  seed?: number;
  /** token id (default the fixture token) */
  tokenId?: string;
  /** add 0.1-50 MB `bytes` per operation (GitHub audit logs carry none; default false) */
  bytes?: boolean;
}

const REPOS = ['acme/api', 'acme/web', 'acme/infra', 'acme/docs', 'acme/sdk', 'acme/tools'];
const REPO_WEIGHTS = [0.4, 0.25, 0.15, 0.1, 0.06, 0.04];

const pick = <T>(items: readonly T[], weights: readonly number[], r: number): T => {
  let acc = 0;
  for (let i = 0; i < items.length; i++) {
    acc += weights[i]!;
    if (r < acc) return items[i]!;
  }
  return items[items.length - 1]!;
};

/**
 * A realistic benign history of a developer's classic PAT, sorted by event time: a `created`
 * event on day 0 at 08:55 UTC, then on workdays (Mon-Fri) ~`eventsPerDay` git operations between
 * 08:00 and 18:00 UTC: clone 60% / fetch 30% / push 10%, over 6 repos (Zipf-like), from the office
 * /24 (70%, Berlin) or home /24 (30%, Potsdam), `git/2.43.0` then `git/2.44.0` after day 14,
 * 1 item (and with `bytes`, 0.1-50 MB) per operation, scopes `repo`, `read:org`. Built on
 * {@link activityFixture}.
 */
export const developerTokenHistory = (options: DeveloperHistoryOptions = {}): TokenActivity[] => {
  const days = options.days ?? 30;
  const start = options.start ?? FIXTURE_TIME_MS - 10 * HOUR_MS;
  const perDay = options.eventsPerDay ?? 25;
  const rnd = seededRandom(options.seed ?? 1);
  const tokenId = options.tokenId ?? 'github:hash:fixturetoken';
  const token = { id: tokenId, scopes: ['repo', 'read:org'] };
  const out: TokenActivity[] = [
    activityFixture({
      at: start + 8 * HOUR_MS + 55 * 60_000,
      event: { id: `${tokenId}:created`, action: 'personal_access_token.access_granted', type: ['creation'] },
      token: { ...token, lifecycle: 'created' },
      tokenwatch: { resource: undefined, volume: undefined, api_type: undefined },
    }),
  ];
  let seq = 0;
  for (let d = 0; d < days; d++) {
    const dayStart = start + d * DAY_MS;
    const weekday = (new Date(dayStart).getUTCDay() + 6) % 7;
    if (weekday >= 5) continue;
    const n = Math.max(1, Math.round(perDay * (0.6 + 0.8 * rnd())));
    const times: number[] = [];
    for (let i = 0; i < n; i++) times.push(dayStart + 8 * HOUR_MS + Math.floor(rnd() * 10 * HOUR_MS));
    times.sort((a, b) => a - b);
    for (const at of times) {
      const r = rnd();
      const action = r < 0.6 ? 'git.clone' : r < 0.9 ? 'git.fetch' : 'git.push';
      const home = rnd() < 0.3;
      const version = d < 14 ? '2.43.0' : '2.44.0';
      seq++;
      const a = activityFixture({
        at,
        event: { id: `${tokenId}:${seq}`, action },
        user_agent: { original: `git/${version}`, version },
        token,
        tokenwatch: {
          resource: { type: 'repo', name: pick(REPOS, REPO_WEIGHTS, rnd()) },
          volume: options.bytes
            ? { items: 1, bytes: Math.floor(100_000 + rnd() * 50_000_000) }
            : { items: 1, bytes: undefined },
        },
      });
      if (home) {
        a.source = {
          ip: '198.51.100.23',
          geo: { country_iso_code: 'DE', city_name: 'Potsdam', location: { lat: 52.39, lon: 13.06 } },
        };
        a.related.ip = ['198.51.100.23'];
        a.tokenwatch.network = { ip_prefix: '198.51.100.0/24' };
      }
      out.push(a);
    }
  }
  return out.sort((x, y) => Date.parse(x['@timestamp']) - Date.parse(y['@timestamp']));
};
