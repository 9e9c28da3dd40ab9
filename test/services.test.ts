/**
 * Smoke test of the integration environment: the real Kafka and Elasticsearch that
 * test/global-setup.ts provides accept what tokenwatch will do with them.
 */
import { errors } from '@elastic/elasticsearch';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createEsClient, createKafka, uniqueName } from './services.js';

describe('Kafka', () => {
  it('produces keyed messages and reads them back through a consumer group', async () => {
    const kafka = createKafka();
    const topic = uniqueName('tokenwatch-smoke');
    const groupId = uniqueName('tokenwatch-smoke-group');
    const admin = kafka.admin();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    const sent = [
      { key: 'token-a', value: JSON.stringify({ token: 'a', n: 1 }) },
      { key: 'token-b', value: JSON.stringify({ token: 'b', n: 2 }) },
      { key: 'token-a', value: JSON.stringify({ token: 'a', n: 3 }) },
    ];
    try {
      await admin.connect();
      const created = await admin.createTopics({
        topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
        waitForLeaders: true,
      });
      expect(created).toBe(true);

      await producer.connect();
      const acks = await producer.send({ topic, acks: -1, messages: sent });
      expect(acks).toHaveLength(1);
      expect(acks[0]?.errorCode).toBe(0);

      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const received: { key: string; value: string; offset: string }[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for 3 messages, got ${received.length}`)),
          60_000,
        );
        consumer
          .run({
            eachMessage: async ({ message }) => {
              received.push({
                key: message.key?.toString() ?? '',
                value: message.value?.toString() ?? '',
                offset: message.offset,
              });
              if (received.length === sent.length) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch((error: unknown) => {
            clearTimeout(timer);
            reject(error);
          });
      });
      expect(received).toEqual(sent.map((message, index) => ({ ...message, offset: String(index) })));

      // Disconnecting commits the group's offsets; the broker then reports all 3 as consumed.
      await consumer.disconnect();
      const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
      expect(offsets).toEqual([
        { topic, partitions: [expect.objectContaining({ partition: 0, offset: '3' })] },
      ]);
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    }
  });
});

describe('Elasticsearch', () => {
  it('writes to a data stream through a composable index template and searches it back', async () => {
    const es = createEsClient();
    // Data stream naming scheme logs-<dataset>-<namespace>, as for logs-tokenwatch.alert-default.
    const dataset = uniqueName('tokenwatch.smoke');
    const stream = `logs-${dataset}-default`;
    const template = uniqueName('tokenwatch-smoke');
    const doc = {
      '@timestamp': new Date().toISOString(),
      event: { kind: 'alert', category: ['api'], severity: 73, risk_score: 73.5 },
      tokenwatch: { token: { id: 'tok-1', type: 'pat' } },
      message: 'smoke test alert',
    };
    try {
      // Core field types only: the Elasticsearch test distribution (scripts/services) lacks the
      // x-pack mapper plugins, e.g. constant_keyword.
      await es.indices.putIndexTemplate({
        name: template,
        index_patterns: [`logs-${dataset}-*`],
        data_stream: {},
        priority: 500,
        template: {
          settings: { number_of_replicas: 0 },
          mappings: {
            dynamic: false,
            properties: {
              '@timestamp': { type: 'date' },
              message: { type: 'text' },
              event: {
                properties: {
                  kind: { type: 'keyword' },
                  category: { type: 'keyword' },
                  severity: { type: 'long' },
                  risk_score: { type: 'float' },
                },
              },
              tokenwatch: {
                properties: { token: { properties: { id: { type: 'keyword' }, type: { type: 'keyword' } } } },
              },
            },
          },
        },
      });

      // A deterministic _id makes retried writes idempotent: the second create is a 409 conflict.
      const written = await es.index({
        index: stream,
        id: 'alert-1',
        op_type: 'create',
        document: doc,
        refresh: true,
      });
      expect(written.result).toBe('created');
      expect(written._index).toMatch(new RegExp(`^\\.ds-${stream.replace(/\./g, '\\.')}-`));
      await expect(
        es.index({ index: stream, id: 'alert-1', op_type: 'create', document: doc }),
      ).rejects.toMatchObject({
        meta: { statusCode: 409 },
      });
      // Data streams take only op_type=create.
      await expect(
        es.index({ index: stream, id: 'alert-2', op_type: 'index', document: doc }),
      ).rejects.toThrow(/op_type of create/);

      const resolved = await es.indices.resolveIndex({ name: stream });
      expect(resolved.data_streams.map((ds) => ds.name)).toEqual([stream]);

      const found = await es.search<typeof doc>({
        index: stream,
        query: {
          bool: {
            filter: [
              { term: { 'event.kind': 'alert' } },
              { term: { 'tokenwatch.token.id': 'tok-1' } },
              { range: { 'event.severity': { gte: 50 } } },
            ],
          },
        },
      });
      expect(found.hits.hits).toHaveLength(1);
      expect(found.hits.hits[0]?._source).toEqual(doc);
    } finally {
      // The test distribution has no _data_stream API (it lives in the data-streams module), so
      // neither the stream nor the template it uses can be deleted there; its data is thrown away
      // with the node. A full Elasticsearch (testcontainers, a real cluster) cleans up for real.
      const deleted = await es.indices
        .deleteDataStream({ name: stream })
        .then(() => true)
        .catch((error: unknown) => {
          if (isMissingDataStreamApi(error)) return false;
          throw error;
        });
      if (deleted) await es.indices.deleteIndexTemplate({ name: template });
      await es.close();
    }
  });
});

/**
 * True when Elasticsearch has no `_data_stream` API (the test distribution): ES 9 answers 400 "no
 * handler found for uri", ES 8.19 answers 405 "Incorrect HTTP method for uri".
 */
function isMissingDataStreamApi(error: unknown): boolean {
  return (
    error instanceof errors.ResponseError &&
    /no handler found for uri|incorrect http method for uri/i.test(JSON.stringify(error.body))
  );
}
