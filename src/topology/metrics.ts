import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PipelineCounts } from '../pipeline/counts.js';
import type { StageBatchInfo } from './stateful-stage.js';

/**
 * Prometheus metrics of one `serve --role` process, in their own registry (several topology
 * instances can run in one test process). Every series is labelled by `stage` (normalize, detect,
 * org, sink); label values come only from closed sets, never from record content.
 */
export interface TopologyMetrics {
  registry: Registry;
  /** Input messages committed, by stage. */
  messages: Counter<'stage'>;
  /** Committed batches (one Kafka transaction, or one acknowledged bulk for the sink), by stage. */
  batches: Counter<'stage'>;
  /** Alerts produced (detect, org) or written (sink), by stage. */
  alerts: Counter<'stage'>;
  /** Changelog records written with the batches, by stage. */
  changelog: Counter<'stage'>;
  /** Processing time of a batch, seconds. */
  processDuration: Histogram<'stage'>;
  /** Produce + offsets + commit (or bulk) time of a batch, seconds. */
  commitDuration: Histogram<'stage'>;
  /** Offset after the last committed message, by stage and input partition. */
  position: Gauge<'stage' | 'partition'>;
}

/** The accounting of the normalize stage's pipeline, read at scrape time. */
export type NormalizeCountsReader = () => PipelineCounts | undefined;

/**
 * Creates the metrics (with Node process metrics, prefix `tokenwatch_`) in a fresh registry.
 * `normalizeCounts`, when given, is exposed as `tokenwatch_records_total{source,outcome}`, the
 * same series plain serve exports (outcome `normalized`, `dead`, `skipped`).
 */
export function createTopologyMetrics(normalizeCounts?: NormalizeCountsReader): TopologyMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tokenwatch_' });
  const registers = [registry];
  const buckets = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
  if (normalizeCounts) {
    new Gauge({
      name: 'tokenwatch_records_total',
      help: 'Raw records framed by the normalize stage, by source and outcome (normalized, dead, skipped)',
      labelNames: ['source', 'outcome'] as const,
      registers,
      collect() {
        const counts = normalizeCounts();
        if (!counts) return;
        for (const [source, a] of Object.entries(counts.accounting)) {
          this.set({ source, outcome: 'normalized' }, a.normalized);
          this.set({ source, outcome: 'dead' }, a.deadLettered);
          this.set({ source, outcome: 'skipped' }, a.skipped);
        }
      },
    });
  }
  return {
    registry,
    messages: new Counter({
      name: 'tokenwatch_topology_messages_total',
      help: 'Input messages committed by a topology stage',
      labelNames: ['stage'] as const,
      registers,
    }),
    batches: new Counter({
      name: 'tokenwatch_topology_batches_total',
      help: 'Batches committed by a topology stage',
      labelNames: ['stage'] as const,
      registers,
    }),
    alerts: new Counter({
      name: 'tokenwatch_topology_alerts_total',
      help: 'Alerts produced (detect, org) or written to Elasticsearch (sink)',
      labelNames: ['stage'] as const,
      registers,
    }),
    changelog: new Counter({
      name: 'tokenwatch_topology_changelog_records_total',
      help: 'State changelog records written by a stateful stage',
      labelNames: ['stage'] as const,
      registers,
    }),
    processDuration: new Histogram({
      name: 'tokenwatch_topology_batch_process_seconds',
      help: 'Processing time of one batch',
      labelNames: ['stage'] as const,
      buckets,
      registers,
    }),
    commitDuration: new Histogram({
      name: 'tokenwatch_topology_batch_commit_seconds',
      help: 'Produce, offsets and commit (sink: bulk write) time of one batch',
      labelNames: ['stage'] as const,
      buckets,
      registers,
    }),
    position: new Gauge({
      name: 'tokenwatch_topology_position',
      help: 'Offset after the last committed input message, by stage and partition',
      labelNames: ['stage', 'partition'] as const,
      registers,
    }),
  };
}

/** Counts one committed batch of a stage. */
export function countStageBatch(metrics: TopologyMetrics, info: StageBatchInfo): void {
  const stage = { stage: info.stage };
  metrics.messages.inc(stage, info.messages);
  metrics.batches.inc(stage);
  metrics.alerts.inc(stage, info.alerts);
  metrics.changelog.inc(stage, info.changelog);
  metrics.processDuration.observe(stage, info.processMs / 1_000);
  metrics.commitDuration.observe(stage, info.commitMs / 1_000);
  metrics.position.set({ stage: info.stage, partition: String(info.partition) }, Number(info.nextOffset));
}
