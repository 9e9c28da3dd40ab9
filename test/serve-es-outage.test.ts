/**
 * Elasticsearch unreachable for a while in the middle of the stream (a TCP proxy between serve
 * and Elasticsearch is stopped and started again): serve pauses, keeps retrying, does not commit
 * or drop anything, reports not-ready, and when Elasticsearch answers again it catches up; every
 * alert is then present exactly once.
 */
import type { Client } from '@elastic/elasticsearch';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Alert } from '../schemas/alert.js';
import { alertDataStream } from '../src/elasticsearch/names.js';
import { createEsClient, createKafka } from './services.js';
import { githubTokenId, revokedTokenSequence, watermarkEvent } from './support/github-events.js';
import { allDocs, isolatedConfig, produce, readTopic, startServe, waitFor } from './support/serve-harness.js';
import { TcpProxy } from './support/tcp-proxy.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 5, 4, 8);

let es: Client;
let kafka: Kafka;
let admin: Admin;
const proxy = TcpProxy.forUrl(inject('esUrl'));

beforeAll(async () => {
  es = createEsClient();
  kafka = createKafka();
  admin = kafka.admin();
  await admin.connect();
  await proxy.start();
});
afterAll(async () => {
  await proxy.stop();
  await admin.disconnect();
  await es.close();
});

async function committed(groupId: string, topic: string): Promise<number> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return Number(t?.partitions[0]?.offset ?? -1);
}

describe('serve with Elasticsearch down mid-stream', () => {
  it('pauses, retries, commits nothing unacknowledged, then catches up with every alert exactly once', async () => {
    const config = isolatedConfig('outage', { esUrl: proxy.url, batchSize: 4 });
    const topic = config.kafka.topics.github;
    const before = [...revokedTokenSequence('out-1', T0), ...revokedTokenSequence('out-2', T0 + 3 * HOUR)];
    const during = [
      ...revokedTokenSequence('out-3', T0 + 6 * HOUR),
      ...revokedTokenSequence('out-4', T0 + 9 * HOUR),
    ];
    const after = [watermarkEvent(T0 + 24 * HOUR)];

    const run = startServe(config);
    const { httpUrl } = await run.started;
    await produce(kafka, topic, before);
    await waitFor('first part consumed', () => run.lastOffset(topic) === before.length - 1);
    await waitFor(
      'first part committed',
      async () => (await committed(config.kafka.groupId, topic)) === before.length,
    );

    await proxy.stop();
    await produce(kafka, topic, during);
    await waitFor('consumption paused', async () => {
      const m = await (await fetch(`${httpUrl}/metrics`)).text();
      return (
        /tokenwatch_consumer_paused 1/.test(m) &&
        /tokenwatch_sink_retries_total\{sink="(elasticsearch|inventory)"\} [1-9]/.test(m)
      );
    });
    const ready = await fetch(`${httpUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(JSON.stringify(await ready.json())).toMatch(/"name":"elasticsearch","ok":false/);
    // Stays stuck on the first unacknowledged chunk: nothing acknowledged, nothing committed.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(run.lastOffset(topic)).toBe(before.length - 1);
    expect(await committed(config.kafka.groupId, topic)).toBe(before.length);

    await proxy.start();
    await produce(kafka, topic, after);
    const total = before.length + during.length + after.length;
    await waitFor('caught up after the outage', () => run.lastOffset(topic) === total - 1, 300_000);
    const readyAgain = await fetch(`${httpUrl}/readyz`);
    expect(readyAgain.status).toBe(200);
    await run.stop();

    const alerts = await allDocs<Alert>(es, alertDataStream(config.elasticsearch.namespace));
    const ids = alerts.map((a) => a.event.id);
    expect(new Set(ids).size).toBe(ids.length);
    const revoked = alerts.filter((a) => a.event.action === 'token.lifecycle.used_after_revocation');
    expect(revoked.map((a) => a.tokenwatch.token.id).sort()).toEqual(
      ['out-1', 'out-2', 'out-3', 'out-4'].map(githubTokenId).sort(),
    );
    expect(await committed(config.kafka.groupId, topic)).toBe(total);
    // Activity was produced once per record: the Kafka sink never failed, the chunk was not redone.
    const activity = await readTopic(kafka, config.kafka.topics.activity, total);
    expect(activity).toHaveLength(total);
  });
});
