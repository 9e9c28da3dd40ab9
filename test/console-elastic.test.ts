/**
 * The console store over a real Elasticsearch (serve mode): inventory rows from the inventory
 * index with idle days recomputed at read time, alert pages with a cursor, triage decisions and
 * suppressions kept in their own indices across store instances, the API on top.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityFixture } from '../baselines/fixture.js';
import type { Alert } from '../schemas/alert.js';
import { ElasticStore } from '../src/api/elastic-store.js';
import { buildConsoleServer } from '../src/api/server.js';
import { alertAt, silentLogger } from '../src/api/testing.js';
import { inventoryDocs } from '../src/elasticsearch/inventory.js';
import { alertDataStream, tokenInventoryIndex } from '../src/elasticsearch/names.js';
import { installTemplates } from '../src/elasticsearch/templates.js';
import { AppsRegistry } from '../src/inventory/apps-registry.js';
import { createEsClient } from './services.js';
import { isolatedConfig, quietLogger } from './support/serve-harness.js';

const DAY = 86_400_000;
const T = Date.UTC(2025, 5, 2, 12, 0, 0);
const READ_AT = new Date(T + 200 * DAY);

let es: Client;
let ns: string;
let appsDir: string;
let alerts: Alert[];

beforeAll(async () => {
  es = createEsClient();
  const config = isolatedConfig('console');
  ns = config.elasticsearch.namespace;
  await installTemplates(es, config.elasticsearch, quietLogger());
  appsDir = mkdtempSync(join(tmpdir(), 'tw-console-es-'));
  const quiet = activityFixture({
    at: T,
    event: { id: 'e-q' },
    token: { id: 'github:hash:quiet', scopes: ['repo'] },
  });
  alerts = [0, 1, 2, 3, 4].map((i) => {
    const a = activityFixture({
      at: T + i * 60_000,
      event: { id: `e-${i}` },
      token: { id: 'github:hash:quiet' },
    });
    return {
      ...alertAt(a, T + i * 60_000, i),
      event: { ...alertAt(a, T + i * 60_000, i).event, ingested: new Date(T).toISOString() },
    };
  });
  // as serve writes them: inventory as of the last event (days_idle 0), alerts into the data stream
  const docs = inventoryDocs([quiet], alerts, () => undefined, new Date(T));
  for (const [id, doc] of docs) await es.index({ index: tokenInventoryIndex(ns), id, document: doc });
  for (const a of alerts) await es.create({ index: alertDataStream(ns), id: a.event.id, document: a });
  await es.indices.refresh({ index: [tokenInventoryIndex(ns), alertDataStream(ns)] });
});

afterAll(async () => {
  await es.close();
  rmSync(appsDir, { recursive: true, force: true });
});

const store = async (now = READ_AT) =>
  new ElasticStore({ client: es, namespace: ns, apps: await AppsRegistry.load(appsDir), now: () => now });

describe('ElasticStore', () => {
  it('recomputes idle days at read time: a token quiet for 200 days is flagged unused', async () => {
    const s = await store();
    const page = await s.tokens({}, { offset: 0, limit: 10 });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]?.idle_days).toBe(200);
    expect(page.items[0]?.flags).toContain('unused');
    expect(page.items[0]?.alert_count).toBe(5);
    const fresh = await (await store(new Date(T + DAY))).tokens({ flag: 'unused' }, { offset: 0, limit: 10 });
    expect(fresh.total).toBe(0);
    const detail = await s.token('github:hash:quiet');
    expect(detail?.alerts).toHaveLength(5);
    expect(await s.token('github:hash:none')).toBeUndefined();
  });

  it('pages alerts newest first with a cursor', async () => {
    const s = await store();
    const first = await s.alerts({ limit: 2 });
    const second = await s.alerts({ limit: 2, cursor: first.next_cursor as string });
    const third = await s.alerts({ limit: 2, cursor: second.next_cursor as string });
    const ids = [...first.items, ...second.items, ...third.items].map((a) => a.id);
    expect(ids).toEqual([...alerts].reverse().map((a) => a.event.id));
    expect(third.next_cursor).toBeUndefined();
  });

  it('keeps triage across store instances and filters by status; suppresses alerts recorded after a suppression', async () => {
    const target = (alerts[1] as Alert).event.id;
    const view = await (await store()).setAlertStatus(target, {
      status: 'closed_false_positive',
      note: 'CI runner',
      by: 'alice',
      at: READ_AT.toISOString(),
    });
    expect(view?.status).toBe('closed_false_positive');
    const again = await store();
    expect((await again.alert(target))?.view.triage?.note).toBe('CI runner');
    expect(
      (await again.alerts({ limit: 10, status: 'closed_false_positive' })).items.map((a) => a.id),
    ).toEqual([target]);
    expect((await again.alerts({ limit: 10, status: 'open' })).items).toHaveLength(4);

    const sup = await (await store(new Date(T + 1000))).addSuppression({
      reason: 'known',
      expires_at: new Date(T + 30 * DAY).toISOString(),
      created_by: 'alice',
      token: 'github:hash:quiet',
    });
    const later = activityFixture({
      at: T + DAY,
      event: { id: 'e-later' },
      token: { id: 'github:hash:quiet' },
    });
    const base = alertAt(later, T + DAY, 2);
    const fresh = { ...base, event: { ...base.event, ingested: new Date(T + 2000).toISOString() } };
    await es.create({ index: alertDataStream(ns), id: fresh.event.id, document: fresh, refresh: 'wait_for' });
    const s = await store();
    expect((await s.alert(fresh.event.id))?.view.status).toBe('suppressed');
    expect((await s.alert((alerts[0] as Alert).event.id))?.view.status).toBe('open');
    expect(await s.deleteSuppression(sup.id)).toBe(true);
    expect(await s.deleteSuppression(sup.id)).toBe(false);
  });

  it('serves the API over Elasticsearch', async () => {
    const app = await buildConsoleServer({
      store: await store(),
      logger: silentLogger,
      auth: { keys: ['soc:0123456789abcdef0123'], noAuth: false },
    });
    try {
      const res = await app.inject({
        url: '/api/v1/tokens?flag=unused',
        headers: { 'x-api-key': '0123456789abcdef0123' },
      });
      expect(res.statusCode).toBe(200);
      expect((res.json() as { total: number }).total).toBe(1);
      expect((await app.inject({ url: '/api/v1/tokens' })).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});
