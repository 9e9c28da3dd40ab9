/**
 * The labels format written next to simulated raw logs (`labels.json`), as a zod schema so the
 * evaluation harness can validate any labels file. Ids follow `ingestors/IDS.md`: `entity` and
 * `entities` are `token.id`s, `event_ids` are `event.id`s of every malicious raw record.
 */
import { z } from 'zod';
import { SOURCES } from '../../schemas/token-activity.js';

/**
 * S1-S10 (see README), planned by attacks.ts; S11 consent-phishing wave and S12 a leaver whose
 * token keeps working, scenario modules beside their detectors
 * (detectors/app-consent-wave/scenarios/consent-phishing-mail-read.ts,
 * detectors/token-lifecycle-used-after-owner-offboarded/scenarios/leaver-app-keeps-syncing.ts).
 */
export const ATTACK_KINDS = [
  'S1',
  'S2',
  'S3',
  'S4',
  'S5',
  'S6',
  'S7',
  'S8',
  'S9',
  'S10',
  'S11',
  'S12',
] as const;
export const attackKindSchema = z.enum(ATTACK_KINDS);
export type AttackKind = z.infer<typeof attackKindSchema>;

/** The attack kinds attacks.ts plans itself (S11 and S12 are scenario modules). */
export const PLANNED_ATTACK_KINDS = ['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8', 'S9', 'S10'] as const;
export type PlannedAttackKind = (typeof PLANNED_ATTACK_KINDS)[number];

/**
 * N1-N7 (see README); with noise (noise.ts): N8 a dual-stack home whose IPv6 is known only to its
 * country, N9 a phone between Wi-Fi and its carrier's pool, N10 a home behind the person's own
 * VPS (cloud/hosting range), N11 an admin's first-time admin work, N12 an OAuth re-consent; N13
 * an approved company-wide app rollout (a scenario module:
 * detectors/app-first-seen-in-org/scenarios/approved-rollout.ts).
 */
export const LOOKALIKE_KINDS = [
  'N1',
  'N2',
  'N3',
  'N4',
  'N5',
  'N6',
  'N7',
  'N8',
  'N9',
  'N10',
  'N11',
  'N12',
  'N13',
] as const;
export const lookalikeKindSchema = z.enum(LOOKALIKE_KINDS);
export type LookalikeKind = z.infer<typeof lookalikeKindSchema>;

const isoSchema = z.string().datetime({ offset: false });

/** A scenario's id (`<detector id>/<name>`, scenario.ts): the kind of the incident or look-alike it labels. */
export const scenarioKindSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*\/[a-z0-9]+(?:-[a-z0-9]+)*$/,
    'a scenario id <detector id>/<name>',
  );

export const incidentLabelSchema = z.object({
  id: z.string().min(1),
  /** S1..S10, or the id of the scenario module that generated it */
  kind: z.union([attackKindSchema, scenarioKindSchema]),
  /** The source the targeted token lives in. */
  source: z.enum(SOURCES),
  title: z.string(),
  intensity: z.enum(['blatant', 'moderate', 'low_and_slow']).optional(),
  /** `token.id` of the targeted token/app. */
  entity: z.string().min(1),
  /** Every `token.id` involved (target first). */
  entities: z.array(z.string().min(1)).min(1),
  first_malicious: isoSchema,
  last_malicious: isoSchema,
  /** `event.id` of every malicious event, in event-time order. */
  event_ids: z.array(z.string().min(1)).min(1),
  notes: z.string().optional(),
});
export type IncidentLabel = z.infer<typeof incidentLabelSchema>;

export const lookalikeLabelSchema = z.object({
  id: z.string().min(1),
  /** N1..N12, or the id of the scenario module that generated it */
  kind: z.union([lookalikeKindSchema, scenarioKindSchema]),
  title: z.string().optional(),
  source: z.enum(SOURCES).optional(),
  entities: z.array(z.string().min(1)).min(1),
  start: isoSchema,
  end: isoSchema,
});
export type LookalikeLabel = z.infer<typeof lookalikeLabelSchema>;

export const datasetInfoSchema = z
  .object({
    seed: z.number().int(),
    start: isoSchema,
    end: isoSchema,
    tokens: z.number().int().nonnegative(),
    people: z.number().int().nonnegative().optional(),
    orgs: z.number().int().nonnegative().optional(),
    generator: z.string().optional(),
    notes: z.array(z.string()).optional(),
  })
  .passthrough();
export type DatasetInfo = z.infer<typeof datasetInfoSchema>;

export const labelsFileSchema = z.object({
  version: z.literal(1),
  dataset: datasetInfoSchema,
  incidents: z.array(incidentLabelSchema),
  lookalikes: z.array(lookalikeLabelSchema),
});
export type LabelsFile = z.infer<typeof labelsFileSchema>;

/** Parses and validates a labels document (throws a ZodError on invalid input). */
export function parseLabels(input: unknown): LabelsFile {
  return labelsFileSchema.parse(input);
}

/** Alias of {@link labelsFileSchema} (the name the eval harness imports). */
export const labelsSchema = labelsFileSchema;
