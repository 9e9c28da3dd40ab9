import type { Logger } from 'pino';
import { detectors as registered } from '../../detectors/registry.js';
import type { Detector } from '../../detectors/types.js';
import { type Config, describeConfig } from '../config.js';
import { createElasticsearch } from '../elasticsearch/client.js';
import { installTemplates } from '../elasticsearch/templates.js';
import { createKafka, type KafkaClientOptions } from '../kafka/client.js';
import { retryUntilDone } from '../serve/backoff.js';
import { DetectStage } from './detect-stage.js';
import { splitDetectors } from './detector-split.js';
import { ensureTopologyTopics, topologyTopics } from './kafka-io.js';
import { STAGES, type Stage, topologyNames } from './names.js';
import { NormalizeStage } from './normalize-stage.js';
import { OrgStage } from './org-stage.js';
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
  /** Consumer group session timeout, ms (default 30000). */
  sessionTimeoutMs?: number;
  /** Longest a fetch waits on an idle partition, ms (default 500). */
  maxWaitTimeMs?: number;
  /** Detector set (default: detectors/registry.ts), split into the detect and org stages. */
  detectors?: readonly Detector[];
  kafkaClient?: KafkaClientOptions;
  /** Called once every stage of this process consumes. */
  onStarted?: () => void;
  onBatch?: (info: StageBatchInfo) => void;
}

/** A running stage. */
interface Running {
  stop(): Promise<void>;
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
    sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
    maxWaitTimeMs: options.maxWaitTimeMs ?? 500,
    signal: options.signal,
    onFatal: (err) => {
      log.error({ err }, 'stage failed');
      onFatal(err);
    },
    ...(options.onBatch ? { onBatch: options.onBatch } : {}),
  };
  const running: Running[] = [];
  let fatalError: unknown;
  try {
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
        onFailure: (err) => log.warn({ err: (err as Error).message }, 'kafka not ready; retrying'),
      },
    ).then((partitions) => {
      deps.activityPartitions = partitions.get(names.activity) ?? options.partitions ?? 6;
    });
    if (es) {
      await retryUntilDone(() => installTemplates(es, config.elasticsearch, logger), {
        signal: options.signal,
        onFailure: (err) => log.warn({ err: (err as Error).message }, 'elasticsearch not ready; retrying'),
      });
    }
    const split = splitDetectors(options.detectors ?? registered);
    const disabled = new Set(config.pipeline.disabledDetectors);
    const enabled = (list: Detector[]) => list.filter((d) => !disabled.has(d.id));
    for (const role of roles) {
      let stage: Running & { start(): Promise<void> };
      if (role === 'normalize') stage = new NormalizeStage(deps);
      else if (role === 'detect') stage = new DetectStage(deps, enabled(split.detect));
      else if (role === 'org') stage = new OrgStage(deps, enabled(split.org), deps.activityPartitions ?? 6);
      else stage = new SinkStage(deps, es as NonNullable<typeof es>);
      await stage.start();
      running.push(stage);
      log.info({ role }, 'stage consuming');
    }
    options.onStarted?.();
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
  await admin.disconnect().catch(() => {});
  await es?.close().catch(() => {});
  log.info('stopped');
  if (fatalError) throw fatalError;
}
