import { describe, expect, it } from 'vitest';
import { tokenActivitySchema } from '../../schemas/token-activity.js';
import { configSchema } from '../config.js';
import { activityMappings } from './mappings.js';
import { buildTemplates } from './templates.js';

const es = configSchema.parse({}).elasticsearch;

describe('buildTemplates', () => {
  it('builds data stream templates with lifecycle retention and explicit ECS mappings', () => {
    const [alert, activity, tokens] = buildTemplates({ ...es, retention: '30d' }, 'constant_keyword');
    expect(alert).toMatchObject({
      name: 'tokenwatch-alert',
      index_patterns: ['logs-tokenwatch.alert-*'],
      data_stream: {},
      template: { lifecycle: { data_retention: '30d' } },
    });
    const props = (
      alert!.template.mappings as { properties: Record<string, { properties?: Record<string, unknown> }> }
    ).properties;
    expect(props['source']!.properties!['ip']).toEqual({ type: 'ip' });
    expect(
      (props['source']!.properties!['geo'] as { properties: Record<string, unknown> }).properties['location'],
    ).toEqual({
      type: 'geo_point',
    });
    expect(props['data_stream']!.properties!['dataset']).toEqual({ type: 'constant_keyword' });
    expect(props['@timestamp']).toEqual({ type: 'date' });
    expect(activity!.index_patterns).toEqual(['logs-tokenwatch.activity-*']);
    expect(tokens!.data_stream).toBeUndefined();
    expect(tokens!.index_patterns).toEqual(['tokenwatch-tokens-*']);
  });

  it('hashes content: same config same hash; other retention or field type, other hash', () => {
    const a = buildTemplates(es, 'constant_keyword')[0]!;
    expect(buildTemplates(es, 'constant_keyword')[0]!._meta['tokenwatch_hash']).toBe(
      a._meta['tokenwatch_hash'],
    );
    expect(
      buildTemplates({ ...es, retention: '7d' }, 'constant_keyword')[0]!._meta['tokenwatch_hash'],
    ).not.toBe(a._meta['tokenwatch_hash']);
    expect(buildTemplates(es, 'keyword')[0]!._meta['tokenwatch_hash']).not.toBe(a._meta['tokenwatch_hash']);
  });
});

describe('activityMappings', () => {
  it('indexes every tokenwatch.network field the enrichment writes (schema contract), with its type', () => {
    const schemaNetwork = (
      tokenActivitySchema.shape.tokenwatch.shape.network.unwrap() as unknown as {
        shape: Record<string, unknown>;
      }
    ).shape;
    const mapped = (
      activityMappings('keyword') as {
        properties: {
          tokenwatch: { properties: { network: { properties: Record<string, { type: string }> } } };
        };
      }
    ).properties.tokenwatch.properties.network.properties;
    expect(Object.keys(mapped).sort()).toEqual(Object.keys(schemaNetwork).sort());
    expect(mapped['class']?.type).toBe('keyword');
    expect(mapped['vpn_kind']?.type).toBe('keyword');
    expect(mapped['geo_accuracy_km']?.type).toBe('double');
  });
});
