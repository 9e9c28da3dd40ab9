import type { Client } from '@elastic/elasticsearch';
import { type Consumer, type EachBatchPayload, Partitioners, type Producer } from 'kafkajs';
import type { Alert } from '../../schemas/alert.js';
import type { BulkRejection } from '../elasticsearch/bulk.js';
import { type BulkAction, bulkOnce } from '../elasticsearch/bulk.js';
import { DataStreamIdLookup } from '../elasticsearch/existing-ids.js';
import { alertDataStream, DATASETS } from '../elasticsearch/names.js';
import { SinkError } from '../errors.js';
import { retryUntilDone } from '../serve/backoff.js';
import { dataStreamAction, rejectionMessage } from '../serve/sinks.js';
import { decodeIndexMessage, type IndexDoc, writeIndexDocs } from './index-docs.js';
import { IDEMPOTENT_RETRY } from './kafka-io.js';
import { GroupMembership } from './membership.js';
import type { StageBatchInfo, StageDeps } from './stateful-stage.js';

/**
 * The sink stage: a consumer group over the alert topic (`read_committed`: only alerts of
 * committed transactions) that writes each alert to the alert data stream with `op_type: create`
 * and `_id` = the alert id, so a re-delivered alert (a restart before the offset commit, two
 * detect runs over the same input) answers 409 and stays one document; ids already in an older
 * backing index (after a rollover) are found by {@link DataStreamIdLookup} and not sent. Offsets are committed
 * after Elasticsearch acknowledged every document of the batch; per-item 429/5xx are sent again
 * until they succeed; documents refused for good (mapping conflicts) go to the DLQ topic. The
 * same consumer reads the index topic (token inventory, identities, activity: see index-docs.ts).
 */
export class SinkStage {
  private consumer: Consumer | undefined;
  private readonly producer: Producer;
  private readonly existingIds: DataStreamIdLookup;
  /** Group membership of this stage's consumer (readiness). */
  readonly membership = new GroupMembership();

  constructor(
    private readonly deps: StageDeps,
    private readonly es: Client,
  ) {
    this.existingIds = new DataStreamIdLookup(es);
    this.producer = deps.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: IDEMPOTENT_RETRY,
    });
  }

  async start(): Promise<void> {
    const { kafka, names, sessionTimeoutMs } = this.deps;
    await this.producer.connect();
    const c = kafka.consumer({
      groupId: names.group.sink,
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(sessionTimeoutMs / 10)),
      rebalanceTimeout: Math.max(sessionTimeoutMs, 60_000),
      maxWaitTimeInMs: this.deps.maxWaitTimeMs,
      readUncommitted: false,
      retry: { retries: 10 },
    });
    this.consumer = c;
    this.membership.watch(c);
    c.on(c.events.CRASH, (e) => {
      if (!e.payload.restart) this.deps.onFatal(e.payload.error);
    });
    await c.connect();
    await c.subscribe({ topics: [names.alerts, names.index], fromBeginning: true });
    await c.run({ autoCommit: false, eachBatch: (p) => this.eachBatch(p) });
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    if (payload.batch.topic === this.deps.names.index) return this.indexBatch(payload);
    return this.alertBatch(payload);
  }

  /**
   * A batch of the index topic: token inventory updates (merged per token, read-merge-written
   * with compare-and-set), identity facts and activities, written until Elasticsearch
   * acknowledged each (every write is idempotent, so a re-delivered batch changes nothing), then
   * the offset is committed. Documents refused for good go to the DLQ topic.
   */
  private async indexBatch({ batch, heartbeat }: EachBatchPayload): Promise<void> {
    const last = batch.messages.at(-1);
    if (!last) return;
    const t0 = performance.now();
    const docs: IndexDoc[] = [];
    for (const m of batch.messages) {
      const d = decodeIndexMessage(m);
      if (d) docs.push(d);
      else if (m.value)
        this.deps.logger.warn({ offset: m.offset }, 'index-topic message without its headers ignored');
    }
    let rejected: BulkRejection[] = [];
    await retryUntilDone(
      async () => {
        rejected = await writeIndexDocs(this.es, docs, this.deps.config.elasticsearch.bulkSize);
        await heartbeat();
      },
      {
        signal: this.deps.signal,
        onFailure: (err, n) =>
          this.deps.logger.warn({ attempt: n, err: (err as Error).message }, 'index write failed; retrying'),
      },
    );
    if (rejected.length > 0) {
      await this.producer.send({
        topic: this.deps.names.deadLetter,
        acks: -1,
        messages: rejected.map(rejectionMessage),
      });
    }
    const next = (BigInt(last.offset) + 1n).toString();
    await this.consumer?.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
    this.deps.onBatch?.({
      stage: 'sink',
      partition: batch.partition,
      messages: batch.messages.length,
      nextOffset: next,
      alerts: 0,
      changelog: 0,
      indexed: docs.length,
      processMs: performance.now() - t0,
      commitMs: 0,
    });
  }

  private async alertBatch({ batch, heartbeat }: EachBatchPayload): Promise<void> {
    const last = batch.messages.at(-1);
    if (!last) return;
    const t0 = performance.now();
    const ns = this.deps.config.elasticsearch.namespace;
    const ingested = new Date().toISOString();
    const actions: BulkAction[] = [];
    for (const m of batch.messages) {
      if (!m.value) continue;
      const alert = JSON.parse(m.value.toString('utf8')) as Alert;
      actions.push(dataStreamAction(alertDataStream(ns), DATASETS.alert, ns, alert, ingested));
    }
    let pending = actions;
    let replayChecked = false;
    const rejected: Parameters<typeof rejectionMessage>[0][] = [];
    await retryUntilDone(
      async () => {
        if (!replayChecked) {
          // ids already in an older backing index (written before a rollover) are not written
          // again: create is idempotent only inside one backing index (issue 12 item 4)
          const stream = alertDataStream(ns);
          const found = await this.existingIds.existing(
            stream,
            pending.map((a) => a.id),
          );
          if (found.size > 0) pending = pending.filter((a) => !found.has(a.id));
          replayChecked = true;
        }
        const r = await bulkOnce(this.es, pending);
        rejected.push(...r.rejected);
        pending = r.retry;
        await heartbeat();
        if (pending.length > 0)
          throw new SinkError(`${pending.length} alert(s) to retry (429/5xx per item)`, { retriable: true });
      },
      {
        signal: this.deps.signal,
        onFailure: (err, n) =>
          this.deps.logger.warn({ attempt: n, err: (err as Error).message }, 'alert write failed; retrying'),
      },
    );
    if (rejected.length > 0) {
      await this.producer.send({
        topic: this.deps.names.deadLetter,
        acks: -1,
        messages: rejected.map(rejectionMessage),
      });
    }
    const next = (BigInt(last.offset) + 1n).toString();
    await this.consumer?.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
    const info: StageBatchInfo = {
      stage: 'sink',
      partition: batch.partition,
      messages: batch.messages.length,
      nextOffset: next,
      alerts: actions.length,
      changelog: 0,
      processMs: performance.now() - t0,
      commitMs: 0,
    };
    this.deps.onBatch?.(info);
  }

  async stop(): Promise<void> {
    await this.consumer?.stop().catch(() => {});
    await this.consumer?.disconnect().catch(() => {});
    await this.producer.disconnect().catch(() => {});
  }
}
