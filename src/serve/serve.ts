import type { Client } from '@elastic/elasticsearch';
import type { FastifyInstance } from 'fastify';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { BaselineStore } from '../../baselines/store.js';
import { detectors as registeredDetectors } from '../../detectors/registry.js';
import type { Detector } from '../../detectors/types.js';
import { ApiKeys, checkAuthOptions } from '../api/auth.js';
import { ElasticStore } from '../api/elastic-store.js';
import { registerApi } from '../api/plugin.js';
import { type Config, describeConfig } from '../config.js';
import { registerConsole } from '../console/routes.js';
import { createElasticsearch, type ElasticsearchClientOptions } from '../elasticsearch/client.js';
import { ledgerFacts, type TokenFacts } from '../elasticsearch/inventory.js';
import { installTemplates } from '../elasticsearch/templates.js';
import { buildHttpServer, type HttpServer } from '../http/index.js';
import { AppsRegistry } from '../inventory/apps-registry.js';
import type { TokenLedger } from '../inventory/ledger.js';
import { createKafka, type KafkaClientOptions } from '../kafka/client.js';
import { KafkaProducerSink } from '../kafka/producer-sink.js';
import { allTopics, ensureTopics, rawTopics } from '../kafka/topics.js';
import { appVettingOf } from '../pipeline/apps-lookup.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { type BackoffOptions, isRetriable, retryUntilDone } from './backoff.js';
import { type BatchInfo, BatchLoop } from './batch-loop.js';
import { CheckpointStore } from './checkpoint.js';
import { DeliveryAbortedError, StartupError } from './errors.js';
import { createServeMetrics, type ServeMetrics } from './metrics.js';
import { OffsetPositions } from './positions.js';
import { readinessChecks } from './readiness.js';
import { ReorderBuffer } from './reorder.js';
import { ServeSinks } from './sinks.js';

/** Options of {@link serve}; only `signal` is required. */
export interface ServeOptions {
  /** Aborting it starts a graceful shutdown (the CLI aborts on SIGTERM/SIGINT). */
  signal: AbortSignal;
  /** Ignore saved checkpoints and start over on purpose (`--fresh`); the next checkpoint replaces them. */
  fresh?: boolean;
  /** Event-time lateness after which alert groups close, ms (default `config.serve.latenessMs`). */
  latenessMs?: number;
  /** Minimum wall-clock time between checkpoints, ms (default `config.serve.checkpointIntervalMs`). */
  checkpointIntervalMs?: number;
  /** How long a shutdown waits for the in-flight batch and the final flush (default `config.serve.shutdownGraceMs`). */
  shutdownGraceMs?: number;
  /** Consumer group session timeout, ms (default 30000; the broker allows 6000 and up). */
  sessionTimeoutMs?: number;
  /**
   * Longest a fetch waits for new messages on an idle topic, ms (default 1000). Also bounds how
   * long a shutdown waits for the consumer's in-flight fetch.
   */
  maxWaitTimeMs?: number;
  /** Start the HTTP server on `config.http` (default true). */
  http?: boolean;
  /** Sink retry backoff (default 200 ms doubling to 30 s). */
  backoff?: BackoffOptions;
  kafkaClient?: KafkaClientOptions;
  esClient?: ElasticsearchClientOptions;
  /** Detector set (default: detectors/registry.ts). */
  detectors?: readonly Detector[];
  now?: () => Date;
  /** Called once the consumer has joined its group for the first time. */
  onStarted?: (info: StartedInfo) => void;
  /** Called after each acknowledged batch chunk. */
  onBatch?: (info: BatchInfo) => void;
}

/** What {@link ServeOptions.onStarted} receives. */
export interface StartedInfo {
  /** Bound HTTP address (`http://host:port`), when the server runs. */
  httpUrl?: string;
  /** Where the baselines came from: a serve checkpoint, a `run` state seed, or nothing. */
  restored: 'checkpoint' | 'seed' | 'none';
  metrics: ServeMetrics;
}

/**
 * Token facts for the inventory, read from the live baseline store and the pipeline's token
 * ledger (lifecycle times, used scopes: what `tokenwatch inventory --state` judges flags from).
 */
function factsFrom(store: BaselineStore, ledger: TokenLedger, tokenId: string): TokenFacts | undefined {
  const b = store.get('token', tokenId);
  if (!b || b.eventCount === 0) return undefined;
  const r = ledger.tokens.get(tokenId);
  return {
    ...(r ? { ledger: ledgerFacts(r) } : {}),
    firstSeenMs: b.firstSeen,
    lastSeenMs: b.lastSeen,
    eventCount: b.eventCount,
    maturity: b.maturity,
    gapMaxMs: b.gapMax,
    revokedAtMs: b.revokedAt,
    scopes: b.scopes,
  };
}

/**
 * Mounts the analyst HTTP API (src/api: alerts, triage, suppressions, tokens, apps, OpenAPI) and
 * the console on the serve HTTP server (same port as `/healthz`), over Elasticsearch (the alert
 * data stream, the inventory index, triage and suppression indices) and the state directory's app
 * registry. Authentication is the API's own: the keys of `http.apiKeys` / `TOKENWATCH_API_KEYS`
 * (Bearer or X-API-Key); the probes stay public. Not mounted (a warning says why) without keys
 * (serve never runs an unauthenticated API) or without a state directory (nowhere to keep the
 * app registry).
 * @throws ConfigError when a configured key is too short.
 */
async function mountAnalystApi(
  http: HttpServer,
  deps: {
    config: Readonly<Config>;
    es: Client;
    apps: AppsRegistry | undefined;
    log: Logger;
    now: () => Date;
  },
): Promise<void> {
  const { config, apps, log } = deps;
  if (config.http.apiKeys.length === 0) {
    log.warn('analyst API not mounted: no API key (set TOKENWATCH_API_KEYS or http.apiKeys)');
    return;
  }
  if (!apps) {
    log.warn('analyst API not mounted: no stateDir for the app registry (apps.json)');
    return;
  }
  const auth = { keys: config.http.apiKeys, noAuth: false };
  checkAuthOptions(config.http.host, auth);
  const keys = new ApiKeys(auth);
  const store = new ElasticStore({
    client: deps.es,
    namespace: config.elasticsearch.namespace,
    apps,
    now: deps.now,
  });
  // the API routes take the plain FastifyInstance; serve's only differs in its (pino) logger type
  const plain = http as unknown as FastifyInstance;
  await registerApi(plain, { store, keys, now: deps.now });
  registerConsole(plain, { store, keys });
  log.info({ keys: auth.keys.length }, 'analyst API mounted at /api/v1 and /console');
}

/**
 * Where reading starts (the checkpointed position, else the group's committed offset, else the
 * partition's first offset: serve subscribes from the beginning) and ends (high watermark) for
 * each of `partitions`, from the Kafka admin client: the release buffer (reorder.ts) must not
 * wait for an assigned partition that holds nothing to read.
 */
async function partitionExtents(
  admin: Admin,
  groupId: string,
  positions: OffsetPositions,
  partitions: { topic: string; partition: number }[],
): Promise<{ topic: string; partition: number; start: string; end: string }[]> {
  const topics = [...new Set(partitions.map((p) => p.topic))];
  const committed = new Map<string, string>();
  for (const t of await admin.fetchOffsets({ groupId, topics }))
    for (const p of t.partitions) committed.set(`${p.partition}:${t.topic}`, p.offset);
  const out: { topic: string; partition: number; start: string; end: string }[] = [];
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    for (const { partition } of partitions.filter((p) => p.topic === topic)) {
      const o = ends.find((e) => e.partition === partition);
      if (!o) continue;
      const c = committed.get(`${partition}:${topic}`);
      const start = positions.get(topic, partition) ?? (c !== undefined && BigInt(c) >= 0n ? c : o.low);
      out.push({ topic, partition, start, end: o.high });
    }
  }
  return out;
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * `tokenwatch serve`: consumes the raw topics (one per source) as consumer group
 * `kafka.groupId`, runs the Pipeline, and writes alerts (and optionally activity) to
 * Elasticsearch data streams, the token inventory, normalized activity to the activity topic and
 * dead letters to the DLQ topic. Delivery is at-least-once end to end with deterministic ids;
 * see batch-loop.ts for the per-batch protocol and checkpoint.ts for state. Resolves after a
 * graceful shutdown (signal aborted): the in-flight batch finishes (within `shutdownGraceMs`),
 * open alert groups are flushed, a checkpoint is written, clients disconnect.
 * @throws the fatal error (after cleanup) when the consumer crashes for good or the pipeline
 *   throws unexpectedly; StateError when the state directory holds a corrupt checkpoint.
 */
export async function serve(config: Readonly<Config>, logger: Logger, options: ServeOptions): Promise<void> {
  const log = logger.child({ component: 'serve' });
  const { signal } = options;
  const now = options.now ?? (() => new Date());
  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  log.info({ config: describeConfig(config) }, 'starting');

  const metrics = createServeMetrics();
  const sources = rawTopics(config.kafka);
  const pipeline = new Pipeline({
    config: config.pipeline,
    logger,
    now,
    ...(options.detectors ? { detectors: options.detectors } : {}),
  });
  const checkpoints = config.stateDir ? new CheckpointStore(config.stateDir, logger) : undefined;
  if (!checkpoints) {
    log.warn(
      'no stateDir: baselines are not persisted; a restart learns from scratch at the committed offsets',
    );
  }
  const loaded = checkpoints
    ? await checkpoints.load(pipeline, options.fresh ? { fresh: true } : {})
    : undefined;
  // The app vetting registry (`<stateDir>/apps.json`): detectors read it live, and the API's
  // approvals and revocations change the same instance (so they apply to the next event).
  const apps = config.stateDir ? await AppsRegistry.load(config.stateDir) : undefined;
  if (apps) pipeline.apps = appVettingOf(apps);
  const positions = loaded?.positions ?? new OffsetPositions();
  const latenessMs = options.latenessMs ?? config.serve.latenessMs;
  const reorder = ReorderBuffer.fromJSON(loaded?.reorder, latenessMs, config.serve.maxBufferedActivities);
  if (reorder.size > 0) log.info({ buffered: reorder.size }, 'release buffer restored from the checkpoint');

  const kafka: Kafka = createKafka(config.kafka, logger, options.kafkaClient);
  const es: Client = createElasticsearch(config.elasticsearch, options.esClient);
  const admin: Admin = kafka.admin();
  const producer = new KafkaProducerSink(kafka, logger);
  const grace = new AbortController();
  let consumer: Consumer | undefined;
  let http: HttpServer | undefined;
  let joined = false;
  let stopping = false;
  /** The startup step under way (undefined once consuming) and why its last attempt failed. */
  const startup: { step: string | undefined; lastError: string | undefined } = {
    step: 'starting',
    lastError: undefined,
  };
  let onFatal: (err: unknown) => void = () => {};
  const fatal = new Promise<unknown>((resolve) => {
    onFatal = resolve;
  });

  const loop: BatchLoop = new BatchLoop(
    {
      pipeline: () => pipeline,
      sources,
      positions,
      sinks: new ServeSinks({
        es,
        producer,
        config,
        logger,
        metrics,
        factsOf: (id) => factsFrom(pipeline.store, pipeline.inventory, id),
        now,
        inventorySignal: grace.signal,
        ...(options.backoff ? { backoff: options.backoff } : {}),
        onDegraded: () => loop.flow.degraded(),
        onRecovered: () => loop.flow.recovered(),
      }),
      checkpoints,
      metrics,
      logger,
      deliverySignal: grace.signal,
      consumer: () => consumer,
      reorder,
      partitionExtents: (partitions) => partitionExtents(admin, config.kafka.groupId, positions, partitions),
      ...(options.onBatch ? { onBatch: options.onBatch } : {}),
      onFatal: (err) => {
        log.error({ err }, 'fatal error: stopping without checkpointing this state');
        onFatal(err);
      },
    },
    {
      batchSize: config.kafka.batchSize,
      latenessMs,
      checkpointIntervalMs: options.checkpointIntervalMs ?? config.serve.checkpointIntervalMs,
      groupId: config.kafka.groupId,
    },
  );

  const readiness = readinessChecks(admin, es, {
    consuming: () => joined && !stopping,
    paused: () => loop.flow.isPaused,
    starting: () =>
      startup.step === undefined
        ? undefined
        : `${startup.step}${startup.lastError ? `; last attempt failed: ${startup.lastError}` : ''}`,
  });

  /** Retries a startup step while its error may pass (a service still starting); fails fast otherwise. */
  const startupRetry = <T>(what: string, attempt: () => Promise<T>) => {
    startup.step = `waiting for ${what}`;
    startup.lastError = undefined;
    return retryUntilDone(
      async () => {
        try {
          return await attempt();
        } catch (err) {
          if (!isRetriable(err)) throw new StartupError(what, err);
          throw err;
        }
      },
      {
        signal,
        ...(options.backoff ? { backoff: options.backoff } : {}),
        onFailure: (err, n, delayMs) => {
          startup.lastError = (err as Error).message;
          log.warn(
            { what, attempt: n, delayMs, err: (err as Error).message },
            'startup step failed; retrying',
          );
        },
      },
    );
  };

  // Checkpoint (and commit) between batches too, so an idle stream does not leave offsets behind.
  const tickMs = Math.max(1_000, options.checkpointIntervalMs ?? config.serve.checkpointIntervalMs);
  const ticker = setInterval(() => {
    loop.tick().catch((err: unknown) => log.error({ err }, 'idle checkpoint failed'));
  }, tickMs);
  let fatalError: unknown;
  let httpUrl: string | undefined;
  try {
    // The HTTP server first: /healthz answers and /readyz says what startup waits for (503 with
    // the reason) while Kafka or Elasticsearch is still unreachable.
    if (options.http !== false) {
      http = buildHttpServer({
        logger,
        registry: metrics.registry,
        readiness,
        detectors: options.detectors ?? registeredDetectors,
      });
      await mountAnalystApi(http, { config, es, apps, log, now });
      httpUrl = await http.listen({ host: config.http.host, port: config.http.port });
      log.info({ url: httpUrl }, 'http server listening');
    }
    await startupRetry('elasticsearch templates', () => installTemplates(es, config.elasticsearch, logger));
    await startupRetry('kafka topics', async () => {
      await admin.connect();
      await ensureTopics(admin, allTopics(config.kafka), logger);
    });
    await startupRetry('kafka producer', () => producer.connect());
    const c = kafka.consumer({
      groupId: config.kafka.groupId,
      sessionTimeout,
      heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 10)),
      rebalanceTimeout: Math.max(sessionTimeout, 60_000),
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 1_000,
      retry: { retries: 10 },
    });
    consumer = c;
    c.on(c.events.GROUP_JOIN, (e) => {
      joined = true;
      loop.onAssignment(e.payload.memberAssignment);
      for (const [topic, partitions] of Object.entries(e.payload.memberAssignment)) {
        for (const partition of partitions) {
          const offset = positions.get(topic, partition);
          if (offset === undefined) continue;
          c.seek({ topic, partition, offset });
          log.info({ topic, partition, offset }, 'seeking to the checkpointed position');
        }
      }
    });
    c.on(c.events.CRASH, (e) => {
      joined = false;
      if (!e.payload.restart) onFatal(e.payload.error);
    });
    c.on(c.events.END_BATCH_PROCESS, (e) => {
      metrics.lag.set(
        { topic: e.payload.topic, partition: String(e.payload.partition) },
        Number(e.payload.offsetLag),
      );
    });
    let started = false;
    c.on(c.events.GROUP_JOIN, () => {
      if (started) return;
      started = true;
      options.onStarted?.({ ...(httpUrl ? { httpUrl } : {}), restored: loaded?.kind ?? 'none', metrics });
    });
    await startupRetry('kafka consumer', () => c.connect());
    startup.step = 'joining the consumer group';
    startup.lastError = undefined;
    await c.subscribe({ topics: [...sources.keys()], fromBeginning: true });
    await c.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: loop.eachBatch,
    });
    startup.step = undefined;
    log.info({ topics: [...sources.keys()], groupId: config.kafka.groupId }, 'consuming');
    fatalError = await Promise.race([aborted(signal).then(() => undefined), fatal]);
  } catch (err) {
    if (!(err instanceof DeliveryAbortedError)) fatalError = err;
  }

  stopping = true;
  clearInterval(ticker);
  log.info({ reason: fatalError ? 'fatal error' : 'signal' }, 'shutting down');
  const graceTimer = setTimeout(() => grace.abort(), options.shutdownGraceMs ?? config.serve.shutdownGraceMs);
  try {
    if (consumer) {
      await loop.drain();
      if (!fatalError && !loop.tainted) {
        const { flushed, checkpointed } = await loop.finish();
        log.info({ flushed, checkpointed }, 'open alert groups flushed, state saved');
      }
      await consumer.stop().catch((err: unknown) => log.warn({ err }, 'consumer stop failed'));
    }
  } finally {
    clearTimeout(graceTimer);
    await Promise.allSettled([
      consumer?.disconnect(),
      producer.disconnect(),
      admin.disconnect(),
      http?.close(),
    ]);
    await es.close().catch(() => {});
  }
  log.info({ counts: pipeline.counts }, 'stopped');
  if (fatalError) throw fatalError;
}
