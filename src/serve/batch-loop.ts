import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { Alert } from '../../schemas/alert.js';
import type { Source } from '../../schemas/token-activity.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { CheckpointStore } from './checkpoint.js';
import { chunks } from './chunks.js';
import { DeliveryAbortedError } from './errors.js';
import { FlowControl } from './flow-control.js';
import type { ServeMetrics } from './metrics.js';
import type { OffsetPositions } from './positions.js';
import {
  detectActivities,
  emptyBatch,
  normalizeMessages,
  type PipelineStages,
  type ProcessedBatch,
} from './processor.js';
import type { ReorderBuffer } from './reorder.js';
import type { DeliveryReport, ServeSinks } from './sinks.js';

/** Settings of {@link BatchLoop}. */
export interface BatchLoopSettings {
  /** Messages per processing chunk (`kafka.batchSize`). */
  batchSize: number;
  /**
   * Event-time lateness, ms: alert groups close this long after their window, and the release
   * buffer (reorder.ts) lets a record trail its partition's newest event time by this much.
   */
  latenessMs: number;
  /** Minimum wall-clock time between checkpoints, ms (0: after every chunk). */
  checkpointIntervalMs: number;
  groupId: string;
}

/** Skipped re-deliveries listed per {@link BatchInfo} (all are counted in the metrics). */
export const MAX_DUPLICATES_REPORTED = 100;

/** What one delivered chunk did (for tests, the bench and logs). */
export interface BatchInfo {
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
  messages: number;
  /** Messages skipped because the restored state already covers them. */
  alreadyCovered: number;
  /** Activities of this chunk later than the lateness allows (ordered at their partition's watermark). */
  late: number;
  /** Activities handed to stage 2 after this chunk (from any partition), in stage-2 order. */
  released: number;
  /** Of `released`, those let out early because the release buffer was over its cap. */
  forced: number;
  /** Activities waiting in the release buffer after this chunk. */
  buffered: number;
  records: number;
  /** Records skipped (blank messages, re-deliveries). */
  skipped: number;
  /** The first {@link MAX_DUPLICATES_REPORTED} skipped re-deliveries: where read, the event each repeats. */
  duplicates: ProcessedBatch['duplicates'];
  alerts: number;
  deadLetters: number;
  report: DeliveryReport | undefined;
  durationMs: number;
  /**
   * Split of `durationMs` (ms): both pipeline stages; sink delivery (it runs while the next
   * chunk is processed, so it overlaps that chunk's `processMs`); the wait for the previous
   * chunk's delivery before this one's could start (the part of delivery not hidden behind
   * processing); checkpoint + commit (a barrier: it waits for this chunk's delivery).
   */
  processMs: number;
  deliverMs: number;
  waitMs: number;
  checkpointMs: number;
  /** A checkpoint was written (and offsets committed) after this chunk. */
  checkpointed: boolean;
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
  /** The event-time release buffer between stage 1 and stage 2 (restored from the checkpoint). */
  reorder: ReorderBuffer;
  /**
   * Where reading starts and ends (high watermark) for assigned partitions not delivered yet, so
   * that an empty or fully read partition does not hold the release buffer back (serve.ts asks
   * the Kafka admin client). May throw (retried with the next chunk or idle tick).
   */
  partitionExtents: (
    partitions: { topic: string; partition: number }[],
  ) => Promise<{ topic: string; partition: number; start: string; end: string }[]>;
  onBatch?: (info: BatchInfo) => void;
  /** An unexpected error: the in-memory state can no longer be trusted; serve must stop. */
  onFatal: (err: unknown) => void;
}

const tpKey = (topic: string, partition: number): string => `${partition}:${topic}`;

/** One partition's offset to commit. */
interface CommitOffset {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * The kafkajs `eachBatch` handler of serve (autoCommit off, auto-resolve off, one partition at a
 * time) and the owner of checkpoints and offset commits.
 *
 * Per chunk of at most `batchSize` messages of one partition, under an exclusive lock (so a
 * checkpoint never sees a half-processed chunk):
 *
 * 1. skip messages below the partition's position (already in the restored state);
 * 2. stage 1 ({@link normalizeMessages}); its activities go into the event-time release buffer
 *    (reorder.ts), which then releases what the low watermark over all assigned partitions has
 *    passed, in the shared stage-2 order (the order `tokenwatch run` uses), so the alerts do not
 *    depend on how Kafka interleaves partitions and batches;
 * 3. stage 2 over the released activities ({@link detectActivities}) and close due alert groups;
 * 4. deliver to every sink and wait for all acknowledgements (retrying with backoff; while a sink
 *    fails, the raw topics are paused and the heartbeat keeps the group membership);
 * 5. advance the position and `resolveOffset`;
 * 6. when a checkpoint is due (`checkpointIntervalMs`, also checked on an idle timer, which also
 *    releases what the watermark passed meanwhile): wait for the queued token inventory updates,
 *    save pipeline state + release buffer + positions (with a state directory), then commit.
 *
 * Invariants: a committed offset is never ahead of the live checkpoint (so a restart from the
 * committed offsets with the checkpointed baselines forgets nothing), and both only cover
 * acknowledged writes. The committed offset of a partition is also never past its oldest message
 * whose activity is still buffered (without a state directory the buffer is lost with the
 * process, so those messages are read again); the checkpoint holds the buffer itself and the
 * position past it, so a restart from a checkpoint reads nothing twice. After a crash, restart replays from the checkpoint: alerts and activity
 * documents come back with the same ids (409, deduplicated); the Kafka activity/DLQ topics may
 * get those records again (at-least-once).
 *
 * If a delivery is abandoned (shutdown grace ran out) or anything unexpected throws after the
 * pipeline absorbed a chunk, the loop becomes *tainted*: it processes nothing more and never
 * checkpoints again, so the last checkpoint (older state + older offsets, consistent) stays live.
 */
export class BatchLoop {
  /** The pipeline holds effects of a chunk that was not acknowledged. */
  tainted = false;
  private stopping = false;
  private lastCheckpointAt = Date.now();
  private readonly flowControl: FlowControl;
  /** Partitions whose position moved since the last commit. */
  private readonly dirty = new Set<string>();
  private lock: Promise<unknown> = Promise.resolve();
  /**
   * The delivery of the last processed chunk while it is not acknowledged (at most one; the
   * next chunk is processed meanwhile). Resolves false when it was abandoned or failed.
   */
  private inFlight: Promise<boolean> | undefined;
  /** An incremental checkpoint being written and committed in the background (at most one). */
  private persisting: Promise<boolean> | undefined;
  /** The heartbeat of the latest kafkajs batch, kept alive during long checkpoints. */
  private heartbeat: (() => Promise<void>) | undefined;
  private readonly log: Logger;
  /** Assigned partitions whose extent the release buffer does not know yet. */
  private unknownExtents: { topic: string; partition: number }[] = [];
  /** Activities released early because the release buffer was full (warned every 10 000). */
  private forcedTotal = 0;

  constructor(
    private readonly deps: BatchLoopDeps,
    private readonly settings: BatchLoopSettings,
  ) {
    this.log = deps.logger.child({ component: 'serve.consumer' });
    this.flowControl = new FlowControl(deps.consumer, [...deps.sources.keys()], deps.metrics, this.log);
  }

  /**
   * Stage 2 goes through the checkpoint store's change tracker (incremental checkpoints need to
   * know what it touched); without a state directory, straight to the pipeline.
   */
  private stages(): PipelineStages {
    const store = this.deps.checkpoints;
    return store ? store.trackerFor(this.deps.pipeline()).stages : this.deps.pipeline();
  }

  /** Runs `fn` after every earlier exclusive section finished (a promise-chain mutex). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => {});
    return run;
  }

  /** kafkajs eachBatch callback. */
  readonly eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch, isRunning, isStale } = payload;
    const source = this.deps.sources.get(batch.topic);
    if (!source) {
      this.deps.onFatal(new Error(`message from unexpected topic ${batch.topic}`));
      return;
    }
    for (const chunk of chunks(batch.messages, this.settings.batchSize)) {
      if (!isRunning() || isStale() || this.tainted || this.stopping) return;
      const ok = await this.exclusive(() => this.processChunk(payload, source, chunk));
      if (!ok) return;
      await payload.heartbeat();
    }
  };

  /**
   * The consumer's assignment after a group join (serve.ts): the release buffer waits only for
   * these partitions; the extents of those not delivered yet are looked up before the next release.
   */
  onAssignment(assignment: Record<string, number[]>): void {
    this.unknownExtents = this.deps.reorder.assign(
      Object.entries(assignment).map(([topic, partitions]) => ({ topic, partitions })),
    );
  }

  /** Looks up the extents of assigned partitions not delivered yet; on failure, retried later. */
  private async lookupExtents(): Promise<void> {
    if (this.unknownExtents.length === 0) return;
    try {
      const found = await this.deps.partitionExtents(this.unknownExtents);
      for (const e of found) this.deps.reorder.setExtent(e.topic, e.partition, e.start, e.end);
      this.unknownExtents = [];
    } catch (err) {
      this.log.warn(
        { partitions: this.unknownExtents.length, err: (err as Error).message },
        'partition extents not known yet (retried): the release buffer waits for those partitions',
      );
    }
  }

  /**
   * Takes what the release buffer lets out, runs stage 2 over it into `out`, and marks the
   * partitions it came from for the next commit (their oldest buffered offset moved).
   */
  private release(out: ProcessedBatch): { released: number; forced: number } {
    const { released, forced } = this.deps.reorder.release();
    for (const b of released) this.dirty.add(tpKey(b.origin.topic, b.origin.partition));
    detectActivities(this.stages(), released, this.settings.latenessMs, out);
    if (forced > 0) {
      const before = this.forcedTotal;
      this.forcedTotal += forced;
      if (before === 0 || Math.floor(before / 10_000) !== Math.floor(this.forcedTotal / 10_000))
        this.log.warn(
          { forced: this.forcedTotal, max: this.deps.reorder.maxBuffered },
          'release buffer full: oldest activities released before the watermark passed them (their order across partitions is no longer guaranteed; raise serve.maxBufferedActivities)',
        );
    }
    return { released: released.length, forced };
  }

  private async processChunk(
    payload: EachBatchPayload,
    source: Source,
    chunk: KafkaMessage[],
  ): Promise<boolean> {
    const { batch, resolveOffset, heartbeat } = payload;
    const { topic, partition } = batch;
    if (this.tainted || this.stopping) return false;
    const last = (chunk.at(-1) as KafkaMessage).offset;
    this.forgetStalePosition(topic, partition, batch.highWatermark);
    const fresh = chunk.filter((m) => !this.deps.positions.isBehind(topic, partition, m.offset));
    const started = performance.now();
    await this.lookupExtents();
    let processed: ProcessedBatch = emptyBatch();
    let processMs = 0;
    let late = 0;
    let released = { released: 0, forced: 0 };
    const t0 = performance.now();
    try {
      if (fresh.length > 0) {
        this.deps.metrics.messages.inc({ topic }, fresh.length);
        const { pending, ...rest } = normalizeMessages(
          this.deps.pipeline(),
          source,
          fresh.map((m) => ({ topic, partition, offset: m.offset, value: m.value })),
        );
        processed = { ...rest, activities: [], alerts: [] };
        for (const p of pending) if (this.deps.reorder.add(p.origin, p.activity)) late += 1;
      }
      this.deps.reorder.read(topic, partition, (BigInt(last) + 1n).toString(), batch.highWatermark);
      released = this.release(processed);
    } catch (err) {
      this.tainted = true;
      this.deps.onFatal(err);
      return false;
    }
    processMs = performance.now() - t0;
    // Read: the next fetch starts after this chunk (the committed offset moves only at a
    // checkpoint, after every delivery before it was acknowledged).
    if (this.deps.positions.advance(topic, partition, (BigInt(last) + 1n).toString())) {
      this.dirty.add(tpKey(topic, partition));
    }
    resolveOffset(last);
    this.heartbeat = heartbeat;
    // Deliveries stay in sequence (per-key order on the activity topic): the previous chunk's
    // must be acknowledged before this one's starts. It ran while this chunk was processed.
    const tw = performance.now();
    if (!(await this.settled())) return false;
    const waitMs = performance.now() - tw;
    const needsDelivery = fresh.length > 0 || released.released > 0;
    const emit = (
      delivered: { report: DeliveryReport | undefined; deliverMs: number },
      checkpointed: boolean,
      checkpointMs: number,
    ) => {
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
        late,
        released: released.released,
        forced: released.forced,
        buffered: this.deps.reorder.size,
        records: processed.records,
        skipped: processed.skipped,
        duplicates: processed.duplicates.slice(0, MAX_DUPLICATES_REPORTED),
        alerts: processed.alerts.length,
        deadLetters: processed.deadLetters.length,
        report: delivered.report,
        durationMs,
        processMs,
        deliverMs: delivered.deliverMs,
        waitMs,
        checkpointMs,
        checkpointed,
      });
    };
    // Started now, synchronously: every document, message and inventory update is built from
    // the pipeline as this chunk left it, before the next chunk changes it.
    const delivery = needsDelivery
      ? this.deliverChunk(processed, heartbeat, topic, partition)
      : Promise.resolve({ report: undefined, deliverMs: 0 });
    // A checkpoint due now covers the state as this chunk left it; it becomes live only once
    // this chunk's delivery is acknowledged (an incremental one is written meanwhile in the
    // background; a full one waits for the delivery, then holds processing until written).
    let checkpointed = false;
    let checkpointMs = 0;
    if (this.checkpointDue()) {
      const t2 = performance.now();
      checkpointed = await this.checkpointAndCommit(
        false,
        delivery.then((d) => d !== undefined),
      );
      checkpointMs = performance.now() - t2;
    }
    // Not awaited: the next chunk is processed while this one is delivered.
    this.inFlight = delivery.then((delivered) => {
      if (!delivered) return false;
      emit(delivered, checkpointed, checkpointMs);
      return true;
    });
    return true;
  }

  /**
   * Waits until the delivery in flight (if any) is acknowledged; false when it was abandoned or
   * failed (the loop is then tainted).
   */
  private async settled(): Promise<boolean> {
    const f = this.inFlight;
    if (f !== undefined) {
      const ok = await f;
      if (this.inFlight === f) this.inFlight = undefined;
      if (!ok) return false;
    }
    return !this.tainted;
  }

  /** Delivers one processed chunk and counts it; undefined when the delivery was abandoned. */
  private async deliverChunk(
    processed: ProcessedBatch,
    heartbeat: () => Promise<void>,
    topic: string,
    partition: number,
  ): Promise<{ report: DeliveryReport | undefined; deliverMs: number } | undefined> {
    const t1 = performance.now();
    const report = await this.deliver(processed, heartbeat);
    const deliverMs = performance.now() - t1;
    if (!report) return undefined;
    this.count(processed);
    if (processed.duplicates.length > 0)
      this.log.info(
        {
          topic,
          partition,
          duplicates: processed.duplicates.length,
          first: processed.duplicates.slice(0, 5),
        },
        'skipped re-delivered records (same event id and content as an event already processed)',
      );
    return { report, deliverMs };
  }

  /** A checkpoint (and commit) is due by time (`checkpointIntervalMs` since the last one). */
  private checkpointDue(): boolean {
    return Date.now() - this.lastCheckpointAt >= this.settings.checkpointIntervalMs;
  }

  /**
   * A position beyond the partition's high watermark means the partition was recreated or
   * truncated since the checkpoint: its old offsets mean nothing now, so the position is dropped
   * (and every message consumed) instead of skipping new messages below it.
   */
  private forgetStalePosition(topic: string, partition: number, highWatermark: string): void {
    const pos = this.deps.positions.get(topic, partition);
    if (pos === undefined || BigInt(highWatermark) >= BigInt(pos)) return;
    this.log.warn(
      { topic, partition, position: pos, highWatermark },
      'partition reset since the checkpoint; position dropped',
    );
    this.deps.positions.delete(topic, partition);
  }

  /**
   * When due (or with `force`): takes a checkpoint of the state as the acknowledged chunks left
   * it, then commits the offsets it covers. Not while tainted. Never throws: a failed checkpoint
   * keeps the previous one live, a failed commit is retried with the next one. Returns whether a
   * checkpoint was taken.
   *
   * An incremental checkpoint (and, without a state directory, the commit alone) runs in the
   * background: the delta and the offsets are captured now, then, while the next chunks are
   * processed, it waits for the token inventory updates queued before it, writes the delta and
   * commits (committed offsets never cover an inventory update or a delta that is not
   * acknowledged). One at a time: a checkpoint falling due while the last is still being written
   * waits for a later chunk. A full checkpoint (it reads the live pipeline while it writes) is a
   * barrier: processing waits for it. `force` (shutdown) waits for whichever it takes.
   */
  private async checkpointAndCommit(
    force: boolean,
    delivered: Promise<boolean> = Promise.resolve(true),
  ): Promise<boolean> {
    if (this.tainted) return false;
    if (!force && !this.checkpointDue()) return false;
    // every chunk before the last processed one is acknowledged (that one: `delivered`)
    if (!(await this.settled())) return false;
    if (this.persisting) {
      if (!force) return false;
      await this.persisting;
      if (this.tainted) return false;
    }
    if (!force && this.dirty.size === 0 && this.deps.sinks.inventoryBacklog === 0) return false;
    const store = this.deps.checkpoints;
    // the last chunk's inventory updates were queued when its delivery started
    const inventoryMark = this.deps.sinks.inventoryMark();
    const fullStore = store?.nextIsFull() ? store : undefined;
    if (!fullStore) {
      // captured now, written in the background once `delivered` and the inventory are acknowledged
      const acknowledged = (async () => {
        if (!(await delivered)) throw new DeliveryAbortedError();
        await this.deps.sinks.inventoryFlushed(inventoryMark);
      })();
      acknowledged.catch(() => {});
      let write: (() => Promise<string>) | undefined;
      try {
        write = store?.captureDelta(
          this.deps.pipeline(),
          this.deps.positions,
          this.settings.groupId,
          this.deps.reorder,
          acknowledged,
        );
      } catch (err) {
        this.log.error({ err }, 'checkpoint failed; the previous one stays live (offsets not committed)');
        return false;
      }
      const offsets = this.takeOffsets();
      this.lastCheckpointAt = Date.now();
      const persisting = this.persist(acknowledged, write, offsets).finally(() => {
        if (this.persisting === persisting) this.persisting = undefined;
      });
      this.persisting = persisting;
      if (force) return persisting;
      return store !== undefined;
    }
    // in full: a barrier (the save reads the live pipeline while it writes)
    if (!(await delivered)) return false;
    try {
      // Committed offsets must not cover inventory updates that are still queued.
      await this.deps.sinks.inventoryFlushed(inventoryMark);
    } catch (err) {
      this.tainted = true;
      this.log.warn({ err: (err as Error).message }, 'inventory updates not acknowledged; not checkpointing');
      return false;
    }
    const end = this.deps.metrics.checkpointDuration.startTimer();
    const beat = this.keepAlive();
    try {
      const { kind } = await fullStore.save(
        this.deps.pipeline(),
        this.deps.positions,
        this.settings.groupId,
        this.deps.reorder,
      );
      this.deps.metrics.checkpoints.inc({ kind });
    } catch (err) {
      this.log.error({ err }, 'checkpoint failed; the previous one stays live (offsets not committed)');
      return false;
    } finally {
      clearInterval(beat);
      end();
    }
    this.lastCheckpointAt = Date.now();
    await this.commit(this.takeOffsets());
    return true;
  }

  /**
   * The background part of an incremental checkpoint: waits for the inventory updates it covers,
   * writes the delta (if any), then commits `offsets`. Resolves whether the delta was written.
   */
  private async persist(
    acknowledged: Promise<void>,
    write: (() => Promise<string>) | undefined,
    offsets: CommitOffset[],
  ): Promise<boolean> {
    const end = write ? this.deps.metrics.checkpointDuration.startTimer() : undefined;
    try {
      await acknowledged;
    } catch (err) {
      // the delivery was abandoned or the inventory writer gave up: the loop is tainted
      this.tainted = true;
      if (!(err instanceof DeliveryAbortedError))
        this.log.warn(
          { err: (err as Error).message },
          'inventory updates not acknowledged; not checkpointing',
        );
      this.redirty(offsets);
      // the delta's write waits for the same acknowledgement and fails with it
      await write?.().catch(() => {});
      return false;
    }
    if (write) {
      try {
        await write();
        this.deps.metrics.checkpoints.inc({ kind: 'delta' });
      } catch (err) {
        this.log.error({ err }, 'checkpoint failed; the previous one stays live (offsets not committed)');
        this.redirty(offsets);
        return false;
      } finally {
        end?.();
      }
    }
    await this.commit(offsets);
    return write !== undefined;
  }

  /**
   * The offsets to commit for the partitions whose position moved (then no longer marked): each
   * partition's position, but never past a message whose activity is still buffered (see the
   * class comment).
   */
  private takeOffsets(): CommitOffset[] {
    if (this.dirty.size === 0) return [];
    const offsets = this.deps.positions
      .entries()
      .filter((e) => this.dirty.has(tpKey(e.topic, e.partition)))
      .map(({ topic, partition, offset }) => {
        const buffered = this.deps.reorder.minOffset(topic, partition);
        const at = buffered !== undefined && BigInt(buffered) < BigInt(offset) ? buffered : offset;
        return { topic, partition, offset: at };
      });
    this.dirty.clear();
    return offsets;
  }

  /** Marks the partitions of offsets that were not committed for the next commit. */
  private redirty(offsets: readonly CommitOffset[]): void {
    for (const o of offsets) this.dirty.add(tpKey(o.topic, o.partition));
  }

  private async commit(offsets: CommitOffset[]): Promise<void> {
    const consumer = this.deps.consumer();
    if (!consumer || offsets.length === 0) return;
    try {
      await consumer.commitOffsets(offsets);
    } catch (err) {
      // The position guard skips what is redelivered; the checkpoint has the offsets anyway.
      this.redirty(offsets);
      this.log.warn(
        { offsets, err: (err as Error).message },
        'offset commit failed; retried with the next one',
      );
    }
  }

  /**
   * Between batches (called on a timer while idle): releases what the release buffer lets out
   * now (after a restart with nothing new to read, or once a partition extent is known), then
   * checkpoints and commits if due.
   */
  async tick(): Promise<void> {
    if (this.stopping) return;
    await this.exclusive(async () => {
      if (this.tainted || this.stopping) return false;
      await this.lookupExtents();
      // deliveries in sequence: the last chunk's first
      if (!(await this.settled())) return false;
      if (this.deps.reorder.size > 0) {
        const out = emptyBatch();
        let released: { released: number; forced: number };
        try {
          released = this.release(out);
        } catch (err) {
          this.tainted = true;
          this.deps.onFatal(err);
          return false;
        }
        if (released.released > 0) {
          const report = await this.deliver(out, async () => {});
          if (!report) return false;
          this.count(out);
        }
      }
      return this.checkpointAndCommit(false);
    });
  }

  /**
   * Shutdown, part 1: process no new chunk, pause fetching, wait for the in-flight chunk (its
   * delivery gives up when the grace signal aborts).
   */
  async drain(): Promise<void> {
    this.stopping = true;
    this.flowControl.stop();
    await this.exclusive(async () => {
      await this.settled();
      await this.persisting;
    });
  }

  /**
   * Shutdown, part 2 (after {@link drain}, unless tainted): flushes every open alert group to the
   * sinks, then checkpoints and commits. If the flush is not acknowledged within the grace
   * period, the open groups are put back so the checkpoint keeps them.
   */
  async finish(): Promise<{ flushed: number; checkpointed: boolean }> {
    if (this.tainted) return { flushed: 0, checkpointed: false };
    const pipeline = this.deps.pipeline();
    const snapshot = pipeline.grouper.snapshot();
    const alerts = pipeline.flush();
    this.deps.checkpoints?.trackerFor(pipeline).noteAlerts(alerts);
    let flushed = 0;
    if (alerts.length > 0) {
      try {
        await this.deliverFlush(alerts);
        flushed = alerts.length;
      } catch (err) {
        pipeline.grouper.restore(snapshot);
        this.log.warn(
          { err: (err as Error).message },
          'flush not acknowledged; open groups stay in the checkpoint',
        );
      }
    }
    const checkpointed = await this.checkpointAndCommit(true);
    return { flushed, checkpointed };
  }

  private async deliverFlush(alerts: Alert[]): Promise<void> {
    await this.deps.sinks.deliver({ ...emptyBatch(), alerts }, this.deps.deliverySignal);
  }

  /** Heartbeats every 2 s with the latest batch's heartbeat (group membership during long work). */
  private keepAlive(heartbeat = this.heartbeat): ReturnType<typeof setInterval> {
    return setInterval(() => {
      heartbeat?.().catch((err: unknown) =>
        this.log.debug({ err: (err as Error).message }, 'heartbeat failed'),
      );
    }, 2_000);
  }

  /** Delivers, keeping the group membership alive; undefined when the delivery was abandoned. */
  private async deliver(
    processed: ProcessedBatch,
    heartbeat: () => Promise<void>,
  ): Promise<DeliveryReport | undefined> {
    const beat = this.keepAlive(heartbeat);
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
    }
  }

  /** Flow control (pause while a sink fails), for the sinks' hooks and readiness. */
  get flow(): FlowControl {
    return this.flowControl;
  }

  private count(processed: ProcessedBatch): void {
    for (const [src, t] of Object.entries(processed.bySource)) {
      this.deps.metrics.records.inc({ source: src, outcome: 'normalized' }, t.normalized);
      this.deps.metrics.records.inc({ source: src, outcome: 'dead' }, t.dead);
      this.deps.metrics.records.inc({ source: src, outcome: 'skipped' }, t.skipped);
    }
  }
}
