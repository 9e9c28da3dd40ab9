/**
 * `tokenwatch run` and `tokenwatch serve` over the same input give the same alerts: the same ids and
 * the same documents (serve adds only `event.ingested`, `data_stream.*` and `ecs.version` when it
 * writes). Input: the bundled GitHub samples of one organization (one source, so one raw topic),
 * replayed with `replay` and consumed by serve with its default lateness and batch size.
 *
 * Known limit (issue 13, item 6): over several sources at once the two differ at the margin:
 * serve sorts each batch by event time while `run` keeps each file's own order (a late-delivered
 * record stays late), and serve sees the three raw topics' batches in the order Kafka delivers
 * them; measured on all of samples/ with serve's batching emulated in-process: 95 of 100 alert ids
 * equal, 86 documents identical.
 */
import type { Client } from '@elastic/elasticsearch';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../schemas/alert.js';
import { alertDataStream } from '../src/elasticsearch/names.js';
import { replayFiles } from '../src/kafka/replay.js';
import { runFiles } from '../src/run/run-files.js';
import { createEsClient, createKafka } from './services.js';
import { allDocs, isolatedConfig, quietLogger, startServe, waitFor } from './support/serve-harness.js';

const INPUT = 'samples/northwind/github';

let es: Client;
let kafka: Kafka;
beforeAll(() => {
  es = createEsClient();
  kafka = createKafka();
});
afterAll(async () => {
  await es.close();
});

/** An alert without the fields serve stamps on write. */
function comparable(a: Alert & { data_stream?: unknown; ecs?: unknown }): unknown {
  const { data_stream: _ds, ecs: _ecs, ...rest } = a;
  const { ingested: _ingested, ...event } = rest.event;
  return { ...rest, event };
}

describe('run and serve on the same input', () => {
  it('give identical alert ids and documents', async () => {
    const config = isolatedConfig('ids');
    const offline = await runFiles({
      inputs: [INPUT],
      config: { ...config, stateDir: undefined },
      logger: quietLogger(),
    });
    expect(offline.alerts.length).toBeGreaterThan(5);

    const replayed = await replayFiles(INPUT, config, { logger: quietLogger(), kafka });
    const topic = config.kafka.topics.github;
    const run = startServe(config, { latenessMs: config.serve.latenessMs });
    await waitFor(
      'the raw topic consumed',
      () => run.lastOffset(topic) === replayed.messages - 1,
      180_000,
      250,
    );
    await run.stop();

    const served = await allDocs<Alert>(es, alertDataStream(config.elasticsearch.namespace));
    const byId = (alerts: Alert[]) => new Map(alerts.map((a) => [a.event.id, a]));
    const runIds = byId(offline.alerts);
    const serveIds = byId(served);
    expect([...serveIds.keys()].sort()).toEqual([...runIds.keys()].sort());
    for (const [id, a] of runIds) expect(comparable(serveIds.get(id) as Alert), id).toEqual(comparable(a));
    for (const a of served) expect(a.event.ingested).toBeDefined();
  }, 600_000); // run, replay and serve over the samples: generous for a loaded 2-core machine
});
