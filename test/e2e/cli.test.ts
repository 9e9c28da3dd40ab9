import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `bin/tokenwatch.js` as a user runs it (a child process on the current Node): version, exit codes
 * (README "Exit codes"), files not read, `--json` counts.
 */
const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/tokenwatch.js');
const dir = mkdtempSync(join(tmpdir(), 'tw-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tokenwatch(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tokenwatch CLI', () => {
  it('--version prints the package version, exit 0', () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const r = tokenwatch('--version');
    expect(r.stdout.trim()).toBe(version);
    expect(r.status).toBe(0);
  });

  it('bad usage exits 2: unknown option, bad choice, missing input', () => {
    expect(tokenwatch('run', '--no-such-flag').status).toBe(2);
    expect(tokenwatch('run', 'samples/', '--source', 'okta').status).toBe(2);
    const missing = tokenwatch('run', join(dir, 'does-not-exist'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no input files match .*\[TW_ERR_INPUT\]/);
  }, 900_000); // three CLI starts: generous for a loaded 2-core machine

  it('a run whose every record is rejected exits 3 and says why; files not read are listed', () => {
    const folder = join(dir, 'all-bad');
    mkdirSync(folder);
    copyFileSync(join(root, 'samples/bad/gws-wrong-types.ndjson'), join(folder, 'gws-wrong-types.ndjson'));
    writeFileSync(
      join(folder, 'github-cut.ndjson'),
      '{"@timestamp":1750000000002,"_document_id":"cut-1","action":"git.clone","actor":"octo\n',
    );
    writeFileSync(join(folder, 'notes.txt'), 'not a log\n');
    const r = tokenwatch('run', folder, '--out', join(dir, 'out-bad'));
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/no record accepted \(\d+ read: \d+ dead-lettered, \d+ skipped\); exit 3/);
    expect(r.stdout).toContain('not read (1):');
    expect(r.stdout).toContain('notes.txt: extension .txt is not read');
  });

  it('--json carries alerts by severity and by detector; exit 0 when records were accepted', () => {
    const r = tokenwatch('run', 'samples/northwind/github', '--json', '--out', join(dir, 'out-json'));
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout) as {
      alerts: number;
      alertsBySeverity: Record<string, number>;
      alertsByDetector: Record<string, number>;
      skippedFiles: unknown[];
    };
    const sum = (o: Record<string, number>) => Object.values(o).reduce((s, n) => s + n, 0);
    expect(Object.keys(summary.alertsBySeverity)).toEqual(['critical', 'high', 'medium', 'low']);
    expect(sum(summary.alertsBySeverity)).toBe(summary.alerts);
    expect(sum(summary.alertsByDetector)).toBe(summary.alerts);
    expect(summary.skippedFiles).toEqual([]);
  });
});
