import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { detectorFileName, detectorFolderName } from '../../detectors/define-detector.js';
import { severitySchema } from '../../schemas/alert.js';
import { sourceSchema } from '../../schemas/token-activity.js';
import { appEntrySchema } from '../inventory/apps-registry.js';
import { CaseFileError } from './errors.js';
import { durationMs } from './repeat.js';

/**
 * Raw-log test cases of a detector (the panther-analysis `Tests:` pattern, with real vendor
 * records): JSON files in `detectors/<folder>/cases/` (folder layout) or `detectors/<file>.cases/`
 * (flat layout) beside the detector. Each case feeds its `warmup` records, then its `records`,
 * through the real ingestors and pipeline (src/cases/run-cases.ts) and compares the alerts of the
 * detector raised by `records` with `expect`.
 */

/** Repetition of an input's records (src/cases/repeat.ts): `times` copies, `every` apart. */
const repeatSchema = z.strictObject({
  /** ISO 8601 duration of a fixed length: `PT8H`, `P1D`, `P1W`, `PT30S`. */
  every: z.string().min(2),
  /** Copies, the template included (1 = once). At most 10,000. */
  times: z.number().int().min(1).max(10_000),
});

/**
 * One input: raw records of one source, as objects (NDJSON), as Salesforce EventLogFile rows
 * (objects, written as one CSV file), or as raw text (a CSV file); exactly one of the three.
 * With `repeat`, `records` / `rows` are a template repeated `times` times, `every` apart, each
 * copy with its time fields shifted and its vendor event id made unique (src/cases/repeat.ts).
 */
const inputSchema = z
  .strictObject({
    source: sourceSchema,
    /** Records as the vendor API/export gives them (one object per record). */
    records: z.array(z.record(z.string(), z.unknown())).optional(),
    /**
     * Salesforce EventLogFile rows, column name to value (`EVENT_TYPE`, `TIMESTAMP`, `REQUEST_ID`...):
     * written as a CSV file with a header of every column named (a row without a column: empty).
     */
    rows: z.array(z.record(z.string(), z.union([z.string(), z.number()]))).optional(),
    /** Or raw text (Salesforce EventLogFile CSV with its header, NDJSON...). */
    text: z.string().optional(),
    repeat: repeatSchema.optional(),
  })
  .superRefine((input, ctx) => {
    const given = (['records', 'rows', 'text'] as const).filter((k) => input[k] !== undefined);
    if (given.length !== 1)
      ctx.addIssue({
        code: 'custom',
        message: `give exactly one of records, rows, text (got ${given.join(', ') || 'none'})`,
      });
    if (input.rows !== undefined && input.source !== 'salesforce')
      ctx.addIssue({
        code: 'custom',
        path: ['rows'],
        message: 'rows are Salesforce EventLogFile rows: source must be salesforce',
      });
    if (input.repeat !== undefined && input.text !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['repeat'],
        message: 'repeat applies to records or rows, not text',
      });
    if (input.repeat !== undefined) {
      try {
        durationMs(input.repeat.every);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['repeat', 'every'], message: (err as Error).message });
      }
    }
  });
export type CaseInput = z.infer<typeof inputSchema>;

/** An expected alert of the detector under test. */
const expectedSchema = z.strictObject({
  /** Substring the alert's reason must contain. */
  reason: z.string().optional(),
  severity: severitySchema.optional(),
  /** The alert's entity (`tokenwatch.entity`). */
  entity: z.string().optional(),
  /** Explanation fields that must match exactly (`{ "feature": "..." }`). */
  explanation: z.record(z.string(), z.unknown()).optional(),
});
export type ExpectedAlert = z.infer<typeof expectedSchema>;

export const caseSchema = z.strictObject({
  name: z.string().min(1),
  /** What the case shows and where the record shapes come from (vendor documentation). */
  description: z.string().min(1),
  /**
   * History fed first; alerts it raises are not compared (the warm-up of the baselines and state).
   * Use `repeat` for weeks of routine (a day's records repeated `P1D` x 30).
   */
  warmup: z.array(inputSchema).default([]),
  /** The records under test. */
  records: z.array(inputSchema).min(1),
  /** Alerts of the detector the records must raise, in order; none when empty (must not fire). */
  expect: z.array(expectedSchema),
  /** The app vetting registry during the case (`apps.json` entries); absent: every app unknown. */
  apps: z.array(appEntrySchema).optional(),
  /** Settings overrides of the detector under test. */
  settings: z.record(z.string(), z.unknown()).optional(),
});
export type DetectorCase = z.infer<typeof caseSchema> & { file: string };

const DETECTORS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'detectors');

/** The cases directory of a detector (whether or not it exists). */
export function casesDir(detectorId: string, root = DETECTORS_DIR): string {
  const folder = join(root, detectorFolderName(detectorId));
  if (existsSync(join(folder, 'detector.ts'))) return join(folder, 'cases');
  return join(root, detectorFileName(detectorId).replace(/\.ts$/, '.cases'));
}

/**
 * Loads and validates every `*.json` case of a detector (none when it has no cases directory).
 * @throws CaseFileError naming the file and the invalid fields.
 */
export function loadCases(detectorId: string, root = DETECTORS_DIR): DetectorCase[] {
  const dir = casesDir(detectorId, root);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const file = join(dir, f);
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(file, 'utf8'));
      } catch (cause) {
        throw new CaseFileError(`${file}: ${(cause as Error).message}`, { cause });
      }
      const parsed = caseSchema.safeParse(raw);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
        throw new CaseFileError(`${file}: ${issues.join('; ')}`);
      }
      return { ...parsed.data, file };
    });
}
