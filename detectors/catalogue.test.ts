import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATALOGUE_END, CATALOGUE_START, renderCatalogue, replaceCatalogue } from './catalogue.js';
import { detectors } from './registry.js';

const README = join(dirname(fileURLToPath(import.meta.url)), 'README.md');

describe('detector catalogue (generated from metadata)', () => {
  it('detectors/README.md matches the metadata (run `npm run docs:detectors` after changing a detector)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(replaceCatalogue(readme, renderCatalogue(detectors))).toBe(readme);
  });

  it('renders one row per detector with severity, MITRE ids and settings defaults', () => {
    const table = renderCatalogue(detectors);
    expect(table.split('\n')).toHaveLength(detectors.length + 2);
    expect(table).toContain('| `token.lifecycle.dormant_reactivated` | medium | T1078.004, T1550.001 |');
    expect(table).toContain('`dormantDays` = 90 (1..3650)');
    expect(table).toContain('`rapidFirstUseMs` = 1 h (1 min..7 d)');
  });

  it('replaces only the marked section', () => {
    const doc = `intro\n${CATALOGUE_START}\nold\n${CATALOGUE_END}\noutro`;
    expect(replaceCatalogue(doc, 'new')).toBe(`intro\n${CATALOGUE_START}\nnew\n${CATALOGUE_END}\noutro`);
    expect(() => replaceCatalogue('no markers', 'x')).toThrow(/markers/);
  });
});
