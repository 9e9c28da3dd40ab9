import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { Logger } from 'pino';
import type { KeyedStateJSON } from '../../baselines/keyed-state.js';
import { PeerModels } from '../../baselines/peer-models.js';
import { loadStore, saveStore } from '../../baselines/persistence.js';
import type { GrouperSnapshot } from '../alerts/grouper.js';
import { StateError } from '../errors.js';
import { loadLedger, saveLedger } from '../inventory/persistence.js';
import { EventMemory, type EventMemorySnapshot } from './dedup.js';
import type { Pipeline } from './pipeline.js';
import { sessionJoinStateSchema } from './session-join.js';

/** Version of `pipeline.json`; bump on incompatible changes. */
export const PIPELINE_STATE_VERSION = 1;

/** Format id and version of the state set's `manifest.json` (version 1 = no manifest, migrated). */
export const STATE_FORMAT = 'tokenwatch.state';
export const STATE_VERSION = 2;
export const MANIFEST = 'manifest.json';

/**
 * Test hook: when set to a path, a save writes that file and stops (the process stays alive)
 * after the first part of the set is written, so a test can kill -9 it mid-save deterministically.
 */
export const SAVE_PAUSE_ENV = 'TOKENWATCH_STATE_SAVE_PAUSE';

/** `pipeline.json`: what the pipeline keeps besides the baselines. */
export interface PipelineStateFile {
  version: number;
  watermarkMs: number;
  grouper: GrouperSnapshot;
  /** Peer-group model snapshot (training rows; models are retrained identically on restore). */
  peers?: unknown;
  /** Opaque extra data saved with the state (the Kafka consumer stores its offsets here). */
  extra?: unknown;
  /** Declared detector state (baselines/keyed-state.ts; absent in checkpoints of older versions). */
  detectorState?: KeyedStateJSON;
  /** Dedup memory (event id and content hashes, src/pipeline/dedup.ts); absent in older states. */
  dedup?: EventMemorySnapshot;
  /** Salesforce session -> connected app join (session-join.ts); absent in older states. */
  sessions?: unknown;
}

/** `manifest.json`: every file of the state set with its size and SHA-256. */
export interface StateManifest {
  format: typeof STATE_FORMAT;
  version: number;
  savedAt: string;
  /** The folder (in the state directory) holding this set: `state.<seq>`. */
  set: string;
  /** Relative path (`/`-separated) -> size in bytes and hex SHA-256 of the file's bytes. */
  files: Record<string, { bytes: number; sha256: string }>;
}

/** Options of {@link loadPipelineState}. */
export interface LoadStateOptions {
  /** Ignore whatever is saved and start from scratch (`--fresh`); the next save replaces it. */
  fresh?: boolean;
  logger?: Logger;
}

async function sha256(path: string): Promise<{ bytes: number; sha256: string }> {
  const buf = await readFile(path);
  return { bytes: buf.length, sha256: createHash('sha256').update(buf).digest('hex') };
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function pauseIfAsked(): Promise<void> {
  const marker = process.env[SAVE_PAUSE_ENV];
  if (!marker) return;
  writeFileSync(marker, `${process.pid}\n`);
  await new Promise<never>(() => setInterval(() => {}, 60_000));
}

const SET_PREFIX = 'state.';

/** Files and folders of a version 1 state (no manifest), removed once a version 2 set is live. */
const LEGACY_PARTS = ['pipeline.json', 'baselines', 'inventory.json.gz'];

async function readManifestFile(path: string): Promise<StateManifest> {
  let manifest: StateManifest;
  try {
    manifest = JSON.parse(await readFile(path, 'utf8')) as StateManifest;
  } catch (cause) {
    throw new StateError(`corrupt state manifest ${path}: ${(cause as Error).message}`, { cause });
  }
  if (manifest === null || typeof manifest !== 'object' || manifest.format !== STATE_FORMAT) {
    throw new StateError(`corrupt state manifest ${path}: not a ${STATE_FORMAT} manifest`);
  }
  if (manifest.version !== STATE_VERSION) {
    throw new StateError(
      `state ${dirname(path)} has version ${String(manifest.version)}; this build reads versions 1 and ${STATE_VERSION}${
        manifest.version > STATE_VERSION ? ' (written by a newer tokenwatch)' : ''
      }`,
    );
  }
  if (typeof manifest.set !== 'string' || !/^state\.\d+$/.test(manifest.set)) {
    throw new StateError(`corrupt state manifest ${path}: no valid set folder`);
  }
  return manifest;
}

/**
 * The folder holding the live state files of a state directory: the set named by its
 * `manifest.json`, or the directory itself for version 1 state (files at the top).
 * @throws StateError when the manifest is unreadable.
 */
export async function stateSetDir(dir: string): Promise<string> {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) return dir;
  return join(dir, (await readManifestFile(path)).set);
}

/**
 * Saves the pipeline's learned state as one versioned set in `dir`: a new folder
 * `dir/state.<seq>/` gets the baselines (`baselines/`, see baselines/persistence.ts), the token
 * inventory (`inventory.json.gz`, src/inventory) and `pipeline.json` (watermark, open alert
 * groups, peer models, detector state, the dedup memory of event ids and content hashes, `extra`); every file is fsynced, then `dir/manifest.json`
 * (the set's folder and each file's size and SHA-256) replaces the previous one through a
 * temporary file and a rename. The manifest is the commit point: a crash (kill -9) at any moment
 * leaves the previous manifest naming the previous, untouched set. Older sets and version 1 files
 * are removed after the commit. Other files in `dir` (e.g. `apps.json`) are left alone.
 */
export async function savePipelineState(pipeline: Pipeline, dir: string, extra?: unknown): Promise<void> {
  await mkdir(dir, { recursive: true });
  const sets = (await readdir(dir)).filter((n) => n.startsWith(SET_PREFIX));
  const seq = sets.reduce((m, n) => Math.max(m, Number(n.slice(SET_PREFIX.length)) || 0), 0) + 1;
  const name = `${SET_PREFIX}${String(seq).padStart(6, '0')}`;
  const setDir = join(dir, name);
  await rm(setDir, { recursive: true, force: true });
  await mkdir(setDir, { recursive: true });
  await saveStore(pipeline.store, join(setDir, 'baselines'));
  await pauseIfAsked();
  await saveLedger(pipeline.inventory, setDir);
  const file: PipelineStateFile = {
    version: PIPELINE_STATE_VERSION,
    watermarkMs: pipeline.watermarkMs,
    grouper: pipeline.grouper.snapshot(),
    peers: pipeline.peers.snapshot(),
    detectorState: pipeline.runner.state.toJSON(),
    dedup: pipeline.memory.snapshot(),
    sessions: pipeline.sessions.toJSON(),
    ...(extra === undefined ? {} : { extra }),
  };
  await writeFile(join(setDir, 'pipeline.json'), JSON.stringify(file));
  const manifest: StateManifest = {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    savedAt: new Date().toISOString(),
    set: name,
    files: {},
  };
  for (const path of await filesUnder(setDir)) {
    await fsyncPath(path);
    manifest.files[relative(setDir, path).split('\\').join('/')] = await sha256(path);
  }
  await fsyncPath(setDir);
  const tmp = join(dir, `${MANIFEST}.tmp-${process.pid}`);
  await writeFile(tmp, JSON.stringify(manifest, null, 1));
  await fsyncPath(tmp);
  await rename(tmp, join(dir, MANIFEST));
  await fsyncPath(dir);
  for (const n of await readdir(dir)) {
    if ((n.startsWith(SET_PREFIX) && n !== name) || LEGACY_PARTS.includes(n)) {
      await rm(join(dir, n), { recursive: true, force: true });
    }
  }
}

/**
 * Restores state saved by {@link savePipelineState} into `pipeline`. Returns undefined when `dir`
 * does not exist or is empty (first run) or when `fresh` is set, else the saved `extra` (and the
 * version migrated from, for state written before the manifest existed: a bare `pipeline.json`
 * of version 1 is read as before and rewritten as a set by the next save).
 * @throws StateError naming the file when a part of the set is missing, truncated or altered
 *   (size or SHA-256 differ from the manifest), unreadable or of an unsupported version: learned
 *   baselines are never dropped silently (pass `fresh` to start over on purpose).
 */
export async function loadPipelineState(
  pipeline: Pipeline,
  dir: string,
  options: LoadStateOptions = {},
): Promise<{ extra: unknown; migratedFrom?: number } | undefined> {
  if (options.fresh) {
    options.logger?.warn({ dir }, 'state: --fresh given, saved state ignored (the next save replaces it)');
    return undefined;
  }
  if (!existsSync(dir)) return undefined;
  const manifestPath = join(dir, MANIFEST);
  let setDir = dir;
  let migratedFrom: number | undefined;
  if (existsSync(manifestPath)) {
    const manifest = await readManifestFile(manifestPath);
    setDir = join(dir, manifest.set);
    await verifySet(setDir, manifest, manifestPath);
  } else if (existsSync(join(dir, 'pipeline.json'))) {
    migratedFrom = 1;
    options.logger?.warn({ dir }, 'state: version 1 (no manifest) read; the next save writes version 2');
  } else {
    const parts = (await readdir(dir)).filter((n) => n.startsWith(SET_PREFIX) || LEGACY_PARTS.includes(n));
    if (parts.length > 0) {
      throw new StateError(
        `state ${dir} is incomplete: ${MANIFEST} (and pipeline.json) missing next to ${parts.join(', ')}; restore it or pass --fresh to start over`,
      );
    }
    return undefined;
  }
  const pipelinePath = join(setDir, 'pipeline.json');
  let file: PipelineStateFile;
  try {
    file = JSON.parse(await readFile(pipelinePath, 'utf8')) as PipelineStateFile;
  } catch (cause) {
    throw new StateError(`corrupt pipeline state ${pipelinePath}: ${(cause as Error).message}`, { cause });
  }
  if (file === null || typeof file !== 'object' || Array.isArray(file)) {
    throw new StateError(`corrupt pipeline state ${pipelinePath}: not a JSON object`);
  }
  if (file.version !== PIPELINE_STATE_VERSION) {
    throw new StateError(
      `pipeline state ${pipelinePath} has version ${String(file.version)}; this build reads ${PIPELINE_STATE_VERSION}`,
    );
  }
  if (typeof file.watermarkMs !== 'number' || file.grouper === null || typeof file.grouper !== 'object') {
    throw new StateError(`corrupt pipeline state ${pipelinePath}: watermarkMs or grouper missing`);
  }
  const store = await loadStore(join(setDir, 'baselines'), pipeline.storeConfig);
  const inventory = await loadLedger(setDir);
  let peers: PeerModels | undefined;
  if (file.peers !== undefined) {
    try {
      peers = new PeerModels().restore(file.peers as Parameters<PeerModels['restore']>[0]);
    } catch (cause) {
      throw new StateError(`corrupt peer models in ${pipelinePath}: ${(cause as Error).message}`, { cause });
    }
  }
  let memory: EventMemory | undefined;
  if (file.dedup !== undefined) {
    try {
      memory = EventMemory.restore(file.dedup);
    } catch (cause) {
      throw new StateError(`corrupt dedup memory in ${pipelinePath}: ${(cause as Error).message}`, { cause });
    }
  }
  if (file.sessions !== undefined) {
    const parsed = sessionJoinStateSchema.safeParse(file.sessions);
    if (!parsed.success)
      throw new StateError(`corrupt session join in ${pipelinePath}: ${parsed.error.message}`);
    pipeline.sessions.restore(parsed.data);
  }
  try {
    pipeline.restoreState({
      store,
      ...(memory ? { memory } : {}),
      grouper: file.grouper,
      watermarkMs: file.watermarkMs,
      ...(peers ? { peers } : {}),
      ...(inventory ? { inventory } : {}),
      ...(file.detectorState ? { detectorState: file.detectorState } : {}),
    });
  } catch (cause) {
    throw new StateError(`corrupt pipeline state ${pipelinePath}: ${(cause as Error).message}`, { cause });
  }
  return migratedFrom === undefined ? { extra: file.extra } : { extra: file.extra, migratedFrom };
}

/** Checks every file the manifest lists: present in the set folder, same size, same SHA-256. */
async function verifySet(setDir: string, manifest: StateManifest, manifestPath: string): Promise<void> {
  const files = manifest.files;
  if (files === null || typeof files !== 'object' || !files['pipeline.json']) {
    throw new StateError(`corrupt state manifest ${manifestPath}: pipeline.json not listed`);
  }
  if (!existsSync(setDir)) throw new StateError(`state set missing: ${setDir} (named by ${manifestPath})`);
  for (const [name, want] of Object.entries(files)) {
    const path = join(setDir, name);
    if (!existsSync(path)) throw new StateError(`state file missing: ${path} (listed in ${manifestPath})`);
    const size = (await stat(path)).size;
    if (size !== want.bytes) {
      throw new StateError(
        `state file truncated or altered: ${path} is ${size} bytes, ${manifestPath} says ${want.bytes}`,
      );
    }
    const got = await sha256(path);
    if (got.sha256 !== want.sha256) {
      throw new StateError(`state file corrupt: ${path} does not match its SHA-256 in ${manifestPath}`);
    }
  }
}
