/**
 * serve lifecycle: a graceful stop checkpoints and commits, so a restart resumes exactly where it
 * stopped (no replay, no gap) with the learned baselines; a `tokenwatch run --state-dir`
 * directory seeds the baselines; a shutdown while Elasticsearch is still unreachable at startup
 * exits cleanly.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenInventoryDoc } from '../src/elasticsearch/inventory.js';
import { tokenInventoryIndex } from '../src/elasticsearch/names.js';
import { runFiles } from '../src/run/run-files.js';
import { createEsClient, createKafka } from './services.js';
import { githubEvent, githubTokenId } from './support/github-events.js';
import {
  allDocs,
  isolatedConfig,
  produce,
  quietLogger,
  scratchDir,
  startServe,
  waitFor,
} from './support/serve-harness.js';
import { TcpProxy } from './support/tcp-proxy.js';

const T0 = Date.UTC(2025, 5, 6, 8);
const uses = (token: string, from: number, n: number) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify(githubEvent('git.clone', T0 + (from + i) * 60_000, { token })),
  );

let es: Client;
let kafka: Kafka;
beforeAll(() => {
  es = createEsClient();
  kafka = createKafka();
});
afterAll(async () => {
  await es.close();
});

async function eventCount(ns: string, token: string): Promise<number | undefined> {
  const docs = await allDocs<TokenInventoryDoc>(es, tokenInventoryIndex(ns), {
    term: { 'token.id': githubTokenId(token) },
  });
  return docs[0]?.tokenwatch.inventory.event_count;
}

describe('serve lifecycle', () => {
  it('resumes after a graceful stop exactly where it stopped, with its baselines', async () => {
    const config = isolatedConfig('life');
    const topic = config.kafka.topics.github;
    await produce(kafka, topic, uses('life-tok', 0, 10));
    const first = startServe(config);
    await waitFor('first part consumed', () => first.lastOffset(topic) === 9);
    await first.stop();

    await produce(kafka, topic, uses('life-tok', 10, 5));
    const second = startServe(config);
    expect((await second.started).restored).toBe('checkpoint');
    await waitFor('second part consumed', () => second.lastOffset(topic) === 14);
    await second.stop();
    expect(second.batches[0]).toMatchObject({ firstOffset: '10', alreadyCovered: 0 });
    expect(await eventCount(config.elasticsearch.namespace, 'life-tok')).toBe(15);
  });

  it('seeds its baselines from a `tokenwatch run --state-dir` directory', async () => {
    const config = isolatedConfig('seed');
    const dir = scratchDir('seed-input');
    writeFileSync(join(dir, 'github.ndjson'), `${uses('seed-tok', 0, 8).join('\n')}\n`);
    await runFiles({ inputs: [dir], config, logger: quietLogger(), stateDir: config.stateDir! });

    await produce(kafka, config.kafka.topics.github, uses('seed-tok', 8, 2));
    const run = startServe(config);
    expect((await run.started).restored).toBe('seed');
    await waitFor('consumed', () => run.lastOffset(config.kafka.topics.github) === 1);
    await run.stop();
    expect(await eventCount(config.elasticsearch.namespace, 'seed-tok')).toBe(10);
  });

  it('stops cleanly when asked to while Elasticsearch is still unreachable at startup', async () => {
    const proxy = TcpProxy.forUrl('http://127.0.0.1:9');
    await proxy.start();
    const url = proxy.url;
    await proxy.stop(); // nothing listens there now
    const config = isolatedConfig('nostart', { esUrl: url });
    const run = startServe(config, { backoff: { initialMs: 50, maxMs: 200 } });
    await new Promise((r) => setTimeout(r, 1_000));
    const t0 = Date.now();
    await run.stop();
    // Not a speed test: a stop must not wait out the startup retries (it would hang for good).
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(run.batches).toHaveLength(0);
  });
});
