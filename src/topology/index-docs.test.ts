import { describe, expect, it } from 'vitest';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { configSchema } from '../config.js';
import type { TokenInventoryDoc } from '../elasticsearch/inventory.js';
import { activityDataStream, identitiesIndex, tokenInventoryIndex } from '../elasticsearch/names.js';
import { createLogger } from '../logger.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { openInput, resolveInputs } from '../run/inputs.js';
import { batchIndexDocs, decodeIndexMessage, indexMessage } from './index-docs.js';

const config = configSchema.parse({});
const logger = createLogger('silent');

async function northwindGithub(p: Pipeline): Promise<TokenActivity[]> {
  const { paths } = await resolveInputs(['samples/northwind/github']);
  const out: TokenActivity[] = [];
  for (const path of paths) {
    const f = openInput(path, 'github');
    for (const chunk of f.chunks())
      for (const n of p.normalize(chunk.text, { source: 'github', location: chunk.location }))
        if (n.kind === 'activity') out.push(p.detect(n.activity).activity);
  }
  return out;
}

describe('index documents of a topology batch', () => {
  it('holds one inventory update per token (facts of the pipeline), identities, and activities when configured', async () => {
    const p = new Pipeline({ config: config.pipeline, logger });
    const activities = await northwindGithub(p);
    expect(activities.length).toBeGreaterThan(100);
    const now = new Date('2026-01-01T00:00:00Z');
    const links = new Map<string, string>();
    const docs = batchIndexDocs(p, activities, [], { namespace: 'ns', indexActivity: true, links, now });
    const tokens = new Set(activities.map((a) => a.token.id));
    const inventory = docs.filter((d) => d.op === 'merge');
    expect(inventory.map((d) => d.id).sort()).toEqual([...tokens].sort());
    for (const d of inventory) {
      expect(d.index).toBe(tokenInventoryIndex('ns'));
      const doc = d.doc as unknown as TokenInventoryDoc;
      expect(doc.tokenwatch.inventory.event_count, d.id).toBe(
        activities.filter((a) => a.token.id === d.id).length,
      );
    }
    expect(docs.filter((d) => d.op === 'create').map((d) => [d.index, d.id])).toEqual(
      activities.map((a) => [activityDataStream('ns'), a.event.id]),
    );
    const identities = docs.filter((d) => d.index === identitiesIndex('ns'));
    // links written once per task: a second batch with the same activities repeats none of them
    const again = batchIndexDocs(p, activities, [], { namespace: 'ns', indexActivity: false, links, now });
    const linkDocs = (list: typeof docs) =>
      list.filter((d) => (d.doc as { identity?: { kind?: string } }).identity?.kind === 'email_link');
    expect(linkDocs(again)).toHaveLength(0);
    expect(again.filter((d) => d.op === 'create')).toHaveLength(0);
    expect(identities.length).toBeGreaterThanOrEqual(linkDocs(docs).length);
  });

  it('round-trips a document through its index-topic message', () => {
    const d = { op: 'merge' as const, index: 'tokenwatch-tokens-ns', id: 'github:pat:1', doc: { a: 1 } };
    const m = indexMessage(d);
    expect(m.key).toBe('tokenwatch-tokens-ns/github:pat:1');
    const back = decodeIndexMessage({
      key: Buffer.from(String(m.key)),
      value: Buffer.from(String(m.value)),
      headers: m.headers,
      offset: '0',
      timestamp: '0',
      attributes: 0,
    } as Parameters<typeof decodeIndexMessage>[0]);
    expect(back).toEqual(d);
    expect(
      decodeIndexMessage({
        key: null,
        value: Buffer.from('{}'),
        headers: {},
        offset: '1',
      } as unknown as Parameters<typeof decodeIndexMessage>[0]),
    ).toBeUndefined();
  });
});
