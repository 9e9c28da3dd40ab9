import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics of one serve instance, in their own registry (no global state, so tests
 * can run several instances). Names follow Prometheus conventions (`_total`, `_seconds`).
 */
export interface ServeMetrics {
  registry: Registry;
  /** Kafka messages consumed, by topic. */
  messages: Counter<'topic'>;
  /** Records framed from messages, by source and outcome (`normalized`, `dead`, `skipped`). */
  records: Counter<'source' | 'outcome'>;
  /** Alerts delivered to Elasticsearch, by severity; `duplicates` counts 409 (already there). */
  alerts: Counter<'severity'>;
  alertDuplicates: Counter;
  /** Dead letters produced to the DLQ topic, by code. */
  deadLetters: Counter<'code'>;
  /** Documents Elasticsearch refused for good (sent to the DLQ), by target. */
  rejected: Counter<'target'>;
  /** Time from taking a batch to all its sinks acknowledging, seconds. */
  batchDuration: Histogram;
  /** Failed sink attempts (each followed by a backoff), by sink. */
  sinkRetries: Counter<'sink'>;
  /** 1 while consumption is paused because a sink is failing. */
  paused: Gauge;
  /** Messages behind the partition's high watermark after the last batch. */
  lag: Gauge<'topic' | 'partition'>;
  /** Checkpoints written, and how long they took. */
  checkpointDuration: Histogram;
  /** Checkpoints written, by kind (`full`, `delta`: incremental, see checkpoint.ts). */
  checkpoints: Counter<'kind'>;
  /** Open alert groups (findings not yet emitted as alerts). */
  openGroups: Gauge;
}

/**
 * Counts what one delivered batch carried: alerts by severity, dead letters by code, and the
 * alert `create`s Elasticsearch already had (`duplicates`). Label values come only from closed
 * sets (severity numbers, dead-letter codes), never from record content, so no secret a record
 * carries can become a label (checked by test/e2e/secret-corpus.test.ts).
 */
export function countDelivered(
  metrics: ServeMetrics,
  batch: {
    readonly alerts: readonly { readonly event: { readonly severity: number } }[];
    readonly deadLetters: readonly { readonly code: string }[];
  },
  duplicates: number,
): void {
  for (const a of batch.alerts) metrics.alerts.inc({ severity: String(a.event.severity) });
  metrics.alertDuplicates.inc(duplicates);
  for (const d of batch.deadLetters) metrics.deadLetters.inc({ code: d.code });
}

/** Creates the metrics (plus Node process metrics) in a fresh registry. */
export function createServeMetrics(): ServeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tokenwatch_' });
  const registers = [registry];
  return {
    registry,
    messages: new Counter({
      name: 'tokenwatch_messages_total',
      help: 'Kafka messages consumed from the raw topics',
      labelNames: ['topic'],
      registers,
    }),
    records: new Counter({
      name: 'tokenwatch_records_total',
      help: 'Raw records framed from messages, by source and outcome (normalized, dead, skipped)',
      labelNames: ['source', 'outcome'],
      registers,
    }),
    alerts: new Counter({
      name: 'tokenwatch_alerts_total',
      help: 'Alerts written to Elasticsearch, by severity',
      labelNames: ['severity'],
      registers,
    }),
    alertDuplicates: new Counter({
      name: 'tokenwatch_alert_duplicates_total',
      help: 'Alerts already present in Elasticsearch (409 on create: a replayed batch)',
      registers,
    }),
    deadLetters: new Counter({
      name: 'tokenwatch_dead_letters_total',
      help: 'Records sent to the dead-letter topic, by code',
      labelNames: ['code'],
      registers,
    }),
    rejected: new Counter({
      name: 'tokenwatch_es_rejected_total',
      help: 'Documents Elasticsearch rejected for good (sent to the DLQ), by target',
      labelNames: ['target'],
      registers,
    }),
    batchDuration: new Histogram({
      name: 'tokenwatch_batch_duration_seconds',
      help: 'Time from taking a batch to all sinks acknowledging it',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    sinkRetries: new Counter({
      name: 'tokenwatch_sink_retries_total',
      help: 'Failed sink attempts, each followed by a backoff',
      labelNames: ['sink'],
      registers,
    }),
    paused: new Gauge({
      name: 'tokenwatch_consumer_paused',
      help: '1 while consumption is paused because a sink is failing',
      registers,
    }),
    lag: new Gauge({
      name: 'tokenwatch_consumer_lag',
      help: 'Messages behind the high watermark after the last processed batch',
      labelNames: ['topic', 'partition'],
      registers,
    }),
    checkpointDuration: new Histogram({
      name: 'tokenwatch_checkpoint_duration_seconds',
      help: 'Time to write a checkpoint (baselines + offsets)',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers,
    }),
    checkpoints: new Counter({
      name: 'tokenwatch_checkpoints_total',
      help: 'Checkpoints written, by kind (full, or delta: only what changed since the previous one)',
      labelNames: ['kind'],
      registers,
    }),
    openGroups: new Gauge({
      name: 'tokenwatch_open_alert_groups',
      help: 'Alert groups still open (findings not yet emitted as alerts)',
      registers,
    }),
  };
}
