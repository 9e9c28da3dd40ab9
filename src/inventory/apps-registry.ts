import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { SOURCES } from '../../schemas/token-activity.js';
import { StateError } from '../errors.js';
import { writeFileAtomic } from './atomic-file.js';

/** The app vetting registry file in the state directory. */
export const APPS_FILE = 'apps.json';

/** One vetting decision about an OAuth app / GitHub App / connected app. */
export const appEntrySchema = z.object({
  source: z.enum(SOURCES),
  /** `token.client.id`: OAuth client id, GitHub App / OAuth app id, connected app id */
  client_id: z.string().min(1).max(512),
  name: z.string().max(512).optional(),
  status: z.enum(['approved', 'revoked']),
  /** who approved it and when (ISO 8601) */
  approved_by: z.string().min(1).max(256),
  approved_at: z.string().datetime(),
  /** scopes the approval covers; empty = any scope */
  scopes: z.array(z.string().max(512)).max(200),
  /** approval end (ISO 8601); absent = no end */
  expires_at: z.string().datetime().optional(),
  note: z.string().max(2000).optional(),
  revoked_by: z.string().max(256).optional(),
  revoked_at: z.string().datetime().optional(),
});
export type AppEntry = z.infer<typeof appEntrySchema>;

export const appsFileSchema = z.object({ version: z.literal(1), apps: z.array(appEntrySchema) });
export type AppsFile = z.infer<typeof appsFileSchema>;

/** How the registry judges an app for a token. */
export type AppVetting =
  | { status: 'approved'; entry: AppEntry; scopesBeyond: string[] }
  | { status: 'unvetted' | 'revoked' | 'expired'; entry?: AppEntry };

/** Input of {@link AppsRegistry.approve}. */
export interface ApproveInput {
  source: (typeof SOURCES)[number];
  client_id: string;
  name?: string;
  by: string;
  scopes?: string[];
  expires_at?: string;
  note?: string;
}

/**
 * The app vetting registry (`<state>/apps.json`): who approved an app, when, for which scopes,
 * until when. Read with zod on every load; written atomically (temporary file + rename). One entry
 * per (source, client id); approving again replaces it.
 */
export class AppsRegistry {
  private constructor(
    private readonly path: string,
    private data: AppsFile,
  ) {}

  /**
   * Loads `dir/apps.json` (an empty registry when absent).
   * @throws StateError when the file is not valid JSON or fails the schema.
   */
  static async load(dir: string): Promise<AppsRegistry> {
    const path = join(dir, APPS_FILE);
    if (!existsSync(path)) return new AppsRegistry(path, { version: 1, apps: [] });
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(path, 'utf8'));
    } catch (cause) {
      throw new StateError(`corrupt app registry ${path}: ${(cause as Error).message}`, { cause });
    }
    const parsed = appsFileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new StateError(`invalid app registry ${path}: ${issue?.path.join('.')} ${issue?.message}`);
    }
    return new AppsRegistry(path, parsed.data);
  }

  /** Every entry, sorted by source and name / client id. */
  list(): AppEntry[] {
    return [...this.data.apps].sort(
      (a, b) =>
        a.source.localeCompare(b.source) || (a.name ?? a.client_id).localeCompare(b.name ?? b.client_id),
    );
  }

  /** The entry for an app, if any. */
  get(source: string, clientId: string): AppEntry | undefined {
    return this.data.apps.find((a) => a.source === source && a.client_id === clientId);
  }

  /** Approves (or re-approves) an app and saves the registry. @returns the new entry */
  async approve(input: ApproveInput, now: Date = new Date()): Promise<AppEntry> {
    const entry = appEntrySchema.parse({
      source: input.source,
      client_id: input.client_id,
      ...(input.name ? { name: input.name } : {}),
      status: 'approved',
      approved_by: input.by,
      approved_at: now.toISOString(),
      scopes: input.scopes ?? [],
      ...(input.expires_at ? { expires_at: new Date(input.expires_at).toISOString() } : {}),
      ...(input.note ? { note: input.note } : {}),
    });
    this.data.apps = [
      ...this.data.apps.filter((a) => !(a.source === entry.source && a.client_id === entry.client_id)),
      entry,
    ];
    await this.save();
    return entry;
  }

  /** Revokes an approval and saves; undefined when the app was never in the registry. */
  async revoke(
    source: string,
    clientId: string,
    by: string,
    now: Date = new Date(),
  ): Promise<AppEntry | undefined> {
    const cur = this.get(source, clientId);
    if (!cur) return undefined;
    const entry: AppEntry = { ...cur, status: 'revoked', revoked_by: by, revoked_at: now.toISOString() };
    this.data.apps = this.data.apps.map((a) => (a === cur ? entry : a));
    await this.save();
    return entry;
  }

  /** Vetting status of an app for a token holding `scopes`, as of `asOfMs`. */
  vet(source: string, clientId: string, scopes: readonly string[], asOfMs: number): AppVetting {
    const entry = this.get(source, clientId);
    if (!entry) return { status: 'unvetted' };
    if (entry.status === 'revoked') return { status: 'revoked', entry };
    if (entry.expires_at && Date.parse(entry.expires_at) < asOfMs) return { status: 'expired', entry };
    const scopesBeyond = entry.scopes.length === 0 ? [] : scopes.filter((s) => !entry.scopes.includes(s));
    return { status: 'approved', entry, scopesBeyond };
  }

  private async save(): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify(this.data, null, 2)}\n`);
  }
}
