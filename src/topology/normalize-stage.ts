import type { Consumer, EachBatchPayload, Message } from 'kafkajs';
import type { Source, TokenActivity } from '../../schemas/token-activity.js';
import { decodeMessageValue } from '../kafka/message-value.js';
import { deadLetterMessage } from '../kafka/messages.js';
import { rawTopics } from '../kafka/topics.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { TaskProducer } from './kafka-io.js';
import { GroupMembership } from './membership.js';
import { entityKey } from './names.js';
import type { StageDeps } from './stateful-stage.js';

/** The activity-topic message of the topology: key = {@link entityKey}, value = the activity JSON. */
export function entityActivityMessage(activity: TokenActivity): Message {
  return { key: entityKey(activity), value: JSON.stringify(activity) };
}

/**
 * The normalize stage (stateless): a consumer group over the raw topics; each batch goes through
 * pipeline stage 1 (frame, redact, validate, normalize, enrich) in offset order, and its
 * activities (keyed by entity), dead letters and the raw offsets are committed in one Kafka
 * transaction of the raw partition's producer (exactly once: a restarted or moved task never
 * writes a batch twice). Records are counted as in `serve` (skipped ones only in the counts).
 * Duplicate suppression (the dedup memory) is per instance and not persisted: a vendor's
 * re-delivered record reaching another instance is normalized again (same event id, so its
 * alerts keep their ids).
 */
export class NormalizeStage {
  private consumer: Consumer | undefined;
  private readonly producers = new Map<string, TaskProducer>();
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
      for (const [k, producer] of this.producers) {
        if (assigned.has(k)) continue;
        this.producers.delete(k);
        void producer.disconnect();
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

  private async producerFor(topic: string, partition: number): Promise<TaskProducer> {
    const k = `${topic}/${partition}`;
    let producer = this.producers.get(k);
    if (!producer) {
      producer = new TaskProducer(
        this.deps.kafka,
        this.deps.names.transactionalId('normalize', topic, partition),
      );
      await producer.connect();
      this.producers.set(k, producer);
    }
    return producer;
  }

  private async eachBatch({ batch }: EachBatchPayload): Promise<void> {
    const source = this.sources.get(batch.topic);
    const last = batch.messages.at(-1);
    if (!source || !last) return;
    const t0 = performance.now();
    const { names } = this.deps;
    const activity: Message[] = [];
    const dead: Message[] = [];
    for (const m of batch.messages) {
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
        if (item.kind === 'activity') activity.push(entityActivityMessage(item.activity));
        else if (item.kind === 'dead') dead.push(deadLetterMessage({ ...item.dead, origin }));
      }
    }
    const t1 = performance.now();
    const next = (BigInt(last.offset) + 1n).toString();
    const producer = await this.producerFor(batch.topic, batch.partition);
    try {
      await producer.commit(
        [
          { topic: names.activity, messages: activity },
          { topic: names.deadLetter, messages: dead },
        ],
        { groupId: names.group.normalize, topic: batch.topic, partition: batch.partition, offset: next },
      );
    } catch (err) {
      this.producers.delete(`${batch.topic}/${batch.partition}`);
      void producer.disconnect();
      throw err;
    }
    this.deps.onBatch?.({
      stage: 'normalize',
      partition: batch.partition,
      messages: batch.messages.length,
      nextOffset: next,
      alerts: 0,
      changelog: 0,
      processMs: t1 - t0,
      commitMs: performance.now() - t1,
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.stop().catch(() => {});
    await this.consumer?.disconnect().catch(() => {});
    for (const p of this.producers.values()) await p.disconnect();
    this.producers.clear();
  }
}
