import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { githubEvent } from '../../test/support/github-events.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { type RunOptions, type RunResult, runFiles } from './run-files.js';

const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
const logger = createLogger('silent');
const HOUR = 3_600_000;
const T0 = Date.parse('2025-06-01T00:00:00.000Z');

const dir = mkdtempSync(join(tmpdir(), 'tokenwatch-run-files-'));
/** Where the runs' temporary time partitions go: checked empty after every run. */
const tmp = join(dir, 'tmp');
mkdirSync(tmp);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Observed {
  result: RunResult;
  activities: string[];
  outputs: Record<string, string>;
}

async function observe(inputs: string[], name: string, extra: Partial<RunOptions> = {}): Promise<Observed> {
  const activities: string[] = [];
  const outDir = join(dir, 'out', name);
  const result = await runFiles({
    inputs,
    config,
    logger,
    outDir,
    writeActivity: true,
    writeDeadLetters: true,
    onActivity: (a) => activities.push(JSON.stringify(a)),
    ...extra,
  });
  const outputs: Record<string, string> = {};
  for (const f of readdirSync(outDir)) outputs[f] = readFileSync(join(outDir, f), 'utf8');
  expect(readdirSync(tmp)).toEqual([]);
  return { result, activities, outputs };
}

const times = (o: Observed): number[] =>
  o.activities.map((a) => Date.parse((JSON.parse(a) as TokenActivity)['@timestamp']));
const ndjson = (events: Record<string, unknown>[]): string =>
  events.map((e) => `${JSON.stringify(e)}\n`).join('');

describe('runFiles: inputs in bounded memory, in the stage-2 order', () => {
  it('gives the same outputs whether the activities wait in memory or in time partitions on disk', async () => {
    // all three sources, newest-first and delivery-order files, dead letters and skips
    const inputs = ['samples/hygiene', 'samples/northwind/salesforce', 'samples/bad'];
    const memory = await observe(inputs, 'memory');
    const disk = await observe(inputs, 'disk', { timeOrder: { maxInMemory: 64, dir: tmp } });
    expect(memory.result.reading.spilledActivities).toBe(0);
    expect(disk.result.reading.spilledActivities).toBe(memory.activities.length);
    expect(disk.result.reading.partitions).toBeGreaterThan(24);
    expect(disk.result.reading.peakBufferedActivities).toBeLessThanOrEqual(65);
    expect(memory.activities.length).toBeGreaterThan(1000);
    expect(memory.result.alerts.length).toBeGreaterThan(0);
    expect(memory.result.deadLetters.length).toBeGreaterThan(0);
    expect(disk.activities).toEqual(memory.activities);
    expect(disk.outputs).toEqual(memory.outputs);
    expect(disk.result.counts).toEqual(memory.result.counts);
  }, 300_000);

  it('reads many small overlapping newest-first files one at a time, holding at most its budget', async () => {
    // 300 files of 6 events each, newest-first, each spanning 5 hours and overlapping 20 others
    const folder = join(dir, 'many');
    mkdirSync(folder);
    for (let f = 0; f < 300; f++) {
      const events = Array.from({ length: 6 }, (_, i) =>
        githubEvent('git.clone', T0 + f * 15 * 60_000 + i * HOUR, { token: `t${f % 7}`, actor: `u${f % 7}` }),
      ).reverse();
      writeFileSync(join(folder, `audit-${String(f).padStart(3, '0')}.ndjson`), ndjson(events));
    }
    const memory = await observe([folder], 'many-memory');
    const bounded = await observe([folder], 'many-bounded', { timeOrder: { maxInMemory: 40, dir: tmp } });
    expect(bounded.activities.length).toBe(1800);
    expect(memory.result.reading.maxOpenInputs).toBe(1);
    expect(bounded.result.reading.maxOpenInputs).toBe(1);
    expect(memory.result.reading.peakBufferedActivities).toBe(1800);
    expect(bounded.result.reading.peakBufferedActivities).toBeLessThanOrEqual(41);
    const t = times(bounded);
    expect(t.every((x, i) => i === 0 || (t[i - 1] as number) <= x)).toBe(true);
    expect(bounded.activities).toEqual(memory.activities);
    expect(bounded.outputs).toEqual(memory.outputs);
  }, 300_000);

  it('merges a file whose records fall outside its neighbours’ time range in its place, nothing late', async () => {
    const folder = join(dir, 'out-of-range');
    mkdirSync(folder);
    const day = 24 * HOUR;
    const ev = (at: number, docId: string) => githubEvent('git.clone', at, { token: 'tr', docId });
    // named by day, but the middle file holds records from two days before and one day after it
    writeFileSync(
      join(folder, 'audit-2025-06-02.ndjson'),
      ndjson([ev(T0 + day + 9 * HOUR, 'd2a'), ev(T0 + day + 10 * HOUR, 'd2b')]),
    );
    writeFileSync(
      join(folder, 'audit-2025-06-03.ndjson'),
      ndjson([ev(T0 + 2 * day + 12 * HOUR, 'x-after'), ev(T0 + 5 * HOUR, 'x-before')]),
    );
    writeFileSync(
      join(folder, 'audit-2025-06-04.ndjson'),
      ndjson([ev(T0 + 2 * day + 11 * HOUR, 'd4a'), ev(T0 + 3 * day, 'd4b')]),
    );
    const expected = ['x-before', 'd2a', 'd2b', 'd4a', 'x-after', 'd4b'];
    for (const timeOrder of [{ dir: tmp }, { maxInMemory: 2, dir: tmp }]) {
      const o = await observe([folder], `range-${timeOrder.maxInMemory ?? 'default'}`, { timeOrder });
      const docIds = o.activities.map((a) => (JSON.parse(a) as { event: { id: string } }).event.id);
      expect(docIds.map((id) => expected.find((d) => id.includes(d)))).toEqual(expected);
      expect(o.result.counts.normalized).toBe(6);
      expect(o.result.counts.deadLettered).toBe(0);
    }
  }, 120_000);
});
