import type { Client } from '@elastic/elasticsearch';
import type { Admin } from 'kafkajs';
import type { ReadinessCheck } from '../http/index.js';

/** Per-probe time limit, ms. */
export const PROBE_TIMEOUT_MS = 2_000;

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs one readiness probe with the 2 s limit: `{name, ok: true}`, or `{name, ok: false, detail}`
 * with the error (or timeout) message. Never throws.
 */
export async function probe(name: string, call: () => Promise<unknown>): Promise<ReadinessCheck> {
  try {
    await withTimeout(call(), PROBE_TIMEOUT_MS);
    return { name, ok: true };
  } catch (err) {
    return { name, ok: false, detail: (err as Error).message };
  }
}

/** What serve knows about itself for readiness. */
export interface ServeState {
  /** In the consumer group and not shutting down. */
  consuming: () => boolean;
  /** Consumption paused because a sink is failing. */
  paused: () => boolean;
  /**
   * While serve is still starting: what it waits for (and why the last attempt failed); undefined
   * once it consumes. Optional for callers that have no startup phase.
   */
  starting?: () => string | undefined;
}

/**
 * The readiness checks of `GET /readyz`: Kafka answers (`describeCluster`), Elasticsearch answers
 * (`_cluster/health`, not `HEAD /`: minimal distributions lack the root endpoint), the consumer is
 * in its group, no sink is failing; while serve starts, a `startup` check names the step it waits
 * for and the last failure. Each probe has a 2 s limit.
 */
export function readinessChecks(
  admin: Admin,
  es: Client,
  state: ServeState,
): () => Promise<ReadinessCheck[]> {
  return async () => {
    const [kafka, elasticsearch] = await Promise.all([
      probe('kafka', () => admin.describeCluster()),
      probe('elasticsearch', () =>
        es.cluster.health({}, { requestTimeout: PROBE_TIMEOUT_MS, maxRetries: 0 }),
      ),
    ]);
    const consuming = state.consuming();
    const paused = state.paused();
    const starting = state.starting?.();
    return [
      ...(starting === undefined ? [] : [{ name: 'startup', ok: false, detail: starting }]),
      kafka,
      elasticsearch,
      {
        name: 'consumer',
        ok: consuming,
        ...(consuming ? {} : { detail: 'not consuming (joining the group, or stopping)' }),
      },
      { name: 'sinks', ok: !paused, ...(paused ? { detail: 'paused: a sink is failing' } : {}) },
    ];
  };
}
