import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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

/** `pipeline.json`: what the pipeline keeps besides the baselines. */
export interface PipelineStateFile {
  version: number;
  watermarkMs: number;
  grouper: GrouperSnapshot;
  /** Peer-group model snapshot (training rows; models are retrained identically on restore). */
  peers?: unknown;
  /** Declared detector state (baselines/keyed-state.ts; absent in checkpoints of older versions). */
  detectorState?: KeyedStateJSON;
  /** Dedup memory (event id and content hashes, src/pipeline/dedup.ts); absent in older states. */
  dedup?: EventMemorySnapshot;
  /** Salesforce session -> connected app join (session-join.ts); absent in older states. */
  sessions?: unknown;
  /** Opaque extra data saved with the state (the Kafka consumer stores its offsets here). */
  extra?: unknown;
}

/**
 * Saves the pipeline's learned state into `dir`: baselines (`dir/baselines/`, see
 * baselines/persistence.ts), the token inventory (`dir/inventory.json.gz`, src/inventory) and
 * `dir/pipeline.json` (watermark, open alert groups, peer models, the dedup memory of event ids
 * and content hashes, `extra`).
 * `pipeline.json` is written last, through a temporary file and a rename, so it marks a complete
 * checkpoint.
 */
export async function savePipelineState(pipeline: Pipeline, dir: string, extra?: unknown): Promise<void> {
  await mkdir(dir, { recursive: true });
  await saveStore(pipeline.store, join(dir, 'baselines'));
  await saveLedger(pipeline.inventory, dir);
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
  const tmp = join(dir, 'pipeline.json.tmp');
  await writeFile(tmp, JSON.stringify(file));
  await rename(tmp, join(dir, 'pipeline.json'));
}

/**
 * Restores state saved by {@link savePipelineState} into `pipeline`. Returns undefined when `dir`
 * holds no checkpoint (first run), else the saved `extra`.
 * @throws StateError when the checkpoint exists but is corrupt or of an unknown version.
 */
export async function loadPipelineState(
  pipeline: Pipeline,
  dir: string,
): Promise<{ extra: unknown } | undefined> {
  const path = join(dir, 'pipeline.json');
  if (!existsSync(path)) return undefined;
  let file: PipelineStateFile;
  try {
    file = JSON.parse(await readFile(path, 'utf8')) as PipelineStateFile;
  } catch (cause) {
    throw new StateError(`corrupt pipeline state ${path}: ${(cause as Error).message}`, { cause });
  }
  if (file.version !== PIPELINE_STATE_VERSION) {
    throw new StateError(
      `pipeline state ${path} has version ${file.version}; expected ${PIPELINE_STATE_VERSION}`,
    );
  }
  const store = await loadStore(join(dir, 'baselines'), pipeline.storeConfig);
  const inventory = await loadLedger(dir);
  let peers: PeerModels | undefined;
  if (file.peers !== undefined) {
    try {
      peers = new PeerModels().restore(file.peers as Parameters<PeerModels['restore']>[0]);
    } catch (cause) {
      throw new StateError(`corrupt peer models in ${path}: ${(cause as Error).message}`, { cause });
    }
  }
  let memory: EventMemory | undefined;
  if (file.dedup !== undefined) {
    try {
      memory = EventMemory.restore(file.dedup);
    } catch (cause) {
      throw new StateError(`corrupt dedup memory in ${path}: ${(cause as Error).message}`, { cause });
    }
  }
  if (file.sessions !== undefined) {
    const parsed = sessionJoinStateSchema.safeParse(file.sessions);
    if (!parsed.success) throw new StateError(`corrupt session join in ${path}: ${parsed.error.message}`);
    pipeline.sessions.restore(parsed.data);
  }
  pipeline.restoreState({
    store,
    ...(memory ? { memory } : {}),
    grouper: file.grouper,
    watermarkMs: file.watermarkMs,
    ...(peers ? { peers } : {}),
    ...(inventory ? { inventory } : {}),
    ...(file.detectorState ? { detectorState: file.detectorState } : {}),
  });
  return { extra: file.extra };
}
