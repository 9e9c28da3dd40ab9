import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { StateError } from '../errors.js';
import { writeFileAtomic } from './atomic-file.js';
import { ledgerSnapshotSchema, TokenLedger } from './ledger.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** File of the token ledger in a state directory (gzipped JSON, {@link ledgerSnapshotSchema}). */
export const LEDGER_FILE = 'inventory.json.gz';

/** Saves the ledger to `dir/inventory.json.gz` atomically. */
export async function saveLedger(ledger: TokenLedger, dir: string): Promise<void> {
  await writeFileAtomic(join(dir, LEDGER_FILE), await gzipAsync(JSON.stringify(ledger.toJSON())));
}

/**
 * Loads `dir/inventory.json.gz`; undefined when absent (state saved before the inventory
 * existed: the inventory fills up from the next run on).
 * @throws StateError when the file is corrupt or of another version.
 */
export async function loadLedger(dir: string): Promise<TokenLedger | undefined> {
  const path = join(dir, LEDGER_FILE);
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse((await gunzipAsync(await readFile(path))).toString('utf8'));
  } catch (cause) {
    throw new StateError(`corrupt token inventory ${path}: ${(cause as Error).message}`, { cause });
  }
  const parsed = ledgerSnapshotSchema.safeParse(raw);
  if (!parsed.success) {
    throw new StateError(
      `invalid token inventory ${path}: ${parsed.error.issues[0]?.message ?? 'bad shape'}`,
    );
  }
  return TokenLedger.fromJSON(parsed.data);
}
