import type { Client } from '@elastic/elasticsearch';
import { errors } from '@elastic/elasticsearch';
import { SinkError } from '../errors.js';

/**
 * Finds which document ids already exist in a data stream's **older** backing indices, so a
 * `create` that would land a second copy in the current write index after a rollover can be
 * recognized as a replay (issue 12 item 4).
 *
 * Why: `op_type: create` with a deterministic `_id` is idempotent only inside one backing
 * index. A data stream routes every `create` to its write index, so once it rolled over (ILM, a
 * template change, an operator) a replayed alert lands again in the new index. Kibana's alerting
 * framework solves the same problem by searching the whole alerts index pattern for existing
 * ids before it writes; this does the same, restricted to the backing indices other than the
 * write index (the write index itself answers a duplicate `create` with 409 in real time).
 *
 * Visibility: a search sees only refreshed documents. Older backing indices receive no new
 * `create`s after the rollover, so each one is refreshed once, the first time this lookup sees
 * it as an older index; after that every document in it is searchable. Remaining race: a
 * rollover between {@link DataStreamIdLookup.existing} and the bulk request (the index just
 * searched as "write index" became older) is not covered; it needs a rollover inside that
 * window (milliseconds) and a replay of the same batch.
 *
 * APIs: "Resolve index" (`GET _resolve/index/<name>`), "Refresh" and "Search" with an `ids`
 * query (https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-indices-resolve-index).
 * Privileges: `view_index_metadata`, `manage` (refresh) and `read` on the stream, all granted by
 * the `tokenwatch_writer` role.
 */
export class DataStreamIdLookup {
  /** Older backing indices already refreshed, per data stream. */
  private readonly refreshed = new Map<string, Set<string>>();

  constructor(private readonly es: Client) {}

  /**
   * @param stream data stream name (e.g. `logs-tokenwatch.alert-default`)
   * @param ids document ids about to be created (at most 10,000 per call)
   * @returns the subset of `ids` present in a backing index other than the write index; empty
   *   when the stream does not exist yet or has never rolled over
   * @throws SinkError (retriable) when Elasticsearch cannot answer; the caller retries the batch
   */
  async existing(stream: string, ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    if (ids.length === 0) return found;
    if (ids.length > 10_000) throw new RangeError(`at most 10,000 ids per lookup, got ${ids.length}`);
    try {
      const older = await this.olderBackingIndices(stream);
      if (older.length === 0) return found;
      const seen = this.refreshed.get(stream) ?? new Set<string>();
      const fresh = older.filter((i) => !seen.has(i));
      if (fresh.length > 0) {
        await this.es.indices.refresh({ index: fresh.join(','), ignore_unavailable: true });
        for (const i of fresh) seen.add(i);
        this.refreshed.set(stream, seen);
      }
      const res = await this.es.search({
        index: older.join(','),
        ignore_unavailable: true,
        allow_no_indices: true,
        size: ids.length,
        _source: false,
        query: { ids: { values: [...ids] } },
      });
      for (const hit of res.hits.hits) if (hit._id !== undefined) found.add(hit._id);
      return found;
    } catch (cause) {
      if (cause instanceof SinkError) throw cause;
      throw new SinkError(
        `elasticsearch existing-id lookup on ${stream} failed: ${(cause as Error).message}`,
        {
          cause,
          retriable: true,
        },
      );
    }
  }

  /**
   * Backing indices of `stream` except the write index, oldest first. Read with "Resolve index"
   * (`GET _resolve/index/<stream>`, present in every distribution, unlike `GET _data_stream`);
   * the write index is the one with the highest generation (backing index names end in a
   * six-digit generation: `.ds-<stream>-<yyyy.MM.dd>-000002`).
   */
  private async olderBackingIndices(stream: string): Promise<string[]> {
    try {
      const res = await this.es.indices.resolveIndex({ name: stream, expand_wildcards: 'all' });
      const ds = res.data_streams.find((d) => d.name === stream);
      if (!ds) return [];
      const backing = Array.isArray(ds.backing_indices) ? ds.backing_indices : [ds.backing_indices];
      const generation = (name: string) => Number(/-(\d+)$/.exec(name)?.[1] ?? 0);
      const ordered = [...backing].sort((a, b) => generation(a) - generation(b) || a.localeCompare(b));
      return ordered.slice(0, -1);
    } catch (cause) {
      if (cause instanceof errors.ResponseError && cause.statusCode === 404) return [];
      throw cause;
    }
  }
}
