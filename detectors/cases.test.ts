/**
 * Every detector's raw-log cases (`<detector>.cases/*.json` or `<detector>/cases/*.json`) through
 * the real ingestors and pipeline, as `tokenwatch detectors test` runs them.
 */
import { describe, expect, it } from 'vitest';
import { loadCases, runCase, runDetectorCases } from '../src/cases/index.js';
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
});
