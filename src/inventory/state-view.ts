import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, StateError } from '../errors.js';
import { stateSetDir } from '../pipeline/state.js';
import { AppsRegistry } from './apps-registry.js';
import {
  LEDGER_VERSION,
  ledgerSnapshotSchema,
  type Offboarding,
  TokenLedger,
  type TokenRecord,
} from './ledger.js';
import { loadLedger } from './persistence.js';

/**
 * The ledger and watermark parts of serve's incremental checkpoints after a full one (read by
 * src/serve/checkpoint.ts's `readDeltas`; injected to keep this module free of serve code).
 */
export type LedgerDeltaReader = (checkpointDir: string) => Promise<
  {
    ledger: { tokens: unknown[]; offboarded: unknown[]; emails: [string, string][] };
    watermarkMs: number;
  }[]
>;

/** What the inventory commands read from a state directory. */
export interface InventoryState {
  dir: string;
  ledger: TokenLedger;
  apps: AppsRegistry;
  /** the pipeline's event-time watermark (epoch ms), 0 when unknown */
  watermarkMs: number;
}

/**
 * The directory holding the live pipeline state files: the set `dir/manifest.json` names
 * (`tokenwatch run --state`, src/pipeline/state.ts; `dir` itself for version 1 state), or that of
 * the checkpoint `dir/CURRENT` names (`tokenwatch serve`, src/serve/checkpoint.ts).
 */
export async function liveStateDir(dir: string): Promise<string> {
  const current = join(dir, 'CURRENT');
  if (!existsSync(current)) return stateSetDir(dir);
  const name = (await readFile(current, 'utf8')).trim();
  if (!/^checkpoint-[\w-]+$/.test(name)) throw new StateError(`${current} names no checkpoint ("${name}")`);
  return stateSetDir(join(dir, name));
}

/**
 * Loads the token ledger, the app registry and the watermark of a state directory (written by
 * `tokenwatch run --state DIR` or `serve`).
 * @throws StateError when the directory holds no state, or a file is corrupt.
 */
export async function loadInventoryState(dir: string, deltas?: LedgerDeltaReader): Promise<InventoryState> {
  if (!existsSync(dir))
    throw new StateError(`state directory ${dir} does not exist (run tokenwatch run --state ${dir} first)`);
  const live = await liveStateDir(dir);
  const ledger = (await loadLedger(live)) ?? new TokenLedger();
  const apps = await AppsRegistry.load(dir);
  let watermarkMs = 0;
  const pipelineFile = join(live, 'pipeline.json');
  if (existsSync(pipelineFile)) {
    try {
      const parsed = JSON.parse(await readFile(pipelineFile, 'utf8')) as { watermarkMs?: unknown };
      if (typeof parsed.watermarkMs === 'number') watermarkMs = parsed.watermarkMs;
    } catch (cause) {
      throw new StateError(`corrupt pipeline state ${pipelineFile}: ${(cause as Error).message}`, { cause });
    }
  }
  const current = join(dir, 'CURRENT');
  if (deltas && existsSync(current)) {
    // serve's incremental checkpoints after the full one: changed token records, identity maps, watermark
    const checkpointDir = join(dir, (await readFile(current, 'utf8')).trim());
    const list = await deltas(checkpointDir);
    for (const d of list) {
      const parsed = ledgerSnapshotSchema.safeParse({ version: LEDGER_VERSION, ...d.ledger });
      if (!parsed.success)
        throw new StateError(`invalid token inventory in an incremental checkpoint of ${checkpointDir}`);
      for (const t of parsed.data.tokens) ledger.tokens.set(t.id, t as TokenRecord);
      ledger.offboarded.clear();
      for (const o of parsed.data.offboarded)
        ledger.offboarded.set(o.subject.toLowerCase(), o as Offboarding);
      ledger.emails.clear();
      for (const [k, v] of parsed.data.emails) ledger.emails.set(k, v);
      watermarkMs = d.watermarkMs;
    }
  }
  return { dir, ledger, apps, watermarkMs };
}

/**
 * The reference clock of an inventory: `asOf` as given (`now` = wall clock, or an ISO time),
 * else the state's event-time watermark (the newest event seen: right for replays of old logs),
 * else the wall clock.
 * @throws ConfigError on an unparseable time.
 */
export function referenceTime(
  asOf: string | undefined,
  watermarkMs: number,
  now: () => number = Date.now,
): number {
  if (asOf === undefined || asOf === '') return watermarkMs > 0 ? watermarkMs : now();
  if (asOf === 'now') return now();
  const t = Date.parse(asOf);
  if (!Number.isFinite(t)) throw new ConfigError(`not an ISO 8601 time: ${asOf}`);
  return t;
}
