import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage, TopicMessages } from 'kafkajs';
import type { Logger } from 'pino';
import type { Detector } from '../../detectors/types.js';
import type { Config } from '../config.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { changelogMessages, readToEnd, TaskProducer } from './kafka-io.js';
import { GroupMembership } from './membership.js';
import type { Stage, TopologyNames } from './names.js';
import {
  type ChangelogRecord,
  decodeValue,
  encodeValue,
  type SingletonName,
  TaskState,
} from './task-state.js';

/** What one committed batch of a stage did (tests, the bench, logs). */
export interface StageBatchInfo {
  stage: Stage;
  partition: number;
  /** Input messages consumed (committed with this batch). */
  messages: number;
  /** Offset after the last consumed message (the committed position). */
  nextOffset: string;
  alerts: number;
  /** Changelog records written (changed state pieces only). */
  changelog: number;
  /** Normalize: activities later than the lateness allows (ordered at their partition's watermark). */
  late?: number;
  /** Detect, org: activities released before the watermark passed them (buffer over its cap). */
  forced?: number;
  /** Detect, org: activities waiting in the task's release buffer after the batch. */
  buffered?: number;
  /** Sink: documents of the index topic written (token inventory, identities, activity). */
  indexed?: number;
  /** Wall-clock ms: processing, and the transaction (produce + offsets + commit). */
  processMs: number;
  commitMs: number;
}

/** Dependencies shared by the stages. */
export interface StageDeps {
  kafka: Kafka;
  admin: Admin;
  config: Readonly<Config>;
  names: TopologyNames;
  logger: Logger;
  /** Event-time lateness: alert groups close, the normalize stage's ordering time (late records), ms. */
  latenessMs: number;
  /** Activities a detect or org task's release buffer holds before the oldest go early. */
  maxBufferedActivities: number;
  /** Consumer group session timeout, ms. */
  sessionTimeoutMs: number;
  /** Longest a fetch waits on an idle partition, ms. */
  maxWaitTimeMs: number;
  signal: AbortSignal;
  /** Partitions of the activity topic (the org stage's watermark sources). */
  activityPartitions?: number;
  onBatch?: (info: StageBatchInfo) => void;
  /** A fatal error (the consumer gave up). */
  onFatal: (err: unknown) => void;
}

/** The key of the record holding the next input offset the task's state covers. */
const POSITION_KEY = 'p\u0000offset';

/** One task: the state of one input partition, its transactional producer and position. */
export interface Task {
  partition: number;
  state: TaskState;
  producer: TaskProducer;
  /** Next input offset the state covers (-1: unknown, take whatever comes). */
  nextOffset: bigint;
}

/** What a stage's processing of one batch gives. */
export interface Processed {
  outputs: TopicMessages[];
  /** Stage-specific changelog records (beyond the TaskState's). */
  changelog: ChangelogRecord[];
  alerts: number;
  /** Activities released early (buffer over its cap). */
  forced?: number;
  /** Activities left in the task's release buffer. */
  buffered?: number;
}

/** kafkajs error types that say another producer took this transactional id over (fenced us). */
const FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);

/**
 * Whether `err` (or an error in its `cause` chain) says the task's transactional producer was
 * fenced: another member opened the task of this partition (its InitProducerId bumped the epoch),
 * so this member's assignment is stale ("Producer attempted an operation with an old epoch",
 * seen when a busy event loop let this member's session expire while it committed).
 */
export function isFenced(err: unknown): boolean {
  type Chain = { type?: unknown; message?: unknown; cause?: unknown } | undefined;
  let e = err as Chain;
  for (let depth = 0; e && depth < 8; depth++) {
    if (typeof e.type === 'string' && FENCED_TYPES.has(e.type)) return true;
    if (typeof e.message === 'string' && /old epoch|has been fenced|producer fenced/i.test(e.message))
      return true;
    e = e.cause as typeof e;
  }
  return false;
}

/**
 * A task's partition moved to another member (its producer was fenced): code
 * `TOPOLOGY_PARTITION_MOVED`. Carries kafkajs' stale-generation shape (`type` ILLEGAL_GENERATION,
 * `retriable`) so the consumer's runner rejoins the group; the fencing error is in the message,
 * not in `cause` (kafkajs judges restarts by the innermost cause, which is not retriable).
 */
export class PartitionMovedError extends Error {
  readonly code = 'TOPOLOGY_PARTITION_MOVED';
  readonly type = 'ILLEGAL_GENERATION';
  readonly retriable = true;
  constructor(
    readonly partition: number,
    fenced: unknown,
  ) {
    super(
      `partition ${partition} moved to another member (its producer fenced ours: ${(fenced as Error).message}); rejoining the group`,
    );
    this.name = 'PartitionMovedError';
  }
}

/**
 * A fenced commit means the partition moved: the error kafkajs gets is one of a stale generation
 * (`ILLEGAL_GENERATION`, retriable), so its runner rejoins the group and the new assignment closes
 * the task, instead of the non-retriable `INVALID_PRODUCER_EPOCH` crashing the consumer (and with
 * it the process). Nothing is lost: the aborted transaction's input is read again by the owner.
 * Any other error is returned unchanged.
 */
export function movedOrSame(err: unknown, partition: number): unknown {
  return isFenced(err) ? new PartitionMovedError(partition, err) : err;
}

/**
 * A stateful stage in Kafka Streams style: a consumer group over one input topic; each assigned
 * partition is a task with its own {@link Pipeline} (detectors of this stage only) whose state
 * lives in partition `p` of a compacted changelog topic.
 *
 * - **Assignment**: a task is opened before its first batch is processed: its transactional
 *   producer connects (fencing the partition's previous owner, whose open transaction is
 *   aborted), then the changelog partition is read to its end and applied to a fresh pipeline.
 * - **Each batch**: processed in offset order; the outputs, the changed state (changelog) and the
 *   input offset go out in one Kafka transaction (`sendOffsets`). A failed transaction drops the
 *   task: its next batch restores it from the changelog (the in-memory state is ahead of Kafka).
 * - **Revocation**: every batch is committed before kafkajs rejoins the group, so a revoked task
 *   has nothing to flush; it is closed when the new assignment lacks its partition.
 * - The changelog also holds the input position the state covers, so a batch delivered again
 *   (offsets fetched before the previous owner's last commit) is skipped up to it.
 */
export abstract class StatefulStage<T extends Task> {
  protected readonly log: Logger;
  private consumer: Consumer | undefined;
  protected readonly tasks = new Map<number, T>();
  /** Group membership of this stage's consumer (readiness). */
  readonly membership = new GroupMembership();

  constructor(
    protected readonly deps: StageDeps,
    readonly stage: 'detect' | 'org',
    protected readonly input: string,
    protected readonly changelogTopic: string,
    protected readonly detectors: readonly Detector[],
    private readonly singletons: readonly SingletonName[],
  ) {
    this.log = deps.logger.child({ component: `topology.${stage}` });
  }

  /** Builds the stage's task around a restored state; `other` = records TaskState did not own. */
  protected abstract openTask(base: Task, other: ChangelogRecord[]): T;

  /** Processes one batch (messages at or after the task's position, offset order). */
  protected abstract process(task: T, messages: KafkaMessage[]): Processed;

  /** Asynchronous work before a task's batch is processed (lookups); default none. */
  protected async prepare(_task: T): Promise<void> {}

  /** Joins the group and starts consuming; resolves once `run` started. */
  async start(): Promise<void> {
    const { kafka, names, sessionTimeoutMs } = this.deps;
    const c = kafka.consumer({
      groupId: names.group[this.stage],
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(sessionTimeoutMs / 10)),
      rebalanceTimeout: Math.max(sessionTimeoutMs, 60_000),
      maxWaitTimeInMs: this.deps.maxWaitTimeMs,
      readUncommitted: false,
      retry: { retries: 10 },
    });
    this.consumer = c;
    this.membership.watch(c);
    c.on(c.events.GROUP_JOIN, (e) => {
      const assigned = new Set(e.payload.memberAssignment[this.input] ?? []);
      this.log.info({ partitions: [...assigned].sort((a, b) => a - b) }, 'partitions assigned');
      for (const [p, task] of this.tasks) {
        if (assigned.has(p)) continue;
        this.tasks.delete(p);
        void task.producer.disconnect();
        this.log.info({ partition: p }, 'task closed (partition revoked)');
      }
    });
    c.on(c.events.CRASH, (e) => {
      if (!e.payload.restart) this.deps.onFatal(e.payload.error);
    });
    await c.connect();
    await c.subscribe({ topic: this.input, fromBeginning: true });
    await c.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    // kafkajs heartbeats between batches only: a restore or a long transaction must not cost
    // the group membership
    const beat = setInterval(() => {
      payload.heartbeat().catch(() => {});
    }, 1_000);
    try {
      await this.processBatch(payload);
    } finally {
      clearInterval(beat);
    }
  }

  private async processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const task = await this.taskFor(batch.partition);
    await this.prepare(task);
    const messages = batch.messages.filter(
      (m) => task.nextOffset < 0n || BigInt(m.offset) >= task.nextOffset,
    );
    const last = batch.messages.at(-1);
    if (!last || messages.length === 0) return;
    const t0 = performance.now();
    let processed: Processed;
    try {
      processed = this.process(task, messages);
    } catch (err) {
      this.drop(task, err);
      throw err;
    }
    const next = BigInt(last.offset) + 1n;
    const changelog = [
      ...task.state.drain(),
      ...processed.changelog,
      { key: POSITION_KEY, value: encodeValue(next.toString()) },
    ];
    const t1 = performance.now();
    try {
      await task.producer.commit(
        [
          ...processed.outputs,
          { topic: this.changelogTopic, messages: changelogMessages(changelog, task.partition) },
        ],
        {
          groupId: this.deps.names.group[this.stage],
          topic: this.input,
          partition: task.partition,
          offset: next.toString(),
        },
      );
    } catch (err) {
      this.drop(task, err);
      throw movedOrSame(err, task.partition);
    }
    task.nextOffset = next;
    this.deps.onBatch?.({
      stage: this.stage,
      partition: task.partition,
      messages: messages.length,
      nextOffset: next.toString(),
      alerts: processed.alerts,
      changelog: changelog.length,
      ...(processed.forced === undefined ? {} : { forced: processed.forced }),
      ...(processed.buffered === undefined ? {} : { buffered: processed.buffered }),
      processMs: t1 - t0,
      commitMs: performance.now() - t1,
    });
  }

  /** Forgets a task whose in-memory state may be ahead of its changelog. */
  private drop(task: T, err: unknown): void {
    this.log.warn(
      { partition: task.partition, err: (err as Error).message },
      'batch not committed: task dropped, it restores from its changelog',
    );
    this.tasks.delete(task.partition);
    void task.producer.disconnect();
  }

  private async taskFor(partition: number): Promise<T> {
    const known = this.tasks.get(partition);
    if (known) return known;
    const t0 = performance.now();
    const { kafka, admin, names, config, logger } = this.deps;
    const producer = new TaskProducer(kafka, names.transactionalId(this.stage, this.input, partition));
    await producer.connect();
    const records = (
      await readToEnd(kafka, admin, this.changelogTopic, [partition], this.deps.signal, this.log)
    ).get(partition) as ChangelogRecord[];
    const pipeline = new Pipeline({ config: config.pipeline, logger, detectors: this.detectors });
    const rest = TaskState.restore(pipeline, records);
    let nextOffset = -1n;
    const other: ChangelogRecord[] = [];
    for (const r of rest) {
      if (r.key === POSITION_KEY && r.value) nextOffset = BigInt(decodeValue(r.value) as string);
      else other.push(r);
    }
    const task = this.openTask(
      { partition, state: new TaskState(pipeline, this.singletons), producer, nextOffset },
      other,
    );
    this.tasks.set(partition, task);
    this.log.info(
      {
        partition,
        records: records.length,
        tokens: pipeline.store.size('token'),
        nextOffset: nextOffset.toString(),
        ms: Math.round(performance.now() - t0),
      },
      'task restored from its changelog',
    );
    return task;
  }

  /** Stops consuming (the in-flight batch finishes and commits) and closes every task. */
  async stop(): Promise<void> {
    await this.consumer?.stop().catch(() => {});
    await this.consumer?.disconnect().catch(() => {});
    for (const task of this.tasks.values()) await task.producer.disconnect();
    this.tasks.clear();
  }
}
