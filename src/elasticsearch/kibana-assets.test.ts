import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SEVERITY_SCORE } from '../../schemas/alert.js';
import { activityDataStream, alertDataStream, identitiesIndex, tokenInventoryIndex } from './names.js';

const ndjson = (file: string) =>
  readFileSync(new URL(`../../kibana/${file}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('kibana assets', () => {
  it('data views cover the alert and activity data streams, the token inventory and the identities index', () => {
    const objects = ndjson('tokenwatch-saved-objects.ndjson');
    const titles = objects
      .filter((o) => o['type'] === 'index-pattern')
      .map((o) => (o['attributes'] as { title: string }).title);
    expect([...new Set(titles)].sort()).toEqual(
      [activityDataStream('*'), alertDataStream('*'), tokenInventoryIndex('*'), identitiesIndex('*')].sort(),
    );
    for (const o of objects.filter((x) => x['type'] === 'search')) {
      const refs = o['references'] as { id: string }[];
      expect(objects.map((x) => x['id'])).toContain(refs[0]?.id);
    }
  });

  it('the promotion rule reads tokenwatch alerts and maps severity 21/47/73/99 and the risk score', () => {
    const [rule] = ndjson('tokenwatch-detection-rules.ndjson');
    expect(rule).toMatchObject({
      type: 'query',
      language: 'kuery',
      query: 'event.kind:alert and event.module:tokenwatch',
      index: [alertDataStream('*')],
      rule_name_override: 'message',
      timestamp_override: 'event.ingested',
      risk_score_mapping: [{ field: 'event.risk_score', operator: 'equals', value: '' }],
    });
    const mapping = (rule!['severity_mapping'] as { field: string; value: string; severity: string }[]).map(
      (m) => [m.severity, Number(m.value)],
    );
    expect(Object.fromEntries(mapping)).toEqual(SEVERITY_SCORE);
    const toml = readFileSync(
      new URL('../../kibana/promotion_tokenwatch_alerts.toml', import.meta.url),
      'utf8',
    );
    expect(toml).toContain(`rule_id = "${rule!['rule_id']}"`);
    expect(toml).toContain('event.kind:alert and event.module:tokenwatch');
    for (const [severity, score] of Object.entries(SEVERITY_SCORE)) {
      expect(toml).toMatch(new RegExp(`severity = "${severity}"\\nvalue = "${score}"`));
    }
  });
});
