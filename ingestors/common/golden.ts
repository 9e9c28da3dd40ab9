import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expect, it } from 'vitest';
import { tokenActivitySchema } from '../../schemas/token-activity.js';
import type { Ingestor } from '../types.js';
import { enrich } from './enrich.js';

/**
 * Golden-file test helper (test-only). For every fixture `<name>.ndjson|.json` in a directory it
 * frames, normalizes and enriches the input and compares the outcome list with
 * `<name>.expected.json` (activities without `event.ingested`, dead letters, skips). Set
 * `UPDATE_GOLDEN=1` to rewrite the expected files, then review the diff by eye.
 */

/** One framed-and-normalized outcome, as stored in golden files. */
export type GoldenEntry =
  | { kind: 'activity'; location: string; activity: unknown }
  | { kind: 'dead'; dead: unknown }
  | { kind: 'skipped'; skipped: unknown };

/** Runs an ingestor over one input text the way the pipeline does (frame, normalize, enrich). */
export function runIngestor(ingestor: Ingestor, text: string, location: string): GoldenEntry[] {
  const out: GoldenEntry[] = [];
  for (const item of ingestor.frame(text, location)) {
    if (item.kind === 'dead') {
      out.push({ kind: 'dead', dead: item.dead });
      continue;
    }
    const result = ingestor.normalize(item.record);
    if (result.kind === 'activity') {
      const activity = enrich(result.activity);
      delete activity.event.ingested;
      out.push({ kind: 'activity', location: item.record.location, activity });
    } else if (result.kind === 'dead') out.push({ kind: 'dead', dead: result.dead });
    else out.push({ kind: 'skipped', skipped: result.skipped });
  }
  return out;
}

/**
 * A golden value with JSON.parse's position suffix removed from every string: Node 24's V8 adds
 * ` (line 1 column 66)` to its messages where Node 22 ends at `position 65`, and both are supported.
 */
export function portable<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replace(/ \(line \d+ column \d+\)/g, '')) as T;
}

/** Registers one vitest case per fixture file in `dir`. */
export function goldenTests(ingestor: Ingestor, dir: string): void {
  const fixtures = readdirSync(dir)
    .filter((f) => /\.(ndjson|json)$/.test(f) && !f.endsWith('.expected.json'))
    .sort();
  it('has fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });
  for (const file of fixtures) {
    it(`golden: ${file}`, () => {
      const text = readFileSync(join(dir, file), 'utf8');
      const actual = runIngestor(ingestor, text, basename(file));
      for (const entry of actual) {
        if (entry.kind === 'activity') {
          const check = tokenActivitySchema.safeParse(entry.activity);
          expect(check.success, `${entry.location}: ${check.error?.message}`).toBe(true);
        }
      }
      const expectedPath = join(dir, file.replace(/\.(ndjson|json)$/, '.expected.json'));
      const rendered = `${JSON.stringify(portable(actual), null, 2)}\n`;
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(expectedPath, rendered);
      const expected = readFileSync(expectedPath, 'utf8');
      expect(JSON.parse(rendered)).toEqual(portable(JSON.parse(expected)));
    });
  }
}
