import type { Consumer, EachBatchPayload, Message } from 'kafkajs';
import type { Source, TokenActivity } from '../../schemas/token-activity.js';
import { decodeMessageValue } from '../kafka/message-value.js';
import { deadLetterMessage } from '../kafka/messages.js';
import { rawTopics } from '../kafka/topics.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { TaskProducer } from './kafka-io.js';
import { GroupMembership } from './membership.js';
import { entityKey, HEADERS } from './names.js';
import type { StageDeps } from './stateful-stage.js';

/**
 * The activity-topic message of the topology: key = {@link entityKey}, value = the activity JSON,
 * header `tokenwatch.order` = its ordering time (epoch ms, {@link orderingTime}).
 */
export function entityActivityMessage(activity: TokenActivity, orderMs: number): Message {
  return {
    key: entityKey(activity),
    value: JSON.stringify(activity),
    headers: { [HEADERS.order]: String(orderMs) },
  };
}

/** Commit metadata of a raw partition (JSON in the committed offset's metadata string). */
interface RawMetadata {
  /** Highest event time read from the partition up to the committed offset (epoch ms; null: none). */
  maxTs: number | null;
}

/** One raw partition's task: its transactional producer, position and event-time progress. */
interface RawTask {
  producer: TaskProducer;
  /** Next offset the task covers (records below it were committed already). */
  next: bigint;
  /** Highest event time read so far (epoch ms; -Infinity before any). */
  maxTs: number;
}

/**
 * The ordering time of an activity read from a raw partition whose highest event time so far is
 * `maxTs`: its event time, or `maxTs - latenessMs` when it is later than the lateness allows
 * (`late`). The rule of serve's release buffer (src/serve/reorder.ts `add`), so both modes order
 * the same records the same way.
 */
export function orderingTime(
  maxTs: number,
  ts: number,
  latenessMs: number,
): { order: number; late: boolean } {
  const floor = maxTs - latenessMs;
  return ts < floor ? { order: floor, late: true } : { order: ts, late: false };
}

/**
 * The normalize stage (stateless but for each raw partition's highest event time): a consumer
 * group over the raw topics; each batch goes through pipeline stage 1 (frame, redact, validate,
 * normalize, enrich) in offset order, and its activities (keyed by entity), dead letters and the
 * raw offsets are committed in one Kafka transaction of the raw partition's producer (exactly
 * once: a restarted or moved task never writes a batch twice). Records are counted as in `serve`
 * (skipped ones only in the counts).
 *
 * Event time (the release rule of the detect and org stages, release-buffer.ts): every activity
 * carries its *ordering time* (header `tokenwatch.order`, {@link orderingTime}), and every batch
 * ends with one watermark message per activity partition (`tokenwatch.watermark` = the raw
 * partition's highest event time minus the lateness, `tokenwatch.end` = read to its high
 * watermark), written in the same transaction, so each activity partition holds every raw
 * partition's records in that partition's order followed by its progress. The highest event time
 * is kept in the committed offset's metadata (as Kafka Streams keeps its partition time), so a
 * moved raw partition continues with the same ordering times; a task that finds a committed
 * offset past its batch (a stale fetch position) skips the records before it.
 *
 * Duplicate suppression (the dedup memory) is per instance and not persisted: a vendor's
 * re-delivered record reaching another instance is normalized again (same event id, so its
 * alerts keep their ids).
 */
export class NormalizeStage {
  private consumer: Consumer | undefined;
  private readonly tasks = new Map<string, RawTask>();
  private readonly pipeline: Pipeline;
  private readonly sources: ReadonlyMap<string, Source>;
  /** Group membership of this stage's consumer (readiness). */
  readonly membership = new GroupMembership();

  constructor(private readonly deps: StageDeps) {
    this.pipeline = new Pipeline({ config: deps.config.pipeline, logger: deps.logger });
    this.sources = rawTopics(deps.config.kafka);
  }

  /** Records counted by stage 1 in this process. */
  get counts() {
    return this.pipeline.counts;
  }

  async start(): Promise<void> {
    const { kafka, names, sessionTimeoutMs } = this.deps;
    const c = kafka.consumer({
      groupId: names.group.normalize,
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
      const assigned = new Set(
        Object.entries(e.payload.memberAssignment).flatMap(([t, ps]) => ps.map((p) => `${t}/${p}`)),
      );
      for (const [k, task] of this.tasks) {
        if (assigned.has(k)) continue;
        this.tasks.delete(k);
        void task.producer.disconnect();
      }
    });
    c.on(c.events.CRASH, (e) => {
      if (!e.payload.restart) this.deps.onFatal(e.payload.error);
    });
    await c.connect();
    await c.subscribe({ topics: [...this.sources.keys()], fromBeginning: true });
    await c.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (p) => this.eachBatch(p),
    });
  }

  /**
   * The task of a raw partition: connects its transactional producer (fencing a previous owner),
   * then reads the committed offset and its metadata (position and highest event time).
   */
  private async taskFor(topic: string, partition: number): Promise<RawTask> {
    const k = `${topic}/${partition}`;
    const known = this.tasks.get(k);
    if (known) return known;
    const { kafka, admin, names } = this.deps;
    const producer = new TaskProducer(kafka, names.transactionalId('normalize', topic, partition));
    await producer.connect();
    const [committed] = await admin.fetchOffsets({ groupId: names.group.normalize, topics: [topic] });
    const at = committed?.partitions.find((p) => p.partition === partition) as
      | { offset: string; metadata?: string | null }
      | undefined;
    let maxTs = Number.NEGATIVE_INFINITY;
    if (at?.metadata) {
      try {
        const meta = JSON.parse(at.metadata) as Partial<RawMetadata>;
        if (typeof meta.maxTs === 'number') maxTs = meta.maxTs;
      } catch {
        this.deps.logger.warn(
          { topic, partition, metadata: at.metadata },
          'unreadable commit metadata ignored',
        );
      }
    }
    const task: RawTask = { producer, next: BigInt(at?.offset ?? '-1'), maxTs };
    this.tasks.set(k, task);
    return task;
  }

  private async eachBatch({ batch }: EachBatchPayload): Promise<void> {
    const source = this.sources.get(batch.topic);
    const last = batch.messages.at(-1);
    if (!source || !last) return;
    const task = await this.taskFor(batch.topic, batch.partition);
    const messages = batch.messages.filter((m) => BigInt(m.offset) >= task.next);
    if (messages.length === 0) return;
    const t0 = performance.now();
    const { names, latenessMs } = this.deps;
    const activity: Message[] = [];
    const dead: Message[] = [];
    let maxTs = task.maxTs;
    let late = 0;
    for (const m of messages) {
      const origin = { topic: batch.topic, partition: batch.partition, offset: m.offset };
      const location = `${batch.topic}/${batch.partition}@${m.offset}`;
      // a gzip-compressed value is decompressed first, as in serve's processor; a corrupt one
      // is one dead letter (kafka/message-value.ts)
      const decoded = decodeMessageValue(m.value ?? Buffer.alloc(0));
      const items =
        decoded.kind === 'text'
          ? this.pipeline.normalize(decoded.text, { source, location })
          : [this.pipeline.inputError(source, location, decoded.reason, decoded.partial)];
      for (const item of items) {
        if (item.kind === 'activity') {
          const ts = Date.parse(item.activity['@timestamp']);
          const t = orderingTime(maxTs, ts, latenessMs);
          if (t.late) late += 1;
          if (ts > maxTs) maxTs = ts;
          activity.push(entityActivityMessage(item.activity, t.order));
        } else if (item.kind === 'dead') dead.push(deadLetterMessage({ ...item.dead, origin }));
      }
    }
    const next = BigInt(last.offset) + 1n;
    const src = `${batch.topic}/${batch.partition}`;
    const end = next >= BigInt(batch.highWatermark) ? '1' : '0';
    for (let p = 0; p < (this.deps.activityPartitions ?? 1); p++) {
      activity.push({
        key: null,
        value: null,
        partition: p,
        headers: {
          [HEADERS.kind]: 'watermark',
          [HEADERS.src]: src,
          [HEADERS.watermark]: String(maxTs - latenessMs),
          [HEADERS.end]: end,
        },
      });
    }
    const t1 = performance.now();
    const metadata: RawMetadata = { maxTs: Number.isFinite(maxTs) ? maxTs : null };
    try {
      await task.producer.commit(
        [
          { topic: names.activity, messages: activity },
          { topic: names.deadLetter, messages: dead },
        ],
        {
          groupId: names.group.normalize,
          topic: batch.topic,
          partition: batch.partition,
          offset: next.toString(),
          metadata: JSON.stringify(metadata),
        },
      );
    } catch (err) {
      this.tasks.delete(src);
      void task.producer.disconnect();
      throw err;
    }
    task.next = next;
    task.maxTs = maxTs;
    this.deps.onBatch?.({
      stage: 'normalize',
      partition: batch.partition,
      messages: messages.length,
      nextOffset: next.toString(),
      alerts: 0,
      changelog: 0,
      late,
      processMs: t1 - t0,
      commitMs: performance.now() - t1,
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.stop().catch(() => {});
    await this.consumer?.disconnect().catch(() => {});
    for (const t of this.tasks.values()) await t.producer.disconnect();
    this.tasks.clear();
  }
}
