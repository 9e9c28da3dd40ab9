import type { Client } from '@elastic/elasticsearch';
import type { Admin } from 'kafkajs';
import type { ReadinessCheck } from '../http/index.js';
import { PROBE_TIMEOUT_MS, probe } from '../serve/readiness.js';
import type { Stage } from './names.js';

/** What `GET /readyz` of a `serve --role` process knows about one of its stages. */
export interface StageStatus {
  stage: Stage;
  /** Its consumer is in its group with an assignment (see GroupMembership). */
  consuming: () => boolean;
}

/** What the topology process knows about itself for readiness. */
export interface TopologyState {
  /** The stages started so far (a stage not yet started is reported by `starting`). */
  stages: () => readonly StageStatus[];
  /** The startup step under way and why its last attempt failed; undefined once all consume. */
  starting: () => string | undefined;
  /** Shutting down (after SIGTERM). */
  stopping: () => boolean;
}

/**
 * The readiness checks of a `serve --role` process: Kafka answers (`describeCluster`),
 * Elasticsearch answers when this process runs the sink (`_cluster/health`), and one check per
 * started stage (`stage:<name>`: its consumer is in its group). While starting, a `startup` check
 * names the step under way and the last failure; while stopping, a `shutdown` check fails. Each
 * probe has a 2 s limit; the function never throws.
 */
export function topologyReadiness(
  admin: Admin,
  es: Client | undefined,
  state: TopologyState,
): () => Promise<ReadinessCheck[]> {
  return async () => {
    const probes = [probe('kafka', () => admin.describeCluster())];
    if (es) {
      probes.push(
        probe('elasticsearch', () =>
          es.cluster.health({}, { requestTimeout: PROBE_TIMEOUT_MS, maxRetries: 0 }),
        ),
      );
    }
    const services = await Promise.all(probes);
    const starting = state.starting();
    const checks: ReadinessCheck[] = [];
    if (starting !== undefined) checks.push({ name: 'startup', ok: false, detail: starting });
    if (state.stopping()) checks.push({ name: 'shutdown', ok: false, detail: 'stopping (signal received)' });
    checks.push(...services);
    for (const s of state.stages()) {
      const ok = s.consuming();
      checks.push({
        name: `stage:${s.stage}`,
        ok,
        ...(ok ? {} : { detail: 'not consuming (joining the group, rebalancing, or stopped)' }),
      });
    }
    return checks;
  };
}
