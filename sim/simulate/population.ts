/**
 * Builds the population: tenants with repos and offices, people (time zones, homes, devices,
 * trips, hires), service accounts and integrations, and every credential with its `token.id`.
 * Deterministic in the seed; sizes scale linearly with `people`.
 */
import { DAY_MS, HOUR_MS } from './calendar.js';
import {
  CONNECTED_APPS,
  type ConnectedAppDef,
  FIRST_NAMES,
  GITHUB_APPS,
  GITHUB_OAUTH_APPS,
  type GithubOAuthApp,
  GOOGLE_CLIENTS,
  type GoogleClientDef,
  LAST_NAMES,
  REPO_WORDS_A,
  REPO_WORDS_B,
} from './catalog.js';
import { GEO_CITIES, type GeoCity } from './geo-table.js';
import { cityByCode, residentialAddress } from './geography.js';
import { hashedToken, salesforceTokenId } from './ids.js';
import type {
  CiBot,
  Credential,
  Person,
  PersonRole,
  Population,
  Repo,
  SfUser,
  Tenant,
  Trip,
} from './population-types.js';
import { Rng, rngFor } from './prng.js';
import { makeSalesforceId, toCaseSafeId } from './salesforce-ids.js';
import type { Browser, Device, DeviceOs } from './user-agents.js';

/** Average credentials per person, used to derive `people` from a token target. */
export const CREDS_PER_PERSON = 7;

/** Inputs of {@link buildPopulation}. */
export interface PopulationParams {
  seed: number;
  start: number;
  days: number;
  orgs: number;
  people: number;
  volume: number;
  sfMonitoring: 'alternate' | 'elf' | 'rtem';
  lookalikes: boolean;
}

const TENANT_NAMES = [
  ['northwind', 'Northwind Labs'],
  ['blueharbor', 'Blue Harbor Health'],
  ['cobaltworks', 'Cobalt Works'],
  ['lumenforge', 'Lumen Forge'],
  ['quillpay', 'Quill Pay'],
  ['tidewater', 'Tidewater Logistics'],
  ['redfern', 'Redfern Analytics'],
  ['ionworks', 'Ion Works'],
] as const;

/** Roles by position: 60% developers, 30% sales, 10% operations. */
const ROLE_CYCLE: readonly PersonRole[] = [
  'dev',
  'dev',
  'sales',
  'dev',
  'sales',
  'dev',
  'ops',
  'dev',
  'sales',
  'dev',
];

const HQ_CITIES = ['us-sfo', 'de-ber', 'gb-lon', 'us-nyc', 'ca-tor', 'jp-tyo', 'au-syd', 'fr-par'];

/** Cities of remote colleagues, by HQ country (others: anywhere). */
const REMOTE_CITIES: Record<string, string[]> = {
  US: [
    'us-sea',
    'us-aus',
    'us-chi',
    'us-bos',
    'us-den',
    'us-atl',
    'us-nyc',
    'us-sfo',
    'ca-tor',
    'ca-van',
    'mx-mex',
  ],
  DE: ['de-muc', 'nl-ams', 'pl-waw', 'ch-zrh', 'se-sto', 'fr-par', 'es-bcn', 'it-mil', 'pt-lis'],
  GB: ['gb-man', 'ie-dub', 'nl-ams', 'es-mad', 'pt-lis', 'fr-lyo', 'de-ber'],
};

function asciiFold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
}

/** Creates the population for the given parameters. */
export function buildPopulation(params: PopulationParams): Population {
  const { seed, start, days } = params;
  const end = start + days * DAY_MS;
  const pop: Population = {
    seed,
    start,
    end,
    days,
    volume: params.volume,
    tenants: [],
    people: [],
    creds: [],
    notes: [],
  };
  const perTenant = distribute(params.people, params.orgs);
  for (let t = 0; t < params.orgs; t++) {
    buildTenant(pop, params, t, perTenant[t] ?? 4);
  }
  return pop;
}

function distribute(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => Math.max(4, base + (i < total % parts ? 1 : 0)));
}

/** Adds a credential and returns its index. */
export function addCredential(pop: Population, cred: Omit<Credential, 'idx'>): number {
  const idx = pop.creds.length;
  pop.creds.push({ ...cred, idx });
  if (cred.owner !== null) pop.people[cred.owner]?.creds.push(idx);
  return idx;
}

/** A raw GitHub token of a kind and its `hashed_token`. */
export function makeGithubToken(
  rng: Rng,
  kind: 'classic' | 'fine' | 'oauth' | 'server',
): { raw: string; hashed: string } {
  const raw =
    kind === 'classic'
      ? `ghp_${rng.base62(36)}`
      : kind === 'fine'
        ? `github_pat_11${rng.base62(20)}_${rng.base62(59)}`
        : kind === 'oauth'
          ? `gho_${rng.base62(36)}`
          : `ghs_${rng.base62(36)}`;
  return { raw, hashed: hashedToken(raw) };
}

function sfUser(rng: Rng, username: string, kind: SfUser['kind']): SfUser {
  const id15 = makeSalesforceId('005', rng);
  return { id15, id18: toCaseSafeId(id15), username, kind };
}

function buildRepos(rng: Rng, org: string, count: number, orgId: number): Repo[] {
  const names = new Set<string>();
  const repos: Repo[] = [];
  let guard = 0;
  while (repos.length < count && guard++ < count * 20) {
    const a = rng.pick(REPO_WORDS_A);
    const b = rng.pick(REPO_WORDS_B);
    const name = guard > count * 3 ? `${a}-${b}-${rng.int(2, 99)}` : `${a}-${b}`;
    if (names.has(name)) continue;
    names.add(name);
    const infra = b === 'terraform' || b === 'helm' || b === 'infra' || b === 'ops' || a === 'infra';
    repos.push({
      name,
      full: `${org}/${name}`,
      id: orgId * 1000 + 700_000_000 + repos.length * 37 + rng.int(0, 30),
      isPublic: !infra && rng.chance(0.12),
      infra,
    });
  }
  return repos;
}

function makeDevice(rng: Rng, days: number, os?: DeviceOs): Device {
  const theOs = os ?? rng.weighted<DeviceOs>(['mac', 'windows', 'linux'], [0.6, 0.25, 0.15]);
  const browser: Browser =
    theOs === 'mac'
      ? rng.weighted<Browser>(['chrome', 'safari', 'firefox'], [0.7, 0.2, 0.1])
      : theOs === 'windows'
        ? rng.weighted<Browser>(['chrome', 'edge', 'firefox'], [0.65, 0.25, 0.1])
        : rng.weighted<Browser>(['chrome', 'firefox'], [0.6, 0.4]);
  const upgradeStart = Math.floor(days * 0.45);
  return {
    os: theOs,
    browser,
    browserMajor: 124 + rng.int(0, 1),
    browserCycle: rng.int(0, 27),
    gitUpgradeDay: rng.chance(0.8) ? upgradeStart + rng.int(0, Math.max(1, Math.floor(days * 0.3))) : null,
    ghUpgradeDay: rng.chance(0.7)
      ? Math.floor(days * 0.3) + rng.int(0, Math.max(1, Math.floor(days * 0.4)))
      : null,
  };
}

function pickHome(rng: Rng, hq: GeoCity): GeoCity {
  if (rng.chance(0.65)) return hq;
  const list = REMOTE_CITIES[hq.country];
  if (list && rng.chance(0.8)) return cityByCode(rng.pick(list));
  return rng.pick(GEO_CITIES);
}

function planTrips(rng: Rng, home: GeoCity, days: number, hireDay: number): Trip[] {
  if (days < 10 || !rng.chance(Math.min(0.45, 0.12 + days / 400))) return [];
  const abroad = GEO_CITIES.filter((c) => c.country !== home.country);
  const dest = rng.pick(abroad);
  const len = rng.int(3, 8);
  const depart = rng.int(Math.max(hireDay + 3, 2), Math.max(hireDay + 4, days - len - 2));
  return depart + len < days ? [{ depart, ret: depart + len, dest }] : [];
}

function buildTenant(pop: Population, params: PopulationParams, t: number, peopleCount: number): void {
  const rng = rngFor(params.seed, 'tenant', t);
  const days = params.days;
  const [baseSlug, baseName] = TENANT_NAMES[t % TENANT_NAMES.length] ?? ['tenant', 'Tenant'];
  const cycle = Math.floor(t / TENANT_NAMES.length);
  const slug = cycle === 0 ? baseSlug : `${baseSlug}${cycle + 1}`;
  const name = cycle === 0 ? baseName : `${baseName} ${cycle + 1}`;
  const domain = `${slug}.example`;
  const hq = cityByCode(HQ_CITIES[t % HQ_CITIES.length] ?? 'us-sfo');
  const orgId = 10_000_000 + t * 7919 + rng.int(0, 5000);
  const repoCount = Math.min(1500, Math.max(40, Math.round(peopleCount * 2.5)));
  const monitoring: 'elf' | 'rtem' =
    params.sfMonitoring === 'alternate' ? (t % 2 === 0 ? 'elf' : 'rtem') : params.sfMonitoring;
  const tenant: Tenant = {
    idx: t,
    slug,
    name,
    domain,
    hq,
    office: [residentialAddress(hq, 900 + t * 13, 'office'), residentialAddress(hq, 1907 + t * 13, 'office')],
    github: {
      org: slug,
      orgId,
      business: `${slug}-enterprise`,
      businessId: 4000 + t,
      repos: buildRepos(rng, slug, repoCount, orgId),
    },
    gws: { customerId: `C0${rng.base62(7)}` },
    sf: { orgId15: makeSalesforceId('00D', rng, '8d'), monitoring, apiVersion: '62.0' },
    vpnRolloutDay: params.lookalikes && days >= 14 && t % 2 === 0 ? Math.floor(days * 0.62) : null,
    people: [],
    svc: undefined as unknown as Tenant['svc'],
  };
  pop.tenants.push(tenant);
  const logins = new Set<string>();
  for (let i = 0; i < peopleCount; i++) buildPerson(pop, params, tenant, i, logins);
  buildServices(pop, params, tenant, rng);
}

function uniqueLogin(base: string, logins: Set<string>, rng: Rng): string {
  let login = base;
  while (logins.has(login)) login = `${base}${rng.int(2, 99)}`;
  logins.add(login);
  return login;
}

function buildPerson(
  pop: Population,
  params: PopulationParams,
  tenant: Tenant,
  i: number,
  logins: Set<string>,
): void {
  const rng = rngFor(params.seed, 'person', tenant.idx, i);
  const days = params.days;
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const role: PersonRole = ROLE_CYCLE[i % ROLE_CYCLE.length] ?? 'dev';
  const login = uniqueLogin(`${asciiFold(first)}${asciiFold(last)}`, logins, rng);
  const email = `${asciiFold(first)}.${asciiFold(last)}${login.endsWith(asciiFold(last)) ? '' : login.slice(-2)}@${tenant.domain}`;
  const home = pickHome(rng, tenant.hq);
  const hireDay =
    i >= 4 && days >= 14 && rng.chance(0.06) ? rng.int(Math.floor(days * 0.15), Math.floor(days * 0.85)) : 0;
  const devCount = role === 'dev' ? rng.int(2, 3) : rng.int(1, 2);
  const devices = Array.from({ length: devCount }, (_, k) =>
    makeDevice(rng, days, k === 0 ? undefined : undefined),
  );
  const repos = tenant.github.repos.map((_, k) => k);
  const person: Person = {
    idx: pop.people.length,
    tenant: tenant.idx,
    name: `${first} ${last}`,
    login,
    email,
    githubId: 1_000_000 + tenant.idx * 100_000 + i * 97 + rng.int(0, 90),
    profileId: `1${rng.digits(20)}`,
    role,
    gwsAdmin: i === 1 || (i > 0 && i % 25 === 6),
    sfAdmin: i === 4 || (i > 0 && i % 40 === 14),
    sfUser: null,
    home,
    homeKey: rng.int(0, 1_000_000),
    homeKey2: rng.int(0, 1_000_000),
    homeChangeDay: rng.chance(0.25) && days > 7 ? rng.int(1, days - 1) : null,
    officeGoer: home.code === tenant.hq.code && rng.chance(0.6),
    workStart: rng.float(7.5, 10),
    workLen: rng.float(7.5, 10),
    devices,
    hireDay,
    trips: [],
    repos: rng.sample(repos, role === 'dev' ? rng.int(3, 7) : 0),
    creds: [],
    testAccount: false,
  };
  person.trips = planTrips(rng, home, days, hireDay);
  if (role === 'sales' || person.sfAdmin || (role === 'dev' && rng.chance(0.12))) {
    person.sfUser = sfUser(rng, `${email.split('@')[0]}@${tenant.slug}.my.salesforce.example`, 'human');
  }
  pop.people.push(person);
  tenant.people.push(person.idx);
  buildPersonCreds(pop, params, tenant, person, rng);
}

function beforeStart(rng: Rng, start: number, minDays: number, maxDays: number): number {
  return start - rng.int(minDays, maxDays) * DAY_MS - rng.int(0, 23) * HOUR_MS;
}

function hireTime(start: number, person: Person, hours: number): number {
  return start + person.hireDay * DAY_MS + hours * HOUR_MS;
}

function buildPersonCreds(
  pop: Population,
  params: PopulationParams,
  tenant: Tenant,
  p: Person,
  rng: Rng,
): void {
  const start = pop.start;
  const hired = p.hireDay > 0;
  const born = (minDays: number, maxDays: number, hours: number): number =>
    hired ? hireTime(start, p, hours) : beforeStart(rng, start, minDays, maxDays);
  // GitHub (devs and a few others with web access)
  if (p.role === 'dev' || rng.chance(0.3)) {
    addCredential(pop, {
      kind: 'gh_session',
      source: 'github',
      tenant: tenant.idx,
      owner: p.idx,
      label: `GitHub web session of ${p.login}`,
      tokenId: `github:session:${p.login}`,
      validFrom: born(300, 900, 14),
      validTo: null,
      createdBy: hired ? 'hire' : 'before',
    });
  }
  if (p.role === 'dev') {
    const chain = pop.creds.length;
    const fine = rng.chance(0.25);
    const first = makePat(pop, tenant, p, rng, fine, born(5, 200, 15), hired ? 'hire' : 'before', chain);
    let current = first;
    // rotations
    const rotations =
      params.days >= 10 && rng.chance(Math.min(0.8, params.days / 90)) ? (params.days > 120 ? 2 : 1) : 0;
    for (let r = 0; r < rotations; r++) {
      const lo = Math.max(p.hireDay + 3, Math.floor(params.days * (0.15 + r * 0.45)));
      const hi = Math.max(lo + 1, Math.floor(params.days * (0.5 + r * 0.4)));
      const day = rng.int(lo, Math.min(hi, params.days - 2));
      const at = start + day * DAY_MS + (p.workStart + rng.float(1, 5)) * HOUR_MS - tzShiftGuess(p) * HOUR_MS;
      const next = makePat(pop, tenant, p, rng, rng.chance(0.3) ? !fine : fine, at, 'rotation', chain);
      const prev = pop.creds[current];
      if (prev) prev.validTo = at + rng.int(2, 90) * 60_000;
      current = next;
    }
    for (const app of GITHUB_OAUTH_APPS) {
      const pr =
        app.key === 'gh_cli' ? 0.7 : app.key === 'travis' ? 0.35 : app.key === 'heroku' ? 0.15 : 0.05;
      if (rng.chance(pr)) addGhOAuth(pop, tenant, p, rng, app, born(20, 700, 16), hired ? 'hire' : 'before');
    }
  }
  // Google Workspace
  addCredential(pop, {
    kind: 'gws_session',
    source: 'google_workspace',
    tenant: tenant.idx,
    owner: p.idx,
    label: `Workspace session of ${p.email}`,
    tokenId: `google_workspace:session:${p.email}`,
    validFrom: born(300, 1500, 13),
    validTo: null,
    createdBy: hired ? 'hire' : 'before',
    email: p.email,
  });
  const userClients = GOOGLE_CLIENTS.filter((c) => !c.dwd);
  for (const client of userClients) {
    const pr =
      client.key === 'drive_desktop'
        ? 0.6
        : client.key === 'ios_mail'
          ? 0.45
          : client.key === 'slack'
            ? 0.7
            : 0.3;
    if (rng.chance(pr)) addGwsGrant(pop, tenant, p, client, born(10, 600, 17), hired ? 'hire' : 'before');
  }
  // Salesforce
  if (p.sfUser) {
    addCredential(pop, {
      kind: 'sf_session',
      source: 'salesforce',
      tenant: tenant.idx,
      owner: p.idx,
      label: `Salesforce sessions of ${p.sfUser.username}`,
      tokenId: salesforceTokenId(p.sfUser.id18, null),
      validFrom: born(30, 900, 14),
      validTo: null,
      createdBy: hired ? 'hire' : 'before',
      sfUser: p.sfUser,
    });
    const apps: ConnectedAppDef['key'][] = [];
    if (p.role === 'sales' && rng.chance(0.7)) apps.push('outlook');
    if (p.role === 'dev') apps.push('sfcli');
    if (p.sfAdmin) apps.push('dataloader');
    for (const key of apps)
      addSfGrant(pop, tenant, p.sfUser, key, p.idx, born(10, 500, 18), hired ? 'hire' : 'before');
  }
}

/** Rough UTC offset of a person's home, used only to place rotation times inside working hours. */
function tzShiftGuess(p: Person): number {
  return Math.round(p.home.lon / 15);
}

/** Creates a PAT (classic or fine-grained) of a person. */
export function makePat(
  pop: Population,
  tenant: Tenant,
  p: Person,
  rng: Rng,
  fine: boolean,
  validFrom: number,
  createdBy: Credential['createdBy'],
  chain?: number,
  scopes?: string[],
): number {
  const tok = makeGithubToken(rng, fine ? 'fine' : 'classic');
  const legacyWording = !fine && rng.chance(0.35);
  const theScopes = fine
    ? []
    : (scopes ?? rng.pick([['repo'], ['repo', 'read:org'], ['repo', 'workflow', 'read:org']]));
  return addCredential(pop, {
    kind: fine ? 'gh_pat_fine' : 'gh_pat_classic',
    source: 'github',
    tenant: tenant.idx,
    owner: p.idx,
    label: `${fine ? 'fine-grained' : 'classic'} PAT of ${p.login}`,
    tokenId: `github:hash:${tok.hashed}`,
    validFrom,
    validTo: null,
    createdBy,
    ...(chain !== undefined ? { chain } : {}),
    raw: tok.raw,
    hashed: tok.hashed,
    ghTokenId: rng.int(100_000_000, 1_999_999_999),
    accessType: fine
      ? 'Fine-grained personal access token'
      : legacyWording
        ? 'OAuth access token'
        : 'Personal access token (classic)',
    scopes: theScopes,
    ...(fine
      ? {
          fgName: rng.pick(['laptop', 'dev-cli', 'work-mac', 'local-dev', 'ci-local']),
          fgId: rng.int(100_000, 9_999_999),
        }
      : {}),
  });
}

/** Creates a GitHub OAuth-app user token. */
export function addGhOAuth(
  pop: Population,
  tenant: Tenant,
  p: Person,
  rng: Rng,
  app: GithubOAuthApp,
  validFrom: number,
  createdBy: Credential['createdBy'],
): number {
  const tok = makeGithubToken(rng, 'oauth');
  return addCredential(pop, {
    kind: 'gh_oauth',
    source: 'github',
    tenant: tenant.idx,
    owner: p.idx,
    label: `${app.name} token of ${p.login}`,
    tokenId: `github:hash:${tok.hashed}`,
    validFrom,
    validTo: null,
    createdBy,
    raw: tok.raw,
    hashed: tok.hashed,
    ghTokenId: rng.int(100_000_000, 1_999_999_999),
    accessType: 'OAuth access token',
    scopes: [...app.scopes],
    oauthApp: app,
  });
}

/** Creates a Google OAuth grant (user x client). */
export function addGwsGrant(
  pop: Population,
  tenant: Tenant,
  p: Person,
  client: GoogleClientDef,
  validFrom: number,
  createdBy: Credential['createdBy'],
): number {
  return addCredential(pop, {
    kind: 'gws_grant',
    source: 'google_workspace',
    tenant: tenant.idx,
    owner: p.idx,
    label: `${client.name} grant of ${p.email}`,
    tokenId: `google_workspace:grant:${p.email}:${client.clientId}`,
    validFrom,
    validTo: null,
    createdBy,
    client,
    email: p.email,
    scopes: [...client.scopes],
  });
}

/** Creates a Salesforce connected-app grant for a user. */
export function addSfGrant(
  pop: Population,
  tenant: Tenant,
  user: SfUser,
  key: ConnectedAppDef['key'] | ConnectedAppDef,
  owner: number | null,
  validFrom: number,
  createdBy: Credential['createdBy'],
  appId?: string,
): number {
  const app = typeof key === 'string' ? CONNECTED_APPS.find((a) => a.key === key) : key;
  if (!app) throw new Error(`unknown connected app ${String(key)}`);
  const id = appId ?? connectedAppId(pop.seed, tenant, app.key);
  return addCredential(pop, {
    kind: 'sf_grant',
    source: 'salesforce',
    tenant: tenant.idx,
    owner,
    label: `${app.name} token of ${user.username}`,
    tokenId: salesforceTokenId(user.id18, id),
    validFrom,
    validTo: null,
    createdBy,
    sfUser: user,
    connectedApp: app,
    connectedAppId: id,
  });
}

/** The 18-char connected app id of an app in a tenant's Salesforce org. */
export function connectedAppId(seed: number, tenant: Tenant, key: string): string {
  const rng = rngFor(seed, 'connected-app', tenant.idx, key);
  return toCaseSafeId(makeSalesforceId('0H4', rng, '4R'));
}

function buildServices(pop: Population, params: PopulationParams, tenant: Tenant, rng: Rng): void {
  const start = pop.start;
  const days = params.days;
  const repos = tenant.github.repos;
  const people = tenant.people.length;
  // CI bots: classic PATs of bot users, 24x7 from cloud runners
  const ciBots: CiBot[] = [];
  const botCount = Math.max(1, Math.round(people / 60));
  for (let b = 0; b < botCount; b++) {
    const login = b === 0 ? `${tenant.slug}-ci` : `${tenant.slug}-ci-${b + 1}`;
    const tok = makeGithubToken(rng, 'classic');
    const userId = 9_000_000 + tenant.idx * 1000 + b;
    const cred = addCredential(pop, {
      kind: 'gh_bot_pat',
      source: 'github',
      tenant: tenant.idx,
      owner: null,
      label: `CI bot PAT of ${login}`,
      tokenId: `github:hash:${tok.hashed}`,
      validFrom: beforeStart(rng, start, 40, 400),
      validTo: null,
      createdBy: 'service',
      raw: tok.raw,
      hashed: tok.hashed,
      ghTokenId: rng.int(100_000_000, 1_999_999_999),
      accessType: 'Personal access token (classic)',
      scopes: ['repo', 'workflow', 'read:org'],
      actorLogin: login,
      actorId: userId,
    });
    ciBots.push({
      login,
      userId,
      cred,
      repos: rng.sample(
        repos.map((_, k) => k),
        rng.int(3, 6),
      ),
      provider: 'aws',
      region: 'us-east-1',
      migrateDay: params.lookalikes && days >= 10 && b === 0 ? Math.floor(days * 0.5) + rng.int(-2, 2) : null,
      newRegion: 'us-west-2',
      periodMin: rng.pick([10, 15, 20]),
      phase: rng.int(0, 9),
    });
  }
  const appCred = (key: 'renovate' | 'jira'): number => {
    const app = GITHUB_APPS.find((a) => a.key === key);
    if (!app) throw new Error(key);
    return addCredential(pop, {
      kind: 'gh_app',
      source: 'github',
      tenant: tenant.idx,
      owner: null,
      label: `GitHub App ${app.slug} installation on ${tenant.github.org}`,
      tokenId: `github:app_installation:${app.appId}:${tenant.github.org}`,
      validFrom: beforeStart(rng, start, 100, 700),
      validTo: null,
      createdBy: 'service',
      app,
      accessType: 'GitHub App server-to-server token',
      actorLogin: `${app.slug}[bot]`,
      actorId: 40_000_000 + app.appId,
    });
  };
  const renovate = appCred('renovate');
  const jira = appCred('jira');
  // deploy service token (S5 target)
  const deployLogin = `${tenant.slug}-deploy`;
  const dtok = makeGithubToken(rng, 'classic');
  const deployCred = addCredential(pop, {
    kind: 'gh_service_pat',
    source: 'github',
    tenant: tenant.idx,
    owner: null,
    label: `deploy service PAT of ${deployLogin}`,
    tokenId: `github:hash:${dtok.hashed}`,
    validFrom: beforeStart(rng, start, 300, 900),
    validTo: null,
    createdBy: 'service',
    raw: dtok.raw,
    hashed: dtok.hashed,
    ghTokenId: rng.int(10_000_000, 99_999_999),
    accessType: 'Personal access token (classic)',
    scopes: ['repo', 'admin:repo_hook', 'read:org'],
    actorLogin: deployLogin,
    actorId: 9_500_000 + tenant.idx,
  });
  // Salesforce integrations
  const driftUser = sfUser(rng, `drift.integration@${tenant.slug}.my.salesforce.example`, 'integration');
  const etlUser = sfUser(rng, `etl.integration@${tenant.slug}.my.salesforce.example`, 'integration');
  const fivetranUser = sfUser(rng, `fivetran@${tenant.slug}.my.salesforce.example`, 'integration');
  const drift = addSfGrant(
    pop,
    tenant,
    driftUser,
    'drift',
    null,
    beforeStart(rng, start, 200, 600),
    'service',
  );
  const driftSession = addCredential(pop, sessionCred(tenant, driftUser, 'Drift integration user sessions'));
  const fivetran = addSfGrant(
    pop,
    tenant,
    fivetranUser,
    'fivetran',
    null,
    beforeStart(rng, start, 200, 600),
    'service',
  );
  const fivetranSession = addCredential(pop, sessionCred(tenant, fivetranUser, 'Fivetran user sessions'));
  const etl = addCredential(
    pop,
    sessionCred(tenant, etlUser, 'ETL integration user (SOAP, password + security token)'),
  );
  // Google DWD clients
  const dwd = (key: 'sigsync_dwd' | 'legacy_dwd'): number => {
    const client = GOOGLE_CLIENTS.find((c) => c.key === key);
    if (!client) throw new Error(key);
    return addCredential(pop, {
      kind: 'gws_dwd',
      source: 'google_workspace',
      tenant: tenant.idx,
      owner: null,
      label: `DWD client ${client.name}`,
      tokenId: `google_workspace:dwd:${client.clientId}`,
      validFrom: beforeStart(rng, start, key === 'legacy_dwd' ? 500 : 100, key === 'legacy_dwd' ? 800 : 400),
      validTo: null,
      createdBy: 'service',
      client,
      scopes: [...client.scopes],
    });
  };
  const sigsync = dwd('sigsync_dwd');
  const legacyApp = dwd('legacy_dwd');
  tenant.svc = {
    ciBots,
    renovate,
    jira,
    deploy: { login: deployLogin, userId: 9_500_000 + tenant.idx, cred: deployCred, dormantFrom: null },
    drift: { user: driftUser, cred: drift, session: driftSession },
    etl: { user: etlUser, cred: etl, ips: [tenant.office[0]!, tenant.office[1]!] },
    fivetran: { user: fivetranUser, cred: fivetran, session: fivetranSession },
    sigsync,
    legacyApp,
    serviceMailboxes: ['support', 'sales', 'billing', 'info', 'careers'].map((m) => `${m}@${tenant.domain}`),
    connectedAppIds: Object.fromEntries(
      CONNECTED_APPS.map((a) => [a.key, connectedAppId(pop.seed, tenant, a.key)]),
    ),
  };
}

function sessionCred(tenant: Tenant, user: SfUser, label: string): Omit<Credential, 'idx'> {
  return {
    kind: 'sf_session',
    source: 'salesforce',
    tenant: tenant.idx,
    owner: null,
    label,
    tokenId: salesforceTokenId(user.id18, null),
    validFrom: 0,
    validTo: null,
    createdBy: 'service',
    sfUser: user,
  };
}

/** The credential valid at `t` among a rotation chain (or the credential itself). */
export function credentialAt(pop: Population, chainHead: number, t: number): Credential | undefined {
  for (let i = chainHead; i < pop.creds.length; i++) {
    const c = pop.creds[i];
    if (!c) break;
    if (i !== chainHead && c.chain !== chainHead) continue;
    if (c.validFrom <= t && (c.validTo === null || t < c.validTo)) return c;
  }
  return undefined;
}

/** Adds the dormant non-MFA test account used by S7 to a tenant. */
export function addTestAccount(pop: Population, tenant: Tenant): Person {
  const rng = rngFor(pop.seed, 'test-account', tenant.idx);
  const p: Person = {
    idx: pop.people.length,
    tenant: tenant.idx,
    name: 'QA Test',
    login: `${tenant.slug}-qa-test`,
    email: `qa-test@${tenant.domain}`,
    githubId: 0,
    profileId: `1${rng.digits(20)}`,
    role: 'ops',
    gwsAdmin: true,
    sfAdmin: false,
    sfUser: null,
    home: tenant.hq,
    homeKey: 1,
    homeKey2: 1,
    homeChangeDay: null,
    officeGoer: false,
    workStart: 9,
    workLen: 8,
    devices: [],
    hireDay: 0,
    trips: [],
    repos: [],
    creds: [],
    testAccount: true,
  };
  pop.people.push(p);
  tenant.people.push(p.idx);
  addCredential(pop, {
    kind: 'gws_session',
    source: 'google_workspace',
    tenant: tenant.idx,
    owner: p.idx,
    label: `Workspace session of legacy test account ${p.email}`,
    tokenId: `google_workspace:session:${p.email}`,
    validFrom: pop.start - 700 * DAY_MS,
    validTo: null,
    createdBy: 'before',
    email: p.email,
  });
  return p;
}

/** Re-export for modules that only need the generator type. */
export { Rng };
