import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectSource, ingestors } from '../../ingestors/index.js';
import { labelsFileSchema } from './labels.js';
import { dataFiles, readRaw } from './raw-reader.js';

const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');

/**
 * The committed samples run through the real ingestors: every record normalizes, and the
 * pipeline's event.id / token.id equal the ones the simulator computed for the labels.
 */
describe('committed samples vs the ingestors', () => {
  it('normalize with the same event and token ids as the labels use', () => {
    const mine = new Map(readRaw(SAMPLES).map((r) => [r.eventId, r.tokenId]));
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const f of dataFiles(SAMPLES)) {
      const text = readFileSync(f, 'utf8');
      const source = detectSource(text.slice(0, 65_536), f);
      if (!source) {
        problems.push(`undetected source: ${f}`);
        continue;
      }
      const ing = ingestors[source];
      for (const item of ing.frame(text, f)) {
        if (item.kind === 'dead') {
          problems.push(`dead: ${item.dead.reason}`);
          continue;
        }
        const res = ing.normalize(item.record);
        if (res.kind !== 'activity') {
          problems.push(`${res.kind}: ${res.kind === 'dead' ? res.dead.reason : res.skipped.reason}`);
          continue;
        }
        const a = res.activity;
        seen.add(a.event.id);
        const tok = mine.get(a.event.id);
        if (tok !== a.token.id) problems.push(`${a.event.id}: simulator ${tok} / ingestor ${a.token.id}`);
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
    const labels = labelsFileSchema.parse(JSON.parse(readFileSync(join(SAMPLES, 'labels.json'), 'utf8')));
    const unseen = labels.incidents.flatMap((i) => i.event_ids).filter((id) => !seen.has(id));
    expect(unseen).toEqual([]);
  }, 60_000);
});
