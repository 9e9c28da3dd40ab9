import { describe, expect, it } from 'vitest';
import { ORG_PREFIX_WINDOW_MS, OrgBaseline, orgStateSchema } from './org-baseline.js';
import { activityFixture, FIXTURE_TIME_MS, trainStore } from './testing.js';

const t0 = FIXTURE_TIME_MS;
const HOUR = 3_600_000;
const SDP = '165.225.0.0/24';

/** A use by `email`'s human token from `prefix`. */
const use = (email: string, at: number, prefix = SDP, principal: 'human' | 'machine' = 'human') =>
  activityFixture({
    at,
    user: { email },
    token: { id: `github:hash:${email}`, principal },
    tokenwatch: { network: { ip_prefix: prefix } },
  });

const failure = (at: number, ip: string, prefix: string, country: string) =>
  activityFixture({
    at,
    event: { action: 'login_failure', outcome: 'failure' },
    source: { ip, geo: { country_iso_code: country } },
    tokenwatch: { network: { ip_prefix: prefix } },
  });

describe('OrgBaseline', () => {
  it('counts the people sharing a network within 30 days, excluding the asking owner', () => {
    const org = trainStore([
      use('ann@x.com', t0),
      use('ben@x.com', t0 + HOUR),
      use('ann@x.com', t0 + 2 * HOUR),
    ]).org;
    expect(org.sharedPrefixPrincipals(SDP, t0 + 3 * HOUR)).toBe(2);
    expect(org.sharedPrefixPrincipals(SDP, t0 + 3 * HOUR, 'owner:github:ann@x.com')).toBe(1);
    expect(org.sharedPrefixPrincipals(SDP, t0 + HOUR + ORG_PREFIX_WINDOW_MS + 1)).toBe(1);
    expect(org.sharedPrefixPrincipals('203.0.113.0/24', t0)).toBe(0);
  });

  it('finds the busiest shared prefix of a provider block (another node of the same SDP provider)', () => {
    const people = ['a', 'b', 'c', 'd'].map((n, i) => use(`${n}@x.com`, t0 + i * HOUR, '165.225.0.0/24'));
    const org = trainStore([
      ...people,
      use('e@x.com', t0, '165.225.2.0/24'),
      use('f@x.com', t0, '73.15.12.0/24'),
    ]).org;
    expect(org.sharedBlockPrincipals('165.225.16.0/24', t0 + 5 * HOUR)).toBe(4);
    expect(org.sharedBlockPrincipals('165.225.16.0/24', t0 + 5 * HOUR, 'owner:github:a@x.com')).toBe(3);
    expect(org.sharedBlockPrincipals('73.15.99.0/24', t0 + 5 * HOUR)).toBe(1);
    expect(org.sharedBlockPrincipals('10.0.0.0/24', t0)).toBe(0);
    const copy = OrgBaseline.fromJSON(org.toJSON());
    expect(copy.sharedBlockPrincipals('165.225.16.0/24', t0 + 5 * HOUR)).toBe(4);
  });

  it('counts the people on an enterprise gateway per operator, whichever node, /16 or AS they use', () => {
    /** `email`'s use of a Zscaler node, or of a consumer VPN. */
    const gw = (
      email: string,
      at: number,
      prefix: string,
      kind: 'enterprise_gateway' | 'consumer' = 'enterprise_gateway',
    ) =>
      activityFixture({
        at,
        user: { email },
        token: { id: `github:hash:${email}` },
        source: { ip: prefix.replace('0/24', '10'), as: { number: 53813 } },
        tokenwatch: {
          network: {
            ip_prefix: prefix,
            class: 'vpn',
            vpn_kind: kind,
            vpn_provider: kind === 'consumer' ? 'mullvad' : 'zscaler',
          },
        },
      });
    const org = trainStore([
      gw('ann@x.com', t0, '165.225.0.0/24'),
      gw('ben@x.com', t0 + HOUR, '136.226.158.0/24'),
      gw('cat@x.com', t0 + HOUR, '147.161.140.0/24', 'consumer'),
      use('dan@x.com', t0, '165.225.2.0/24'),
    ]).org;
    expect(org.sharedGatewayPrincipals('zscaler', t0 + 2 * HOUR)).toBe(2);
    expect(org.sharedGatewayPrincipals('zscaler', t0 + 2 * HOUR, 'owner:github:ann@x.com')).toBe(1);
    expect(org.sharedGatewayPrincipals('zscaler', t0 + HOUR + ORG_PREFIX_WINDOW_MS + 1)).toBe(0);
    expect(org.sharedGatewayPrincipals('mullvad', t0 + 2 * HOUR)).toBe(0);
    expect(org.sharedGatewayPrincipals('AS53813', t0 + 2 * HOUR)).toBe(0);
    const copy = OrgBaseline.fromJSON(orgStateSchema.parse(JSON.parse(JSON.stringify(org.toJSON()))));
    expect(copy.sharedGatewayPrincipals('zscaler', t0 + 2 * HOUR)).toBe(2);
  });

  it('counts neither machine tokens nor failed attempts as people using a network', () => {
    const org = trainStore([
      use('etl@x.com', t0, SDP, 'machine'),
      activityFixture({
        at: t0,
        user: { email: 'cat@x.com' },
        event: { outcome: 'failure' },
        tokenwatch: { network: { ip_prefix: SDP } },
      }),
    ]).org;
    expect(org.sharedPrefixPrincipals(SDP, t0 + HOUR)).toBe(0);
  });

  it('loads state saved with the old failed-attempt and impersonation sections (ignored)', () => {
    const org = OrgBaseline.fromJSON(
      orgStateSchema.parse({
        v: 1,
        prefixes: [[SDP, [['owner:github:ann@x.com', t0]]]],
        failures: [['owner:github:ann@x.com', [{ at: t0 }]]],
        impersonations: [['google_workspace:dwd:42', 0, [['a@x.com', t0, t0]], [t0]]],
      }),
    );
    expect(org.toJSON()).toEqual({ v: 1, prefixes: [[SDP, [['owner:github:ann@x.com', t0]]]] });
    expect(org.sharedPrefixPrincipals(SDP, t0 + HOUR)).toBe(1);
  });

  it('round-trips through JSON', () => {
    const store = trainStore([use('ann@x.com', t0), failure(t0, '192.0.2.9', '192.0.2.0/24', 'KR')]);
    const copy = OrgBaseline.fromJSON(JSON.parse(JSON.stringify(store.org.toJSON())));
    expect(copy.toJSON()).toEqual(store.org.toJSON());
  });
});
