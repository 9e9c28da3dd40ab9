import type { Client } from '@elastic/elasticsearch';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Produce-to-searchable latency probe shared by the Kafka benches: every 50 ms, searches `index`
 * for the ids still in `pending` (id -> `performance.now()` when produced, ms); each id found is
 * removed from `pending` and its latency (ms) pushed to `latency`. Resolves once `stopped()` is
 * true (ids still pending then were not searchable in time: the caller reports them as missing).
 * Search errors count as "not found yet".
 */
export async function pollSearchable(
  es: Client,
  index: string,
  pending: Map<string, number>,
  latency: number[],
  stopped: () => boolean,
): Promise<void> {
  while (!stopped()) {
    if (pending.size > 0) {
      const res = await es
        .search({
          index,
          size: pending.size,
          _source: false,
          query: { ids: { values: [...pending.keys()] } },
        })
        .catch(() => undefined);
      const now = performance.now();
      for (const h of res?.hits.hits ?? []) {
        const t = pending.get(h._id as string);
        if (t !== undefined) {
          latency.push(now - t);
          pending.delete(h._id as string);
        }
      }
    }
    await sleep(50);
  }
}
