import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { Alert } from '../../schemas/alert.js';
import type { Source } from '../../schemas/token-activity.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { CheckpointStore } from './checkpoint.js';
import { DeliveryAbortedError } from './errors.js';
import type { ServeMetrics } from './metrics.js';
import type { OffsetPositions } from './positions.js';
import { type ProcessedBatch, processMessages } from './processor.js';
import type { DeliveryReport, ServeSinks } from './sinks.js';

/** Settings of {@link BatchLoop}. */
export interface BatchLoopSettings {
  /** Messages per processing chunk (`kafka.batchSize`). */
  batchSize: number;
  /** Event-time lateness before alert groups close, ms. */
  latenessMs: number;
  /** Minimum wall-clock time between checkpoints, ms (0: after every chunk). */
  checkpointIntervalMs: number;
  groupId: string;
}

/** What one delivered chunk did (for tests, the bench and logs). */
export interface BatchInfo {
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
  messages: number;
  /** Messages skipped because the restored state already covers them. */
  alreadyCovered: number;
  records: number;
  alerts: number;
  deadLetters: number;
  report: DeliveryReport | undefined;
  durationMs: number;
}

/** Dependencies of {@link BatchLoop}. */
export interface BatchLoopDeps {
  pipeline: () => Pipeline;
  sources: ReadonlyMap<string, Source>;
  positions: OffsetPositions;
  sinks: ServeSinks;
  checkpoints: CheckpointStore | undefined;
  metrics: ServeMetrics;
  logger: Logger;
  /** Aborted when the shutdown grace period runs out: in-flight deliveries give up. */
  deliverySignal: AbortSignal;
  consumer: () => Consumer | undefined;
  onBatch?: (info: BatchInfo) => void;
  /** An unexpected error: the in-memory state can no longer be trusted; serve must stop. */
  onFatal: (err: unknown) => void;
}

function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

/**
 * The kafkajs `eachBatch` handler of serve (autoCommit off, auto-resolve off, one partition at a
 * time). Per chunk of at most `batchSize` messages of one partition:
 *
 * 1. skip messages below the partition's position (already in the restored state);
 * 2. run both pipeline stages ({@link processMessages}) and close due alert groups;
 * 3. deliver to every sink and wait for all acknowledgements (retrying with backoff; while a sink
 *    fails, the consumer's topics are paused and the heartbeat keeps the group membership);
 * 4. advance the position, `resolveOffset`, checkpoint if due, commit.
 *
 * So a committed offset or a checkpointed position always covers acknowledged writes only.
 * If a delivery is abandoned (shutdown grace ran out) or anything unexpected throws after the
 * pipeline absorbed a chunk, the loop becomes *tainted*: it processes nothing more and serve
 * must not checkpoint, so the last checkpoint (older state + older offsets, consistent) stays live.
 */
export class BatchLoop {
  /** The pipeline holds effects of a chunk that was not acknowledged. */
  tainted = false;
  private lastCheckpointAt = Date.now();
  private paused = false;
  private readonly log: Logger;

  constructor(
    private readonly deps: BatchLoopDeps,
    private readonly settings: BatchLoopSettings,
  ) {
    this.log = deps.logger.child({ component: 'serve.consumer' });
  }

  /** kafkajs eachBatch callback. */
  readonly eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const source = this.deps.sources.get(topic);
    if (!source) {
      this.deps.onFatal(new Error(`message from unexpected topic ${topic}`));
      return;
    }
    for (const chunk of chunks(batch.messages, this.settings.batchSize)) {
      if (!isRunning() || isStale() || this.tainted) return;
      const last = (chunk.at(-1) as KafkaMessage).offset;
      const fresh = chunk.filter((m) => !this.deps.positions.isBehind(topic, partition, m.offset));
      const started = performance.now();
      let processed: ProcessedBatch | undefined;
      let report: DeliveryReport | undefined;
      if (fresh.length > 0) {
        this.deps.metrics.messages.inc({ topic }, fresh.length);
        try {
          processed = processMessages(
            this.deps.pipeline(),
            source,
            fresh.map((m) => ({ topic, partition, offset: m.offset, value: m.value })),
            this.settings.latenessMs,
          );
        } catch (err) {
          this.tainted = true;
          this.deps.onFatal(err);
          return;
        }
        report = await this.deliver(processed, heartbeat);
        if (!report) return;
        this.count(processed, source);
      }
      this.deps.positions.set(topic, partition, (BigInt(last) + 1n).toString());
      resolveOffset(last);
      await this.checkpointIfDue(false).catch((err: unknown) =>
        // The previous checkpoint stays live (older state, older offsets: consistent).
        this.log.error({ err }, 'checkpoint failed; keeping the previous one'),
      );
      try {
        await commitOffsetsIfNecessary();
      } catch (err) {
        // Not fatal: the position guard skips what is redelivered, and the checkpoint has the offsets.
        this.log.warn(
          { topic, partition, offset: last, err: (err as Error).message },
          'offset commit failed',
        );
      }
      const durationMs = performance.now() - started;
      if (fresh.length > 0) this.deps.metrics.batchDuration.observe(durationMs / 1000);
      this.deps.metrics.openGroups.set(this.deps.pipeline().grouper.size);
      this.deps.onBatch?.({
        topic,
        partition,
        firstOffset: (chunk[0] as KafkaMessage).offset,
        lastOffset: last,
        messages: chunk.length,
        alreadyCovered: chunk.length - fresh.length,
        records: processed?.records ?? 0,
        alerts: processed?.alerts.length ?? 0,
        deadLetters: processed?.deadLetters.length ?? 0,
        report,
        durationMs,
      });
      await heartbeat();
    }
  };

  /**
   * Writes a checkpoint (pipeline state + positions) when one is due, or always with `force`.
   * Never while tainted. Returns whether one was written.
   */
  async checkpointIfDue(force: boolean): Promise<boolean> {
    const store = this.deps.checkpoints;
    if (!store || this.tainted) return false;
    if (!force && Date.now() - this.lastCheckpointAt < this.settings.checkpointIntervalMs) return false;
    const end = this.deps.metrics.checkpointDuration.startTimer();
    await store.save(this.deps.pipeline(), this.deps.positions, this.settings.groupId);
    end();
    this.lastCheckpointAt = Date.now();
    return true;
  }

  /** Delivers, keeping the group membership alive; undefined when the delivery was abandoned. */
  private async deliver(
    processed: ProcessedBatch,
    heartbeat: () => Promise<void>,
  ): Promise<DeliveryReport | undefined> {
    const beat = setInterval(() => {
      heartbeat().catch((err: unknown) =>
        this.log.debug({ err: (err as Error).message }, 'heartbeat failed'),
      );
    }, 2_000);
    try {
      return await this.deps.sinks.deliver(processed, this.deps.deliverySignal);
    } catch (err) {
      this.tainted = true;
      if (err instanceof DeliveryAbortedError) {
        this.log.warn(
          'shutdown grace period over: batch not acknowledged, it will be consumed again after restart',
        );
      } else {
        this.deps.onFatal(err);
      }
      return undefined;
    } finally {
      clearInterval(beat);
      this.resume();
    }
  }

  /**
   * Delivers the alerts of the shutdown flush (no offsets involved).
   * @throws DeliveryAbortedError when the grace period runs out first.
   */
  async deliverFlush(alerts: Alert[]): Promise<void> {
    const batch: ProcessedBatch = {
      activities: [],
      alerts,
      deadLetters: [],
      records: 0,
      skipped: 0,
      bySource: {},
    };
    await this.deps.sinks.deliver(batch, this.deps.deliverySignal);
  }

  /** Pauses the raw topics while a sink fails (called by the sinks' failure hook). */
  pause(): void {
    const consumer = this.deps.consumer();
    if (this.paused || !consumer) return;
    this.paused = true;
    this.deps.metrics.paused.set(1);
    consumer.pause([...this.deps.sources.keys()].map((topic) => ({ topic })));
  }

  get isPaused(): boolean {
    return this.paused;
  }

  private resume(): void {
    const consumer = this.deps.consumer();
    if (!this.paused || !consumer) return;
    this.paused = false;
    this.deps.metrics.paused.set(0);
    consumer.resume([...this.deps.sources.keys()].map((topic) => ({ topic })));
    this.log.info('sinks acknowledged again: consumption resumed');
  }

  private count(processed: ProcessedBatch, source: Source): void {
    for (const [src, t] of Object.entries(processed.bySource)) {
      this.deps.metrics.records.inc({ source: src, outcome: 'normalized' }, t.normalized);
      this.deps.metrics.records.inc({ source: src, outcome: 'dead' }, t.dead);
      this.deps.metrics.records.inc({ source: src, outcome: 'skipped' }, t.skipped);
    }
    if (processed.records === 0) this.deps.metrics.records.inc({ source, outcome: 'normalized' }, 0);
  }
}
