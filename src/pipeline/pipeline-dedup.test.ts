import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { Pipeline } from './pipeline.js';

const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
const ev = (over: Record<string, unknown>) =>
  JSON.stringify({
    '@timestamp': 1748851200123,
    _document_id: 'doc-1',
    action: 'git.clone',
    actor: 'alice',
    hashed_token: '7/d7Z/ZRQ1h/xFqd3dbNE87qfBxnCSY1NkbZHDFZmmY=',
    repo: 'acme/api',
    ...over,
  });

describe('Pipeline dedup (same id and content)', () => {
  it('skips a re-delivery, keeps a same-id record with other content under a suffixed id', () => {
    const p = new Pipeline({ config: config.pipeline, logger: createLogger('silent') });
    const text = [ev({}), ev({}), ev({ repo: 'acme/other' })].join('\n');
    const out = [...p.normalize(text, { source: 'github', location: 'a.ndjson' })];
    expect(out.map((o) => o.kind)).toEqual(['activity', 'skipped', 'activity']);
    const [first, dup, other] = out;
    if (first?.kind !== 'activity' || dup?.kind !== 'skipped' || other?.kind !== 'activity')
      throw new Error();
    expect(first.activity.event.id).toBe('github:doc-1');
    expect(dup.duplicateOf).toEqual({ id: 'github:doc-1', location: 'a.ndjson:1' });
    expect(dup.reason).toContain('a.ndjson:1');
    expect(other.activity.event.id).toMatch(/^github:doc-1~[0-9a-f]{16}$/);
    expect(p.counts).toMatchObject({ records: 3, normalized: 2, skipped: 1, duplicates: 1, idCollisions: 1 });
    expect(p.counts.accounting.github).toEqual({ records: 3, normalized: 2, deadLettered: 0, skipped: 1 });
  });
});
