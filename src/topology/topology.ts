import type { Logger } from 'pino';
import { detectors as registered } from '../../detectors/registry.js';
import type { Detector } from '../../detectors/types.js';
import { type Config, describeConfig } from '../config.js';
import { createElasticsearch } from '../elasticsearch/client.js';
import { installTemplates } from '../elasticsearch/templates.js';
import { buildHttpServer, type HttpServer } from '../http/index.js';
import { createKafka, type KafkaClientOptions } from '../kafka/client.js';
import { retryUntilDone } from '../serve/backoff.js';
import { DetectStage } from './detect-stage.js';
import { splitDetectors } from './detector-split.js';
import { ensureTopologyTopics, topologyTopics } from './kafka-io.js';
import type { GroupMembership } from './membership.js';
import { countStageBatch, createTopologyMetrics } from './metrics.js';
import { STAGES, type Stage, topologyNames } from './names.js';
import { NormalizeStage } from './normalize-stage.js';
import { OrgStage } from './org-stage.js';
import { type StageStatus, topologyReadiness } from './readiness.js';
import { SinkStage } from './sink-stage.js';
import type { StageBatchInfo, StageDeps } from './stateful-stage.js';

/** Options of {@link runTopology}. */
export interface TopologyOptions {
  /** Aborting it stops every stage (the in-flight batch of each finishes and commits). */
  signal: AbortSignal;
  /** Stages this process runs (default all four: `tokenwatch serve --role all`). */
  roles?: readonly Stage[];
  /** Partitions of the activity, alert and detect changelog topics when created (default 6). */
  partitions?: number;
  /** Event-time lateness, ms (default `config.serve.latenessMs`). */
  latenessMs?: number;
  /** Cap of each detect and org task's release buffer (default `config.serve.maxBufferedActivities`). */
  maxBufferedActivities?: number;
  /** Consumer group session timeout, ms (default 30000). */
  sessionTimeoutMs?: number;
  /** Longest a fetch waits on an idle partition, ms (default 500). */
  maxWaitTimeMs?: number;
  /** Detector set (default: detectors/registry.ts), split into the detect and org stages. */
  detectors?: readonly Detector[];
  kafkaClient?: KafkaClientOptions;
  /**
   * Serve `/healthz`, `/readyz` (per-stage checks), `/metrics` and `/detectors` on `config.http`
   * (default false here; the CLI's `serve --role` turns it on). The HTTP server starts before
   * Kafka is reached, so `/readyz` answers 503 with the startup step while dependencies are down.
   */
  http?: boolean;
  /** Called once every stage of this process consumes; `httpUrl` when the server runs. */
  onStarted?: (info: { httpUrl?: string }) => void;
  onBatch?: (info: StageBatchInfo) => void;
}

/** A running stage. */
interface Running {
  stop(): Promise<void>;
  readonly membership: GroupMembership;
}

/**
 * `tokenwatch serve --role <stage>[,<stage>...]`: the partitioned topology (names.ts lists its
 * topics). Creates the missing topics, starts the chosen stages (each its own consumer group; any
 * number of processes may run each stage, Kafka assigns the partitions), and runs until `signal`
 * aborts or a stage fails for good.
 * @throws the fatal error of a stage (after stopping the others)
 */
export async function runTopology(
  config: Readonly<Config>,
  logger: Logger,
  options: TopologyOptions,
): Promise<void> {
  const roles = options.roles ?? STAGES;
  const log = logger.child({ component: 'topology' });
  log.info({ roles, config: describeConfig(config) }, 'starting');
  const names = topologyNames(config.kafka);
  const kafka = createKafka(config.kafka, logger, options.kafkaClient);
  const admin = kafka.admin();
  const es = roles.includes('sink') ? createElasticsearch(config.elasticsearch) : undefined;
  let normalize: NormalizeStage | undefined;
  const metrics = createTopologyMetrics(roles.includes('normalize') ? () => normalize?.counts : undefined);
  const running: (Running & { role: Stage })[] = [];
  const startup: { step: string | undefined; lastError: string | undefined } = {
    step: 'starting',
    lastError: undefined,
  };
  const step = (what: string | undefined) => {
    startup.step = what;
    startup.lastError = undefined;
  };
  const failed = (err: unknown) => {
    startup.lastError = (err as Error).message;
  };
  let http: HttpServer | undefined;
  let httpUrl: string | undefined;
  let onFatal: (err: unknown) => void = () => {};
  const fatal = new Promise<unknown>((resolve) => {
    onFatal = resolve;
  });
  const deps: StageDeps = {
    kafka,
    admin,
    config,
    names,
    logger,
    latenessMs: options.latenessMs ?? config.serve.latenessMs,
    maxBufferedActivities: options.maxBufferedActivities ?? config.serve.maxBufferedActivities,
    sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
    maxWaitTimeMs: options.maxWaitTimeMs ?? 500,
    signal: options.signal,
    onFatal: (err) => {
      log.error({ err }, 'stage failed');
      onFatal(err);
    },
    onBatch: (info) => {
      countStageBatch(metrics, info);
      options.onBatch?.(info);
    },
  };
  let fatalError: unknown;
  try {
    if (options.http) {
      http = buildHttpServer({
        logger,
        registry: metrics.registry,
        readiness: topologyReadiness(admin, es, {
          stages: () =>
            running.map((r): StageStatus => ({ stage: r.role, consuming: () => r.membership.consuming })),
          starting: () =>
            startup.step === undefined
              ? undefined
              : `${startup.step}${startup.lastError ? `; last attempt failed: ${startup.lastError}` : ''}`,
          stopping: () => options.signal.aborted,
        }),
        detectors: options.detectors ?? registered,
      });
      httpUrl = await http.listen({ host: config.http.host, port: config.http.port });
      log.info({ url: httpUrl }, 'http server listening');
    }
    step('waiting for kafka topics');
    await retryUntilDone(
      async () => {
        await admin.connect();
        return ensureTopologyTopics(
          admin,
          topologyTopics(config.kafka, names, options.partitions ?? 6),
          logger,
        );
      },
      {
        signal: options.signal,
        onFailure: (err) => {
          failed(err);
          log.warn({ err: (err as Error).message }, 'kafka not ready; retrying');
        },
      },
    ).then((partitions) => {
      deps.activityPartitions = partitions.get(names.activity) ?? options.partitions ?? 6;
    });
    if (es) {
      step('waiting for elasticsearch templates');
      await retryUntilDone(() => installTemplates(es, config.elasticsearch, logger), {
        signal: options.signal,
        onFailure: (err) => {
          failed(err);
          log.warn({ err: (err as Error).message }, 'elasticsearch not ready; retrying');
        },
      });
    }
    const split = splitDetectors(options.detectors ?? registered);
    const disabled = new Set(config.pipeline.disabledDetectors);
    const enabled = (list: Detector[]) => list.filter((d) => !disabled.has(d.id));
    for (const role of roles) {
      let stage: Running & { start(): Promise<void> };
      step(`starting the ${role} stage`);
      if (role === 'normalize') stage = normalize = new NormalizeStage(deps);
      else if (role === 'detect') stage = new DetectStage(deps, enabled(split.detect));
      else if (role === 'org') stage = new OrgStage(deps, enabled(split.org), deps.activityPartitions ?? 6);
      else stage = new SinkStage(deps, es as NonNullable<typeof es>);
      await stage.start();
      running.push({ role, membership: stage.membership, stop: () => stage.stop() });
      log.info({ role }, 'stage consuming');
    }
    step(undefined);
    options.onStarted?.(httpUrl ? { httpUrl } : {});
    fatalError = await Promise.race([
      new Promise<undefined>((resolve) => {
        if (options.signal.aborted) resolve(undefined);
        else options.signal.addEventListener('abort', () => resolve(undefined), { once: true });
      }),
      fatal,
    ]);
  } catch (err) {
    if (!options.signal.aborted) fatalError = err;
  }
  log.info({ reason: fatalError ? 'fatal error' : 'signal' }, 'stopping');
  for (const stage of running) await stage.stop();
  await http?.close().catch(() => {});
  await admin.disconnect().catch(() => {});
  await es?.close().catch(() => {});
  log.info('stopped');
  if (fatalError) throw fatalError;
}
