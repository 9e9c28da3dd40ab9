import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Alert, alertSchema } from '../../schemas/alert.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { NameBook } from './names.js';
import { alertCounts, alertLines, outputWidth, wrap } from './summary.js';

/** A real alert of the demo run (samples/): a Salesforce grant whose alert names only raw ids. */
const alert: Alert = alertSchema.parse(
  JSON.parse(readFileSync(new URL('./fixtures/alert-salesforce-data-spike.json', import.meta.url), 'utf8')),
);

/** The parts of an activity NameBook reads. */
function activity(user: TokenActivity['user'], client?: { id: string; name?: string }): TokenActivity {
  return { user, token: { owner: {}, ...(client ? { client } : {}) } } as unknown as TokenActivity;
}

describe('alertLines', () => {
  it('fits every line to the width: a headline, then the reason wrapped under it', () => {
    for (const width of [60, 80, 120]) {
      const lines = alertLines(alert, width, new NameBook(), '    ');
      expect(lines[0]).toBe('    HIGH     2025-06-25 00:00Z  token.volume.data_spike');
      expect(lines.length).toBeGreaterThan(2);
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
      expect(lines.slice(1).every((l) => l.startsWith(' '.repeat(13)))).toBe(true);
      expect(
        lines
          .slice(1)
          .map((l) => l.trim())
          .join(' '),
      ).toBe(alert.message);
    }
  });

  it('names the user and the app when the logs carried their names; raw ids otherwise', () => {
    const names = new NameBook();
    names.learn(activity({ id: '0055g00000cIOmxAAG', name: 'drift.integration@northwind.example' }));
    const text = alertLines(alert, 400, names).slice(1).join(' ');
    expect(text).toContain('of drift.integration@northwind.example read 61,121 rows');
    // the id inside the token id is left alone
    expect(text).toContain('salesforce:grant:0055g00000cIOmxAAG:0H44R000…');
    expect(text).toContain('(app "0H44R00000MXNndSAH")');
    names.learn(activity({ id: 'x' }, { id: '0H44R00000MXNndSAH', name: 'Drift' }));
    expect(alertLines(alert, 400, names).slice(1).join(' ')).toContain('(app "Drift")');
    expect(names.appOf(alert)).toBe('Drift');
    expect(names.ownerOf(alert)).toBe('drift.integration@northwind.example');
  });
});

describe('wrap and width', () => {
  it('cuts words longer than a line', () => {
    expect(wrap(`a ${'x'.repeat(25)} b`, 12, '  ')).toEqual([
      '  a',
      '  xxxxxxxxxx',
      '  xxxxxxxxxx',
      '  xxxxx b',
    ]);
  });

  it('uses the terminal width on a TTY, 100 otherwise', () => {
    expect(outputWidth({ isTTY: true, columns: 132 })).toBe(132);
    expect(outputWidth({ isTTY: false, columns: 132 })).toBe(100);
    expect(outputWidth({})).toBe(100);
  });
});

describe('alertCounts', () => {
  it('counts per severity and per detector', () => {
    const medium = { ...alert, event: { ...alert.event, severity: 47 as const, action: 'token.x' } };
    expect(alertCounts([alert, alert, medium])).toEqual({
      severity: { critical: 0, high: 2, medium: 1, low: 0 },
      detectors: { 'token.volume.data_spike': 2, 'token.x': 1 },
    });
  });
});
