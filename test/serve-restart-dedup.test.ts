/**
 * serve stopped after a checkpoint, then the same records delivered again (a producer retry, a
 * replay of the source, an S3 object forwarded twice) and serve restarted: the dedup memory comes
 * back with the checkpoint, so every re-delivered record is skipped as a duplicate that names the
 * event (and the offset) it repeats, and no alert is added (issue 7 item 2). The re-delivery is one
 * gzip-compressed message holding all the records as NDJSON, as GitHub audit-log streaming writes
 * its objects: decompressed like a `.gz` file (issue 7 item 5).
 */
import { gzipSync } from 'node:zlib';
import type { Client } from '@elastic/elasticsearch';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../schemas/alert.js';
import { alertDataStream } from '../src/elasticsearch/names.js';
import { createEsClient, createKafka } from './services.js';
import { revokedTokenSequence, watermarkEvent } from './support/github-events.js';
import { allDocs, isolatedConfig, produce, startServe, waitFor } from './support/serve-harness.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 5, 9, 8);

let es: Client;
let kafka: Kafka;
beforeAll(() => {
  es = createEsClient();
  kafka = createKafka();
});
afterAll(async () => {
  await es.close();
});

describe('serve restarted, then the same records delivered again', () => {
  it('skips each re-delivered record as a duplicate naming the original, adds no alert', async () => {
    const config = isolatedConfig('redeliver');
    const topic = config.kafka.topics.github;
    const lines = [...revokedTokenSequence('rd-1', T0), watermarkEvent(T0 + 40 * HOUR)];
    await produce(kafka, topic, lines);

    const first = startServe(config);
    await waitFor('first run caught up', () => first.lastOffset(topic) === lines.length - 1);
    await first.stop();
    const stream = alertDataStream(config.elasticsearch.namespace);
    const before = (await allDocs<Alert>(es, stream)).map((a) => a.event.id).sort();
    expect(before.length).toBeGreaterThan(0);

    // the same records again, as one gzip-compressed NDJSON message
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    try {
      await producer.send({ topic, acks: -1, messages: [{ value: gzipSync(`${lines.join('\n')}\n`) }] });
    } finally {
      await producer.disconnect();
    }

    const second = startServe(config);
    expect((await second.started).restored).toBe('checkpoint');
    await waitFor('second run caught up', () => second.lastOffset(topic) === lines.length);
    await second.stop();

    const fresh = second.batches.filter((b) => b.records > 0);
    expect(fresh.reduce((n, b) => n + b.records, 0)).toBe(lines.length);
    expect(fresh.reduce((n, b) => n + b.skipped, 0)).toBe(lines.length);
    expect(fresh.reduce((n, b) => n + b.alerts, 0)).toBe(0);
    const duplicates = fresh.flatMap((b) => b.duplicates);
    // line i+1 of the gzip message repeats the event of the message at offset i (first run); the
    // dedup memory keeps ids and content hashes across the restart (where it was first read only
    // while remembered)
    const originalIds = lines.map(
      (l) => `github:${(JSON.parse(l) as { _document_id: string })._document_id}`,
    );
    expect(duplicates.map((d) => [d.location, d.duplicateOf.id])).toEqual(
      lines.map((_, i) => [`${topic}/0@${lines.length}:${i + 1}`, originalIds[i]]),
    );
    duplicates.forEach((d, i) => {
      if (d.duplicateOf.location !== undefined) expect(d.duplicateOf.location).toBe(`${topic}/0@${i}:1`);
    });

    const after = (await allDocs<Alert>(es, stream)).map((a) => a.event.id).sort();
    expect(after).toEqual(before);
  });
});
