/**
 * scripts/setup-elastic.ts (the compose `setup` service) against the real Elasticsearch of the
 * tests: it installs the templates and the token inventory index, and afterwards every field the
 * Kibana objects in kibana/ aggregate on is, in Elasticsearch's own field capabilities (what a
 * Kibana data view reads), of an aggregatable type.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bulkOnce } from '../src/elasticsearch/bulk.js';
import { alertDataStream, TEMPLATE_NAMES, tokenInventoryIndex } from '../src/elasticsearch/names.js';
import { createEsClient, uniqueName } from './services.js';

const root = join(import.meta.dirname, '..');
let es: Client;
beforeAll(() => {
  es = createEsClient();
});
afterAll(async () => {
  await es.close();
});

interface SavedObjectLine {
  type: string;
  id: string;
  attributes: { title: string; visState?: string };
  references: { id: string }[];
}

/** Per data view title: the fields its visualizations aggregate on (params.field and KQL filters). */
function kibanaAggFields(): Map<string, Set<string>> {
  const lines = readFileSync(join(root, 'kibana/tokenwatch-saved-objects.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SavedObjectLine);
  const views = new Map(
    lines.filter((l) => l.type === 'index-pattern').map((l) => [l.id, l.attributes.title]),
  );
  const out = new Map<string, Set<string>>();
  for (const vis of lines.filter((l) => l.type === 'visualization')) {
    const title = views.get(vis.references[0]?.id ?? '') as string;
    const set = out.get(title) ?? new Set<string>();
    out.set(title, set);
    const state = JSON.parse(vis.attributes.visState as string) as {
      aggs: { params: { field?: string; filters?: { input: { query: string } }[] } }[];
    };
    for (const a of state.aggs) {
      if (a.params.field) set.add(a.params.field);
      for (const f of a.params.filters ?? [])
        for (const m of f.input.query.matchAll(/([a-z_@][\w.]*)\s*(?::|>=|<=|>|<)/g)) set.add(m[1] as string);
    }
  }
  return out;
}

describe('scripts/setup-elastic.ts', () => {
  it('installs the templates and index; every field the Kibana objects aggregate on is aggregatable', async () => {
    const ns = uniqueName('setup').replace(/[^a-z0-9]/g, '');
    const auth = inject('esAuth');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/setup-elastic.ts', 'elasticsearch'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 300_000,
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: process.env['HOME'] ?? '/tmp',
        ELASTICSEARCH_URL: inject('esUrl'),
        ...(auth ? { ELASTICSEARCH_USERNAME: auth.username, ELASTICSEARCH_PASSWORD: auth.password } : {}),
        ELASTICSEARCH_NAMESPACE: ns,
        TOKENWATCH_ES_PASSWORD: 'not-used-when-security-is-off',
        TOKENWATCH_LOG_LEVEL: 'error',
        SETUP_TIMEOUT_S: '120',
      },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^elasticsearch: security (on|off); users set: .*; templates changed: \d+, unchanged: \d+$/m,
    );
    const templates = await es.indices.getIndexTemplate({ name: 'tokenwatch-*' });
    // (other tests may add templates of their own under tokenwatch-*)
    expect(templates.index_templates.map((t) => t.name)).toEqual(
      expect.arrayContaining(Object.values(TEMPLATE_NAMES)),
    );
    expect(await es.indices.exists({ index: tokenInventoryIndex(ns) })).toBe(true);

    // One alert as serve writes it (the data stream is created on the first write).
    const alert = JSON.parse(
      readFileSync(join(root, 'src/cli/fixtures/alert-salesforce-data-spike.json'), 'utf8'),
    );
    const doc = {
      ...alert,
      event: { ...alert.event, ingested: new Date().toISOString() },
      source: { ip: '203.0.113.7', as: { number: 64500, organization: { name: 'Example Net' } } },
      data_stream: { type: 'logs', dataset: 'tokenwatch.alert', namespace: ns },
    };
    const written = await bulkOnce(es, [{ op: 'create', index: alertDataStream(ns), id: doc.event.id, doc }]);
    expect(written.written).toBe(1);

    const wanted = kibanaAggFields();
    const indexOf = new Map([
      [alertDataStream('*'), alertDataStream(ns)],
      [tokenInventoryIndex('*'), tokenInventoryIndex(ns)],
    ]);
    expect([...wanted.keys()].sort()).toEqual([...indexOf.keys()].sort());
    for (const [view, fields] of wanted) {
      const caps = await es.fieldCaps({ index: indexOf.get(view) as string, fields: [...fields] });
      for (const field of fields) {
        const byType = caps.fields[field] ?? {};
        const types = Object.keys(byType);
        expect(types, `${view}: ${field}`).toHaveLength(1);
        expect(byType[types[0] as string]?.aggregatable, `${view}: ${field}`).toBe(true);
      }
    }
  }, 600_000); // a CLI start and template installs: generous for a loaded 2-core machine
});
