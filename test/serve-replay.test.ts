/**
 * A simulated multi-source dataset (GitHub NDJSON, Google Workspace Reports pages, Salesforce
 * EventLogFile CSVs) replayed into the raw topics with replayFiles, consumed by serve: the alerts
 * in Elasticsearch match what `tokenwatch run` finds on the same files (same detectors about the
 * same entities, up to ordering effects), each stored once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../schemas/alert.js';
import { SOURCES } from '../schemas/token-activity.js';
import { simulate } from '../sim/simulate/index.js';
import { alertDataStream } from '../src/elasticsearch/names.js';
import { replayFiles } from '../src/kafka/replay.js';
import { runFiles } from '../src/run/run-files.js';
import { createEsClient, createKafka } from './services.js';
import { allDocs, isolatedConfig, quietLogger, startServe, waitFor } from './support/serve-harness.js';

let es: Client;
let kafka: Kafka;
beforeAll(() => {
  es = createEsClient();
  kafka = createKafka();
});
afterAll(async () => {
  await es.close();
});

const pair = (a: Alert) => `${a.event.action} ${a.tokenwatch.entity}`;

describe('replayed samples through serve', () => {
  it('finds the alerts `tokenwatch run` finds on the same files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-sim-'));
    await simulate({ outDir: dir, seed: 11, people: 4, days: 10, volume: 0.3, sfMonitoring: 'elf' });
    const config = isolatedConfig('replay', { batchSize: 500 });

    const replayed = await replayFiles(dir, config, { logger: quietLogger(), kafka });
    const perTopic = new Map<string, number>();
    for (const f of replayed.files)
      if (f.topic) perTopic.set(f.topic, (perTopic.get(f.topic) ?? 0) + f.messages);
    expect([...perTopic.keys()].sort()).toEqual(SOURCES.map((s) => config.kafka.topics[s]).sort());

    const run = startServe(config, { latenessMs: 10 * 60_000, checkpointIntervalMs: 5_000 });
    await waitFor(
      'every raw topic consumed',
      () => [...perTopic].every(([topic, n]) => run.lastOffset(topic) === n - 1),
      120_000,
      250,
    );
    await run.stop();

    const offline = await runFiles({
      inputs: [dir],
      config: { ...config, stateDir: undefined },
      logger: quietLogger(),
    });
    const served = await allDocs<Alert>(es, alertDataStream(config.elasticsearch.namespace));
    const ids = served.map((a) => a.event.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(offline.alerts.length).toBeGreaterThan(5);
    // Not necessarily identical: serve sorts each batch by event time (run keeps each file's own
    // order, late records stay late) and order-sensitive detectors (isolation forest refits) may
    // differ at the margin. Require a large overlap both ways.
    const servedPairs = new Set(served.map(pair));
    const offlinePairs = new Set(offline.alerts.map(pair));
    const common = [...servedPairs].filter((p) => offlinePairs.has(p)).length;
    expect(common / offlinePairs.size).toBeGreaterThanOrEqual(0.9);
    expect(common / servedPairs.size).toBeGreaterThanOrEqual(0.9);
    expect(new Set(served.map((a) => a.event.provider)).size).toBeGreaterThanOrEqual(2);
  });
});
