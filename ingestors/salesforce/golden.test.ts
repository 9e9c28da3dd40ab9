import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tokenActivitySchema } from '../../schemas/token-activity.js';
import { portable } from '../common/golden.js';
import { salesforceIngestor } from './index.js';

/**
 * Golden-file tests: every input in fixtures/ is framed and normalized, and the full result list
 * (activities, dead letters, skips, in input order) must equal `<input>.expected.json`.
 * `UPDATE_GOLDEN=1 npx vitest run --project unit ingestors/salesforce` rewrites the expected files;
 * read the diff before committing: the goldens are the specification.
 */

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const INPUTS = readdirSync(FIXTURES)
  .filter((f) => /\.(csv|json|ndjson)$/.test(f) && !f.endsWith('.expected.json'))
  .sort();

type Outcome =
  | { stage: 'frame'; kind: 'dead'; location: string; dead: unknown }
  | { stage: 'normalize'; kind: 'activity'; location: string; activity: unknown }
  | { stage: 'normalize'; kind: 'dead'; location: string; dead: unknown }
  | { stage: 'normalize'; kind: 'skipped'; location: string; skipped: unknown };

/** Frames and normalizes one fixture file. */
function run(file: string): Outcome[] {
  const text = readFileSync(join(FIXTURES, file), 'utf8');
  const out: Outcome[] = [];
  for (const item of salesforceIngestor.frame(text, file)) {
    if (item.kind === 'dead') {
      out.push({ stage: 'frame', kind: 'dead', location: item.dead.location, dead: item.dead });
      continue;
    }
    const r = salesforceIngestor.normalize(item.record);
    const location = item.record.location;
    if (r.kind === 'activity')
      out.push({ stage: 'normalize', kind: 'activity', location, activity: r.activity });
    else if (r.kind === 'dead') out.push({ stage: 'normalize', kind: 'dead', location, dead: r.dead });
    else out.push({ stage: 'normalize', kind: 'skipped', location, skipped: r.skipped });
  }
  return out;
}

/**
 * Rows per fixture and how each must end. Counted by hand from the fixture files (one entry per
 * CSV row / JSON event, malformed ones included), independently of the goldens.
 */
const EXPECTED_COUNTS: Record<string, { activity: number; dead: number; skipped: number }> = {
  'elf-RestApi-no-event-type-column.synthetic.csv': { activity: 1, dead: 0, skipped: 0 },
  'elf-api.synthetic.csv': { activity: 3, dead: 0, skipped: 0 },
  'elf-bulkapi.synthetic.csv': { activity: 2, dead: 0, skipped: 0 },
  'elf-bulkapi2.synthetic.csv': { activity: 2, dead: 0, skipped: 0 },
  'elf-hostnameredirects.synthetic.csv': { activity: 0, dead: 0, skipped: 1 },
  'elf-login.csv': { activity: 4, dead: 0, skipped: 0 },
  'elf-loginas.synthetic.csv': { activity: 1, dead: 0, skipped: 0 },
  'elf-logout.csv': { activity: 2, dead: 0, skipped: 0 },
  // rows on lines 2,5,8,11 parse; 3 (columns), 4 (stray quote), 6 and 7 (broken multi-line), 9 (timestamps), 10 (no type), 13 (truncated) do not
  'elf-malformed.synthetic.csv': { activity: 4, dead: 7, skipped: 0 },
  'elf-reportexport.synthetic.csv': { activity: 1, dead: 0, skipped: 0 },
  'elf-restapi.synthetic.csv': { activity: 4, dead: 0, skipped: 0 },
  // normal, guest (skipped), no user (dead), authorization error
  'elf-uri.synthetic.csv': { activity: 2, dead: 1, skipped: 1 },
  'rtem-loginevent-soql.json': { activity: 3, dead: 0, skipped: 0 },
  // 11 non-empty lines: 2 events, broken JSON, 42, ApiAnomalyEventStore, unknown type, bad date, no EventIdentifier, LogoutEvent, ReportEvent, LoginAsEvent
  'rtem-mixed.synthetic.ndjson': { activity: 5, dead: 5, skipped: 1 },
  // handshake (skipped), ApiEvent, BulkApiResultEvent, LoginEvent, message without payload (dead)
  'rtem-streaming.synthetic.json': { activity: 3, dead: 1, skipped: 1 },
};

/** Every session key value in the fixtures: none may appear in any output. */
function sessionKeysIn(text: string): string[] {
  const keys = new Set<string>();
  for (const m of text.matchAll(/"SessionKey"\s*:\s*"([^"]+)"/g)) if (m[1] !== undefined) keys.add(m[1]);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.replace(/"/g, ''));
  const idx = header.indexOf('SESSION_KEY');
  if (idx >= 0) {
    for (const line of lines.slice(1)) {
      const v = line.split('","')[idx]?.replace(/^"/, '');
      if (v !== undefined && /^[A-Za-z0-9+/]{16}$/.test(v)) keys.add(v);
    }
  }
  return [...keys];
}

describe('golden files', () => {
  it('has an expected-count entry for every fixture', () => {
    expect(Object.keys(EXPECTED_COUNTS).sort()).toEqual(INPUTS);
  });

  for (const file of INPUTS) {
    it(file, () => {
      const results = portable(run(file));
      const goldenPath = join(FIXTURES, `${file}.expected.json`);
      if (process.env.UPDATE_GOLDEN === '1')
        writeFileSync(goldenPath, `${JSON.stringify(results, null, 2)}\n`);
      expect(results).toEqual(JSON.parse(readFileSync(goldenPath, 'utf8')));
    });
  }
});

describe('every input row ends as exactly one of activity / dead letter / skipped', () => {
  for (const file of INPUTS) {
    it(file, () => {
      const results = portable(run(file));
      const counts = { activity: 0, dead: 0, skipped: 0 };
      for (const r of results) counts[r.kind]++;
      expect(counts).toEqual(EXPECTED_COUNTS[file]);
      // One result per location: no row produced two outcomes.
      const locations = results.map((r) => r.location);
      expect(new Set(locations).size).toBe(locations.length);
    });
  }
});

describe('output contract', () => {
  it('every activity satisfies the token-activity schema and has no ingestion time', () => {
    for (const file of INPUTS) {
      for (const r of run(file)) {
        if (r.kind !== 'activity') continue;
        const parsed = tokenActivitySchema.safeParse(r.activity);
        expect(parsed.success, `${r.location}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
        expect((r.activity as { event: { ingested?: string } }).event.ingested).toBeUndefined();
      }
    }
  });

  it('no session key from any fixture appears in any output', () => {
    let checked = 0;
    for (const file of INPUTS) {
      const text = readFileSync(join(FIXTURES, file), 'utf8');
      const output = JSON.stringify(run(file));
      for (const key of sessionKeysIn(text)) {
        checked++;
        expect(output, `${file} leaks ${key}`).not.toContain(key);
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});
