import { type ITopicMetadata, Partitioners, type PartitionMetadata } from 'kafkajs';
import type { Detector } from '../../detectors/types.js';
import type { Alert } from '../../schemas/alert.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { compareEventOrder, eventOrderKey } from '../pipeline/event-order.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { splitDetectors } from './detector-split.js';
import { entityKey } from './names.js';

/** What {@link partitionedModel} computes. */
export interface PartitionedResult {
  /** Every alert: closed while the input was read, then the groups still open (flushed). */
  alerts: Alert[];
  /** Activity partition of each activity's {@link entityKey}, as the normalize stage produces it. */
  partitionOf: (activity: TokenActivity) => number;
}

/**
 * The alerts a partitioned topology computes over `activities` when nothing is late, offline:
 * the activities partitioned by {@link entityKey} with Kafka's default partitioner (murmur2, as
 * the normalize stage's producer), each partition's activities through a pipeline with the
 * detect-stage detectors, all of them through one pipeline with the org-stage detectors, each in
 * the shared stage-2 order (pipeline/event-order.ts), open groups flushed at the end (as `run`
 * does). It is the reference the topology tests compare against, and it shows where the topology
 * differs from `tokenwatch run` (one pipeline over everything): only where a detect-stage
 * detector reads a baseline that spans partitions (an app used by several people, a delegated
 * token acting as several people; names.ts).
 * @param activities normalized activities (stage 1 output), any order; not modified
 */
export function partitionedModel(
  activities: readonly TokenActivity[],
  options: {
    config: Readonly<Config>;
    logger: Logger;
    partitions: number;
    detectors?: readonly Detector[];
  },
): PartitionedResult {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = [...Array(options.partitions).keys()].map(
    (partitionId): PartitionMetadata => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }),
  );
  const partitionOf = (a: TokenActivity): number =>
    partitioner({
      topic: 'activity',
      partitionMetadata,
      message: { key: entityKey(a), value: null },
    } as {
      topic: string;
      partitionMetadata: ITopicMetadata['partitions'];
      message: { key: string; value: null };
    });
  const ordered = activities
    .map((a) => eventOrderKey(a))
    .sort(compareEventOrder)
    .map((k) => k.activity);
  const split = splitDetectors(options.detectors);
  const alerts: Alert[] = [];
  const through = (list: readonly TokenActivity[], detectors: readonly Detector[]) => {
    const pipeline = new Pipeline({ config: options.config.pipeline, logger: options.logger, detectors });
    for (const a of list) alerts.push(...pipeline.detect(structuredClone(a)).alerts);
    alerts.push(...pipeline.flush());
  };
  const byPartition = new Map<number, TokenActivity[]>();
  for (const a of ordered) {
    const p = partitionOf(a);
    const list = byPartition.get(p);
    if (list) list.push(a);
    else byPartition.set(p, [a]);
  }
  for (const list of byPartition.values()) through(list, split.detect);
  through(ordered, split.org);
  return { alerts, partitionOf };
}
