/**
 * `tokenwatch run` and `tokenwatch serve` over the same input give the same alerts, and serve's
 * alerts do not depend on how Kafka interleaves its partitions (issue 12 item 6, issue 13 item 6).
 *
 * Input: all of samples/ (GitHub, Google Workspace and Salesforce, two organizations, the
 * hygiene cases and the malformed files), replayed with `replay` into the three raw topics and
 * consumed by serve twice, each time from scratch (fresh topics, consumer group, state):
 *
 * 1. one partition per raw topic, each source's files merged by event time (replay's default);
 * 2. three partitions per raw topic (replay keys by file name, so files spread over them), the
 *    sources produced in the opposite order (Salesforce first): another interleaving of the same
 *    records, delivered in other batches.
 *
 * Both give exactly `run`'s alert ids, and documents identical to `run`'s except the fields that
 * exist only when serve writes (see {@link PER_MODE}). Serve's lateness is one day here: the
 * samples hold records up to 6.7 hours later than their file's newest event (Google Reports lag,
 * late Salesforce rows); `run` sorts whole files, serve orders within its lateness (a record
 * later than that is ordered at its partition's watermark, counted as `late`; the test checks
 * there is none, the premise of exact equality). Checkpoints are left to the shutdown (one per
 * serve run) to keep the test short; test/serve-crash.test.ts covers checkpoints mid-stream.
 * This test replaces test/serve-replay.test.ts (a simulated multi-source dataset, ≥ 90 % overlap).
 */
import type { Client } from '@elastic/elasticsearch';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../schemas/alert.js';
import { SOURCES } from '../schemas/token-activity.js';
import { alertDataStream } from '../src/elasticsearch/names.js';
import { replayFiles } from '../src/kafka/replay.js';
import { type RunResult, runFiles } from '../src/run/run-files.js';
import { createEsClient, createKafka } from './services.js';
import { allDocs, isolatedConfig, quietLogger, startServe, waitFor } from './support/serve-harness.js';

/** samples/ by source, so a serve run can produce the sources in another order. */
const BY_SOURCE = {
  github: ['samples/northwind/github', 'samples/blueharbor/github', 'samples/hygiene/github'],
  google_workspace: [
    'samples/northwind/google_workspace',
    'samples/blueharbor/google_workspace',
    'samples/hygiene/google_workspace',
  ],
  salesforce: ['samples/northwind/salesforce', 'samples/blueharbor/salesforce'],
  malformed: ['samples/bad'],
};
const DAY = 86_400_000;

/**
 * Alert fields that are per mode by nature, removed before documents are compared:
 * - `event.ingested`: when serve wrote the alert (wall clock; `run` writes files, no ingest time);
 * - `data_stream.*`: the data stream serve writes to (`run` writes no data stream);
 * - `ecs.version`: stamped by serve's Elasticsearch sink on each document it indexes.
 */
const PER_MODE = ['event.ingested', 'data_stream', 'ecs'] as const;

/** A copy of the alert without the {@link PER_MODE} fields. */
function comparable(a: Alert): unknown {
  const copy = structuredClone(a) as unknown as Record<string, unknown>;
  for (const path of PER_MODE) {
    const parts = path.split('.');
    let at: Record<string, unknown> | undefined = copy;
    for (const p of parts.slice(0, -1)) at = at?.[p] as Record<string, unknown> | undefined;
    if (at) delete at[parts.at(-1) as string];
  }
  return copy;
}

let es: Client;
let kafka: Kafka;
let offline: RunResult;
beforeAll(async () => {
  es = createEsClient();
  kafka = createKafka();
  offline = await runFiles({
    inputs: ['samples'],
    config: { ...isolatedConfig('ids-run'), stateDir: undefined },
    logger: quietLogger(),
  });
});
afterAll(async () => {
  await es.close();
});

/** Replays `inputs` into fresh raw topics of `partitions` partitions, serves them once, returns the stored alerts. */
async function serveOnce(
  name: string,
  partitions: number,
  inputs: string[],
): Promise<{ alerts: Alert[]; late: number; forced: number; partitionsUsed: number }> {
  const config = isolatedConfig(name);
  const raw = SOURCES.map((s) => config.kafka.topics[s]);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: raw.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
    });
    await replayFiles(inputs, config, { logger: quietLogger(), kafka });
    const ends: { topic: string; partition: number; last: number }[] = [];
    for (const topic of raw)
      for (const o of await admin.fetchTopicOffsets(topic))
        if (Number(o.high) > 0) ends.push({ topic, partition: o.partition, last: Number(o.high) - 1 });
    const run = startServe(config, { latenessMs: DAY, checkpointIntervalMs: 600_000 });
    await waitFor(
      'every raw partition consumed',
      () => ends.every((e) => run.lastOffset(e.topic, e.partition) === e.last),
      300_000,
      250,
    );
    await run.stop();
    const alerts = await allDocs<Alert>(es, alertDataStream(config.elasticsearch.namespace));
    const sum = (f: 'late' | 'forced') => run.batches.reduce((n, b) => n + b[f], 0);
    return { alerts, late: sum('late'), forced: sum('forced'), partitionsUsed: ends.length };
  } finally {
    await admin.disconnect();
  }
}

const ids = (alerts: readonly Alert[]) => alerts.map((a) => a.event.id).sort();

describe('run and serve on the same input', () => {
  it('give identical alert ids and documents over all three sources, in two interleavings', async () => {
    expect(offline.alerts.length).toBeGreaterThan(50);
    expect(new Set(offline.alerts.map((a) => a.event.provider)).size).toBe(3);
    const runIds = ids(offline.alerts);
    const runById = new Map(offline.alerts.map((a) => [a.event.id, a]));

    const first = await serveOnce('ids-a', 1, Object.values(BY_SOURCE).flat());
    const second = await serveOnce('ids-b', 3, [
      ...BY_SOURCE.salesforce,
      ...BY_SOURCE.malformed,
      ...BY_SOURCE.google_workspace,
      ...BY_SOURCE.github,
    ]);
    // the second run really reads another layout: more partitions hold data
    expect(second.partitionsUsed).toBeGreaterThan(first.partitionsUsed);
    for (const served of [first, second]) {
      expect(served.late).toBe(0);
      expect(served.forced).toBe(0);
      expect(ids(served.alerts)).toEqual(runIds);
      for (const a of served.alerts) {
        expect(a.event.ingested).toBeDefined();
        expect(comparable(a), a.event.id).toEqual(comparable(runById.get(a.event.id) as Alert));
      }
    }
  }, 900_000); // run, two replays and two serves over the samples: generous for a loaded 2-core machine
});
