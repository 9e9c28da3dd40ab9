import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { runDetectorCases } from '../../src/cases/index.js';
import { DAY, HOUR, replay } from '../testing.js';
import { networkSourceManyOwners as detector } from './detector.js';

const START = Date.UTC(2025, 6, 1);
const ATTACKER = '198.51.100.7';
/** A use of person `i`'s OAuth token from `ip` (home: 203.0.113.<10+i>). */
const use = (i: number, at: number, ip = `203.0.${100 + i}.10`, extra: Partial<TokenActivity> = {}) =>
  activityFixture({
    at,
    event: { id: `e${i}-${at}-${ip}` },
    user: { name: `dev${i}`, email: `dev${i}@acme.example` },
    source: { ip },
    token: {
      id: `github:hash:token${i}`,
      owner: { name: `dev${i}`, email: `dev${i}@acme.example` },
      client: { id: 'Iv1.travis', name: 'Travis CI' },
    },
    tokenwatch: { network: { ip_prefix: ip.replace(/\.\d+$/, '.0/24'), class: 'residential' } },
    ...extra,
  } as never);
/** 20 days of 8 developers each working from home. */
const history = () =>
  Array.from({ length: 20 }, (_, d) =>
    Array.from({ length: 8 }, (_, i) => use(i, START + d * DAY + (9 + i) * 60_000 * 7)),
  ).flat();
const AT = START + 21 * DAY + 10 * HOUR;
const mine = (fs: ReturnType<typeof replay>) => fs.filter((f) => f.detectorId === detector.id);
const hosting = { tokenwatch: { network: { ip_prefix: '198.51.100.0/24', class: 'hosting' } } } as const;

describe(detector.id, () => {
  it("fires once, on the third person's token replayed from one new address", () => {
    const replays = [0, 1, 2, 3].map((i) => use(i, AT + i * 10 * 60_000, ATTACKER, hosting as never));
    const found = mine(replay(history(), replays));
    expect(found).toHaveLength(1);
    expect(found[0]?.entity).toBe(`source:${ATTACKER}`);
    expect(found[0]?.reason).toContain(
      `Address ${ATTACKER} (hosting, DE) used the github credentials of 3 people new to it within 6 h (dev0@acme.example, dev1@acme.example and dev2@acme.example; latest`,
    );
    expect(found[0]?.explanation).toMatchObject({
      observed: 3,
      feature: 'new_owners_per_source_address',
      history_events: 0,
    });
  });

  it('an address does not become "corporate" because earlier victims were seen on it', () => {
    const first = [0, 1, 2].map((i) => use(i, AT + i * 60_000, ATTACKER, hosting as never));
    const later = [3, 4, 5].map((i) => use(i, AT + 2 * DAY + i * 60_000, ATTACKER, hosting as never));
    const found = mine(replay(history(), [...first, ...later]));
    expect(found).toHaveLength(2);
    expect(found[1]?.reason).toContain('3 people new to it within 6 h (dev3@acme.example');
  });

  it('stays quiet for an office NAT everyone has used for weeks, and for people spread over time', () => {
    const office = '192.0.2.50';
    const officeHistory = Array.from({ length: 20 }, (_, d) =>
      Array.from({ length: 8 }, (_, i) => use(i, START + d * DAY + (9 + i) * HOUR, office)),
    ).flat();
    expect(
      mine(
        replay(
          officeHistory,
          [0, 1, 2, 3].map((i) => use(i, AT + i * 60_000, office)),
        ),
      ),
    ).toEqual([]);
    const spread = [0, 1, 2].map((i) => use(i, AT + i * 8 * HOUR, ATTACKER, hosting as never));
    expect(mine(replay(history(), spread))).toEqual([]);
  });

  it('stays quiet on configured corporate egress, on a VPN/SDP egress with the usual client, and during learning', () => {
    const corp = { tokenwatch: { network: { ip_prefix: '198.51.100.0/24', class: 'corporate' } } } as const;
    expect(
      mine(
        replay(
          history(),
          [0, 1, 2].map((i) => use(i, AT + i * 60_000, ATTACKER, corp as never)),
        ),
      ),
    ).toEqual([]);
    const vpn = { tokenwatch: { network: { ip_prefix: '198.51.100.0/24', class: 'vpn' } } } as const;
    expect(
      mine(
        replay(
          history(),
          [0, 1, 2].map((i) => use(i, AT + i * 60_000, ATTACKER, vpn as never)),
        ),
      ),
    ).toEqual([]);
    const script = { ...vpn, user_agent: { original: 'python-requests/2.31', name: 'python-requests' } };
    expect(
      mine(
        replay(
          history(),
          [0, 1, 2].map((i) => use(i, AT + i * 60_000, ATTACKER, script as never)),
        ),
      ),
    ).toHaveLength(1);
    const early = history().slice(0, 16);
    expect(
      mine(
        replay(
          early,
          [0, 1, 2].map((i) => use(i, START + 2 * DAY + i * 60_000, ATTACKER, hosting as never)),
        ),
      ),
    ).toEqual([]);
  });

  it('raw-log cases', () => {
    for (const r of runDetectorCases([detector.id])) expect(r.problems, r.name).toEqual([]);
  });
});
