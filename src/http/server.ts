import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, LogController, type RawServerDefault } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DetectorMetadata } from '../../detectors/types.js';
import { MAX_PATH_PARAM_LENGTH } from '../api/plugin.js';

/** The serve HTTP app (fastify with the pino logger). */
export type HttpServer = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;

/** One readiness check: name, outcome and (when failing) why. */
export interface ReadinessCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

/** Dependencies of the HTTP server; everything it reports comes from here. */
export interface HttpDeps {
  logger: Logger;
  /** Prometheus registry served on `/metrics`. */
  registry: Registry;
  /** Readiness checks (Kafka reachable, Elasticsearch reachable, consumer running...). */
  readiness: () => Promise<ReadinessCheck[]>;
  /** The detector catalogue (detectors/registry.ts `detectors`). */
  detectors: readonly DetectorMetadata[];
}

/** One entry of `GET /detectors`. */
export interface DetectorCatalogueEntry {
  id: string;
  name: string;
  description: string;
  version: number;
  severity: string;
  risk_score: number;
  sources: readonly string[];
  mitre: { id: string; name: string; tactic: { id: string; name: string } }[];
}

/** The catalogue as served: id, name, severity, MITRE ATT&CK, sorted by id. */
export function detectorCatalogue(detectors: readonly DetectorMetadata[]): DetectorCatalogueEntry[] {
  return [...detectors]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((d) => ({
      id: d.id,
      name: d.name,
      description: d.description,
      version: d.version,
      severity: d.severity,
      risk_score: d.riskScore,
      sources: d.sources,
      mitre: d.mitre.map((m) => ({ id: m.id, name: m.name, tactic: { ...m.tactic } })),
    }));
}

/**
 * Builds (does not start) the fastify app of `tokenwatch serve`:
 *
 * - `GET /healthz`: liveness, always `200 {"status":"ok"}` while the event loop runs.
 * - `GET /readyz`: `200` when every readiness check passes, else `503`; body
 *   `{"status":"ready"|"not_ready","checks":[{name,ok,detail?}]}`.
 * - `GET /metrics`: Prometheus text exposition of the registry.
 * - `GET /detectors`: JSON array of {@link DetectorCatalogueEntry}.
 *
 * Tests call `app.inject()`; serve calls `app.listen()`. Request logging is off (scrapes and
 * probes would flood the log); errors are still logged.
 */
export function buildHttpServer(deps: HttpDeps): HttpServer {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'http' }),
    logController: new LogController({ disableRequestLogging: true }),
    // serve mounts the API and console here: token ids in paths (Workspace grants) are long
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
  });
  const catalogue = detectorCatalogue(deps.detectors);

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    let checks: ReadinessCheck[];
    try {
      checks = await deps.readiness();
    } catch (err) {
      checks = [{ name: 'readiness', ok: false, detail: (err as Error).message }];
    }
    const ready = checks.every((c) => c.ok);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });

  app.get('/metrics', async (_req, reply) => {
    const body = await deps.registry.metrics();
    return reply.header('content-type', deps.registry.contentType).send(body);
  });

  app.get('/detectors', async () => catalogue);

  return app;
}
