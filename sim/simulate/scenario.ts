/**
 * Scenarios: an attack or a benign look-alike written as a small module beside its detector
 * (`detectors/<id>/scenarios/<name>.ts`, or `sim/scenarios/<name>.ts` for one that belongs to no
 * detector) that the simulator loads without being edited. A scenario says which detectors must
 * alert on it (attack) or stay quiet (look-alike) and returns raw vendor records; the simulator
 * places it in an organization of the population, fills the envelope fields every record of that
 * vendor carries (ids, times, etag, customer id), writes the records with the rest of the traffic
 * and labels them in `labels.json` (kind = the scenario id, or the catalogued number it keeps:
 * `label`) for the evaluation and quality gate.
 */
import type { Source } from '../../schemas/token-activity.js';
import { localMidnight } from './calendar.js';
import type { CloudProvider } from './cloud-ranges.js';
import type { GwsApp, GwsParameter, RtemObject } from './emitted.js';
import type { AttackKind, LookalikeKind } from './labels.js';
import type { Rng } from './prng.js';

/** A person the scenario acts with or on. */
export interface ScenarioPerson {
  name: string;
  /** Workspace / SAML email, `<login>@<org domain>` */
  email: string;
  /** GitHub login */
  login: string;
  githubId: number;
  /** Workspace profile id */
  profileId: string;
  /** the person's home IP address on the scenario's day (a network their baselines know) */
  homeIp: string;
  /** ISO country of {@link homeIp} */
  homeCountry: string;
  /** a Google Workspace administrator (can suspend users, approve apps) */
  workspaceAdmin: boolean;
  /** already a victim or actor of one of the dataset's built-in incidents (leave them be) */
  inIncident: boolean;
  /** IANA time zone of the person's home */
  timeZone: string;
  /** local hour the person's working day usually starts (9.5 = 09:30) */
  workStartHour: number;
  /** usual length of the working day, hours */
  workHours: number;
}

/** An address of the simulator's geography: the pipeline classifies it as it would a real one. */
export interface ScenarioAddress {
  ip: string;
  /** ISO country */
  country: string;
  /** autonomous system the simulator's geography places the address in, when it names one */
  asn?: number;
  /** the network's operator (`Hetzner`, `aws us-east-1`, a carrier) */
  provider?: string;
}

/**
 * One GitHub user token of a person (classic or fine-grained PAT, OAuth app token) valid at the
 * scenario's start, as the person's own traffic uses it that day: a scenario can replay it.
 */
export interface ScenarioGithubToken {
  /** `token.id` (ingestors/IDS.md) */
  tokenId: string;
  kind: 'pat_classic' | 'pat_fine' | 'oauth';
  /**
   * The audit-log fields that name the token, to spread into a record: `hashed_token`,
   * `programmatic_access_type`, `token_id`, `token_scopes`, OAuth app / fine-grained token fields.
   */
  fields: Readonly<Record<string, unknown>>;
  /** the user agent the person's own use of it carries on the scenario's day (their git or CLI client) */
  userAgent: string;
  /** the OAuth app's servers (an integration calling GitHub from its vendor's cloud), `key` picks one address */
  server?: (key: number) => ScenarioAddress;
}

/** A repository of the organization a person works on. */
export interface ScenarioRepo {
  /** `org/name` */
  full: string;
  id: number;
  isPublic: boolean;
}

/**
 * One Workspace OAuth grant of a person (an app that works for them), as the population's traffic
 * uses it: the scenario can keep using it after the population stops (a leaver's app).
 */
export interface ScenarioGrant {
  /** `token.id` of the grant (`google_workspace:grant:<email>:<client id>`) */
  tokenId: string;
  clientId: string;
  appName: string;
  /** `always`: the app's servers call Google around the clock; `workday`: with the person */
  pattern: 'always' | 'workday';
  /** APIs the app calls (token `activity` api_name / method_name / product_bucket) */
  apis: ReadonlyArray<{ api: string; method: string; bucket: string }>;
  /** the app's server egress (`key` picks one address of the provider's region), or none (the person's own device) */
  server?: (key: number) => ScenarioAddress;
  /** where the person's own traffic of the grant comes from: their laptop, their phone (a mobile app), or the app's servers */
  device: 'laptop' | 'phone' | 'server';
  /** the client type the Reports API logs (`WEB`, `NATIVE_IOS`...) */
  clientType: string;
}

/** An entry of the dataset's app vetting registry (`apps.json`, src/inventory/apps-registry.ts). */
export interface ScenarioAppEntry {
  source: 'google_workspace';
  client_id: string;
  name: string;
  status: 'approved';
  approved_by: string;
  /** ISO time */
  approved_at: string;
  scopes: string[];
  note: string;
}

/** The organization a scenario is placed in. */
export interface ScenarioOrg {
  slug: string;
  /** email domain */
  domain: string;
  githubOrg: string;
  githubOrgId: number;
  gwsCustomerId: string;
  /** IANA time zone of the headquarters */
  timeZone: string;
  /** ISO country of the headquarters */
  country: string;
}

/** Epoch ms of `hour` (fractional) local time in `timeZone` on the UTC day that holds `dayMs`. */
export function atLocalHour(dayMs: number, timeZone: string, hour: number): number {
  const dayStart = Math.floor(dayMs / 86_400_000) * 86_400_000;
  return localMidnight(timeZone, dayStart) + hour * 3_600_000;
}

/** What a scenario's `generate` gets. */
export interface ScenarioWorld {
  /** epoch ms the scenario starts (a working morning, `at` of the way through the span) */
  start: number;
  org: ScenarioOrg;
  /**
   * Established people of the organization (not hired during the span, no test accounts), in a
   * seeded random order: as many as the scenario's `people`, at least. Their everyday traffic goes on
   * around the scenario.
   */
  people: readonly ScenarioPerson[];
  /**
   * A person of the organization's domain who is NOT in the population (no other traffic): for a
   * scenario that needs someone whose whole story it tells (a leaver, a new hire). Same `key`, same
   * person.
   */
  newPerson(key: string): ScenarioPerson;
  /** Seeded per scenario and simulation seed. */
  rng: Rng;
  /** Addresses of the simulator's geography (hosting, proxies, clouds), `key` picks one. */
  net: {
    /** hostile infrastructure (rented VPS, consumer VPN, Tor exit), preferably outside `avoidCountries` */
    hostile(
      kind: 'vps' | 'consumer_vpn' | 'tor',
      key: number,
      avoidCountries?: readonly string[],
    ): ScenarioAddress;
    /** a cloud provider's region (an app vendor's servers) */
    cloud(provider: CloudProvider, region: string, key: number): ScenarioAddress;
    /**
     * A mobile carrier's public address in a country at time `at` (epoch ms), as the population's
     * phones get them: with the world's noise the carrier-grade NAT pool (known to GeoIP by its
     * country only), else a carrier block of the country (the HQ city's when the country has none).
     */
    mobile(country: string, key: number, at: number): ScenarioAddress;
  };
  /** The person's GitHub user tokens valid at `at` (default {@link start}; population people only). */
  githubTokens(person: ScenarioPerson, at?: number): readonly ScenarioGithubToken[];
  /** The repositories the person works on (population people only; none for a {@link newPerson}). */
  repos(person: ScenarioPerson): readonly ScenarioRepo[];
  /** The person's Workspace OAuth grants valid at {@link start} (population people only; none for a {@link newPerson}). */
  grants(person: ScenarioPerson): readonly ScenarioGrant[];
  /**
   * The person leaves at `at` (epoch ms): no benign work of theirs from that day on, and every
   * credential of theirs ends then (the population's lifecycle records it). Population people only.
   */
  offboard(person: ScenarioPerson, at: number): void;
}

/** Fields of one raw record; the simulator fills the envelope. */
export type ScenarioRecord = {
  /** event time, epoch ms */
  at: number;
  /** attack scenarios: false for context records (a warm-up history, the admin action before the use) */
  malicious?: boolean;
} & (
  | {
      /** GitHub audit-log event: `action`, `actor`, token fields...; `@timestamp`, `created_at`, `_document_id` are filled */
      source: 'github';
      record: Record<string, unknown>;
    }
  | {
      /** Workspace Reports API activity of `app`: `kind`, `id`, `etag` are filled */
      source: 'google_workspace';
      app: GwsApp;
      actor: { email?: string; profileId?: string; callerType?: 'USER' | 'KEY'; key?: string };
      ipAddress?: string;
      events: Array<{ type: string; name: string; parameters?: GwsParameter[] }>;
    }
  | {
      /** Salesforce Real-Time Event Monitoring object; `EventDate` and `EventIdentifier` are filled when absent */
      source: 'salesforce';
      object: RtemObject;
      record: Record<string, unknown>;
    }
);

/** What `generate` returns. */
export interface ScenarioOutput {
  /** `token.id` the scenario is about (the incident's entity); default: the first malicious record's token */
  entity?: string;
  records: ScenarioRecord[];
  /** Entries the dataset's app vetting registry (`apps.json`) gets (an approval the scenario relies on). */
  apps?: ScenarioAppEntry[];
  /** Why the scenario cannot be placed in this organization (no admin, nobody fits): skipped, with this note. */
  skip?: string;
}

/** A scenario module's export. */
export interface ScenarioDefinition {
  /** `<detector id>/<name>` (`app.consent_wave/phishing-wave`), or `<area>/<name>` under sim/scenarios */
  id: string;
  /** an attack (labeled incident) or a benign look-alike */
  kind: 'attack' | 'lookalike';
  title: string;
  source: Source;
  /** attack: the detectors that must alert on it; look-alike: the detectors that must stay quiet */
  detectors: readonly string[];
  /**
   * The kind written to `labels.json` (default: the id). Only for the simulator's catalogued
   * scenarios (S11, S12, N13 in shared/scenarios.md), which keep their numbers in reports and gates.
   */
  label?: AttackKind | LookalikeKind;
  /** where the scenario starts, as a fraction of the span (default 0.75: the baselines are mature) */
  at?: number;
  /** established people it needs from the organization (default 0); skipped, with a note, where fewer */
  people?: number;
  generate(world: ScenarioWorld): ScenarioOutput;
}

/** `<lowercase id with dots and underscores>/<kebab-case name>` */
export const SCENARIO_ID = /^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*\/[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Typed errors of scenario definitions and loading. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(
    readonly code: 'bad_scenario_id' | 'bad_scenario' | 'unknown_scenario' | 'duplicate_scenario',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Declares a scenario (the one export of a scenario module). Throws {@link ScenarioError}
 * (`bad_scenario_id`, `bad_scenario`) when the id or the placement is malformed.
 */
export function defineScenario(def: ScenarioDefinition): ScenarioDefinition {
  if (!SCENARIO_ID.test(def.id)) {
    throw new ScenarioError('bad_scenario_id', `scenario id "${def.id}" is not <detector id>/<kebab-name>`);
  }
  if (def.at !== undefined && !(def.at >= 0 && def.at < 1)) {
    throw new ScenarioError('bad_scenario', `scenario ${def.id}: at must be in [0, 1)`);
  }
  if (def.detectors.length === 0) {
    throw new ScenarioError('bad_scenario', `scenario ${def.id}: name the detectors it is about`);
  }
  return def;
}

/** A scenario's Workspace Reports `token` activity: `actor` authorizes OAuth client `clientId`. */
export interface WorkspaceAuthorize {
  /** event time, epoch ms */
  at: number;
  actor: { email: string; profileId: string };
  ipAddress: string;
  clientId: string;
  appName: string;
  scopes: readonly string[];
  malicious?: boolean;
}

/**
 * The Reports API `token` application's `authorize` event (type `auth`; parameters `client_id`,
 * `app_name`, `client_type` WEB, `scope` multi-value), as
 * https://developers.google.com/workspace/admin/reports/v1/appendix/activity/token documents it.
 */
export function workspaceAuthorize(a: WorkspaceAuthorize): ScenarioRecord {
  return {
    at: a.at,
    ...(a.malicious === undefined ? {} : { malicious: a.malicious }),
    source: 'google_workspace',
    app: 'token',
    actor: a.actor,
    ipAddress: a.ipAddress,
    events: [
      {
        type: 'auth',
        name: 'authorize',
        parameters: [
          { name: 'client_id', value: a.clientId },
          { name: 'app_name', value: a.appName },
          { name: 'client_type', value: 'WEB' },
          { name: 'scope', multiValue: [...a.scopes] },
        ],
      },
    ],
  };
}

/** A scenario's Workspace Reports `token` activity: OAuth client `clientId` calls one API for `actor`. */
export interface WorkspaceTokenActivity {
  /** event time, epoch ms */
  at: number;
  actor: { email: string; profileId: string };
  ipAddress: string;
  clientId: string;
  appName: string;
  /** `client_type`, WEB unless given */
  clientType?: string;
  /** `api_name` (`gmail`, `drive`...), `method_name` (`gmail.users.messages.list`), `product_bucket` (`GMAIL`) */
  api: string;
  method: string;
  bucket: string;
  /** `num_response_bytes`, bytes */
  responseBytes: number;
}

/**
 * The Reports API `token` application's `activity` event (type `auth`; parameters `api_name`,
 * `method_name`, `client_id`, `num_response_bytes`, `product_bucket`, `app_name`, `client_type`),
 * as https://developers.google.com/workspace/admin/reports/v1/appendix/activity/token documents it.
 */
export function workspaceTokenActivity(a: WorkspaceTokenActivity): ScenarioRecord {
  return {
    at: a.at,
    source: 'google_workspace',
    app: 'token',
    actor: a.actor,
    ipAddress: a.ipAddress,
    events: [
      {
        type: 'auth',
        name: 'activity',
        parameters: [
          { name: 'api_name', value: a.api },
          { name: 'method_name', value: a.method },
          { name: 'client_id', value: a.clientId },
          { name: 'num_response_bytes', intValue: String(a.responseBytes) },
          { name: 'product_bucket', multiValue: [a.bucket] },
          { name: 'app_name', value: a.appName },
          { name: 'client_type', value: a.clientType ?? 'WEB' },
        ],
      },
    ],
  };
}

/** A scenario's GitHub audit event of a user token: `actor` runs `action` with `token` from `ip`. */
export interface GithubTokenUse {
  /** event time, epoch ms */
  at: number;
  actor: { login: string; githubId: number };
  token: ScenarioGithubToken;
  org: ScenarioOrg;
  /** `git.clone`, `git.fetch`, `git.push` or `api.request` */
  action: 'git.clone' | 'git.fetch' | 'git.push' | 'api.request';
  repo: ScenarioRepo;
  ip: ScenarioAddress;
  /** default: the token's usual client ({@link ScenarioGithubToken.userAgent}) */
  userAgent?: string;
  malicious?: boolean;
}

/**
 * A GitHub enterprise audit-log event (streaming shape) of a user token on a repository:
 * `action`, `actor` / `actor_id`, `actor_ip` with `actor_location.country_code`, the token's
 * fields (`hashed_token`, `programmatic_access_type`, `token_id`, `token_scopes`), `org` /
 * `org_id`, `repo` / `repo_id` / `repository` / `repository_public`, `operation_type`,
 * `user_agent`; git events carry `transport_protocol_name` `http`, `api.request` the REST route
 * (https://docs.github.com/en/enterprise-cloud@latest/admin/monitoring-activity-in-your-enterprise/reviewing-audit-logs-for-your-enterprise/audit-log-events-for-your-enterprise#git).
 */
export function githubTokenUse(u: GithubTokenUse): ScenarioRecord {
  const git = u.action !== 'api.request';
  return {
    at: u.at,
    ...(u.malicious === undefined ? {} : { malicious: u.malicious }),
    source: 'github',
    record: {
      action: u.action,
      actor: u.actor.login,
      actor_id: u.actor.githubId,
      actor_ip: u.ip.ip,
      actor_location: { country_code: u.ip.country },
      ...u.token.fields,
      operation_type: u.action === 'git.push' ? 'modify' : 'access',
      org: u.org.githubOrg,
      org_id: u.org.githubOrgId,
      repo: u.repo.full,
      repo_id: u.repo.id,
      repository: u.repo.full,
      repository_public: u.repo.isPublic,
      user_agent: u.userAgent ?? u.token.userAgent,
      ...(git
        ? { transport_protocol: 1, transport_protocol_name: 'http' }
        : {
            request_category: 'api',
            request_method: 'GET',
            route: '/repos/{owner}/{repo}/pulls',
            status_code: 200,
          }),
    },
  };
}
