/**
 * Contract test over ALL registered detectors (the detection-rules `test_all_rules.py` pattern):
 * metadata invariants, file layout, schema fields (the catalogue: catalogue.test.ts; fields read:
 * fields.test.ts; the detector loop: runner.test.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { activityFixture } from '../baselines/testing.js';
import { SOURCES, tokenActivitySchema } from '../schemas/token-activity.js';
import {
  DETECTOR_ID_PATTERN,
  detectorFileName,
  detectorFolderName,
  riskMatchesSeverity,
  SEVERITY_BANDS,
} from './define-detector.js';
import { TACTIC_ID_PATTERN, TACTICS, TECHNIQUE_ID_PATTERN, TECHNIQUES } from './mitre.js';
import { detectors, detectorsById } from './registry.js';
import { contextOf } from './testing.js';
import type { Detector } from './types.js';

const DIR = dirname(fileURLToPath(import.meta.url));

/** `<folder>/detector.ts` in the folder layout, else the flat `<file>.ts`. */
const detectorPath = (id: string): string =>
  existsSync(join(DIR, detectorFolderName(id), 'detector.ts'))
    ? `${detectorFolderName(id)}/detector.ts`
    : detectorFileName(id);
const each = detectors.map((d) => [d.id, d] as const);

/** True when the dotted path names a field of the token-activity schema. */
function schemaHasPath(path: string): boolean {
  let node: unknown = tokenActivitySchema;
  for (const key of path.split('.')) {
    for (;;) {
      if (node instanceof z.ZodOptional || node instanceof z.ZodNullable || node instanceof z.ZodDefault) {
        node = node.unwrap();
      } else if (node instanceof z.ZodArray) {
        node = node.element;
      } else break;
    }
    if (!(node instanceof z.ZodObject)) return false;
    node = (node.shape as Record<string, unknown>)[key];
    if (node === undefined) return false;
  }
  return true;
}

describe('detector registry', () => {
  it('has unique ids', () => {
    expect(new Set(detectors.map((d) => d.id)).size).toBe(detectors.length);
    expect(detectorsById.size).toBe(detectors.length);
  });

  it('registers every detector file (each defineDetector in detectors/ except the template)', () => {
    const files = readdirSync(DIR).filter(
      (f) =>
        f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== '_template.ts' && f !== 'define-detector.ts',
    );
    const folders = readdirSync(DIR, { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(DIR, e.name, 'detector.ts')))
      .map((e) => `${e.name}/detector.ts`);
    const defined = [...files, ...folders].filter((f) =>
      readFileSync(join(DIR, f), 'utf8').includes('defineDetector({'),
    );
    expect(defined.sort(), 'each detector file must be imported and listed in registry.ts').toEqual(
      detectors.map((d) => detectorPath(d.id)).sort(),
    );
  });

  describe.each(each)('%s', (id, d: Detector) => {
    it('lives in its own file (or folder) with a sibling test', () => {
      expect(id).toMatch(DETECTOR_ID_PATTERN);
      const file = join(DIR, detectorPath(id));
      expect(readFileSync(file, 'utf8')).toContain(`id: '${id}'`);
      expect(existsSync(file.replace(/\.ts$/, '.test.ts'))).toBe(true);
    });

    it('has a risk score inside its severity band (low 21-46, medium 47-72, high 73-98, critical 99-100)', () => {
      expect(
        riskMatchesSeverity(d.severity, d.riskScore),
        `${d.riskScore} vs ${SEVERITY_BANDS[d.severity]}`,
      ).toBe(true);
    });

    it('maps to well-formed, known MITRE ATT&CK techniques and tactics', () => {
      expect(d.mitre.length).toBeGreaterThan(0);
      for (const m of d.mitre) {
        expect(m.id).toMatch(TECHNIQUE_ID_PATTERN);
        expect(m.tactic.id).toMatch(TACTIC_ID_PATTERN);
        expect(m.name).toBe(TECHNIQUES[m.id as keyof typeof TECHNIQUES].name);
        expect(m.tactic.name).toBe(TACTICS[m.tactic.id as keyof typeof TACTICS]);
      }
    });

    it('documents runbook, false positives and description', () => {
      expect(d.runbook.length).toBeGreaterThan(0);
      expect(d.falsePositives.length).toBeGreaterThan(0);
      for (const line of [...d.runbook, ...d.falsePositives, d.name, d.description])
        expect(line.trim()).not.toBe('');
    });

    it('groups findings over a positive window and covers known sources', () => {
      expect(d.groupWindowMs).toBeGreaterThan(0);
      expect(d.sources.length).toBeGreaterThan(0);
      for (const s of d.sources) expect(SOURCES).toContain(s);
      expect(Number.isInteger(d.version) && d.version >= 1).toBe(true);
    });

    it('reads only fields of the token-activity schema', () => {
      expect(d.requiredFields.length).toBeGreaterThan(0);
      for (const f of d.requiredFields) expect(schemaHasPath(f), f).toBe(true);
    });

    it('is quiet on an ordinary event without any baseline', () => {
      expect(d.evaluate(activityFixture(), contextOf({}))).toEqual([]);
    });
  });
});
