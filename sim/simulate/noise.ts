/**
 * The world's noise (`noise: true`, the `realistic` preset): the situations real audit logs are
 * full of and a tidy simulator lacks, each of which misled our detectors on independent data
 * (issue 8):
 *
 * - **IPv6 homes known only to their country**: Google Workspace traffic from a dual-stack home
 *   leaves over IPv6 (~85 %) and IPv4; geoip-lite places the IPv6 /64s below in the country only
 *   (no city, `area` 100-1000 km), the IPv4 address in the home city.
 * - **Carrier pools**: a phone's carrier (CGNAT) address moves every ~90 minutes across the
 *   carrier's /16, shared with every subscriber; geoip-lite places some /24s in the country only,
 *   others in far-apart cities.
 * - **Phones between Wi-Fi and carrier**: a phone-egress grant uses the home/office Wi-Fi ~40 % of
 *   the time at home, its carrier otherwise.
 * - **Homes in cloud or hosting ranges**: ~8 % of people route their laptop through their own VPS
 *   (WireGuard on DigitalOcean, Hetzner, Scaleway) on half of their home days.
 * - **Session churn**: Workspace `logout` at the end of half of the working days, `login_failure`
 *   (a typo) before ~4 % of logins; the same for Salesforce browser sessions (a `Logout` event
 *   type row or `LogoutEvent` at the end of half of the days, a failed `Login` / `LoginEvent`
 *   with an invalid password before ~5 % of the day's logins), OAuth re-consents of grants with the scopes already held
 *   (~1 per 25 working days per grant), GitHub `personal_access_token.destroy` naming no token
 *   (a developer deleting an unused fine-grained PAT, ~1 per 30 working days).
 * - **Admins doing first-time admin work**: each Workspace admin once performs admin actions they
 *   never did before (create a user, reset a password, assign a role).
 * - **SDP node failover**: behind the corporate SDP (after the N3 rollout), a person's client
 *   egresses from the region's secondary data centre ({@link SDP_FAILOVER_SHARE} of days): another
 *   /24, /16 and often AS of the same operator (Zscaler's Frankfurt node for a Berlin user who
 *   usually lands on 165.225.24.0/24), which no colleague may have used from that prefix yet.
 *
 * Everything is deterministic in (seed, person, day/hour) and consumes no random numbers when
 * noise is off, so the other presets are unchanged.
 */
import { HOUR_MS, MINUTE_MS } from './calendar.js';
import { type GenContext, gwsLag } from './context.js';
import { cloudAddress, type NetAddress } from './geography.js';
import type { PersonDay } from './person-day.js';
import type { Credential, Person, Population, Tenant } from './population-types.js';
import { type Rng, rngFor } from './prng.js';
import { githubEmit } from './records-github.js';
import { googleEmit, pMulti, pValue } from './records-google.js';
import { type SfSession, salesforceEmit, sfSession } from './records-salesforce.js';
import { browserUa } from './user-agents.js';

/** Share of a person's days behind the corporate SDP spent on its secondary data centre (failover). */
export const SDP_FAILOVER_SHARE = 0.1;

/**
 * Residential IPv6 blocks geoip-lite 1.4 places in the country only (checked host by host in
 * noise.test.ts): the first groups of the /32 (or /29); a home's /64 is derived below them.
 */
const IPV6_COUNTRY_ONLY: Readonly<
  Record<string, { head: string; thirds: readonly string[]; isp: string; asn?: number }>
> = {
  DE: {
    head: '2003:e0',
    thirds: ['0', '101', '202', '303', '808', '909', 'a0a', 'b0b'],
    isp: 'Deutsche Telekom',
    asn: 3320,
  },
  US: {
    head: '2601:0',
    thirds: ['0', '101', '202', '303', '404', '505', '606', '707'],
    isp: 'Comcast',
    asn: 7922,
  },
  AU: { head: '2001:8003', thirds: ['0', '101', '303', '505', '707', '909'], isp: 'Telstra', asn: 1221 },
  BR: { head: '2804:14c', thirds: ['505', '606', '707', '808', '909', 'a0a'], isp: 'Claro' },
  CH: { head: '2a02:1210', thirds: ['0', '101', '202', '303', '404', '505'], isp: 'Swiss ISP' },
};

/**
 * Carrier CGNAT pools (IPv4 /16) per country: some /24s geolocate to the country only, others to
 * cities hundreds of km apart (measured with geoip-lite 1.4, see noise.test.ts); `thirds` limits
 * the third octet to the part of the /16 geoip-lite places in the country.
 */
const CARRIER_POOLS: Readonly<
  Record<string, { head: string; carrier: string; asn: number; thirds?: number }[]>
> = {
  DE: [{ head: '80.187', carrier: 'Telekom Deutschland (mobile)', asn: 3320, thirds: 151 }],
  US: [
    { head: '172.58', carrier: 'T-Mobile US', asn: 21928 },
    { head: '166.137', carrier: 'AT&T Mobility', asn: 20057 },
  ],
  GB: [{ head: '31.94', carrier: 'EE', asn: 12576 }],
  FR: [{ head: '90.84', carrier: 'Orange', asn: 3215, thirds: 72 }],
  ES: [{ head: '88.28', carrier: 'Movistar', asn: 3352 }],
  JP: [{ head: '1.66', carrier: 'NTT Docomo', asn: 9605 }],
  IT: [{ head: '5.90', carrier: 'TIM', asn: 3269 }],
  CA: [{ head: '72.143', carrier: 'Rogers Wireless', asn: 812 }],
};

/** Hosting /16s of personal VPS VPNs by the person's country (the rest use DigitalOcean). */
const VPS_HOSTING: Readonly<
  Record<string, { head: string; provider: string; country: string; asn: number }>
> = {
  DE: { head: '88.198', provider: 'Hetzner', country: 'DE', asn: 24940 },
  FR: { head: '51.15', provider: 'Scaleway', country: 'FR', asn: 12876 },
};

/** How long a phone keeps one carrier address (ms). */
const CARRIER_ROTATION_MS = 90 * MINUTE_MS;

/** Per-person noise traits. */
export interface NoiseTraits {
  /** The home is dual-stack in a country-only IPv6 block (Workspace goes over IPv6). */
  ipv6Home: boolean;
  /** The laptop goes through the person's own VPS on half of the home days. */
  vpsHome: boolean;
  /** Day index of a Workspace admin's first-time admin work (null: none). */
  adminFirstDay: number | null;
}

const traitsCache = new WeakMap<Person, NoiseTraits>();

/** True when the population simulates the world's noise. */
export const noiseOn = (pop: Population): boolean => pop.noise === true;

/** The noise traits of a person (deterministic in seed and person). */
export function noiseTraits(pop: Population, p: Person): NoiseTraits {
  const hit = traitsCache.get(p);
  if (hit) return hit;
  const rng = rngFor(pop.seed, 'noise-traits', p.idx);
  const traits: NoiseTraits = {
    ipv6Home: IPV6_COUNTRY_ONLY[p.home.country] !== undefined && rng.chance(0.6),
    vpsHome: rng.chance(0.08),
    adminFirstDay:
      p.gwsAdmin && pop.days >= 30
        ? Math.max(p.hireDay + 14, Math.floor(pop.days * rng.float(0.5, 0.9)))
        : null,
  };
  traitsCache.set(p, traits);
  return traits;
}

const hex = (n: number): string => (n & 0xffff).toString(16);

/** The home's IPv6 address (a stable /64 per person), or undefined when the country has no block. */
export function ipv6HomeAddress(p: Person): NetAddress | undefined {
  const b = IPV6_COUNTRY_ONLY[p.home.country];
  if (!b) return undefined;
  const third = b.thirds[p.idx % b.thirds.length] as string;
  return {
    ip: `${b.head}:${third}:${hex(p.idx * 7919 + 17)}::${hex(p.idx * 13 + 1)}`,
    kind: 'residential',
    country: p.home.country,
    ...(b.asn !== undefined ? { asn: b.asn } : {}),
    network: b.isp,
  };
}

/** A carrier pool address of `country` for subscriber `key` at time `t` (undefined: no pool known). */
export function carrierPoolAddress(country: string, key: number, t: number): NetAddress | undefined {
  const pools = CARRIER_POOLS[country];
  if (!pools || pools.length === 0) return undefined;
  const slot = Math.floor(t / CARRIER_ROTATION_MS);
  const pool = pools[Math.abs(key) % pools.length]!;
  const mix = Math.abs((key * 2_654_435_761 + slot * 40_503) % 4_294_967_291);
  return {
    ip: `${pool.head}.${mix % (pool.thirds ?? 256)}.${1 + (Math.floor(mix / 256) % 253)}`,
    kind: 'mobile',
    country,
    asn: pool.asn,
    network: pool.carrier,
  };
}

/** The person's VPS egress (a hosting or cloud address near home). */
export function vpsAddress(p: Person): NetAddress {
  const h = VPS_HOSTING[p.home.country];
  if (h) {
    return {
      ip: `${h.head}.${(p.idx * 37 + 11) % 256}.${1 + ((p.idx * 101) % 253)}`,
      kind: 'cloud',
      country: h.country,
      asn: h.asn,
      network: `${h.provider} VPS`,
    };
  }
  const region = p.home.country === 'US' || p.home.country === 'CA' ? 'nyc1' : 'ams3';
  return cloudAddress('digitalocean', region, p.idx);
}

/**
 * The laptop's address for a Workspace request: the home's IPv6 when the home is dual-stack
 * (~85 % of requests), else the day's IPv4 address.
 */
export function gwsAddr(pd: PersonDay, rng: Rng): NetAddress {
  return pd.addr6 !== pd.addr && rng.chance(0.85) ? pd.addr6 : pd.addr;
}

/** A phone-egress grant's address at `t`: Wi-Fi at home/office ~40 % of the time, else the carrier. */
export function phoneAddrAt(p: Person, pd: PersonDay, t: number, rng: Rng): NetAddress {
  if (pd.where !== 'travel' && rng.chance(0.4)) return gwsAddr(pd, rng);
  return carrierPoolAddress(pd.city.country, p.idx, t) ?? pd.phoneAddr;
}

/**
 * True when the person re-consents the grant `cred` (same scopes) on the working day `pd`
 * (~1 per 25 working days per grant; deterministic, so look-alike labels can list them).
 */
export function reconsentsOn(pop: Population, cred: Credential, pd: PersonDay): boolean {
  if (cred.kind !== 'gws_grant' || !cred.client || !pd.works || cred.validFrom > pd.startT) return false;
  if (cred.validTo !== null && cred.validTo <= pd.startT) return false;
  return rngFor(pop.seed, 'noise-reconsent', cred.idx, pd.day).chance(1 / 25);
}

/** Session churn and first-time admin work of one person for one hour (noise only). */
export function noisePersonHour(ctx: GenContext, p: Person, pd: PersonDay, hourStart: number): void {
  if (p.testAccount || !pd.works) return;
  const hourEnd = hourStart + HOUR_MS;
  const tenant = ctx.pop.tenants[p.tenant] as Tenant;
  const rng = rngFor(ctx.seed, 'noise-hour', p.idx, Math.floor(hourStart / HOUR_MS));
  const actor = { email: p.email, profileId: p.profileId };
  const gws = (
    t: number,
    app: 'login' | 'token' | 'admin',
    events: Parameters<typeof googleEmit>[0]['events'],
  ) =>
    ctx.sink.push(
      googleEmit({ t, tenant, app, actor, addr: gwsAddr(pd, rng), events, rng, lag: gwsLag(ctx, rng) }),
    );
  const hasGws = p.creds.some((ci) => ctx.pop.creds[ci]?.kind === 'gws_session');
  // A typo before the day's first login.
  if (hasGws && pd.startT >= hourStart && pd.startT < hourEnd && rng.chance(0.04)) {
    gws(pd.startT - rng.int(20, 120) * 1000, 'login', [
      {
        type: 'login',
        name: 'login_failure',
        parameters: [
          pValue('login_type', 'saml'),
          pValue('login_failure_type', 'login_failure_invalid_password'),
        ],
      },
    ]);
  }
  // Logout at the end of half of the days.
  if (hasGws && pd.endT >= hourStart && pd.endT < hourEnd && rng.chance(0.5)) {
    gws(pd.endT, 'login', [{ type: 'logout', name: 'logout', parameters: [pValue('login_type', 'saml')] }]);
  }
  if (hourStart > pd.startT || hourEnd <= pd.startT) return;
  // Once per working day, at the start: re-consents, PAT clean-ups, first-time admin work.
  const dayT = (min: number) => pd.startT + min * MINUTE_MS;
  for (const ci of p.creds) {
    const cred = ctx.pop.creds[ci] as Credential;
    if (!reconsentsOn(ctx.pop, cred, pd) || !cred.client) continue;
    gws(dayT(rng.int(5, 120)), 'token', [
      {
        type: 'auth',
        name: 'authorize',
        parameters: [
          pValue('client_id', cred.client.clientId),
          pValue('app_name', cred.client.name),
          pValue('client_type', cred.client.clientType),
          pMulti('scope', cred.client.scopes),
        ],
      },
    ]);
  }
  if (p.role === 'dev' && rng.chance(1 / 30)) {
    ctx.sink.push(
      githubEmit(
        {
          t: dayT(rng.int(10, 200)),
          tenant,
          action: 'personal_access_token.destroy',
          actor: { login: p.login, id: p.githubId },
          addr: pd.addr,
          ua: browserUa(pd.device, pd.day),
          operationType: 'remove',
          extra: { explanation: 'web_user', user_programmatic_access_name: `tmp-${rng.base62(6)}` },
          rng,
        },
        ctx.seed,
      ),
    );
  }
  const traits = noiseTraits(ctx.pop, p);
  if (traits.adminFirstDay === pd.day) {
    const t0 = dayT(rng.int(30, 180));
    const target = `newhire.${rng.int(1, 99)}@${tenant.domain}`;
    const firsts: ReadonlyArray<[string, string, number]> = [
      ['USER_SETTINGS', 'CREATE_USER', 0],
      ['USER_SETTINGS', 'CHANGE_PASSWORD', 2],
      ['DELEGATED_ADMIN_SETTINGS', 'ASSIGN_ROLE', 5],
    ];
    for (const [type, name, dt] of firsts) {
      gws(t0 + dt * MINUTE_MS, 'admin', [{ type, name, parameters: [pValue('USER_EMAIL', target)] }]);
    }
  }
}

/**
 * Salesforce session churn of a person's browser credential on one day (noise only), emitted in
 * the hour window `win` it falls in: a failed password login (`LOGIN_ERROR_INVALID_PASSWORD`, RTEM
 * `Invalid Password`) 20-120 s before ~5 % of the day's logins, and a user-initiated logout
 * (ELF `Logout` event type / RTEM `LogoutEvent`) of the day's session at the end of half of the
 * days. Neither ends the user's credentials (the ingestors mark a logout as one session's end).
 */
export function sfSessionChurn(
  ctx: GenContext,
  tenant: Tenant,
  pd: PersonDay,
  cred: Credential,
  win: [number, number],
  session: SfSession,
  ua: string,
  loginT: number,
): void {
  const user = cred.sfUser;
  if (!user) return;
  const rng = rngFor(ctx.seed, 'noise-sf-session', cred.idx, pd.day);
  const fails = rng.chance(0.05);
  const failT = loginT - rng.int(20, 120) * 1000;
  // just before the end of the working window (the hour windows stop at pd.endT)
  const logoutT = Math.max(pd.endT - rng.int(1, 20) * MINUTE_MS, loginT + MINUTE_MS);
  const logs = rng.chance(0.5);
  const emit = (
    t: number,
    kind: 'login' | 'logout',
    extra: { loginStatus?: string; loginType?: string; session: SfSession },
  ) => {
    if (t < win[0] || t >= win[1]) return;
    for (const e of salesforceEmit({
      t,
      tenant,
      kind,
      user,
      app: null,
      addr: pd.addr,
      ua,
      loginType: 'SAML Sfdc Initiated SSO',
      rng,
      ...extra,
    }))
      ctx.sink.push(e);
  };
  if (fails)
    // a password typed on the login page (not SSO: the IdP would see that one)
    emit(failT, 'login', {
      loginStatus: 'LOGIN_ERROR_INVALID_PASSWORD',
      loginType: 'Application',
      session: sfSession(ctx.seed, cred.idx, `ui-failed:${pd.day}`),
    });
  if (logs && (cred.validTo === null || logoutT < cred.validTo)) emit(logoutT, 'logout', { session });
}
