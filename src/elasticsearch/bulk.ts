import type { estypes } from '@elastic/elasticsearch';
import { type Client, errors } from '@elastic/elasticsearch';
import { SinkError } from '../errors.js';

/**
 * One bulk action. `create` is the only op a data stream accepts; with a deterministic `id` a
 * replay comes back as 409 and counts as a duplicate (already written), not an error. `upsert`
 * is a partial-document update with `doc_as_upsert`. `index` replaces the document; with
 * `ifSeqNo`/`ifPrimaryTerm` only if it is still the version read (optimistic concurrency: a
 * concurrent change answers 409, which is a `retry`).
 */
export interface BulkAction {
  op: 'create' | 'upsert' | 'index';
  index: string;
  id: string;
  doc: Record<string, unknown>;
  ifSeqNo?: number;
  ifPrimaryTerm?: number;
}

/** A permanent per-document failure (mapping conflict, invalid document...). */
export interface BulkRejection {
  action: BulkAction;
  status: number;
  error: string;
}

/** What happened to one action. */
export type ItemOutcome = 'written' | 'duplicate' | 'retry' | 'rejected';

/** Outcome of one `_bulk` request. */
export interface BulkResult {
  /** Per action, in request order. */
  outcomes: ItemOutcome[];
  /** Documents created or updated. */
  written: number;
  /** `create` answered 409: the document with that id is already there (replay). */
  duplicates: number;
  /** Failed for good; retrying the same document cannot help. */
  rejected: BulkRejection[];
  /** Failed for now (429, 5xx, version conflict on update): send again after a pause. */
  retry: BulkAction[];
}

function body(actions: readonly BulkAction[]): estypes.BulkRequest['operations'] {
  const ops: unknown[] = [];
  for (const a of actions) {
    if (a.op === 'create') {
      ops.push({ create: { _index: a.index, _id: a.id } }, a.doc);
    } else if (a.op === 'index') {
      const cas =
        a.ifSeqNo !== undefined && a.ifPrimaryTerm !== undefined
          ? { if_seq_no: a.ifSeqNo, if_primary_term: a.ifPrimaryTerm }
          : {};
      ops.push({ index: { _index: a.index, _id: a.id, ...cas } }, a.doc);
    } else {
      ops.push(
        { update: { _index: a.index, _id: a.id, retry_on_conflict: 3 } },
        { doc: a.doc, doc_as_upsert: true },
      );
    }
  }
  return ops as estypes.BulkRequest['operations'];
}

function describe(error: estypes.ErrorCause | undefined): string {
  if (!error) return 'unknown error';
  const cause = error.caused_by?.reason ? ` (caused by: ${error.caused_by.reason})` : '';
  return `${error.type}: ${error.reason ?? ''}${cause}`;
}

/**
 * Sends one `_bulk` request and classifies every item: written, duplicate (409 on create),
 * retry (429, 5xx, 409 on update) or rejected (any other 4xx). Does not refresh.
 * @throws SinkError (retriable) when the request as a whole fails: connection refused, timeout,
 *   5xx/429 for the whole request; (not retriable) for 401/403/400 on the whole request.
 */
export async function bulkOnce(client: Client, actions: readonly BulkAction[]): Promise<BulkResult> {
  const result: BulkResult = { outcomes: [], written: 0, duplicates: 0, rejected: [], retry: [] };
  if (actions.length === 0) return result;
  let res: estypes.BulkResponse;
  try {
    res = await client.bulk({ operations: body(actions) });
  } catch (cause) {
    const status = cause instanceof errors.ResponseError ? (cause.statusCode ?? 0) : 0;
    const retriable = status === 0 || status === 429 || status >= 500;
    throw new SinkError(`elasticsearch bulk failed: ${(cause as Error).message}`, { cause, retriable });
  }
  res.items.forEach((item, i) => {
    const action = actions[i] as BulkAction;
    const r = item.create ?? item.update ?? item.index;
    const status = r?.status ?? 500;
    let outcome: ItemOutcome;
    if (status >= 200 && status < 300) {
      outcome = 'written';
      result.written += 1;
    } else if (status === 409 && action.op === 'create') {
      outcome = 'duplicate';
      result.duplicates += 1;
    } else if (status === 429 || status >= 500 || status === 409) {
      outcome = 'retry';
      result.retry.push(action);
    } else {
      outcome = 'rejected';
      result.rejected.push({ action, status, error: describe(r?.error) });
    }
    result.outcomes.push(outcome);
  });
  return result;
}
