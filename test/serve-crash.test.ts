/**
 * serve killed abruptly (SIGKILL, no graceful shutdown) in the middle of a batch, after
 * Elasticsearch accepted the batch's writes but before serve saw the answer, then restarted:
 * nothing is lost (every expected alert is there), nothing is duplicated (one document per id),
 * and the baselines count every event exactly once (the inventory's event counts match the
 * events produced, so the replay from the checkpoint neither forgot nor double-counted).
 */
import type { Client } from '@elastic/elasticsearch';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Alert } from '../schemas/alert.js';
import type { TokenInventoryDoc } from '../src/elasticsearch/inventory.js';
import { alertDataStream, tokenInventoryIndex } from '../src/elasticsearch/names.js';
import { createEsClient, createKafka } from './services.js';
import { githubTokenId, revokedTokenSequence, watermarkEvent } from './support/github-events.js';
import { allDocs, isolatedConfig, produce, waitFor } from './support/serve-harness.js';
import { lastOffset, spawnServe } from './support/serve-process.js';
import { TcpProxy } from './support/tcp-proxy.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 5, 5, 8);

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

describe('serve killed mid-batch and restarted', () => {
  it('loses nothing, duplicates nothing, counts every event once', async () => {
    const config = isolatedConfig('crash', { esUrl: proxy.url, batchSize: 5 });
    const topic = config.kafka.topics.github;
    const tokens = ['c-1', 'c-2', 'c-3', 'c-4', 'c-5', 'c-6'];
    const perToken = revokedTokenSequence('x', 0).length;
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

    // Run 1: from the 4th bulk request on, swallow Elasticsearch's answers (the writes land,
    // serve never hears back), and SIGKILL serve while it waits for them.
    proxy.onBulk = (n) => {
      if (n >= 4) proxy.holdResponses = true;
    };
    const first = spawnServe(config, options);
    await waitFor('a bulk request unanswered', () => proxy.holdResponses, 60_000, 20, first.dead);
    await new Promise((r) => setTimeout(r, 500)); // let Elasticsearch apply it
    first.proc.kill('SIGKILL');
    await first.exited;
    const acknowledgedBeforeCrash = lastOffset(first);
    expect(acknowledgedBeforeCrash).toBeLessThan(lines.length - 1);
    proxy.onBulk = undefined;
    proxy.holdResponses = false;

    // Run 2: restart from the checkpoint and catch up; graceful stop flushes the rest.
    const second = spawnServe(config, options);
    await waitFor(
      'restarted',
      () => second.events.find((e) => e['type'] === 'started'),
      60_000,
      200,
      second.dead,
    );
    expect(second.events.find((e) => e['type'] === 'started')?.['restored']).toBe('checkpoint');
    await waitFor('caught up', () => lastOffset(second) === lines.length - 1, 60_000, 200, second.dead);
    const firstChunk = second.events.find((e) => e['type'] === 'batch') as Record<string, unknown>;
    expect(Number(firstChunk['firstOffset'])).toBeLessThanOrEqual(acknowledgedBeforeCrash + 1);
    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.events.at(-1)?.['type']).toBe('stopped');

    const alerts = await allDocs<Alert>(es, alertDataStream(config.elasticsearch.namespace));
    const ids = alerts.map((a) => a.event.id);
    expect(new Set(ids).size).toBe(ids.length);
    const revoked = alerts.filter((a) => a.event.action === 'token.lifecycle.used_after_revocation');
    expect(revoked.map((a) => a.tokenwatch.token.id).sort()).toEqual(tokens.map(githubTokenId).sort());

    const inventory = await allDocs<TokenInventoryDoc>(
      es,
      tokenInventoryIndex(config.elasticsearch.namespace),
      {
        terms: { 'token.id': tokens.map(githubTokenId) },
      },
    );
    expect(inventory).toHaveLength(tokens.length);
    for (const doc of inventory) {
      expect(doc.tokenwatch.inventory.event_count).toBe(perToken);
      expect(doc.tokenwatch.inventory.open_alert_count).toBe(1);
    }
  });
});
