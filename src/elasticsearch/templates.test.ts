import { describe, expect, it } from 'vitest';
import { configSchema } from '../config.js';
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
