import type { Client } from '@elastic/elasticsearch';
import type { Message } from 'kafkajs';
import type { Logger } from 'pino';
import type { Alert } from '../../schemas/alert.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import type { Config } from '../config.js';
import { type BulkAction, type BulkRejection, bulkOnce } from '../elasticsearch/bulk.js';
import { DataStreamIdLookup } from '../elasticsearch/existing-ids.js';
import { identityActions } from '../elasticsearch/identities.js';
import {
  fetchInventory,
  inventoryActions,
  inventoryDocs,
  mergeInventory,
  type TokenFacts,
  type TokenInventoryDoc,
} from '../elasticsearch/inventory.js';
import {
  activityDataStream,
  alertDataStream,
  DATASETS,
  identitiesIndex,
  tokenInventoryIndex,
} from '../elasticsearch/names.js';
import { SinkError } from '../errors.js';
import { activityMessage, type DlqRecord, deadLetterMessage } from '../kafka/messages.js';
import type { KafkaProducerSink } from '../kafka/producer-sink.js';
import { type BackoffOptions, isRetriable, retryUntilDone } from './backoff.js';
import { chunks } from './chunks.js';
import { InventoryWriter } from './inventory-writer.js';
import { countDelivered, type ServeMetrics } from './metrics.js';
import type { ProcessedBatch } from './processor.js';

/** ECS version the documents follow. */
export const ECS_VERSION = '9.0.0';

/** The sinks serve writes to; each acknowledges durably before {@link ServeSinks.deliver} resolves. */
export type SinkName = 'elasticsearch' | 'inventory' | 'kafka';

/** Dependencies of {@link ServeSinks}. */
export interface SinkDeps {
  es: Client;
  producer: KafkaProducerSink;
  config: Readonly<Config>;
  logger: Logger;
  metrics: ServeMetrics;
  /** Baseline facts of a token (the pipeline's store), for the inventory. */
  factsOf: (tokenId: string) => TokenFacts | undefined;
  now?: () => Date;
  backoff?: BackoffOptions;
  /** Stops the background inventory writer's retries (the shutdown grace signal). */
  inventorySignal: AbortSignal;
  /**
   * A write started failing (its first failed attempt) / succeeded again after failing. Every
   * `onDegraded` is followed by exactly one `onRecovered`, unless the write was abandoned at
   * shutdown.
   */
  onDegraded?: (sink: SinkName, err: unknown) => void;
  onRecovered?: (sink: SinkName) => void;
}

/** What a delivery did. */
export interface DeliveryReport {
  alertsWritten: number;
  alertDuplicates: number;
  activityWritten: number;
  activityProduced: number;
  deadLettersProduced: number;
  /** Documents Elasticsearch refused for good; they went to the DLQ. */
  rejected: number;
  inventoryUpdated: number;
  /** Wall-clock time of each sink until it acknowledged, ms (they run concurrently). */
  timings: Record<SinkName, number>;
}

/**
 * Delivers a processed batch to every sink and resolves only when all of them acknowledged:
 * alerts (and optionally activity) to their Elasticsearch data streams with `op_type: create`
 * and `_id` = `event.id` (409 = already there = success), normalized activity to the activity
 * topic (key `token.id`), dead letters to the DLQ
 * topic, offboarding events and login-to-email links to the identities index (`index` with
 * deterministic ids), and documents Elasticsearch rejects for good (mapping conflicts) to the DLQ as
 * `sink_rejected`. Every sink retries with exponential backoff until it succeeds; only the
 * abort signal stops it (DeliveryAbortedError), so nothing is ever dropped. The token inventory
 * (read, merge, compare-and-set write) goes through a background {@link InventoryWriter} that
 * the batch loop drains before each checkpoint/commit.
 */
export class ServeSinks {
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly inventory: InventoryWriter;
  private readonly existingIds: DataStreamIdLookup;
  /** login -> email links already written to the identities index by this process */
  private readonly linksWritten = new Map<string, string>();

  constructor(private readonly deps: SinkDeps) {
    this.log = deps.logger.child({ component: 'serve.sinks' });
    this.existingIds = new DataStreamIdLookup(deps.es);
    this.now = deps.now ?? (() => new Date());
    this.inventory = new InventoryWriter((docs) => this.writeInventory(docs, deps.inventorySignal));
  }

  /**
   * Waits until every queued token inventory update is acknowledged (call before a checkpoint or
   * offset commit). @throws DeliveryAbortedError when the writer gave up (shutdown grace over).
   */
  flushInventory(): Promise<void> {
    return this.inventory.drain();
  }

  /** A mark of the token inventory updates queued so far (for {@link inventoryFlushed}). */
  inventoryMark(): number {
    return this.inventory.mark();
  }

  /**
   * Waits until the token inventory updates queued before `mark` are acknowledged (not those
   * queued since). @throws DeliveryAbortedError when the writer gave up (shutdown grace over).
   */
  inventoryFlushed(mark: number): Promise<void> {
    return this.inventory.flushed(mark);
  }

  /** Token inventory updates queued and not yet written. */
  get inventoryBacklog(): number {
    return this.inventory.size;
  }

  /** @throws DeliveryAbortedError when `signal` aborts before every sink acknowledged. */
  async deliver(batch: ProcessedBatch, signal: AbortSignal): Promise<DeliveryReport> {
    const report: DeliveryReport = {
      alertsWritten: 0,
      alertDuplicates: 0,
      activityWritten: 0,
      activityProduced: 0,
      deadLettersProduced: 0,
      rejected: 0,
      inventoryUpdated: 0,
      timings: { elasticsearch: 0, inventory: 0, kafka: 0 },
    };
    const timed = (sink: SinkName, task: () => Promise<void>) => async () => {
      const t0 = performance.now();
      await task();
      report.timings[sink] = performance.now() - t0;
    };
    const es = this.deps.config.elasticsearch;
    const ingested = this.now().toISOString();
    const alertActions = batch.alerts.map((a) => this.alertAction(a, ingested));
    const activityActions = es.indexActivity
      ? batch.activities.map((a) => this.activityAction(a, ingested))
      : [];
    // Offboarding events and identity links, for the console's owner_offboarded flag.
    const identities = identityActions(identitiesIndex(es.namespace), batch.activities, this.linksWritten);
    const kafkaMessages = new Map<string, Message[]>([
      [this.deps.config.kafka.topics.activity, batch.activities.map(activityMessage)],
      [this.deps.config.kafka.topics.deadLetter, batch.deadLetters.map(deadLetterMessage)],
    ]);

    const esTask = timed('elasticsearch', async () => {
      const r = await this.writeDocuments([...alertActions, ...activityActions, ...identities], signal);
      const alertIndex = alertDataStream(es.namespace);
      report.alertsWritten = r.writtenByIndex.get(alertIndex) ?? 0;
      report.alertDuplicates = r.duplicatesByIndex.get(alertIndex) ?? 0;
      report.activityWritten = r.writtenByIndex.get(activityDataStream(es.namespace)) ?? 0;
      if (r.rejected.length > 0) {
        report.rejected = r.rejected.length;
        await this.produce(
          new Map([[this.deps.config.kafka.topics.deadLetter, r.rejected.map(rejectionMessage)]]),
          signal,
        );
        for (const rej of r.rejected) this.deps.metrics.rejected.inc({ target: rej.action.index });
      }
    });
    // Inventory: queued for the background writer (drained before every checkpoint/commit);
    // a batch only waits here when too much is queued.
    const updates = inventoryDocs(batch.activities, batch.alerts, this.deps.factsOf, this.now());
    this.inventory.enqueue(updates);
    report.inventoryUpdated = updates.size;
    const inventoryTask = timed('inventory', () => this.inventory.backpressure());
    const kafkaTask = timed('kafka', async () => {
      await this.produce(kafkaMessages, signal);
      report.activityProduced = batch.activities.length;
      report.deadLettersProduced = batch.deadLetters.length;
    });
    const results = await Promise.allSettled([esTask(), inventoryTask(), kafkaTask()]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;

    countDelivered(this.deps.metrics, batch, report.alertDuplicates);
    return report;
  }

  private alertAction(alert: Alert, ingested: string): BulkAction {
    const ns = this.deps.config.elasticsearch.namespace;
    return dataStreamAction(alertDataStream(ns), DATASETS.alert, ns, alert, ingested);
  }

  private activityAction(activity: TokenActivity, ingested: string): BulkAction {
    const ns = this.deps.config.elasticsearch.namespace;
    return dataStreamAction(activityDataStream(ns), DATASETS.activity, ns, activity, ingested);
  }

  /**
   * Bulk-writes documents, resending only the items that failed for now, until none is left.
   * Data stream `create`s whose id already exists in an older backing index (written before a
   * rollover, then replayed after a restart) are counted as duplicates and not sent
   * ({@link DataStreamIdLookup}).
   */
  private async writeDocuments(actions: readonly BulkAction[], signal: AbortSignal) {
    const writtenByIndex = new Map<string, number>();
    const duplicatesByIndex = new Map<string, number>();
    const rejected: BulkRejection[] = [];
    const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
    let pending = [...actions];
    const size = this.deps.config.elasticsearch.bulkSize;
    await this.retry('elasticsearch', signal, async () => {
      pending = await this.withoutReplays(pending, (a) => add(duplicatesByIndex, a.index));
      const parts = chunks(pending, size);
      const again: BulkAction[] = [];
      for (const [i, part] of parts.entries()) {
        let r: Awaited<ReturnType<typeof bulkOnce>>;
        try {
          r = await bulkOnce(this.deps.es, part);
        } catch (err) {
          pending = [...again, ...parts.slice(i).flat()];
          throw err;
        }
        part.forEach((a, j) => {
          const outcome = r.outcomes[j];
          if (outcome === 'written') add(writtenByIndex, a.index);
          else if (outcome === 'duplicate') add(duplicatesByIndex, a.index);
        });
        rejected.push(...r.rejected);
        again.push(...r.retry);
      }
      pending = again;
      if (pending.length > 0) {
        throw new SinkError(`${pending.length} document(s) to retry (429/5xx per item)`, { retriable: true });
      }
    });
    return { writtenByIndex, duplicatesByIndex, rejected };
  }

  /**
   * Drops the `create`s whose id is already in an older backing index of their data stream,
   * calling `onDuplicate` for each. @throws SinkError (retriable) when the lookup fails.
   */
  private async withoutReplays(
    actions: readonly BulkAction[],
    onDuplicate: (a: BulkAction) => void,
  ): Promise<BulkAction[]> {
    const byStream = new Map<string, string[]>();
    for (const a of actions) {
      if (a.op !== 'create') continue;
      const ids = byStream.get(a.index) ?? [];
      ids.push(a.id);
      byStream.set(a.index, ids);
    }
    const replayed = new Map<string, Set<string>>();
    for (const [stream, ids] of byStream) {
      const found = new Set<string>();
      for (const part of chunks(ids, 10_000)) {
        for (const id of await this.existingIds.existing(stream, part)) found.add(id);
      }
      if (found.size > 0) {
        replayed.set(stream, found);
        this.log.info(
          { index: stream, replayed: found.size },
          'documents already written before a rollover; not written again',
        );
      }
    }
    if (replayed.size === 0) return [...actions];
    return actions.filter((a) => {
      const dup = a.op === 'create' && replayed.get(a.index)?.has(a.id) === true;
      if (dup) onDuplicate(a);
      return !dup;
    });
  }

  /** Reads the stored inventory docs, merges, writes with compare-and-set; retried as a whole. */
  private async writeInventory(updates: Map<string, TokenInventoryDoc>, signal: AbortSignal): Promise<void> {
    const index = tokenInventoryIndex(this.deps.config.elasticsearch.namespace);
    await this.retry('inventory', signal, async () => {
      const stored = await fetchInventory(this.deps.es, index, [...updates.keys()]);
      const merged = new Map<string, TokenInventoryDoc>();
      for (const [id, doc] of updates) merged.set(id, mergeInventory(stored.get(id)?.doc, doc));
      let conflicts = 0;
      for (const part of chunks(
        inventoryActions(index, merged, stored),
        this.deps.config.elasticsearch.bulkSize,
      )) {
        const r = await bulkOnce(this.deps.es, part);
        for (const rej of r.rejected) {
          this.deps.metrics.rejected.inc({ target: index });
          this.log.error(
            { tokenId: rej.action.id, status: rej.status, error: rej.error },
            'inventory update rejected',
          );
        }
        // A create that found the document, or a stale compare-and-set: someone wrote in between.
        conflicts += r.retry.length + r.duplicates;
      }
      if (conflicts > 0)
        throw new SinkError(`${conflicts} inventory update(s) raced another writer; merging again`);
    });
  }

  private async produce(
    messages: ReadonlyMap<string, readonly Message[]>,
    signal: AbortSignal,
  ): Promise<void> {
    await this.retry('kafka', signal, () => this.deps.producer.send(messages));
  }

  private retry<T>(sink: SinkName, signal: AbortSignal, attempt: () => Promise<T>): Promise<T> {
    return retryUntilDone(attempt, {
      signal,
      ...(this.deps.backoff ? { backoff: this.deps.backoff } : {}),
      onFailure: (err, n, delayMs) => {
        this.deps.metrics.sinkRetries.inc({ sink });
        const fields = { sink, attempt: n, delayMs, err: (err as Error).message };
        if (isRetriable(err)) this.log.warn(fields, 'sink failed; retrying (consumption paused)');
        else
          this.log.error(
            fields,
            'sink failed with an error retrying may not fix; retrying (consumption paused)',
          );
        if (n === 1) this.deps.onDegraded?.(sink, err);
      },
      onRecovered: (failures) => {
        this.log.info({ sink, failures }, 'sink recovered');
        this.deps.onRecovered?.(sink);
      },
    });
  }
}

/**
 * A `create` into a data stream with `_id` = `event.id`, the document stamped with its
 * `data_stream.*` fields, the ECS version and `event.ingested` (kept if already set).
 */
export function dataStreamAction(
  stream: string,
  dataset: string,
  namespace: string,
  doc: Alert | TokenActivity,
  ingested: string,
): BulkAction {
  return {
    op: 'create',
    index: stream,
    id: doc.event.id,
    doc: {
      ...doc,
      event: { ...doc.event, ingested: doc.event.ingested ?? ingested },
      data_stream: { type: 'logs', dataset, namespace },
      ecs: { version: ECS_VERSION },
    },
  };
}

/** The DLQ message (`sink_rejected`) for a document Elasticsearch refused for good. */
export function rejectionMessage(rej: BulkRejection): Message {
  const record: DlqRecord = {
    code: 'sink_rejected',
    reason: `elasticsearch rejected the document (${rej.status}): ${rej.error}`,
    source: 'tokenwatch',
    raw: JSON.stringify(rej.action.doc).slice(0, 65_536),
    location: `elasticsearch/${rej.action.index}/${rej.action.id}`,
  };
  return deadLetterMessage(record);
}
