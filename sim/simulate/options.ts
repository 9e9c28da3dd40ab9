/**
 * Options of {@link simulate}, validated with zod. Sizes scale from a few dozen tokens (the
 * committed samples) to well over 100,000 tokens; spans up to 400 days.
 */
import { z } from 'zod';
import { PLANNED_ATTACK_KINDS } from './labels.js';

/**
 * The scenario modules every standard dataset carries (`scenarios: 'standard'`), placed in this
 * order (a scenario's organization is its place in the list, modulo the organizations: append new
 * ones so the others stay where they are). The catalogued ones (shared/scenarios.md): S11 a
 * consent-phishing wave, N13 an approved company-wide rollout, S12 a leaver whose grant keeps
 * working. Then the cross-token detectors' own (issue 10 item 5): tokens of many owners replayed
 * from one VPS address and from droplets of one hosting ASN, a PAT replayed while its owner
 * works; and their look-alikes: a CI runner pool using developers' PATs, colleagues' phones
 * behind one carrier CGNAT address, a phone between home Wi-Fi and its carrier.
 */
export const STANDARD_SCENARIOS = [
  'app.consent_wave/consent-phishing-mail-read',
  'app.first_seen_in_org/approved-rollout',
  'token.lifecycle.used_after_owner_offboarded/leaver-app-keeps-syncing',
  'network.source_many_owners/pats-replayed-from-one-vps',
  'network.source_many_owners/pats-spread-over-droplets',
  'token.session.concurrent_networks/pat-replayed-while-owner-works',
  'network.source_many_owners/ci-runner-pool-with-developer-pats',
  'network.source_many_owners/colleagues-behind-one-carrier-cgnat',
  'token.session.concurrent_networks/phone-between-wifi-and-carrier',
  'app.scope_beyond_approved/approved-app-asks-for-mail',
] as const;

export const INTENSITIES = ['blatant', 'moderate', 'low_and_slow'] as const;
export const intensitySchema = z.enum(INTENSITIES);
export type Intensity = z.infer<typeof intensitySchema>;

/** One requested incident. */
export const incidentSpecSchema = z.object({
  kind: z.enum(PLANNED_ATTACK_KINDS),
  /** First malicious event time (ISO 8601 UTC); default: chosen in the last third of the span. */
  start: z.string().datetime({ offset: false }).optional(),
  intensity: intensitySchema.optional(),
  /** Which organization (tenant) to attack; default spreads incidents over tenants. */
  org: z.number().int().nonnegative().optional(),
});
export type IncidentSpec = z.infer<typeof incidentSpecSchema>;

export const simulateOptionsSchema = z
  .object({
    /** Output directory (created if missing). */
    outDir: z.string().min(1),
    seed: z
      .number()
      .int()
      .nonnegative()
      .max(2 ** 32 - 1)
      .default(1),
    /** First simulated day, `YYYY-MM-DD` (UTC). */
    start: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .default('2025-06-02'),
    days: z.number().int().min(1).max(400).default(30),
    /** Organizations (tenants): each has a GitHub org, a Workspace customer and a Salesforce org. */
    orgs: z.number().int().min(1).max(500).default(1),
    /** People across all orgs; derived from `tokens` when that is given instead. */
    people: z.number().int().min(4).max(200_000).optional(),
    /** Approximate number of credentials (tokens, grants, sessions) to create. */
    tokens: z.number().int().min(20).max(2_000_000).optional(),
    /** Multiplier on benign event rates of people (1 = realistic per-token volumes). */
    volume: z.number().positive().max(20).default(1),
    /** Multiplier on machine traffic (CI, apps, integrations); default: same as `volume`. */
    machineVolume: z.number().positive().max(20).optional(),
    /** `all` (one of each kind that fits the span), `none`, a list, or a count spread over kinds. */
    incidents: z
      .union([
        z.literal('all'),
        z.literal('none'),
        z.array(incidentSpecSchema),
        z.object({
          count: z.number().int().min(0).max(10_000),
          kinds: z.array(z.enum(PLANNED_ATTACK_KINDS)).min(1).optional(),
          intensity: intensitySchema.optional(),
        }),
      ])
      .default('all'),
    /** Default intensity of incidents that do not set one. */
    intensity: intensitySchema.default('moderate'),
    /**
     * Scenario modules to add (scenario.ts): `standard` (the catalogued ones, {@link STANDARD_SCENARIOS}:
     * S11 and S12 when `incidents` is `all`, N13 with `lookalikes`), `none`, `all` (every
     * `detectors/<id>/scenarios/*.ts` and `sim/scenarios/*.ts`), or a list of scenario ids and/or
     * module paths.
     */
    scenarios: z
      .union([z.literal('standard'), z.literal('none'), z.literal('all'), z.array(z.string().min(1)).min(1)])
      .default('standard'),
    /** Inject the benign look-alikes N1-N7. */
    lookalikes: z.boolean().default(true),
    /**
     * Simulate the world's noise (sim/simulate/noise.ts): IPv6 homes and carrier pools known only to
     * their country, phones between Wi-Fi and carrier, homes behind a personal VPS, logouts, failed
     * logins, re-consents, PAT deletions naming no token, first-time admin work (look-alikes N8-N12).
     */
    noise: z.boolean().default(false),
    /** Fraction of records delivered late (GWS 30 min-3 h, ELF next-day file, GitHub minutes). */
    lateFraction: z.number().min(0).max(0.5).default(0.02),
    /** Fraction of benign ELF rows re-delivered as duplicates (latent hourly files). */
    duplicateFraction: z.number().min(0).max(0.1).default(0.001),
    /** One file per source/family (`none`) or per UTC day (`day`). ELF files are always daily. */
    split: z.enum(['none', 'day']).default('none'),
    /** Items per Reports API page. */
    gwsPageSize: z.number().int().min(1).max(1000).default(500),
    /** Salesforce monitoring channel per org: alternate ELF / RTEM, or force one. */
    sfMonitoring: z.enum(['alternate', 'elf', 'rtem']).default('alternate'),
    /** Also write `bad/` with malformed inputs (kept out of the clean files). */
    badInputs: z.boolean().default(false),
  })
  .strict();

export type SimulateOptionsInput = z.input<typeof simulateOptionsSchema>;
export type SimulateOptions = z.output<typeof simulateOptionsSchema>;

/** Validates options and fills defaults (throws a ZodError). */
export function parseSimulateOptions(input: unknown): SimulateOptions {
  return simulateOptionsSchema.parse(input);
}
