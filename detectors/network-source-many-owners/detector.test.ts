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

  it('names the newcomers in first-use order, and stays quiet for a person who used the address before the window', () => {
    // dev1 first, dev0, dev1 again (the address's table now holds dev0 before dev1), then dev2 crosses
    const replays = [
      use(1, AT, ATTACKER, hosting as never),
      use(0, AT + 10 * 60_000, ATTACKER, hosting as never),
      use(1, AT + 20 * 60_000, ATTACKER, hosting as never),
      use(2, AT + 30 * 60_000, ATTACKER, hosting as never),
    ];
    const found = mine(replay(history(), replays));
    expect(found).toHaveLength(1);
    expect(found[0]?.reason).toContain(
      '3 people new to it within 6 h (dev1@acme.example, dev0@acme.example and dev2@acme.example; latest',
    );
    // the same people a week later: each used the address before the window, none is a newcomer
    const later = [0, 1, 2, 3].map((i) =>
      use(i === 3 ? 0 : i, AT + 7 * DAY + i * 60_000, ATTACKER, hosting as never),
    );
    expect(mine(replay([...history(), ...replays], later))).toEqual([]);
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

  it("must not fire: colleagues' phones behind one carrier CGNAT address (an all-hands in one hall)", () => {
    const cgnat = '172.56.4.37';
    const mobile = {
      source: { ip: cgnat, as: { number: 21928, organization: { name: 'T-Mobile USA, Inc.' } } },
      tokenwatch: { network: { ip_prefix: '172.56.4.0/24', class: 'mobile' } },
    } as never;
    const phones = [0, 1, 2, 3, 4, 5].map((i) => use(i, AT + i * 5 * 60_000, cgnat, mobile));
    expect(mine(replay(history(), phones))).toEqual([]);
    // the same people from one rented address do fire
    const rented = [0, 1, 2].map((i) => use(i, AT + i * 5 * 60_000, ATTACKER, hosting as never));
    expect(mine(replay(history(), rented))).toHaveLength(1);
  });

  describe('ASN level', () => {
    /** a use from `ip` in autonomous system `asn` of class `cls` */
    const onAs = (asn: number, org: string, cls: string, ip: string) =>
      ({
        source: { ip, as: { number: asn, organization: { name: org } }, geo: { country_iso_code: 'US' } },
        tokenwatch: { network: { ip_prefix: ip.replace(/\.\d+$/, '.0/24'), class: cls } },
      }) as never;
    const DO = (i: number) =>
      onAs(14061, 'DigitalOcean, LLC', 'hosting', `${[159, 167, 134, 64][i]}.${90 + i}.20.7`);

    it('fires once, on the third person new to one hosting ASN, when each used a different address of it', () => {
      const spread = [0, 1, 2, 3].map((i) =>
        use(i, AT + i * 10 * 60_000, `${[159, 167, 134, 64][i]}.${90 + i}.20.7`, DO(i)),
      );
      const found = mine(replay(history(), spread));
      expect(found).toHaveLength(1);
      expect(found[0]?.entity).toBe('source_as:AS14061');
      expect(found[0]?.reason).toContain(
        'Autonomous system AS14061 DigitalOcean, LLC (hosting, US; latest from 134.92.20.7) used the github credentials of 3 people new to it within 6 h (dev0@acme.example, dev1@acme.example and dev2@acme.example;',
      );
      expect(found[0]?.explanation).toMatchObject({ feature: 'new_owners_per_source_asn', observed: 3 });
    });

    it('a replay from one address of a hosting ASN is one alert, on the address (no second one for its ASN)', () => {
      const one = [0, 1, 2, 3].map((i) =>
        use(i, AT + i * 10 * 60_000, ATTACKER, onAs(14061, 'DigitalOcean, LLC', 'hosting', ATTACKER)),
      );
      const found = mine(replay(history(), one));
      expect(found.map((f) => f.entity)).toEqual([`source:${ATTACKER}`]);
    });

    it('must not fire: colleagues at home on one residential or mobile ASN, each from their own address', () => {
      for (const [asn, org, cls] of [
        [7922, 'Comcast Cable Communications, LLC', 'residential'],
        [21928, 'T-Mobile USA, Inc.', 'mobile'],
      ] as const) {
        const homes = [0, 1, 2, 3, 4].map((i) =>
          use(i, AT + i * 10 * 60_000, `73.${10 + i}.34.86`, onAs(asn, org, cls, `73.${10 + i}.34.86`)),
        );
        expect(mine(replay(history(), homes)), org).toEqual([]);
      }
    });

    it("must not fire: a CI runner pool's fresh address carrying the PATs of developers it has used for weeks", () => {
      const aws = (ip: string) => onAs(14618, 'Amazon.com, Inc.', 'cloud', ip);
      // 20 days: every day each developer's pipelines run on that day's runner (a new address)
      const pool = Array.from({ length: 20 }, (_, d) =>
        [0, 1, 2].map((i) => use(i, START + d * DAY + (10 + i) * HOUR, `52.20.${d}.9`, aws(`52.20.${d}.9`))),
      ).flat();
      const today = [0, 1, 2, 3].map((i) => use(i % 3, AT + i * 10 * 60_000, '52.21.7.9', aws('52.21.7.9')));
      expect(mine(replay([...history(), ...pool], today))).toEqual([]);
      // people who never used the AS, on one fresh address of it: a replay
      const strangers = [3, 4, 5].map((i) => use(i, AT + i * 10 * 60_000, '52.21.7.9', aws('52.21.7.9')));
      expect(mine(replay([...history(), ...pool], strangers)).map((f) => f.entity)).toEqual([
        'source:52.21.7.9',
      ]);
    });

    it('must not fire: a hosting ASN the org has long brought many newcomers to (base rate), or with asnLevel off', () => {
      // 20 days in which five people a day start using some address of the ASN (cloud desktops)
      const busy = Array.from({ length: 100 }, (_, k) => {
        const i = 10 + k;
        const d = Math.floor(k / 5);
        return activityFixture({
          at: START + d * DAY + (8 + (k % 5)) * HOUR,
          event: { id: `busy-${k}` },
          user: { name: `p${i}`, email: `p${i}@acme.example` },
          token: { id: `github:hash:p${i}`, owner: { name: `p${i}`, email: `p${i}@acme.example` } },
          ...(onAs(16509, 'Amazon.com, Inc.', 'cloud', `52.${k}.1.9`) as object),
        } as never);
      });
      const spread = [0, 1, 2].map((i) =>
        use(i, AT + i * 10 * 60_000, `54.${i}.2.9`, onAs(16509, 'Amazon.com, Inc.', 'cloud', `54.${i}.2.9`)),
      );
      expect(mine(replay([...history(), ...busy], spread))).toEqual([]);
      const spreadDo = [0, 1, 2].map((i) =>
        use(i, AT + i * 10 * 60_000, `${[159, 167, 134][i]}.${90 + i}.20.7`, DO(i)),
      );
      expect(mine(replay(history(), spreadDo, { settings: { [detector.id]: { asnLevel: false } } }))).toEqual(
        [],
      );
      expect(mine(replay(history(), spreadDo))).toHaveLength(1);
    });
  });

  it('raw-log cases', () => {
    for (const r of runDetectorCases([detector.id])) expect(r.problems, r.name).toEqual([]);
  });
});
