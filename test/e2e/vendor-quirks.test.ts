import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SOURCES, type Source, type TokenActivity } from '../../schemas/token-activity.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type Normalized, Pipeline } from '../../src/pipeline/pipeline.js';
import { openInput } from '../../src/run/inputs.js';

/**
 * The public-quirks regression suite (issue 7 item 7): every input under
 * `test/fixtures/vendor-quirks/<folder>/` (`github`, `google_workspace`, `salesforce`, `identity`,
 * ...) is one documented vendor quirk, with a sibling `<quirk>.md` citing where it is documented
 * and `<quirk>.expected.json` (format in `test/fixtures/vendor-quirks/README.md`). Each input goes
 * through the real input reader (gzip included), ingestors and pipeline stage 1 (frame, redact,
 * validate, normalize, dedup, enrich); the test asserts the accounting (records = normalized +
 * dead-lettered + skipped, every skip and dead letter explained by the expectation) and the
 * fields that matter for each activity.
 */
const ROOT = join(import.meta.dirname, '..', 'fixtures', 'vendor-quirks');
const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
const logger = createLogger('silent');

/** `<quirk>.expected.json`. */
interface Expected {
  /** Force the source (default: detected from the input, as `tokenwatch run` does). */
  source?: Source;
  accounting: { records: number; normalized: number; deadLettered: number; skipped: number };
  /** Each dead letter, in order: its code and a text its reason contains. */
  dead?: { code: string; reasonIncludes?: string }[];
  /**
   * Each skip, in order: its exact reason (no unexplained skip); `{input}` stands for the input's
   * path as read (a duplicate's reason names where the original was read).
   */
  skipped?: string[];
  /** Every activity's `event.id` differs from every other's (event-identity quirks). */
  distinctEventIds?: boolean;
  /**
   * Per activity, in output order: dotted ECS paths and their expected values; `"$absent"` asserts
   * that the field is not set. Only the listed fields are compared.
   */
  activities?: Record<string, unknown>[];
}

interface Quirk {
  folder: string;
  name: string;
  input: string;
  expected: Expected;
}

const INPUT = /^(?!.*\.expected\.json$)(?!.*\.md$)(?!README)/;

function quirks(): Quirk[] {
  const out: Quirk[] = [];
  for (const folder of readdirSync(ROOT, { withFileTypes: true })) {
    if (!folder.isDirectory()) continue;
    const dir = join(ROOT, folder.name);
    for (const file of readdirSync(dir).sort()) {
      if (!INPUT.test(file)) continue;
      const expectedPath = join(dir, `${file.replace(/\.[^.]+(\.gz)?$/, '')}.expected.json`);
      const notePath = join(dir, `${file.replace(/\.[^.]+(\.gz)?$/, '')}.md`);
      if (!existsSync(expectedPath)) throw new Error(`${folder.name}/${file} has no ${expectedPath}`);
      if (!existsSync(notePath)) throw new Error(`${folder.name}/${file} has no note ${notePath}`);
      out.push({
        folder: folder.name,
        name: file,
        input: join(dir, file),
        expected: JSON.parse(readFileSync(expectedPath, 'utf8')) as Expected,
      });
    }
  }
  return out;
}

function get(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Stage 1 over one input file through the real reader and pipeline. */
function runQuirk(input: string, source: Source | undefined): Normalized[] {
  const pipeline = new Pipeline({ config: config.pipeline, logger });
  const file = openInput(input, source);
  const out: Normalized[] = [];
  for (const chunk of file.chunks()) {
    if (file.source === undefined) {
      out.push(pipeline.unrecognizedInput(file.name, [chunk]));
      break;
    }
    if (chunk.text !== '')
      out.push(...pipeline.normalize(chunk.text, { source: file.source, location: chunk.location }));
    if (chunk.error)
      out.push(pipeline.inputError(file.source, chunk.location, chunk.error.reason, chunk.error.partial));
  }
  const c = pipeline.counts;
  // the pipeline's own invariant, checked on its counters too
  expect(c.records).toBe(c.normalized + c.deadLettered + c.skipped);
  return out;
}

const all = quirks();

describe('vendor quirks: every documented shape ends accounted for, with the fields that matter', () => {
  it('has quirks for every source', () => {
    const folders = new Set(all.map((q) => q.folder));
    for (const s of SOURCES) expect(folders.has(s)).toBe(true);
  });

  for (const q of all) {
    it(`${q.folder}/${q.name}`, () => {
      const items = runQuirk(q.input, q.expected.source);
      const activities = items.filter(
        (i): i is { kind: 'activity'; activity: TokenActivity } => i.kind === 'activity',
      );
      const dead = items.flatMap((i) => (i.kind === 'dead' ? [i.dead] : []));
      const skipped = items.flatMap((i) => (i.kind === 'skipped' ? [i.reason] : []));
      expect({
        records: items.length,
        normalized: activities.length,
        deadLettered: dead.length,
        skipped: skipped.length,
      }).toEqual(q.expected.accounting);
      expect(skipped).toEqual((q.expected.skipped ?? []).map((r) => r.replaceAll('{input}', q.input)));
      if (q.expected.distinctEventIds) {
        const ids = activities.map((a) => a.activity.event.id);
        expect(new Set(ids).size, `event.ids: ${ids.join(', ')}`).toBe(ids.length);
      }
      expect(dead.map((d) => d.code)).toEqual((q.expected.dead ?? []).map((d) => d.code));
      (q.expected.dead ?? []).forEach((d, i) => {
        if (d.reasonIncludes) expect(dead[i]?.reason).toContain(d.reasonIncludes);
      });
      (q.expected.activities ?? []).forEach((fields, i) => {
        const activity = activities[i]?.activity;
        for (const [path, want] of Object.entries(fields)) {
          const got = get(activity, path);
          if (want === '$absent') expect(got, `activity ${i} ${path}`).toBeUndefined();
          else expect(got, `activity ${i} ${path}`).toEqual(want);
        }
      });
    });
  }
});
