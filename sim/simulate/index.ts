/**
 * tokenwatch simulator: deterministic, labeled raw GitHub / Google Workspace / Salesforce logs.
 * See samples/README.md for the committed demo dataset and `simulate()` for the API.
 */
export { BAD_INPUT_FILES, writeBadInputs } from './bad-inputs.js';
export { CLOUD_RANGES, type CloudProvider, type CloudRange } from './cloud-ranges.js';
export { type Emitted, eventIdsOf, tokenIdsOf } from './emitted.js';
export { GEO_CITIES, type GeoCity, MOBILE_CARRIERS } from './geo-table.js';
export { HOSTILE_RANGES, SDP_RANGES } from './hostile-infra.js';
export * from './ids.js';
export {
  ATTACK_KINDS,
  type AttackKind,
  type IncidentLabel,
  incidentLabelSchema,
  type LabelsFile,
  LOOKALIKE_KINDS,
  type LookalikeLabel,
  labelsFileSchema,
  labelsSchema,
  parseLabels,
} from './labels.js';
export {
  INTENSITIES,
  type IncidentSpec,
  type Intensity,
  parseSimulateOptions,
  type SimulateOptions,
  type SimulateOptionsInput,
  simulateOptionsSchema,
} from './options.js';
export { buildPopulation, CREDS_PER_PERSON } from './population.js';
export type { Credential, Person, Population, Tenant } from './population-types.js';
export { Rng, rngFor } from './prng.js';
export { DEFAULT_PEOPLE, type SimulationSummary, simulate } from './simulate.js';
export type { FileStat } from './writer.js';
