import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertSchema } from '../../schemas/alert.js';
import { evaluateDataset } from '../../sim/eval/evaluate.js';
import type { EvalReport } from '../../sim/eval/score.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type { RunResult } from '../../src/run/run-files.js';

/**
 * End to end over the committed demo data (`samples/`, what `npm run demo` reads): every injected
 * episode is flagged with a reason naming the token, the run accounts for every record (bad inputs
 * in `samples/bad/` included), alerts are valid ECS alert documents, and a second run gives the
 * same alerts.
 */
const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
const logger = createLogger('silent');

describe('samples/ end to end', () => {
  let out: string;
  let report: EvalReport;
  let run: RunResult;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'tokenwatch-samples-'));
    ({ report, run } = await evaluateDataset({ dataset: 'samples', config, logger, outDir: out }));
  }, 600_000);

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('accounts for every record: records = normalized + dead-lettered + skipped', () => {
    const c = run.counts;
    expect(c.records).toBe(c.normalized + c.deadLettered + c.skipped);
    expect(c.normalized).toBeGreaterThan(6000);
    // samples/bad/ holds malformed JSON and CSV, wrong types, an oversized record and binary junk
    expect(c.deadLettered).toBeGreaterThanOrEqual(7);
    expect(run.deadLetters.every((d) => d.reason.length > 10 && d.location.startsWith('samples/bad/'))).toBe(
      true,
    );
  });

  it('flags every injected episode (S1, S2, S3, S4, S6, S7, S8, S9, S10)', () => {
    const missed = report.incidents.filter((i) => !i.detected).map((i) => `${i.id} (${i.entity})`);
    expect(missed).toEqual([]);
    expect(report.incidents.map((i) => i.kind).sort()).toEqual(
      ['S1', 'S10', 'S2', 'S3', 'S4', 'S6', 'S7', 'S8', 'S9'].sort(),
    );
  });

  it('explains the flagship episodes with the right kind of evidence', () => {
    const fired = (kind: string): string[] => report.byKind.find((k) => k.kind === kind)?.detectors ?? [];
    // S1 Drift-like bulk export: a data-volume spike against the token's own row baseline
    expect(fired('S1')).toContain('token.volume.data_spike');
    // S3 Heroku/Travis-like clone spree: breadth of never-seen repos or a new network for the token
    expect(
      fired('S3').some((d) =>
        ['token.behavior.resource_breadth', 'token.network.first_seen_prefix'].includes(d),
      ),
    ).toBe(true);
    // S10 PAT minted then used from elsewhere: broad scopes at creation and/or rapid first use elsewhere
    expect(
      fired('S10').some((d) =>
        ['token.lifecycle.rapid_first_use_new_network', 'token.scope.broad_or_escalated'].includes(d),
      ),
    ).toBe(true);
  });

  it('writes valid ECS alert documents whose message names the token and says what was expected', () => {
    const lines = readFileSync(join(out, 'alerts.ndjson'), 'utf8').trim().split('\n');
    expect(lines.length).toBe(run.alerts.length);
    for (const line of lines) {
      const alert = alertSchema.parse(JSON.parse(line));
      expect(alert.event.kind).toBe('alert');
      expect([21, 47, 73, 99]).toContain(alert.event.severity);
      expect(alert.message.length).toBeGreaterThan(30);
      expect(alert.tokenwatch.evidence.event_ids.length).toBeGreaterThan(0);
    }
  });

  it('groups repeated findings instead of repeating alerts', () => {
    const keys = run.alerts.map((a) => a.tokenwatch.dedup_key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(run.counts.findings).toBeGreaterThanOrEqual(run.alerts.length);
  });

  it('gives the same alerts on a replay of the same input', async () => {
    // The same way as the first run: evaluateDataset also loads samples/apps.json (the N13 rollout's
    // approval, written by the generator), which a bare runFiles does not.
    const replayOut = mkdtempSync(join(tmpdir(), 'tokenwatch-samples-replay-'));
    const { run: again } = await evaluateDataset({ dataset: 'samples', config, logger, outDir: replayOut });
    rmSync(replayOut, { recursive: true, force: true });
    const ids = (r: RunResult): string[] => r.alerts.map((a) => `${a.event.id} ${a.message}`).sort();
    expect(ids(again)).toEqual(ids(run));
  }, 600_000);
});
