import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { runFiles } from '../../src/run/run-files.js';

/**
 * Issue 7 item 4: each input is put in event-time order before stage 2, so a newest-first export
 * (GitHub's audit-log export, Reports API pages) gives the same alerts as the same events
 * oldest-first.
 */
const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
const logger = createLogger('silent');
const dir = mkdtempSync(join(tmpdir(), 'tokenwatch-newest-first-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const alertKeys = async (path: string): Promise<string[]> => {
  const r = await runFiles({ inputs: [path], config, logger });
  return r.alerts.map((a) => `${a.event.id} ${a.event.severity} ${a.message}`).sort();
};

describe('newest-first input', () => {
  it('gives the same alert ids as the same events oldest-first', async () => {
    const src = 'samples/northwind/github/audit-log.ndjson';
    const lines = readFileSync(src, 'utf8').split('\n').filter((l) => l !== '');
    const reversed = join(dir, 'audit-log-newest-first.ndjson');
    writeFileSync(reversed, `${[...lines].reverse().join('\n')}\n`);
    const oldestFirst = await alertKeys(src);
    expect(oldestFirst.length).toBeGreaterThan(0);
    expect(await alertKeys(reversed)).toEqual(oldestFirst);
  }, 300_000);
});
