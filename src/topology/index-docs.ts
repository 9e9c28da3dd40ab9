import type { Client } from '@elastic/elasticsearch';
import type { KafkaMessage, Message } from 'kafkajs';
import type { Alert } from '../../schemas/alert.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { type BulkAction, type BulkRejection, bulkOnce } from '../elasticsearch/bulk.js';
import { identityActions } from '../elasticsearch/identities.js';
import {
  fetchInventory,
  inventoryActions,
  inventoryDocs,
  ledgerFacts,
  mergeInventory,
  type TokenFacts,
  type TokenInventoryDoc,
} from '../elasticsearch/inventory.js';
import {
  activityDataStream,
  DATASETS,
  identitiesIndex,
  tokenInventoryIndex,
} from '../elasticsearch/names.js';
import { SinkError } from '../errors.js';
import { decodeHeaders } from '../kafka/messages.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { dataStreamAction } from '../serve/sinks.js';

/** Headers of an index-topic message (the document is the value). */
export const INDEX_HEADERS = {
  /** Bulk op: `create` (data stream document), `index` (replace), `merge` (token inventory: read-merge-write). */
  op: 'tokenwatch.op',
  /** Target index or data stream. */
  index: 'tokenwatch.index',
  /** Document id. */
  id: 'tokenwatch.id',
} as const;

/** What a stateful stage hands to Elasticsearch besides alerts, through the index topic. */
export interface IndexDoc {
  /** `merge`: a token inventory update (merged with the stored document, see mergeInventory). */
  op: 'create' | 'index' | 'merge';
  index: string;
  id: string;
  doc: Record<string, unknown>;
}

/** An {@link IndexDoc} as an index-topic message (key = `<index>/<id>`, so one document's updates stay in order). */
export function indexMessage(d: IndexDoc): Message {
  return {
    key: `${d.index}/${d.id}`,
    value: JSON.stringify(d.doc),
    headers: { [INDEX_HEADERS.op]: d.op, [INDEX_HEADERS.index]: d.index, [INDEX_HEADERS.id]: d.id },
  };
}

/** Reverses {@link indexMessage}; undefined for a message that is not one (no value or headers). */
export function decodeIndexMessage(m: KafkaMessage): IndexDoc | undefined {
  const h = decodeHeaders(m.headers);
  const op = h[INDEX_HEADERS.op];
  const index = h[INDEX_HEADERS.index];
  const id = h[INDEX_HEADERS.id];
  if (!m.value || !index || !id || (op !== 'create' && op !== 'index' && op !== 'merge')) return undefined;
  return { op, index, id, doc: JSON.parse(m.value.toString('utf8')) as Record<string, unknown> };
}

/**
 * Token facts for the inventory from a task's pipeline (its baseline store and token ledger), as
 * serve reads them from its own pipeline.
 */
export function pipelineTokenFacts(p: Pipeline, tokenId: string): TokenFacts | undefined {
  const b = p.store.get('token', tokenId);
  if (!b || b.eventCount === 0) return undefined;
  const r = p.inventory.tokens.get(tokenId);
  return {
    ...(r ? { ledger: ledgerFacts(r) } : {}),
    firstSeenMs: b.firstSeen,
    lastSeenMs: b.lastSeen,
    eventCount: b.eventCount,
    maturity: b.maturity,
    gapMaxMs: b.gapMax,
    revokedAtMs: b.revokedAt,
    scopes: b.scopes,
  };
}

/**
 * The index documents of a batch of a stateful stage, what serve's sinks write for a batch:
 * token inventory updates for the activities' tokens and the alerts' tokens (with the facts of
 * the task's pipeline), and, for the stage that sees activities (`activities` not empty): the
 * identity facts (offboardings, login-to-email links; `links` = links this task wrote already)
 * and, with `indexActivity`, the activities themselves (data stream, `_id` = event id).
 */
export function batchIndexDocs(
  pipeline: Pipeline,
  activities: readonly TokenActivity[],
  alerts: readonly Alert[],
  options: { namespace: string; indexActivity: boolean; links: Map<string, string>; now: Date },
): IndexDoc[] {
  const ns = options.namespace;
  const out: IndexDoc[] = [];
  const inventory = inventoryDocs(activities, alerts, (id) => pipelineTokenFacts(pipeline, id), options.now);
  const inventoryIndex = tokenInventoryIndex(ns);
  for (const [id, doc] of inventory)
    out.push({ op: 'merge', index: inventoryIndex, id, doc: doc as unknown as Record<string, unknown> });
  for (const a of identityActions(identitiesIndex(ns), activities, options.links))
    out.push({ op: 'index', index: a.index, id: a.id, doc: a.doc });
  if (options.indexActivity) {
    const ingested = options.now.toISOString();
    for (const a of activities) {
      const action = dataStreamAction(activityDataStream(ns), DATASETS.activity, ns, a, ingested);
      out.push({ op: 'create', index: action.index, id: action.id, doc: action.doc });
    }
  }
  return out;
}

/**
 * Writes index documents once: plain ones in one bulk (`create` 409 = already there), inventory
 * updates merged per token, then read-merge-written with compare-and-set. Returns the documents
 * refused for good; throws a retriable SinkError while some are to be sent again (429/5xx, a
 * compare-and-set that raced another writer): the caller retries the whole call (every write is
 * idempotent).
 */
export async function writeIndexDocs(
  es: Client,
  docs: readonly IndexDoc[],
  bulkSize: number,
): Promise<BulkRejection[]> {
  const plain: BulkAction[] = [];
  const inventory = new Map<string, Map<string, TokenInventoryDoc>>();
  for (const d of docs) {
    if (d.op !== 'merge') {
      plain.push({ op: d.op, index: d.index, id: d.id, doc: d.doc });
      continue;
    }
    const byId = inventory.get(d.index) ?? new Map<string, TokenInventoryDoc>();
    const doc = d.doc as unknown as TokenInventoryDoc;
    byId.set(d.id, mergeInventory(byId.get(d.id), doc));
    inventory.set(d.index, byId);
  }
  const rejected: BulkRejection[] = [];
  let again = 0;
  for (let i = 0; i < plain.length; i += bulkSize) {
    const r = await bulkOnce(es, plain.slice(i, i + bulkSize));
    rejected.push(...r.rejected);
    again += r.retry.length;
  }
  for (const [index, updates] of inventory) {
    const stored = await fetchInventory(es, index, [...updates.keys()]);
    const merged = new Map<string, TokenInventoryDoc>();
    for (const [id, doc] of updates) merged.set(id, mergeInventory(stored.get(id)?.doc, doc));
    const actions = inventoryActions(index, merged, stored);
    for (let i = 0; i < actions.length; i += bulkSize) {
      const r = await bulkOnce(es, actions.slice(i, i + bulkSize));
      rejected.push(...r.rejected);
      // a create that found the document, or a stale compare-and-set: someone wrote in between
      again += r.retry.length + r.duplicates;
    }
  }
  if (again > 0) throw new SinkError(`${again} index document(s) to write again`, { retriable: true });
  return rejected;
}
