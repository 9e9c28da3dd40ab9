import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import { runDetectorCases } from '../../src/cases/index.js';
import { DAY, HOUR, replay } from '../testing.js';
import { tokenSessionConcurrentNetworks as detector } from './detector.js';

const START = Date.UTC(2025, 6, 1);
const HOME = {
  source: {
    ip: '203.0.113.10',
    as: { number: 3320 },
    geo: { country_iso_code: 'DE', city_name: 'Berlin', location: { lat: 52.52, lon: 13.405 } },
  },
  tokenwatch: {
    network: {
      ip_prefix: '203.0.113.0/24',
      class: 'residential',
      geo_precision: 'city',
      geo_accuracy_km: 20,
    },
  },
} as const;
const VPS = {
  source: {
    ip: '45.77.1.9',
    as: { number: 20473 },
    geo: { country_iso_code: 'SG', city_name: 'Singapore', location: { lat: 1.29, lon: 103.85 } },
  },
  tokenwatch: {
    network: { ip_prefix: '45.77.1.0/24', class: 'hosting', geo_precision: 'city', geo_accuracy_km: 20 },
  },
} as const;
const OFFICE_NEAR = {
  source: {
    ip: '198.51.100.20',
    as: { number: 680 },
    geo: { country_iso_code: 'DE', city_name: 'Potsdam', location: { lat: 52.39, lon: 13.06 } },
  },
  tokenwatch: {
    network: {
      ip_prefix: '198.51.100.0/24',
      class: 'residential',
      geo_precision: 'city',
      geo_accuracy_km: 20,
    },
  },
} as const;
const at = (ms: number, where: object, id: string) =>
  activityFixture({ at: ms, event: { id }, ...where } as never);
const history = () => Array.from({ length: 20 }, (_, d) => at(START + d * DAY + 9 * HOUR, HOME, `h${d}`));
const T = START + 21 * DAY + 10 * HOUR;
const mine = (fs: ReturnType<typeof replay>) => fs.filter((f) => f.detectorId === detector.id);

describe(detector.id, () => {
  it("fires high when a VPS abroad uses the token between two of its owner's uses from home", () => {
    const found = mine(
      replay(history(), [at(T, HOME, 'a'), at(T + 5 * 60_000, VPS, 'b'), at(T + 12 * 60_000, HOME, 'c')]),
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.reason).toContain(
      'was in use from two networks at once: 203.0.113.10 (AS3320, residential, Berlin, DE) at 10:12 and 45.77.1.9 (AS20473, hosting, Singapore, SG) at 10:05',
    );
    expect(found[0]?.reason).toContain(
      '45.77.1.9 (AS20473, hosting, Singapore, SG) is new to the credential and its owner',
    );
    expect(found[0]?.explanation).toMatchObject({
      feature: 'concurrent_networks_per_credential',
      observed: 'AS3320 + AS20473',
    });
  });

  it('stays quiet for a move (no return), for nearby networks, and beyond the window', () => {
    expect(
      mine(replay(history(), [at(T, HOME, 'a'), at(T + 5 * 60_000, VPS, 'b'), at(T + 9 * 60_000, VPS, 'c')])),
    ).toEqual([]);
    expect(
      mine(
        replay(history(), [
          at(T, HOME, 'a'),
          at(T + 5 * 60_000, OFFICE_NEAR, 'b'),
          at(T + 9 * 60_000, HOME, 'c'),
        ]),
      ),
    ).toEqual([]);
    expect(
      mine(replay(history(), [at(T, HOME, 'a'), at(T + 5 * 60_000, VPS, 'b'), at(T + 2 * HOUR, HOME, 'c')])),
    ).toEqual([]);
  });

  it('stays quiet for machine credentials and VPN egress (no place)', () => {
    const machine = (w: object, id: string, ms: number) =>
      activityFixture({ at: ms, event: { id }, token: { principal: 'machine' }, ...w } as never);
    expect(
      mine(
        replay([], [machine(HOME, 'a', T), machine(VPS, 'b', T + 60_000), machine(HOME, 'c', T + 120_000)]),
      ),
    ).toEqual([]);
    const VPN = { ...VPS, tokenwatch: { network: { ...VPS.tokenwatch.network, class: 'vpn' } } };
    expect(
      mine(replay(history(), [at(T, HOME, 'a'), at(T + 60_000, VPN, 'b'), at(T + 120_000, HOME, 'c')])),
    ).toEqual([]);
  });

  it('raw-log cases', () => {
    for (const r of runDetectorCases([detector.id])) expect(r.problems, r.name).toEqual([]);
  });
});
