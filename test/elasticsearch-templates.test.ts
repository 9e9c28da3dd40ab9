/**
 * Index templates against a real Elasticsearch: installing twice changes nothing, data streams
 * are created from our template with our mappings, `op_type: create` with a deterministic `_id`
 * deduplicates (409 = already there).
 */
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkOnce } from '../src/elasticsearch/bulk.js';
import {
  alertDataStream,
  identitiesIndex,
  TEMPLATE_NAMES,
  tokenInventoryIndex,
} from '../src/elasticsearch/names.js';
import { installTemplates } from '../src/elasticsearch/templates.js';
import { createEsClient } from './services.js';
import { isolatedConfig, quietLogger } from './support/serve-harness.js';

let es: Client;
beforeAll(() => {
  es = createEsClient();
});
afterAll(async () => {
  await es.close();
});

async function templates() {
  const res = await es.indices.getIndexTemplate({ name: 'tokenwatch-*' });
  return Object.fromEntries(res.index_templates.map((t) => [t.name, t.index_template]));
}

describe('installTemplates', () => {
  it('is idempotent: a second install rewrites nothing and changes no template or mapping', async () => {
    const config = isolatedConfig('tpl');
    const first = await installTemplates(es, config.elasticsearch, quietLogger());
    const before = await templates();
    const stream = alertDataStream(config.elasticsearch.namespace);
    const write = await bulkOnce(es, [
      {
        op: 'create',
        index: stream,
        id: 'x1',
        doc: { '@timestamp': '2025-06-01T00:00:00Z', source: { ip: '203.0.113.9' } },
      },
    ]);
    expect(write.written).toBe(1);
    const mappingBefore = await es.indices.getMapping({ index: stream });

    const second = await installTemplates(es, config.elasticsearch, quietLogger());
    expect(second.changed).toEqual([]);
    expect(second.unchanged.sort()).toEqual(Object.values(TEMPLATE_NAMES).sort());
    expect(second.constantType).toBe(first.constantType);
    expect(second.createdTokenIndex).toBe(false);
    expect(await templates()).toEqual(before);
    expect(await es.indices.getMapping({ index: stream })).toEqual(mappingBefore);
    expect(await es.indices.exists({ index: tokenInventoryIndex(config.elasticsearch.namespace) })).toBe(
      true,
    );
  });

  it("adds a changed template's new fields to the existing inventory index (scopes_used on an index from before)", async () => {
    const config = isolatedConfig('tpl-upgrade');
    const ns = config.elasticsearch.namespace;
    await installTemplates(es, config.elasticsearch, quietLogger());
    // the inventory template and index as an older tokenwatch left them: no used-scope fields
    const index = tokenInventoryIndex(ns);
    const current = (await templates())[TEMPLATE_NAMES.tokens] as {
      template: { mappings: { properties: Record<string, unknown> } };
    };
    const oldMappings = { dynamic: false, properties: { '@timestamp': { type: 'date' } } };
    await es.indices.putIndexTemplate({
      name: TEMPLATE_NAMES.tokens,
      index_patterns: ['tokenwatch-tokens-*'],
      priority: 500,
      template: { mappings: oldMappings as never },
      _meta: { managed_by: 'tokenwatch', tokenwatch_hash: 'older' },
    });
    await es.indices.delete({ index });
    await es.indices.create({ index });
    const before = await es.indices.getMapping({ index });
    expect(JSON.stringify(before)).not.toContain('scopes_used');

    const res = await installTemplates(es, config.elasticsearch, quietLogger());
    expect(res.changed).toEqual([TEMPLATE_NAMES.tokens]);
    const after = (await es.indices.getMapping({ index }))[index]!.mappings.properties!;
    const inv = (
      after['tokenwatch'] as { properties: Record<string, { properties: Record<string, unknown> }> }
    ).properties['inventory']!.properties;
    expect(inv['scopes_used']).toEqual({
      properties: { last_used: { type: 'date' }, scope: { type: 'keyword', ignore_above: 1024 } },
    });
    expect(inv['last_used']).toEqual({ type: 'date' });
    expect(current.template.mappings.properties).toHaveProperty('tokenwatch');
    expect(await es.indices.exists({ index: identitiesIndex(ns) })).toBe(true);
  });

  it('creates a data stream (not a plain index) with the explicit mappings and lifecycle retention', async () => {
    const config = isolatedConfig('tpl-ds');
    await installTemplates(es, config.elasticsearch, quietLogger());
    const stream = alertDataStream(config.elasticsearch.namespace);
    await bulkOnce(es, [
      { op: 'create', index: stream, id: 'a', doc: { '@timestamp': '2025-06-01T00:00:00Z' } },
    ]);
    const resolved = await es.indices.resolveIndex({ name: stream, expand_wildcards: 'all' });
    expect(resolved.data_streams.map((d) => d.name)).toEqual([stream]);
    const backing = resolved.data_streams[0]!.backing_indices[0]!;
    const mapping = await es.indices.getMapping({ index: backing });
    const props = mapping[backing]!.mappings.properties!;
    expect(props['@timestamp']).toMatchObject({ type: 'date' });
    expect((props['source'] as { properties: Record<string, unknown> }).properties['ip']).toEqual({
      type: 'ip',
    });
    const geo = (props['source'] as { properties: Record<string, { properties: Record<string, unknown> }> })
      .properties['geo']!;
    expect(geo.properties['location']).toEqual({ type: 'geo_point' });
    expect(['constant_keyword', 'keyword']).toContain(
      (props['data_stream'] as { properties: Record<string, { type: string }> }).properties['dataset']!.type,
    );
    const tpl = (await templates())[TEMPLATE_NAMES.alert] as {
      template: { lifecycle?: { data_retention?: string } };
    };
    expect(tpl.template.lifecycle?.data_retention).toBe('30d');
  });

  it('op_type create with a deterministic _id: a replay is a 409 duplicate, not a second document', async () => {
    const config = isolatedConfig('tpl-dedup');
    await installTemplates(es, config.elasticsearch, quietLogger());
    const stream = alertDataStream(config.elasticsearch.namespace);
    const doc = { '@timestamp': '2025-06-01T00:00:00Z', message: 'm' };
    const first = await bulkOnce(es, [{ op: 'create', index: stream, id: 'same', doc }]);
    const again = await bulkOnce(es, [
      { op: 'create', index: stream, id: 'same', doc },
      { op: 'create', index: stream, id: 'bad', doc: { '@timestamp': 'not a date' } },
    ]);
    expect(first.outcomes).toEqual(['written']);
    expect(again.outcomes).toEqual(['duplicate', 'rejected']);
    expect(again.rejected[0]!.status).toBe(400);
    await es.indices.refresh({ index: stream });
    expect((await es.count({ index: stream })).count).toBe(1);
  });
});
