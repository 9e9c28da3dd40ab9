import { randomUUID } from 'node:crypto';
import {
  type Admin,
  CompressionTypes,
  type Kafka,
  type Message,
  Partitioners,
  type PartitionOffset,
  type Producer,
  type TopicMessages,
} from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaConfig } from '../config.js';
import { chunkMessages } from '../kafka/chunk.js';
import { decodeHeaders } from '../kafka/messages.js';
import { rawTopics } from '../kafka/topics.js';
import type { TopologyNames } from './names.js';
import type { ChangelogRecord } from './task-state.js';

/** Retries of the idempotent producers: unlimited, backing off up to 10 s. */
export const IDEMPOTENT_RETRY = {
  retries: Number.MAX_SAFE_INTEGER,
  initialRetryTime: 200,
  maxRetryTime: 10_000,
};

/** A record read by {@link readToEnd}: key, value, its offset and headers. */
export interface ReadRecord extends ChangelogRecord {
  offset: string;
  headers: Record<string, string>;
}

/** A topic the topology needs, with its partition count and whether it is compacted. */
export interface TopicSpec {
  topic: string;
  partitions: number;
  compacted?: boolean;
}

/** Topics of the topology (raw topics keep whatever partitioning the shippers chose). */
export function topologyTopics(config: KafkaConfig, names: TopologyNames, partitions: number): TopicSpec[] {
  return [
    ...[...rawTopics(config).keys()].map((topic) => ({ topic, partitions: 1 })),
    { topic: names.activity, partitions },
    { topic: names.byOrg, partitions: 1 },
    { topic: names.alerts, partitions },
    { topic: names.index, partitions },
    { topic: names.deadLetter, partitions: 1 },
    { topic: names.changelog.detect, partitions, compacted: true },
    { topic: names.changelog.org, partitions: 1, compacted: true },
  ];
}

/**
 * Creates the missing topics (replication factor min(3, brokers); changelogs with
 * `cleanup.policy=compact`, as Kafka Streams creates its changelogs). Existing topics are left as
 * they are. Returns the partition count of every topic.
 */
export async function ensureTopologyTopics(
  admin: Admin,
  specs: readonly TopicSpec[],
  logger: Logger,
): Promise<Map<string, number>> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length > 0) {
    const { brokers } = await admin.describeCluster();
    const replicationFactor = Math.min(3, Math.max(1, brokers.length));
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.topic,
          numPartitions: s.partitions,
          replicationFactor,
          ...(s.compacted
            ? {
                configEntries: [
                  { name: 'cleanup.policy', value: 'compact' },
                  // one state piece (peer models, the org baseline) may exceed the 1 MiB default
                  { name: 'max.message.bytes', value: String(16 * 1024 * 1024) },
                ],
              }
            : {}),
        })),
      });
    } catch (err) {
      // another instance created them first: fine, the metadata below says what exists
      logger.debug({ err: (err as Error).message }, 'createTopics raced another instance');
    }
    logger.info({ topics: missing.map((s) => s.topic) }, 'topology topics created');
  }
  const meta = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
  return new Map(meta.topics.map((t) => [t.name, t.partitions.length]));
}

/**
 * Reads partitions of a (changelog) topic from the beginning to their current end, committed
 * records only (`read_committed`), through a throw-away consumer group. Kafka's own protocol has
 * no group-less fetch in kafkajs, so a unique group id is used and never committed.
 * The end is the high watermark taken before reading; a partition whose last records are
 * transaction markers ends when kafkajs reports a batch past them. A read whose consumer crashes
 * (say its group member expired on a busy event loop) starts again, up to {@link RESTORE_ATTEMPTS}
 * times; then the last error is thrown. Aborting `signal` rejects with `restore aborted`.
 */
export async function readToEnd(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  partitions: readonly number[],
  signal?: AbortSignal,
  logger?: Logger,
): Promise<Map<number, ReadRecord[]>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await readToEndOnce(kafka, admin, topic, partitions, signal);
    } catch (err) {
      if (signal?.aborted || attempt >= RESTORE_ATTEMPTS) throw err;
      // A busy event loop can miss the throw-away group's heartbeats until the coordinator drops
      // the member ("The coordinator is not aware of this member": a non-retriable crash in
      // kafkajs). Nothing was committed, so reading again from the beginning is exact.
      logger?.warn(
        { err: (err as Error).message, topic, partitions, attempt },
        'changelog restore failed; reading again',
      );
    }
  }
}

/** How many times {@link readToEnd} starts a restore read before giving up. */
export const RESTORE_ATTEMPTS = 5;

/** One restore read of {@link readToEnd}; rejects when its consumer crashes. */
async function readToEndOnce(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  partitions: readonly number[],
  signal?: AbortSignal,
): Promise<Map<number, ReadRecord[]>> {
  const out = new Map<number, ReadRecord[]>(partitions.map((p) => [p, []]));
  const ends = new Map<number, bigint>();
  for (const o of await admin.fetchTopicOffsets(topic)) {
    if (!out.has(o.partition)) continue;
    if (BigInt(o.high) > BigInt(o.low)) ends.set(o.partition, BigInt(o.high) - 1n);
  }
  if (ends.size === 0) return out;
  const consumer = kafka.consumer({
    groupId: `${topic}-restore-${randomUUID()}`,
    maxWaitTimeInMs: 250,
    sessionTimeout: 60_000,
    maxBytesPerPartition: 32 * 1024 * 1024,
    maxBytes: 64 * 1024 * 1024,
    readUncommitted: false,
    // kafkajs would restart a crashed consumer and read from the beginning again into the same
    // lists (every record twice); readToEnd starts a fresh read instead
    retry: { restartOnFailure: async () => false },
  });
  const pending = new Set(ends.keys());
  let finish: (err?: unknown) => void = () => {};
  const done = new Promise<void>((resolve, reject) => {
    finish = (err) => (err ? reject(err) : resolve());
  });
  const onAbort = () => finish(new Error('restore aborted'));
  signal?.addEventListener('abort', onAbort, { once: true });
  const reached = (partition: number, lastOffset: string) => {
    const end = ends.get(partition);
    if (end === undefined || !pending.has(partition)) return;
    if (BigInt(lastOffset) >= end) {
      pending.delete(partition);
      consumer.pause([{ topic, partitions: [partition] }]);
      if (pending.size === 0) finish();
    }
  };
  consumer.on(consumer.events.END_BATCH_PROCESS, (e) => reached(e.payload.partition, e.payload.lastOffset));
  consumer.on(consumer.events.CRASH, (e) => finish(e.payload.error));
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const list = out.get(batch.partition);
        if (!list || !pending.has(batch.partition)) {
          consumer.pause([{ topic, partitions: [batch.partition] }]);
          return;
        }
        for (const m of batch.messages) {
          if (BigInt(m.offset) > (ends.get(batch.partition) ?? -1n)) break;
          list.push({
            key: m.key?.toString('utf8') ?? '',
            value: m.value ?? null,
            offset: m.offset,
            headers: decodeHeaders(m.headers),
          });
        }
      },
    });
    await done;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await consumer.disconnect().catch(() => {});
  }
  return out;
}

/**
 * The transactional producer of one task (Kafka Streams' exactly-once, one producer per task):
 * its transactional id is fixed per (stage, input partition), so when the partition moves the
 * new owner's `connect` (InitProducerId) fences the old owner and aborts its open transaction.
 * {@link commit} writes the outputs and the input offsets in one transaction (`sendOffsets`):
 * either all of them are visible to `read_committed` readers and the offsets move, or none.
 */
export class TaskProducer {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: Kafka,
    readonly transactionalId: string,
  ) {
    this.producer = kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60_000,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // an idempotent producer retries until the broker answers (kafkajs warns on a limit)
      retry: IDEMPOTENT_RETRY,
    });
  }

  /** Connects and initializes the transactional id (fencing any earlier owner). */
  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  /**
   * One transaction: every message (gzip-compressed batches), then the consumed offsets of
   * `groupId` (`offset` = next offset to read; `metadata`: the commit's metadata string, at most
   * the broker's `offset.metadata.max.bytes`, 4 KiB by default), then commit. On any failure the transaction is
   * aborted (if it can be) and the error rethrown: the caller must drop its in-memory state.
   */
  async commit(
    messages: readonly TopicMessages[],
    offsets: { groupId: string; topic: string; partition: number; offset: string; metadata?: string },
  ): Promise<void> {
    const txn = await this.producer.transaction();
    try {
      // requests cut at 512 KiB (src/kafka/chunk.ts) so no record batch exceeds the broker limit
      for (const t of messages) {
        for (const part of chunkMessages(t.messages)) {
          await txn.sendBatch({
            topicMessages: [{ topic: t.topic, messages: part }],
            compression: CompressionTypes.GZIP,
            acks: -1,
          });
        }
      }
      // kafkajs sends `metadata` in TxnOffsetCommit (its types omit the field)
      const committed: PartitionOffset & { metadata?: string } = {
        partition: offsets.partition,
        offset: offsets.offset,
      };
      if (offsets.metadata !== undefined) committed.metadata = offsets.metadata;
      await txn.sendOffsets({
        consumerGroupId: offsets.groupId,
        topics: [{ topic: offsets.topic, partitions: [committed] }],
      });
      await txn.commit();
    } catch (err) {
      await txn.abort().catch(() => {});
      throw err;
    }
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect().catch(() => {});
  }
}

/** Changelog records as Kafka messages for one changelog partition. */
export function changelogMessages(records: readonly ChangelogRecord[], partition: number): Message[] {
  return records.map((r) => ({ key: r.key, value: r.value, partition }));
}
