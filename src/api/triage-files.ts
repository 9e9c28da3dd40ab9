import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { StateError } from '../errors.js';
import { writeFileAtomic } from '../inventory/atomic-file.js';
import { type Suppression, TRIAGE_STATUSES, type TriageRecord } from './types.js';

/** Triage decisions in the state directory. */
export const TRIAGE_FILE = 'triage.json';
/** Suppressions in the state directory. */
export const SUPPRESSIONS_FILE = 'suppressions.json';

const triageRecordSchema = z.object({
  status: z.enum(TRIAGE_STATUSES),
  note: z.string().max(4000),
  by: z.string().max(256),
  at: z.string().datetime(),
});
const triageFileSchema = z.object({
  version: z.literal(1),
  alerts: z.record(z.string(), triageRecordSchema.extend({ history: z.array(triageRecordSchema).max(100) })),
});
/** One suppression as stored. */
export const suppressionSchema = z.object({
  id: z.string().min(1),
  created_at: z.string().datetime(),
  created_by: z.string().max(256),
  expires_at: z.string().datetime(),
  reason: z.string().max(2000),
  detector: z.string().max(256).optional(),
  token: z.string().max(1024).optional(),
  owner: z.string().max(512).optional(),
  source_ip: z.string().max(64).optional(),
});
const suppressionsFileSchema = z.object({ version: z.literal(1), suppressions: z.array(suppressionSchema) });

async function readJson<T>(path: string, schema: z.ZodType<T>, empty: T): Promise<T> {
  if (!existsSync(path)) return empty;
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new StateError(`corrupt ${path}: ${(cause as Error).message}`, { cause });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new StateError(`invalid ${path}: ${parsed.error.issues[0]?.message ?? 'bad shape'}`);
  return parsed.data;
}

/**
 * Triage decisions and suppressions of one state directory (`triage.json`, `suppressions.json`),
 * zod-validated on load and written atomically on every change; writes are serialized.
 */
export class TriageFiles {
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    private triage: z.infer<typeof triageFileSchema>,
    private sups: z.infer<typeof suppressionsFileSchema>,
  ) {}

  /** @throws StateError on a corrupt file */
  static async load(dir: string): Promise<TriageFiles> {
    return new TriageFiles(
      dir,
      await readJson(join(dir, TRIAGE_FILE), triageFileSchema, { version: 1, alerts: {} }),
      await readJson(join(dir, SUPPRESSIONS_FILE), suppressionsFileSchema, { version: 1, suppressions: [] }),
    );
  }

  /** The latest triage decision of an alert. */
  get(id: string): TriageRecord | undefined {
    const r = this.triage.alerts[id];
    if (!r) return undefined;
    const { history: _history, ...latest } = r;
    return latest;
  }

  /** Records a decision (the previous ones stay in its history) and saves. */
  async set(id: string, record: TriageRecord): Promise<void> {
    const prev = this.triage.alerts[id];
    const history = prev
      ? [...prev.history, { status: prev.status, note: prev.note, by: prev.by, at: prev.at }].slice(-100)
      : [];
    this.triage.alerts[id] = { ...record, history };
    await this.write(join(this.dir, TRIAGE_FILE), this.triage);
  }

  /** Suppressions, oldest first (expired ones included: they still explain past alerts). */
  suppressions(): Suppression[] {
    return [...this.sups.suppressions];
  }

  async addSuppression(s: Suppression): Promise<void> {
    this.sups.suppressions = [...this.sups.suppressions, suppressionSchema.parse(s)];
    await this.write(join(this.dir, SUPPRESSIONS_FILE), this.sups);
  }

  async deleteSuppression(id: string): Promise<boolean> {
    const before = this.sups.suppressions.length;
    this.sups.suppressions = this.sups.suppressions.filter((s) => s.id !== id);
    if (this.sups.suppressions.length === before) return false;
    await this.write(join(this.dir, SUPPRESSIONS_FILE), this.sups);
    return true;
  }

  private write(path: string, data: unknown): Promise<void> {
    const text = `${JSON.stringify(data, null, 2)}\n`;
    const next = this.chain.then(() => writeFileAtomic(path, text));
    this.chain = next.catch(() => undefined);
    return next;
  }
}
