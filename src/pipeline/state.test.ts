import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { StateError } from '../errors.js';
import { createLogger } from '../logger.js';
import { runFiles } from '../run/run-files.js';
import { Pipeline } from './pipeline.js';
import { loadPipelineState, MANIFEST, SAVE_PAUSE_ENV, type StateManifest, stateSetDir } from './state.js';

const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
const logger = createLogger('silent');
const fresh = () => new Pipeline({ config: config.pipeline, logger });

let work: string;
let input: string;
let input2: string;

/** A state directory saved by `runFiles` over the first GitHub sample lines. */
async function savedState(name: string): Promise<string> {
  const dir = join(work, name);
  await runFiles({ inputs: [input], source: 'github', stateDir: dir, config, logger });
  return dir;
}

function manifestOf(dir: string): StateManifest {
  return JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as StateManifest;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tokenwatch-state-'));
  const lines = readFileSync('samples/northwind/github/audit-log.ndjson', 'utf8').split('\n');
  input = join(work, 'a.ndjson');
  input2 = join(work, 'b.ndjson');
  writeFileSync(input, lines.slice(0, 400).join('\n'));
  writeFileSync(input2, lines.slice(400, 800).join('\n'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('pipeline state set (issue 12)', () => {
  it('saves a versioned set with a manifest of checksums and restores it; other files (apps.json, notes) stay', async () => {
    const dir = await savedState('ok');
    writeFileSync(join(dir, 'README.txt'), 'operator notes');
    const m = manifestOf(dir);
    expect(m.version).toBe(2);
    expect(Object.keys(m.files).sort()).toEqual(
      expect.arrayContaining(['baselines/baselines.bin.gz', 'baselines/org.json.gz', 'pipeline.json']),
    );
    const p = fresh();
    expect(await loadPipelineState(p, dir)).toEqual({ extra: undefined });
    expect(p.watermarkMs).toBeGreaterThan(0);
    // a second save replaces the set and leaves other files alone
    await runFiles({ inputs: [input2], source: 'github', stateDir: dir, config, logger });
    expect(manifestOf(dir).set).not.toBe(m.set);
    expect(readdirSync(dir).filter((n) => n.startsWith('state.'))).toEqual([manifestOf(dir).set]);
    expect(existsSync(join(dir, 'README.txt'))).toBe(true);
  });

  it('stops with an error naming the file when any file of the set is missing or altered', async () => {
    const base = await savedState('base');
    const files = [MANIFEST, ...Object.keys(manifestOf(base).files)];
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const [i, name] of files.entries()) {
      for (const damage of ['delete', 'flip', 'truncate'] as const) {
        const dir = join(work, `bad-${i}-${damage}`);
        await runFiles({ inputs: [input], source: 'github', stateDir: dir, config, logger });
        const path = name === MANIFEST ? join(dir, MANIFEST) : join(await stateSetDir(dir), name);
        const bytes = readFileSync(path);
        if (damage === 'delete') rmSync(path);
        else if (damage === 'truncate') writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
        else {
          bytes[Math.floor(bytes.length / 2)] = (bytes[Math.floor(bytes.length / 2)] ?? 0) ^ 0x5a;
          writeFileSync(path, bytes);
        }
        const err = await loadPipelineState(fresh(), dir).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, `${name} ${damage}`).toBeInstanceOf(StateError);
        // the message names the file (a missing manifest: the set it left behind)
        expect((err as Error).message, `${name} ${damage}`).toContain(
          name === MANIFEST && damage === 'delete' ? 'state.' : name.split('/').pop(),
        );
        // --fresh starts over on purpose
        expect(await loadPipelineState(fresh(), dir, { fresh: true })).toBeUndefined();
      }
    }
  });

  it('reads version 1 state (no manifest) and refuses a newer version or a null pipeline.json', async () => {
    const dir = await savedState('v1');
    const set = await stateSetDir(dir);
    for (const n of readdirSync(set)) renameSync(join(set, n), join(dir, n));
    rmSync(set, { recursive: true });
    rmSync(join(dir, MANIFEST));
    const p = fresh();
    expect(await loadPipelineState(p, dir)).toEqual({ extra: undefined, migratedFrom: 1 });
    expect(p.watermarkMs).toBeGreaterThan(0);
    writeFileSync(join(dir, 'pipeline.json'), 'null');
    await expect(loadPipelineState(fresh(), dir)).rejects.toThrow(/pipeline.json: not a JSON object/);

    const newer = await savedState('newer');
    const m = manifestOf(newer);
    writeFileSync(join(newer, MANIFEST), JSON.stringify({ ...m, version: 3 }));
    await expect(loadPipelineState(fresh(), newer)).rejects.toThrow(/version 3.*newer tokenwatch/);
  });

  it('keeps the previous state intact when the process is killed (-9) in the middle of a save', async () => {
    const dir = await savedState('killed');
    const before = readFileSync(join(dir, MANIFEST), 'utf8');
    const beforeWatermark = (() => {
      const p = fresh();
      return loadPipelineState(p, dir).then(() => p.watermarkMs);
    })();
    const marker = join(work, 'paused');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/support/state-save-child.ts', input2, dir],
      { env: { ...process.env, [SAVE_PAUSE_ENV]: marker }, stdio: 'ignore' },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, s) => resolve(s)));
    // the child writes the marker once the save has written the baselines of the new set
    while (!existsSync(marker)) await new Promise((r) => setTimeout(r, 100));
    expect(readdirSync(dir).filter((n) => n.startsWith('state.'))).toHaveLength(2);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(readFileSync(join(dir, MANIFEST), 'utf8')).toBe(before);
    const p = fresh();
    expect(await loadPipelineState(p, dir)).toEqual({ extra: undefined });
    expect(p.watermarkMs).toBe(await beforeWatermark);
    // the next save cleans up the orphaned set
    await runFiles({ inputs: [input2], source: 'github', stateDir: dir, config, logger });
    expect(readdirSync(dir).filter((n) => n.startsWith('state.'))).toHaveLength(1);
  }, 120_000);
});
