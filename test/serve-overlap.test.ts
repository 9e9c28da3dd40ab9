/**
 * serve overlaps work: the next chunk is processed while the last one is still being delivered
 * (issue 11 item 4), and only acknowledged chunks are reported, checkpointed and committed.
 * Elasticsearch's answers are held back (the writes land, serve does not hear back) once serve
 * has joined its group: serve must still process the second chunk, but acknowledge nothing;
 * once the answers flow again, every chunk is delivered once, in order.
 */
import type { Client } from '@elastic/elasticsearch';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Alert } from '../schemas/alert.js';
import type { TokenActivity } from '../schemas/token-activity.js';
import { alertDataStream } from '../src/elasticsearch/names.js';
import type { StartedInfo } from '../src/serve/index.js';
import { createEsClient, createKafka } from './services.js';
import { githubTokenId, revokedTokenSequence, watermarkEvent } from './support/github-events.js';
import { allDocs, isolatedConfig, produce, readTopic, startServe, waitFor } from './support/serve-harness.js';
import { TcpProxy } from './support/tcp-proxy.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 6, 1, 8);

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

async function consumed(info: StartedInfo): Promise<number> {
  const m = await info.metrics.messages.get();
  return m.values.reduce((s, v) => s + v.value, 0);
}

describe('serve overlapped loop', () => {
  it('processes the next chunk while the last is delivered; acknowledges in order', async () => {
    const config = isolatedConfig('overlap', { esUrl: proxy.url, batchSize: 5, indexActivity: true });
    const topic = config.kafka.topics.github;
    const tokens = ['o-1', 'o-2'];
    const lines = [
      ...tokens.flatMap((t, i) => revokedTokenSequence(t, T0 + i * 3 * HOUR)),
      watermarkEvent(T0 + 40 * HOUR),
    ];
    expect(lines.length).toBe(13); // chunks of 5, 5, 3
    await produce(kafka, topic, lines);

    const run = startServe(config, {
      // no checkpoint falls due during the test (a checkpoint waits for every delivery)
      checkpointIntervalMs: 3_600_000,
      esClient: { requestTimeoutMs: 3_000, maxRetries: 0 },
    });
    const info = await run.started;
    // from now on Elasticsearch answers nothing (the requests land, serve does not hear back):
    // every chunk writes its activities there, so no delivery can be acknowledged
    proxy.holdResponses = true;
    await waitFor('the second chunk processed', async () => (await consumed(info)) >= 10, 120_000, 50);
    // ...while the first chunk's delivery is still unacknowledged: nothing reported yet
    expect(run.batches).toHaveLength(0);

    proxy.holdResponses = false;
    await waitFor('caught up', () => run.lastOffset(topic) === lines.length - 1, 120_000, 100);
    // acknowledged (reported) in offset order, each chunk once
    expect(run.batches.map((b) => [b.firstOffset, b.lastOffset])).toEqual([
      ['0', '4'],
      ['5', '9'],
      ['10', '12'],
    ]);
    await run.stop();

    const alerts = await allDocs<Alert>(es, alertDataStream(config.elasticsearch.namespace));
    const ids = alerts.map((a) => a.event.id);
    expect(new Set(ids).size).toBe(ids.length);
    const revoked = alerts.filter((a) => a.event.action === 'token.lifecycle.used_after_revocation');
    expect(revoked.map((a) => a.tokenwatch.token.id).sort()).toEqual(tokens.map(githubTokenId).sort());

    // the activity topic got every activity once, each token's in event-time order
    const messages = await readTopic(kafka, config.kafka.topics.activity, lines.length);
    expect(messages).toHaveLength(lines.length);
    const activities = messages.map((m) => JSON.parse(m.value ?? '{}') as TokenActivity);
    expect(new Set(activities.map((a) => a.event.id)).size).toBe(lines.length);
    for (const t of tokens) {
      const times = activities
        .filter((a) => a.token.id === githubTokenId(t))
        .map((a) => Date.parse(a['@timestamp']));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
  });
});
