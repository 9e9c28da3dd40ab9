/**
 * Every detector's raw-log cases (`<detector>.cases/*.json` or `<detector>/cases/*.json`) through
 * the real ingestors and pipeline, as `tokenwatch detectors test` runs them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatCaseResults, loadCases, runCase, runDetectorCases } from '../src/cases/index.js';
import { detectors } from './registry.js';

const withCases = detectors.filter((d) => loadCases(d.id).length > 0);

describe('raw-log cases', () => {
  it.each(withCases.map((d) => [d.id]))('%s', (id) => {
    for (const r of runDetectorCases([id])) expect(r.problems, `${r.name} (${r.file})`).toEqual([]);
  });

  it('fail when the expectation does not hold (a case can fail)', () => {
    const c = loadCases('account.password_spray').find((x) =>
      x.file.endsWith('spray-from-residential-proxies.json'),
    );
    if (c === undefined) throw new Error('no case');
    const wrong = runCase('account.password_spray', { ...c, expect: [] });
    const noAlert = runCase('account.password_spray', { ...c, expect: [{ severity: 'high' }] });
    expect(wrong.problems.join(' ')).toMatch(/expected 0 alert\(s\) of account.password_spray, got/);
    expect(noAlert.problems.join(' ')).toMatch(/severity (medium|low), expected high/);
  });

  it('secret.exposed_in_log cases never echo the secret (alerts and `detectors test` output)', () => {
    // The fake secrets of the documented shapes the cases carry (ghp_ + 36, a Salesforce session id, AIza + 35).
    const shapes = /ghp_[A-Za-z0-9]{36}|00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{10,}|AIza[0-9A-Za-z_-]{35}/g;
    const results = runDetectorCases(['secret.exposed_in_log']);
    const secrets = results.flatMap((r) => readFileSync(r.file, 'utf8').match(shapes) ?? []);
    expect(new Set(secrets).size).toBeGreaterThanOrEqual(3);
    const output = JSON.stringify(results.map((r) => r.alerts)) + formatCaseResults(results);
    expect(results.flatMap((r) => r.alerts).length).toBeGreaterThanOrEqual(3);
    for (const s of secrets) expect(output).not.toContain(s);
    expect(output).toContain('[REDACTED:');
  });
});
