/**
 * End to end against the real broker and Elasticsearch: raw GitHub audit events replayed into the
 * raw topic (replayFiles), `serve` running until caught up, then alerts searched in Elasticsearch,
 * activity read back from the activity topic and the activity data stream, the token inventory,
 * HTTP readiness/metrics, and the checkpoint written at shutdown.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../schemas/alert.js';
import type { TokenActivity } from '../schemas/token-activity.js';
import type { TokenInventoryDoc } from '../src/elasticsearch/inventory.js';
import { activityDataStream, alertDataStream, tokenInventoryIndex } from '../src/elasticsearch/names.js';
import { replayFiles } from '../src/kafka/replay.js';
import { stateSetDir } from '../src/pipeline/state.js';
import { createEsClient, createKafka } from './services.js';
import { githubTokenId, revokedTokenSequence, watermarkEvent } from './support/github-events.js';
import {
  allDocs,
  isolatedConfig,
  quietLogger,
  readTopic,
  scratchDir,
  startServe,
  waitFor,
} from './support/serve-harness.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 5, 2, 9);

let es: Client;
let kafka: Kafka;
beforeAll(() => {
  es = createEsClient();
  kafka = createKafka();
});
afterAll(async () => {
  await es.close();
});

describe('serve end to end', () => {
  it('turns raw GitHub events on the raw topic into alerts searchable in Elasticsearch', async () => {
    const config = isolatedConfig('e2e', { indexActivity: true });
    const ns = config.elasticsearch.namespace;
    const dir = scratchDir('e2e-input');
    const lines = [
      ...revokedTokenSequence('e2e-stolen', T0),
      ...revokedTokenSequence('e2e-other', T0 + 30 * 60_000, 2),
      watermarkEvent(T0 + 12 * HOUR),
    ];
    writeFileSync(join(dir, 'github-audit.ndjson'), `${lines.join('\n')}\n`);
    const replayed = await replayFiles(dir, config, { logger: quietLogger(), kafka });
    expect(replayed.messages).toBe(lines.length);
    expect(replayed.files[0]).toMatchObject({ source: 'github', topic: config.kafka.topics.github });

    const run = startServe(config);
    const info = await run.started;
    await waitFor(
      'raw topic consumed',
      () => run.lastOffset(config.kafka.topics.github) === lines.length - 1,
    );

    // Alerts are searchable while serve runs (the watermark event closed their groups).
    const alerts = await waitFor('two alerts', async () => {
      const docs = await allDocs<Alert>(es, alertDataStream(ns), {
        term: { 'event.action': 'token.lifecycle.used_after_revocation' },
      });
      return docs.length >= 2 ? docs : undefined;
    });
    expect(alerts.map((a) => a.tokenwatch.token.id).sort()).toEqual(
      [githubTokenId('e2e-other'), githubTokenId('e2e-stolen')].sort(),
    );
    for (const a of alerts) {
      expect(a.event).toMatchObject({ kind: 'alert', module: 'tokenwatch', severity: 73 });
      expect(Date.parse(a.event.ingested as string)).toBeGreaterThan(Date.now() - 10 * 60_000);
      expect((a as unknown as { data_stream: unknown }).data_stream).toEqual({
        type: 'logs',
        dataset: 'tokenwatch.alert',
        namespace: ns,
      });
    }
    const byQuery = await es.search({
      index: alertDataStream(ns),
      query: {
        query_string: { query: 'event.kind:alert AND event.module:tokenwatch AND event.severity:73' },
      },
    });
    expect((byQuery.hits.total as { value: number }).value).toBe(2);

    // HTTP: ready, metrics counted every record.
    const ready = await fetch(`${info.httpUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    const metrics = await (await fetch(`${info.httpUrl}/metrics`)).text();
    expect(metrics).toContain(
      `tokenwatch_records_total{source="github",outcome="normalized"} ${lines.length}`,
    );
    expect(metrics).toMatch(/tokenwatch_alerts_total\{severity="73"\} 2/);

    await run.stop();

    // Activity: on the activity topic keyed by token.id, and in the activity data stream.
    const activity = await readTopic(kafka, config.kafka.topics.activity, lines.length);
    expect(activity).toHaveLength(lines.length);
    for (const m of activity) expect(m.key).toBe((JSON.parse(m.value as string) as TokenActivity).token.id);
    const indexed = await allDocs<TokenActivity>(es, activityDataStream(ns));
    expect(new Set(indexed.map((a) => a.event.id)).size).toBe(lines.length);

    // Inventory: one document per token, baseline facts and the alert.
    const inventory = await allDocs<TokenInventoryDoc>(es, tokenInventoryIndex(ns), {
      term: { 'token.id': githubTokenId('e2e-stolen') },
    });
    expect(inventory).toHaveLength(1);
    expect(inventory[0]!.tokenwatch.inventory).toMatchObject({
      event_count: 6,
      open_alert_count: 1,
      first_seen: new Date(T0).toISOString(),
      max_severity: 73,
    });
    expect(inventory[0]!.tokenwatch.inventory.revoked_at).toBeDefined();

    // Checkpoint: the state directory names a checkpoint that covers every consumed offset.
    const current = readFileSync(join(config.stateDir!, 'CURRENT'), 'utf8').trim();
    const set = await stateSetDir(join(config.stateDir!, current));
    const saved = JSON.parse(readFileSync(join(set, 'pipeline.json'), 'utf8')) as {
      extra: { positions: Record<string, Record<string, string>> };
    };
    expect(saved.extra.positions[config.kafka.topics.github]).toEqual({ '0': String(lines.length) });
    expect(existsSync(join(set, 'baselines'))).toBe(true);
    expect(existsSync(join(config.stateDir!, current, 'manifest.json'))).toBe(true);
  });
});
