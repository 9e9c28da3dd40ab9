import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { DAY, dailyTimes, HOUR, trainedContext } from '../testing.js';
import { tokenNetworkFirstSeenPrefix as detector } from './detector.js';

const START = Date.UTC(2025, 6, 1);
const PROBE_AT = START + 30 * DAY + 10 * HOUR;

/** 30 days of alice's PAT from the office /24 in Berlin with git (the fixture defaults). */
const history = (overrides: Parameters<typeof activityFixture>[0] = {}): TokenActivity[] =>
  dailyTimes({ start: START, days: 30, perDay: 6 }).map((at, i) =>
    activityFixture({ ...overrides, at, event: { id: `h${i}` } }),
  );

const fromTor = {
  source: { ip: '185.220.101.7', geo: { country_iso_code: 'DE', city_name: 'Frankfurt' } },
  tokenwatch: { network: { ip_prefix: '185.220.101.0/24' } },
} as const;

describe(detector.id, () => {
  it('fires (low) for a never-seen /24 with the usual client, explaining the known networks', () => {
    const probe = activityFixture({ at: PROBE_AT, ...fromTor });
    const [f, ...rest] = detector.evaluate(probe, trainedContext(history(), probe));
    expect(rest).toHaveLength(0);
    expect(f?.reason).toContain('was used from network 185.220.101.0/24 (DE) for the first time');
    expect(f?.reason).toContain('this token used 1 network (203.0.113.0/24) in DE');
    expect(f?.severity).toBeUndefined();
    expect(f?.entity).toBe('github:hash:fixturetoken');
    expect(f?.explanation).toMatchObject({
      feature: 'source.ip/24 (ip_prefix)',
      observed: '185.220.101.0/24',
      baseline_entity: 'token',
      maturity: 'mature',
      history_events: 180,
    });
    expect(f?.explanation.expected).toContain('networks seen: 203.0.113.0/24');
    expect(f?.explanation.history_days).toBeGreaterThan(29);
  });

  it('is medium when a machine token also shows a new client family (S1 replay from the same country)', () => {
    const machine = { token: { principal: 'machine' as const } };
    const probe = activityFixture({
      at: PROBE_AT,
      ...machine,
      ...fromTor,
      user_agent: { original: 'python-requests/2.32.4', name: 'python-requests', version: '2.32.4' },
    });
    const [f] = detector.evaluate(probe, trainedContext(history(machine), probe));
    expect(f?.severity).toBe('medium');
    expect(f?.riskScore).toBe(55);
    expect(f?.reason).toContain('It also came with a new client family (python-requests).');
  });

  it('leaves an event that also brings a new country to token.geo.first_seen_country (one alert per event)', () => {
    // Changed with v2: this used to fire medium here as well as in the country detector; the
    // country subsumes the network and decides whether the move is an explained trip.
    const machine = { token: { principal: 'machine' as const } };
    const probe = activityFixture({
      at: PROBE_AT,
      ...machine,
      source: { ip: '185.220.101.7', geo: { country_iso_code: 'NL', city_name: 'Amsterdam' } },
      user_agent: { original: 'python-requests/2.32.4', name: 'python-requests', version: '2.32.4' },
      tokenwatch: { network: { ip_prefix: '185.220.101.0/24' } },
    });
    expect(detector.evaluate(probe, trainedContext(history(machine), probe))).toEqual([]);
  });

  it('stays quiet on corporate egress three other people use, unless the client is new too (N3)', () => {
    const sdp = { source: { ip: '165.225.0.9' }, tokenwatch: { network: { ip_prefix: '165.225.0.0/24' } } };
    const colleagues = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        activityFixture({
          ...sdp,
          at: PROBE_AT - HOUR + i * 60_000,
          event: { id: `sdp${i}` },
          user: { email: `colleague${i}@example.com` },
          token: { id: `github:hash:colleague${i}`, client: undefined },
        }),
      );
    const probe = activityFixture({ at: PROBE_AT, ...sdp });
    expect(detector.evaluate(probe, trainedContext([...history(), ...colleagues(3)], probe))).toEqual([]);

    const [two] = detector.evaluate(probe, trainedContext([...history(), ...colleagues(2)], probe));
    expect(two?.reason).toContain('2 other people use this network (corporate egress from 3).');

    const script = activityFixture({
      at: PROBE_AT,
      ...sdp,
      user_agent: { original: 'python-requests/2.32.4', name: 'python-requests', version: '2.32.4' },
    });
    const [f] = detector.evaluate(script, trainedContext([...history(), ...colleagues(3)], script));
    expect(f?.severity).toBe('medium');
    expect(f?.reason).toContain('3 other people use this network');
  });

  it("stays quiet for a person first onto a node of the enterprise gateway the org's people use (N3), not on a consumer VPN", () => {
    /** Egress of `provider` (`enterprise_gateway` Zscaler, or a `consumer` VPN) at `ip` in `prefix`. */
    const egress = (
      ip: string,
      prefix: string,
      kind: 'enterprise_gateway' | 'consumer',
      provider: string,
    ) => ({
      source: { ip, as: { number: 22616 } },
      tokenwatch: {
        network: { ip_prefix: prefix, class: 'vpn' as const, vpn_kind: kind, vpn_provider: provider },
      },
    });
    // colleagues work through the org's Zscaler in Chicago (165.225.2.0/24)...
    const colleagues = (n: number, kind: 'enterprise_gateway' | 'consumer' = 'enterprise_gateway') =>
      Array.from({ length: n }, (_, i) =>
        activityFixture({
          ...egress('165.225.2.9', '165.225.2.0/24', kind, kind === 'consumer' ? 'nordvpn' : 'zscaler'),
          at: PROBE_AT - 2 * HOUR + i * 60_000,
          event: { id: `gw${i}` },
          user: { email: `colleague${i}@example.com` },
          token: { id: `github:hash:colleague${i}`, client: undefined },
        }),
      );
    // ...alice's laptop lands on its Frankfurt node: another /24, /16 and AS of the same operator
    const node = egress('136.226.158.10', '136.226.158.0/24', 'enterprise_gateway', 'zscaler');
    const probe = activityFixture({ at: PROBE_AT, ...node });
    expect(detector.evaluate(probe, trainedContext([...history(), ...colleagues(2)], probe))).toEqual([]);
    // one colleague does not make it the org's gateway (Cloudflare's consumer WARP shares Zero Trust's AS)
    expect(detector.evaluate(probe, trainedContext([...history(), ...colleagues(1)], probe))).toHaveLength(1);
    // colleagues on a consumer VPN never vouch for it, nor does the kind alone
    const vpn = activityFixture({
      at: PROBE_AT,
      ...egress('136.226.158.10', '136.226.158.0/24', 'consumer', 'nordvpn'),
    });
    expect(
      detector.evaluate(vpn, trainedContext([...history(), ...colleagues(2, 'consumer')], vpn)),
    ).toHaveLength(1);
    // a new client family through the gateway is still reported (medium), and so is a machine
    const script = activityFixture({
      at: PROBE_AT,
      ...node,
      user_agent: { original: 'python-requests/2.32.4', name: 'python-requests', version: '2.32.4' },
    });
    expect(
      detector.evaluate(script, trainedContext([...history(), ...colleagues(2)], script))[0]?.severity,
    ).toBe('medium');
    const machine = { token: { principal: 'machine' as const } };
    const bot = activityFixture({ at: PROBE_AT, ...node, ...machine });
    expect(detector.evaluate(bot, trainedContext([...history(machine), ...colleagues(2)], bot))).toHaveLength(
      1,
    );
  });

  it('stays quiet for a person on another address pool of an SDP provider eight people use, not for a machine', () => {
    const people = Array.from({ length: 8 }, (_, i) =>
      activityFixture({
        at: PROBE_AT - HOUR + i * 60_000,
        event: { id: `z${i}` },
        user: { email: `p${i}@example.com` },
        token: { id: `github:hash:p${i}`, client: undefined },
        source: { ip: '165.225.0.9' },
        tokenwatch: { network: { ip_prefix: '165.225.0.0/24' } },
      }),
    );
    const node = { source: { ip: '165.225.2.9' }, tokenwatch: { network: { ip_prefix: '165.225.2.0/24' } } };
    const probe = activityFixture({ at: PROBE_AT, ...node });
    expect(detector.evaluate(probe, trainedContext([...history(), ...people], probe))).toEqual([]);
    expect(
      detector.evaluate(probe, trainedContext([...history(), ...people.slice(0, 7)], probe)),
    ).toHaveLength(1);
    const machine = { token: { principal: 'machine' as const } };
    const bot = activityFixture({ at: PROBE_AT, ...node, ...machine });
    expect(detector.evaluate(bot, trainedContext([...history(machine), ...people], bot))).toHaveLength(1);
  });

  it('stays quiet for a person hopping networks in a country they entered days ago (N2), not for a machine', () => {
    const lisbon = (at: number, prefix: string, id: string, overrides = {}) =>
      activityFixture({
        ...overrides,
        at,
        event: { id },
        source: {
          ip: prefix.replace('0/24', '5'),
          geo: { country_iso_code: 'PT', city_name: 'Lisbon', location: { lat: 38.72, lon: -9.14 } },
        },
        tokenwatch: { network: { ip_prefix: prefix } },
      });
    const trip = [
      lisbon(PROBE_AT - 2 * DAY, '85.240.0.0/24', 'pt1'),
      lisbon(PROBE_AT - DAY, '85.240.0.0/24', 'pt2'),
    ];
    const probe = lisbon(PROBE_AT, '94.60.1.0/24', 'probe');
    expect(detector.evaluate(probe, trainedContext([...history(), ...trip], probe))).toEqual([]);

    const machine = { token: { principal: 'machine' as const, client: undefined } };
    const botTrip = trip.map((a) => ({ ...a, token: { ...a.token, ...machine.token } }));
    const bot = lisbon(PROBE_AT, '94.60.1.0/24', 'bot', machine);
    expect(detector.evaluate(bot, trainedContext([...history(machine), ...botTrip], bot))).toHaveLength(1);
  });

  it('ignores failed attempts (not a use of the credential)', () => {
    const probe = activityFixture({ at: PROBE_AT, ...fromTor, event: { outcome: 'failure' } });
    expect(detector.evaluate(probe, trainedContext(history(), probe))).toEqual([]);
  });

  it('compares a brand-new token with its owner on cold start', () => {
    const noClient = { token: { client: undefined } };
    const probe = activityFixture({
      at: PROBE_AT,
      ...noClient,
      ...fromTor,
      token: { id: 'github:hash:newtoken', client: undefined },
    });
    const [f] = detector.evaluate(probe, trainedContext(history(noClient), probe));
    expect(f?.explanation.baseline_entity).toBe('owner');
    expect(f?.reason).toContain("its owner's tokens used 1 network");
  });

  const cloudUse = (principal: 'machine' | 'human', prefix: string, ip: string) => ({
    token: { principal },
    source: { ip, geo: { country_iso_code: 'US', location: { lat: 39.04, lon: -77.49 } } },
    tokenwatch: { network: { ip_prefix: prefix, cloud_provider: 'aws', class: 'cloud' as const } },
  });

  it("stays quiet for a machine token's cloud-to-cloud move with a client it used itself (N1 runner migration)", () => {
    // Changed: this used to fire low (21). Autoscaled runners draw addresses from huge pools.
    const probe = activityFixture({
      at: PROBE_AT,
      ...cloudUse('machine', '44.242.255.0/24', '44.242.255.9'),
    });
    const ctx = trainedContext(history(cloudUse('machine', '52.21.16.0/24', '52.21.16.3')), probe);
    expect(detector.evaluate(probe, ctx)).toEqual([]);
  });

  it('still reports a machine token at new cloud egress with a new client family (medium)', () => {
    const probe = activityFixture({
      at: PROBE_AT,
      ...cloudUse('machine', '44.242.255.0/24', '44.242.255.9'),
      user_agent: { original: 'python-requests/2.32.4', name: 'python-requests', version: '2.32.4' },
    });
    const ctx = trainedContext(history(cloudUse('machine', '52.21.16.0/24', '52.21.16.3')), probe);
    const [f] = detector.evaluate(probe, ctx);
    expect(f?.severity).toBe('medium');
    expect(f?.reason).toContain('new client family (python-requests)');
  });

  it("is low (21) for a person's credential moving within cloud egress with the same client", () => {
    const probe = activityFixture({ at: PROBE_AT, ...cloudUse('human', '3.91.12.0/24', '3.91.12.9') });
    const [f] = detector.evaluate(
      probe,
      trainedContext(history(cloudUse('human', '52.1.2.0/24', '52.1.2.3')), probe),
    );
    expect(f?.severity).toBe('low');
    expect(f?.riskScore).toBe(21);
    expect(f?.reason).toContain('looks like an infrastructure move');
  });

  it('reports a machine token first seen from cloud egress after non-cloud use', () => {
    const machine = { token: { principal: 'machine' as const } };
    const probe = activityFixture({
      at: PROBE_AT,
      ...cloudUse('machine', '44.242.255.0/24', '44.242.255.9'),
    });
    const [f] = detector.evaluate(probe, trainedContext(history(machine), probe));
    expect(f).toBeDefined();
    expect(f?.reason).not.toContain('infrastructure move');
  });

  it('stays quiet on a known network', () => {
    const probe = activityFixture({ at: PROBE_AT });
    expect(detector.evaluate(probe, trainedContext(history(), probe))).toEqual([]);
  });

  it('stays quiet on a network the owner uses with another token', () => {
    const other = dailyTimes({ start: START, days: 30, perDay: 1 }).map((at, i) =>
      activityFixture({
        at: at + 60_000,
        event: { id: `o${i}` },
        token: { id: 'github:hash:other' },
        ...fromTor,
      }),
    );
    const probe = activityFixture({ at: PROBE_AT, ...fromTor });
    expect(detector.evaluate(probe, trainedContext([...history(), ...other], probe))).toEqual([]);
  });

  it("stays quiet for a person's new address in an ISP block they already use (DHCP churn)", () => {
    const probe = activityFixture({
      at: PROBE_AT,
      source: { ip: '203.0.114.20' },
      tokenwatch: { network: { ip_prefix: '203.0.114.0/24' } },
    });
    expect(detector.evaluate(probe, trainedContext(history(), probe))).toEqual([]);
    // The same move is reported for a machine token.
    const machine = { token: { principal: 'machine' as const } };
    const bot = activityFixture({
      ...machine,
      at: PROBE_AT,
      source: { ip: '203.0.114.20' },
      tokenwatch: { network: { ip_prefix: '203.0.114.0/24' } },
    });
    expect(detector.evaluate(bot, trainedContext(history(machine), bot))).toHaveLength(1);
  });

  it("stays quiet on a network the token's app already uses with other users (peers)", () => {
    const colleague = dailyTimes({ start: START, days: 30, perDay: 1 }).map((at, i) =>
      activityFixture({
        at: at + 60_000,
        event: { id: `c${i}` },
        user: { name: 'bob', email: 'bob@example.com' },
        token: { id: 'github:hash:bobs', owner: { name: 'bob', email: 'bob@example.com' } },
        ...fromTor,
      }),
    );
    const probe = activityFixture({ at: PROBE_AT, ...fromTor });
    expect(detector.evaluate(probe, trainedContext([...history(), ...colleague], probe))).toEqual([]);
  });

  it('stays quiet without a mature baseline to compare with', () => {
    const probe = activityFixture({ at: PROBE_AT, ...fromTor });
    const young = history().slice(0, 10);
    expect(detector.evaluate(probe, trainedContext(young, probe))).toEqual([]);
  });

  it('stays quiet for a roaming person (8+ networks) when client and country are familiar (N2/N3)', () => {
    const roaming = history().map((a, i) => {
      const n = i % 9;
      return { ...a, tokenwatch: { ...a.tokenwatch, network: { ip_prefix: `198.51.${n}.0/24` } } };
    });
    const probe = activityFixture({ at: PROBE_AT, ...fromTor });
    expect(detector.evaluate(probe, trainedContext(roaming, probe))).toEqual([]);
  });

  it('ignores revocation records', () => {
    const probe = activityFixture({ at: PROBE_AT, ...fromTor, token: { lifecycle: 'revoked' } });
    expect(detector.evaluate(probe, trainedContext(history(), probe))).toEqual([]);
  });
});

describe(`${detector.id} (network classes)`, () => {
  const torExit = {
    source: {
      ip: '185.220.101.7',
      geo: { country_iso_code: 'US', city_name: 'Ashburn', location: { lat: 39.04, lon: -77.49 } },
    },
    tokenwatch: { network: { ip_prefix: '185.220.101.0/24', class: 'tor' as const } },
  };

  it('reports a Tor exit (medium) even from another country and for a roaming baseline', () => {
    const roaming = dailyTimes({ start: START, days: 30, perDay: 6 }).map((at, i) =>
      activityFixture({
        at,
        event: { id: `r${i}` },
        source: { ip: `198.51.${i % 10}.9` },
        tokenwatch: { network: { ip_prefix: `198.51.${i % 10}.0/24` } },
      }),
    );
    const probe = activityFixture({ at: PROBE_AT, ...torExit });
    const [f] = detector.evaluate(probe, trainedContext(roaming, probe));
    expect(f?.severity).toBe('medium');
    expect(f?.reason).toContain('was used from a Tor exit (185.220.101.7) for the first time');
    expect(f?.explanation.observed).toBe('tor');
  });

  it("stays quiet on a new prefix of a mobile carrier the owner's phone already uses (CGNAT pool)", () => {
    const carrier = (prefix: string) => ({
      source: { ip: prefix.replace('0/24', '9'), as: { number: 3320 } },
      tokenwatch: { network: { ip_prefix: prefix, class: 'mobile' as const } },
    });
    const phone = dailyTimes({ start: START, days: 30, perDay: 2 }).map((at, i) =>
      activityFixture({ at: at + HOUR, event: { id: `p${i}` }, ...carrier('80.187.100.0/24') }),
    );
    const probe = activityFixture({ at: PROBE_AT, ...carrier('80.187.200.0/24') });
    expect(detector.evaluate(probe, trainedContext([...history(), ...phone], probe))).toEqual([]);
    // Another carrier (another AS) is a new network.
    const other = activityFixture({
      at: PROBE_AT,
      source: { ip: '31.94.0.9', as: { number: 12576 } },
      tokenwatch: { network: { ip_prefix: '31.94.0.0/24', class: 'mobile' as const } },
    });
    expect(detector.evaluate(other, trainedContext([...history(), ...phone], other))).toHaveLength(1);
  });

  it("stays quiet on the organization's own egress (class corporate)", () => {
    const probe = activityFixture({
      at: PROBE_AT,
      source: { ip: '192.0.2.44' },
      tokenwatch: { network: { ip_prefix: '192.0.2.0/24', class: 'corporate' as const } },
    });
    expect(detector.evaluate(probe, trainedContext(history(), probe))).toEqual([]);
  });
});
