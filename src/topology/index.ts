import { ConfigError } from '../errors.js';
import { STAGES, type Stage } from './names.js';

export type { Stage, TopologyNames } from './names.js';
export { entityKey, STAGES, topologyNames } from './names.js';
export type { StageBatchInfo } from './stateful-stage.js';
export type { TopologyOptions } from './topology.js';
export { runTopology } from './topology.js';

/**
 * Parses `--role`: `all`, or stage names separated by commas (`detect,org`).
 * @throws ConfigError naming the unknown stage
 */
export function parseRoles(text: string): Stage[] {
  if (text.trim() === 'all') return [...STAGES];
  const roles = text
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r.length > 0);
  for (const r of roles) {
    if (!(STAGES as readonly string[]).includes(r))
      throw new ConfigError(`unknown --role "${r}": use ${STAGES.join(', ')} or all`);
  }
  if (roles.length === 0) throw new ConfigError(`--role needs a stage: ${STAGES.join(', ')} or all`);
  return [...new Set(roles)] as Stage[];
}
