/**
 * Scenarios: an attack or a benign look-alike written as a small module beside its detector
 * (`detectors/<id>/scenarios/<name>.ts`, or `sim/scenarios/<name>.ts` for one that belongs to no
 * detector) that the simulator loads without being edited. A scenario says which detectors must
 * alert on it (attack) or stay quiet (look-alike) and returns raw vendor records; the simulator
 * places it in an organization of the population, fills the envelope fields every record of that
 * vendor carries (ids, times, etag, customer id), writes the records with the rest of the traffic
 * and labels them in `labels.json` (kind = the scenario id) for the evaluation and quality gate.
 */
import type { Source } from '../../schemas/token-activity.js';
import type { GwsApp, GwsParameter, RtemObject } from './emitted.js';
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
}

/** The organization a scenario is placed in. */
export interface ScenarioOrg {
  slug: string;
  /** email domain */
  domain: string;
  githubOrg: string;
  githubOrgId: number;
  gwsCustomerId: string;
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
