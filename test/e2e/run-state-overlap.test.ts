import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { runFiles } from '../../src/run/run-files.js';

/**
 * Issue 7 item 2: the dedup memory (event id + content hash) is saved with `--state`, so a second
 * `run --state` over input that overlaps the first re-delivers nothing: the overlapping records
 * are skipped as duplicates naming the event they repeat, and no alert is added.
 */
const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
const logger = createLogger('silent');
const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'tokenwatch-overlap-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('run --state over overlapping input', () => {
  it('adds no alert and skips every overlapping record as a duplicate', async () => {
    const state = tmp();
    const input = ['samples/northwind'];
    const first = await runFiles({ inputs: input, stateDir: state, config, logger });
    expect(first.alerts.length).toBeGreaterThan(0);
    expect(first.counts.duplicates).toBe(0);

    const out = tmp();
    const second = await runFiles({
      inputs: input,
      stateDir: state,
      outDir: out,
      writeDeadLetters: true,
      config,
      logger,
    });
    expect(second.alerts).toEqual([]);
    expect(second.counts.normalized).toBe(0);
    expect(second.counts.duplicates).toBe(first.counts.normalized);
    expect(second.counts.records).toBe(
      second.counts.normalized + second.counts.deadLettered + second.counts.skipped,
    );

    const skipped = readFileSync(join(out, 'skipped.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { reason: string; duplicate_of?: { id: string }; raw?: string });
    expect(skipped).toHaveLength(first.counts.normalized);
    expect(skipped.every((s) => s.duplicate_of?.id !== undefined)).toBe(true);
    expect(skipped[0]?.reason).toMatch(/^duplicate of event \S+ \(same id and content\)/);
  }, 180_000);
});
