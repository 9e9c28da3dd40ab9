/**
 * Issue 12 item 4: exactly-once alerts across a data stream rollover. serve is killed (SIGKILL)
 * after Elasticsearch accepted a batch's alerts but before serve heard back (so before its
 * checkpoint); the alert data stream is then rolled over; serve restarts from the checkpoint and
 * replays that batch. `create` with a deterministic `_id` is idempotent only inside one backing
 * index, so without the existing-id lookup the replayed alerts land a second time in the new
 * write index. Expected: one document per alert id, and the replayed alerts stay in the older
 * backing index only.
 */
import type { Client } from '@elastic/elasticsearch';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Alert } from '../schemas/alert.js';
import { alertDataStream } from '../src/elasticsearch/names.js';
import { createEsClient, createKafka } from './services.js';
import { githubTokenId, revokedTokenSequence, watermarkEvent } from './support/github-events.js';
import { isolatedConfig, produce, waitFor } from './support/serve-harness.js';
import { lastOffset, spawnServe } from './support/serve-process.js';
import { TcpProxy } from './support/tcp-proxy.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 6, 7, 8);

let es: Client;
let kafka: Kafka;
const proxy = TcpProxy.forUrl(inject('esUrl'));
beforeAll(async () => {
  es = createEsClient();
  kafka = createKafka();
  await proxy.start();
});
afterAll(async () => {
  await proxy.stop();
  await es.close();
});

/** Every alert document with the backing index it sits in. */
async function alertHits(
  stream: string,
): Promise<{ id: string; index: string; tokenId: string; action: string | undefined }[]> {
  await es.indices.refresh({ index: stream });
  const res = await es.search<Alert>({ index: stream, size: 10_000, query: { match_all: {} } });
  return res.hits.hits.map((h) => ({
    id: (h._source as Alert).event.id,
    index: h._index,
    tokenId: (h._source as Alert).tokenwatch.token.id,
    action: (h._source as Alert).event.action,
  }));
}

describe('serve killed before its checkpoint, alert data stream rolled over, restarted', () => {
  it('writes one document per alert id', async () => {
    const config = isolatedConfig('rollover', { esUrl: proxy.url, batchSize: 5 });
    const stream = alertDataStream(config.elasticsearch.namespace);
    const topic = config.kafka.topics.github;
    const tokens = ['r-1', 'r-2', 'r-3', 'r-4', 'r-5', 'r-6'];
    const lines = [
      ...tokens.flatMap((t, i) => revokedTokenSequence(t, T0 + i * 3 * HOUR)),
      watermarkEvent(T0 + 40 * HOUR),
    ];
    await produce(kafka, topic, lines);
    const options = {
      latenessMs: 60_000,
      checkpointIntervalMs: 0,
      sessionTimeoutMs: 6_000,
      maxWaitTimeMs: 500,
    };

    // Run 1: from the 2nd bulk request carrying alerts on, Elasticsearch's answers are swallowed
    // (the alerts land, serve never hears back, so it never checkpoints that batch); then SIGKILL.
    let alertBulks = 0;
    proxy.onBulk = (_n, text) => {
      if (text.includes(stream)) alertBulks += 1;
      if (alertBulks >= 2) proxy.holdResponses = true;
    };
    const first = spawnServe(config, options);
    await waitFor('a bulk request unanswered', () => proxy.holdResponses, 120_000, 20, first.dead);
    // Elasticsearch answered the held request (its alerts are written), serve never saw it.
    await waitFor('the unanswered bulk applied', () => proxy.heldResponseChunks > 0, 120_000, 20, first.dead);
    first.proc.kill('SIGKILL');
    await first.exited;
    expect(lastOffset(first)).toBeLessThan(lines.length - 1);
    proxy.onBulk = undefined;
    proxy.holdResponses = false;
    const writtenBeforeKill = (await alertHits(stream)).length;
    expect(writtenBeforeKill).toBeGreaterThan(0);

    // Roll the alert data stream over: the next write index is empty.
    const rolled = await es.indices.rollover({ alias: stream });
    expect(rolled.rolled_over).toBe(true);
    const oldIndex = rolled.old_index;

    // Run 2: restarts from the checkpoint before the unanswered batch and replays it.
    const second = spawnServe(config, options);
    await waitFor('caught up', () => lastOffset(second) === lines.length - 1, 120_000, 200, second.dead);
    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const hits = await alertHits(stream);
    const ids = hits.map((h) => h.id);
    expect(ids.length).toBeGreaterThan(writtenBeforeKill);
    expect(new Set(ids).size).toBe(ids.length);
    // Every alert written before the kill is still only in the old backing index.
    expect(hits.filter((h) => h.index === oldIndex)).toHaveLength(writtenBeforeKill);
    const revoked = hits.filter((h) => h.action === 'token.lifecycle.used_after_revocation');
    expect(revoked.map((h) => h.tokenId).sort()).toEqual(tokens.map(githubTokenId).sort());
  });
});
