import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type RunResult, runFiles } from '../../src/run/run-files.js';

/**
 * Issue 7 item 4: each input is put in event-time order before stage 2, so a newest-first export
 * (GitHub's audit-log export and REST API pages are newest-first, as are Reports API pages) gives
 * the same alerts as the same events oldest-first. Every log file of `samples/` is copied with its
 * records reversed (NDJSON lines, and the `items` of each Reports page; CSV data rows under the
 * same header); `samples/bad/` (malformed on purpose) and non-log files are copied unchanged.
 */
const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
const logger = createLogger('silent');
const SAMPLES = 'samples';

/** A Reports API page or activity with its `items` reversed, else the record unchanged. */
function reversedJson(line: string): string {
  // A number-form int64 (uniqueQualifier) would be rounded by JSON.parse: refuse, do not corrupt.
  if (/"uniqueQualifier"\s*:\s*-?\d/.test(line)) throw new Error('number-form uniqueQualifier in sample');
  const doc = JSON.parse(line) as Record<string, unknown>;
  if (Array.isArray(doc.items)) return JSON.stringify({ ...doc, items: [...doc.items].reverse() });
  return line;
}

/** The file's records newest-first (the samples are written oldest-first). */
function reversedFile(path: string): string {
  const text = readFileSync(path, 'utf8');
  if (path.endsWith('.csv')) {
    const rows = parse(text, { relax_column_count: false }) as string[][];
    const [header, ...data] = rows;
    return stringify([header as string[], ...data.reverse()], { quoted: true, record_delimiter: '\n' });
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return `${lines.reverse().map(reversedJson).join('\n')}\n`;
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('newest-first input (every sample file reversed)', () => {
  let dir: string;
  let oldestFirst: RunResult;
  let newestFirst: RunResult;
  let reversedFiles = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokenwatch-newest-first-'));
    const copy = join(dir, 'samples');
    for (const path of files(SAMPLES)) {
      const to = join(copy, relative(SAMPLES, path));
      mkdirSync(dirname(to), { recursive: true });
      const log = /\.(ndjson|csv)$/.test(path) && !relative(SAMPLES, path).startsWith('bad');
      if (!log) {
        cpSync(path, to);
        continue;
      }
      const reversed = reversedFile(path);
      writeFileSync(to, reversed);
      reversedFiles += 1;
    }
    oldestFirst = await runFiles({ inputs: [SAMPLES], config, logger });
    newestFirst = await runFiles({ inputs: [copy], config, logger });
  }, 1_800_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reverses every log file of the samples', () => {
    expect(reversedFiles).toBeGreaterThan(130);
  });

  it('gives the same record accounting', () => {
    expect(newestFirst.counts).toEqual(oldestFirst.counts);
  });

  it('gives the same alerts (ids, severities, messages)', () => {
    const key = (r: RunResult) =>
      r.alerts.map((a) => `${a.event.id} ${a.event.severity} ${a.message}`).sort();
    expect(oldestFirst.alerts.length).toBeGreaterThan(50);
    expect(key(newestFirst)).toEqual(key(oldestFirst));
  });
});
