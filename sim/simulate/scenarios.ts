/**
 * Loads scenario modules (scenario.ts) and turns them into raw records and labels: which files
 * (`detectors/<id>/scenarios/*.ts`, `sim/scenarios/*.ts`), where in the population each goes, and
 * the envelope each vendor's records carry.
 */
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { glob } from 'tinyglobby';
import { DAY_MS, HOUR_MS, isoMs, MINUTE_MS } from './calendar.js';
import { type Emitted, eventIdsOf, tokenIdsOf } from './emitted.js';
import { cloudAddress, hostileAddress, mobileAddress, type NetAddress } from './geography.js';
import type { IncidentLabel, LookalikeLabel } from './labels.js';
import { carrierPoolAddress } from './noise.js';
import { homeAddress } from './person-day.js';
import type { Credential, Person, Population, Tenant } from './population-types.js';
import { rngFor } from './prng.js';
import { githubTokenFields } from './records-github.js';
import { int64String } from './records-google.js';
import {
  type ScenarioAddress,
  type ScenarioAppEntry,
  type ScenarioDefinition,
  ScenarioError,
  type ScenarioGithubToken,
  type ScenarioGrant,
  type ScenarioPerson,
  type ScenarioRecord,
  type ScenarioWorld,
} from './scenario.js';
import { type Device, ghUa, gitUa } from './user-agents.js';

/** The repository root (scenario globs are relative to it). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where scenario modules live, relative to the repository root. */
export const SCENARIO_GLOBS = ['detectors/*/scenarios/*.ts', 'sim/scenarios/*.ts'];

/** A loaded scenario and the file it came from (relative to the repository root). */
export interface LoadedScenario {
  file: string;
  scenario: ScenarioDefinition;
}

/** Every scenario module under {@link SCENARIO_GLOBS}, sorted by file. */
export async function discoverScenarioFiles(root = REPO_ROOT): Promise<string[]> {
  const files = await glob(SCENARIO_GLOBS, { cwd: root, ignore: ['**/*.test.ts'] });
  return files.sort();
}

/**
 * Loads scenarios: `'all'` (every discovered module) or a list of scenario ids and/or module paths.
 * A module exports one or more {@link defineScenario} results. Throws {@link ScenarioError}
 * (`unknown_scenario` for an id no module defines, `duplicate_scenario`, `bad_scenario` for a
 * module without a scenario export).
 */
export async function loadScenarios(
  which: 'all' | readonly string[],
  root = REPO_ROOT,
): Promise<LoadedScenario[]> {
  const files = await discoverScenarioFiles(root);
  const wanted = which === 'all' ? undefined : new Set(which);
  const extraFiles =
    which === 'all' ? [] : which.filter((w) => w.endsWith('.ts')).map((w) => relative(root, resolve(w)));
  const out: LoadedScenario[] = [];
  const seen = new Set<string>();
  for (const file of [...new Set([...files, ...extraFiles])]) {
    const mod = (await import(pathToFileURL(join(root, file)).href)) as Record<string, unknown>;
    const defs = Object.values(mod).filter(isScenario);
    if (defs.length === 0)
      throw new ScenarioError('bad_scenario', `${file} exports no scenario (defineScenario)`);
    for (const scenario of defs) {
      if (seen.has(scenario.id)) {
        throw new ScenarioError('duplicate_scenario', `scenario ${scenario.id} is defined twice (${file})`);
      }
      seen.add(scenario.id);
      if (wanted === undefined || wanted.has(scenario.id) || extraFiles.includes(file))
        out.push({ file, scenario });
    }
  }
  if (wanted !== undefined) {
    for (const w of wanted) {
      if (!w.endsWith('.ts') && !seen.has(w)) {
        throw new ScenarioError(
          'unknown_scenario',
          `no scenario ${w}; known: ${[...seen].sort().join(', ')}`,
        );
      }
    }
  }
  return out;
}

function isScenario(v: unknown): v is ScenarioDefinition {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as ScenarioDefinition).id === 'string' &&
    typeof (v as ScenarioDefinition).generate === 'function'
  );
}

/** What a placed scenario adds to the simulation. */
export interface PlacedScenario {
  events: Emitted[];
  incident?: IncidentLabel;
  lookalike?: LookalikeLabel;
  /** app vetting registry entries the scenario adds (`apps.json`) */
  apps: ScenarioAppEntry[];
}

/**
 * Places scenario `index` in the population: organization `index mod orgs`, its start day `at` of
 * the way through the span at 09:00-11:00 UTC, and generates, completes and labels its records.
 * Returns undefined (with a note in `pop.notes`) when the organization has too few people or no
 * record falls inside the span.
 */
export function placeScenario(
  pop: Population,
  loaded: LoadedScenario,
  index: number,
): PlacedScenario | undefined {
  const s = loaded.scenario;
  const tenant = pop.tenants[index % pop.tenants.length] as Tenant;
  const rng = rngFor(pop.seed, 'scenario', s.id);
  const day = Math.floor(pop.days * (s.at ?? 0.75));
  const start = pop.start + day * DAY_MS + 9 * HOUR_MS + rng.int(0, 120) * MINUTE_MS;
  const people = rng.shuffle(
    tenant.people.map((k) => pop.people[k] as Person).filter((p) => !p.testAccount && p.hireDay === 0),
  );
  if (people.length < (s.people ?? 0)) {
    pop.notes.push(
      `scenario ${s.id}: needs ${s.people} people, org ${tenant.slug} has ${people.length}; skipped`,
    );
    return undefined;
  }
  const world: ScenarioWorld = {
    start,
    org: {
      slug: tenant.slug,
      domain: tenant.domain,
      githubOrg: tenant.github.org,
      githubOrgId: tenant.github.orgId,
      gwsCustomerId: tenant.gws.customerId,
      timeZone: tenant.hq.tz,
      country: tenant.hq.country,
    },
    people: people.map((p) => scenarioPerson(pop, p, day)),
    newPerson: (key) => newPerson(pop, tenant, key),
    rng,
    net: {
      hostile: (kind, key, avoid = []) => scenarioAddress(hostileAddress(kind, key, avoid)),
      cloud: (provider, region, key) => scenarioAddress(cloudAddress(provider, region, key)),
      // the phones' carrier addresses: CGNAT pools with the world's noise (noise.ts), else carrier blocks
      mobile: (country, key, at) =>
        scenarioAddress(
          (pop.noise ? carrierPoolAddress(country, key, at) : undefined) ??
            mobileAddress(country, key, tenant.hq),
        ),
    },
    githubTokens: (person, at = start) => {
      const p = populationPerson(tenant, pop, person);
      return p === undefined ? [] : githubTokensOf(pop, p, at, Math.floor((at - pop.start) / DAY_MS));
    },
    repos: (person) => {
      const p = populationPerson(tenant, pop, person);
      if (p === undefined) return [];
      return p.repos
        .map((k) => tenant.github.repos[k])
        .filter((r) => r !== undefined)
        .map((r) => ({ full: r.full, id: r.id, isPublic: r.isPublic }));
    },
    grants: (person) => {
      const p = populationPerson(tenant, pop, person);
      return p === undefined ? [] : grantsOf(pop, p, start);
    },
    offboard: (person, at) => {
      const p = populationPerson(tenant, pop, person);
      if (p === undefined)
        throw new ScenarioError('bad_scenario', `scenario ${s.id}: ${person.email} is not in the population`);
      offboard(pop, p, at);
    },
  };
  const out = s.generate(world);
  if (out.skip !== undefined) {
    pop.notes.push(`scenario ${s.id}: ${out.skip}; skipped`);
    return undefined;
  }
  const records = out.records.filter((r) => r.at >= pop.start && r.at < pop.end).sort((a, b) => a.at - b.at);
  if (records.length === 0) {
    pop.notes.push(`scenario ${s.id}: no record falls inside the span; skipped`);
    return undefined;
  }
  const events = records.map((r) => complete(r, tenant, rngFor(pop.seed, 'scenario-record', s.id, r.at)));
  const tokens: string[] = out.entity === undefined ? [] : [out.entity];
  const malicious: Emitted[] = [];
  for (const [i, e] of events.entries()) {
    for (const t of tokenIdsOf(e)) if (!tokens.includes(t)) tokens.push(t);
    if (records[i]?.malicious !== false) malicious.push(e);
  }
  const first = events[0] as Emitted;
  const last = events[events.length - 1] as Emitted;
  const apps = out.apps ?? [];
  if (s.kind === 'lookalike') {
    return {
      events,
      apps,
      lookalike: {
        id: `sc-${s.id}`,
        kind: s.label ?? s.id,
        title: s.title,
        source: s.source,
        entities: tokens,
        start: new Date(first.t).toISOString(),
        end: new Date(last.t).toISOString(),
      },
    };
  }
  if (malicious.length === 0)
    throw new ScenarioError('bad_scenario', `attack scenario ${s.id} has no malicious record`);
  const entity = out.entity ?? (tokenIdsOf(malicious[0] as Emitted)[0] as string);
  const entities = [entity, ...tokenIdsOf(malicious[0] as Emitted)];
  for (const e of malicious) for (const t of tokenIdsOf(e)) if (!entities.includes(t)) entities.push(t);
  return {
    events,
    apps,
    incident: {
      id: `sc-${s.id}`,
      kind: s.label ?? s.id,
      source: s.source,
      title: s.title,
      entity,
      entities: [...new Set(entities)],
      first_malicious: new Date((malicious[0] as Emitted).t).toISOString(),
      last_malicious: new Date((malicious[malicious.length - 1] as Emitted).t).toISOString(),
      event_ids: malicious.flatMap(eventIdsOf),
      notes: `scenario ${loaded.file}`,
    },
  };
}

function scenarioPerson(pop: Population, p: Person, day: number): ScenarioPerson {
  const home = homeAddress(p, day);
  return {
    name: p.name,
    email: p.email,
    login: p.login,
    githubId: p.githubId,
    profileId: p.profileId,
    homeIp: home.ip,
    homeCountry: home.country,
    workspaceAdmin: p.gwsAdmin,
    inIncident: pop.incidentPeople?.has(p.idx) ?? false,
    timeZone: p.home.tz,
    workStartHour: p.workStart,
    workHours: p.workLen,
  };
}

function scenarioAddress(a: NetAddress): ScenarioAddress {
  return {
    ip: a.ip,
    country: a.country,
    ...(a.asn === undefined ? {} : { asn: a.asn }),
    ...(a.network === undefined ? {} : { provider: a.network }),
  };
}

/**
 * A person's GitHub user tokens valid at `at` (day `day` of the span), with the client of their
 * main device that day (not `personDay`: its cache would keep a day computed before a later
 * scenario offboards the person).
 */
function githubTokensOf(pop: Population, p: Person, at: number, day: number): ScenarioGithubToken[] {
  const device = p.devices[0] as Device;
  const out: ScenarioGithubToken[] = [];
  for (const k of p.creds) {
    const c = pop.creds[k] as Credential;
    if (c.kind !== 'gh_pat_classic' && c.kind !== 'gh_pat_fine' && c.kind !== 'gh_oauth') continue;
    if (c.validFrom > at || (c.validTo !== null && c.validTo <= at) || c.hashed === undefined) continue;
    const app = c.oauthApp;
    const egress = app?.egress;
    out.push({
      tokenId: c.tokenId,
      kind: c.kind === 'gh_pat_classic' ? 'pat_classic' : c.kind === 'gh_pat_fine' ? 'pat_fine' : 'oauth',
      fields: githubTokenFields(c),
      userAgent:
        app === undefined ? gitUa(device, day) : app.key === 'gh_cli' ? ghUa(device, day) : app.userAgent,
      ...(typeof egress === 'object'
        ? { server: (key: number) => scenarioAddress(cloudAddress(egress.provider, egress.region, key)) }
        : {}),
    });
  }
  return out;
}

/** The population person behind a scenario person (undefined for a {@link newPerson}). */
function populationPerson(tenant: Tenant, pop: Population, person: ScenarioPerson): Person | undefined {
  return tenant.people.map((k) => pop.people[k] as Person).find((p) => p.email === person.email);
}

/** A person's Workspace OAuth grants valid at `at`, as {@link ScenarioGrant}s. */
function grantsOf(pop: Population, p: Person, at: number): ScenarioGrant[] {
  const out: ScenarioGrant[] = [];
  for (const k of p.creds) {
    const c = pop.creds[k] as Credential;
    const client = c.client;
    if (c.kind !== 'gws_grant' || client === undefined) continue;
    if (c.validFrom > at || (c.validTo !== null && c.validTo <= at)) continue;
    const egress = client.egress;
    out.push({
      tokenId: c.tokenId,
      clientId: client.clientId,
      appName: client.name,
      pattern: client.pattern,
      apis: client.apis,
      device: typeof egress === 'object' ? 'server' : egress === 'mobile' ? 'phone' : 'laptop',
      clientType: client.clientType,
      ...(typeof egress === 'object'
        ? {
            server: (key: number) => {
              const a = cloudAddress(egress.provider, egress.region, key);
              return { ip: a.ip, country: a.country };
            },
          }
        : {}),
    });
  }
  return out;
}

/** The person leaves at `at`: no benign work from that day on, and their credentials end then. */
function offboard(pop: Population, p: Person, at: number): void {
  p.leaveDay = Math.floor((at - pop.start) / DAY_MS);
  for (const k of p.creds) {
    const c = pop.creds[k] as Credential;
    if (c.validTo === null || c.validTo > at) c.validTo = at;
  }
}

function newPerson(pop: Population, tenant: Tenant, key: string): ScenarioPerson {
  const r = rngFor(pop.seed, 'scenario-person', tenant.idx, key);
  const login = `${key.toLowerCase().replace(/[^a-z0-9]+/g, '.')}.${r.hex(4)}`;
  return {
    name: key,
    email: `${login}@${tenant.domain}`,
    login,
    githubId: r.int(10_000_000, 99_999_999),
    profileId: `1${r.digits(20)}`,
    // documentation range (RFC 5737): no population traffic uses it
    homeIp: `198.51.100.${r.int(1, 254)}`,
    homeCountry: tenant.hq.country,
    workspaceAdmin: false,
    inIncident: false,
    timeZone: tenant.hq.tz,
    workStartHour: 9,
    workHours: 8,
  };
}

/** Fills a record's envelope and arrival (GitHub seconds, Workspace minutes, RTEM seconds). */
function complete(r: ScenarioRecord, tenant: Tenant, rng: ReturnType<typeof rngFor>): Emitted {
  const t = Math.floor(r.at);
  switch (r.source) {
    case 'github': {
      const rec: Record<string, unknown> = { '@timestamp': t, _document_id: rng.base62(22), ...r.record };
      if (rec['created_at'] === undefined) rec['created_at'] = t;
      return { source: 'github', t, arrival: t + rng.int(1_000, 8_000), tenant: tenant.idx, rec };
    }
    case 'google_workspace':
      return {
        source: 'google_workspace',
        app: r.app,
        t,
        arrival: t + rng.int(2, 30) * MINUTE_MS,
        tenant: tenant.idx,
        rec: {
          kind: 'admin#reports#activity',
          id: {
            time: isoMs(t),
            uniqueQualifier: int64String(rng),
            applicationName: r.app,
            customerId: tenant.gws.customerId,
          },
          etag: `"${rng.base62(27)}/${rng.base62(27)}"`,
          actor: { callerType: 'USER', ...r.actor },
          ...(r.ipAddress === undefined ? {} : { ipAddress: r.ipAddress }),
          events: r.events,
        },
      };
    case 'salesforce': {
      const rec: Record<string, unknown> = {
        EventDate: isoMs(t),
        EventIdentifier: rng.uuid(),
        ...r.record,
      };
      return {
        source: 'salesforce',
        channel: 'rtem',
        object: r.object,
        t,
        arrival: t + rng.int(1_000, 10_000),
        tenant: tenant.idx,
        rec,
      };
    }
  }
}
