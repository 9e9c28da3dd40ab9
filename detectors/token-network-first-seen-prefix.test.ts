import { describe, expect, it } from 'vitest';
import { activityFixture } from '../baselines/testing.js';
import type { TokenActivity } from '../schemas/token-activity.js';
import { DAY, dailyTimes, HOUR, trainedContext } from './testing.js';
import { tokenNetworkFirstSeenPrefix as detector } from './token-network-first-seen-prefix.js';

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

  it('is medium when a machine token also shows a new client family and country (S1 replay)', () => {
    const machine = { token: { principal: 'machine' as const } };
    const probe = activityFixture({
      at: PROBE_AT,
      ...machine,
      source: { ip: '185.220.101.7', geo: { country_iso_code: 'NL', city_name: 'Amsterdam' } },
      user_agent: { original: 'python-requests/2.32.4', name: 'python-requests', version: '2.32.4' },
      tokenwatch: { network: { ip_prefix: '185.220.101.0/24' } },
    });
    const [f] = detector.evaluate(probe, trainedContext(history(machine), probe));
    expect(f?.severity).toBe('medium');
    expect(f?.riskScore).toBe(55);
    expect(f?.reason).toContain('a new country (NL) and a new client family (python-requests)');
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

  it('is low (21) for cloud egress moving within the cloud with the same client (N1 runner migration)', () => {
    const cloud = (prefix: string, ip: string) => ({
      token: { principal: 'machine' as const },
      source: { ip, geo: { country_iso_code: 'US', location: { lat: 39.04, lon: -77.49 } } },
      tokenwatch: { network: { ip_prefix: prefix, cloud_provider: 'aws' } },
    });
    const probe = activityFixture({ at: PROBE_AT, ...cloud('3.91.12.0/24', '3.91.12.9') });
    const [f] = detector.evaluate(probe, trainedContext(history(cloud('52.1.2.0/24', '52.1.2.3')), probe));
    expect(f?.severity).toBe('low');
    expect(f?.riskScore).toBe(21);
    expect(f?.reason).toContain('looks like an infrastructure move');
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
