import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { StateError } from '../errors.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { loadPipelineState, MANIFEST, savePipelineState } from '../pipeline/state.js';
import { OffsetPositions } from './positions.js';
import type { ReorderSnapshot } from './reorder.js';

/** What serve stores in the pipeline state's `extra`. */
export interface ServeCheckpointExtra {
  kind: 'tokenwatch.serve';
  version: 1;
  savedAt: string;
  groupId: string;
  /** `{topic: {partition: nextOffset}}`: the offsets this state covers. */
  positions: Record<string, Record<string, string>>;
  /**
   * The event-time release buffer (reorder.ts): activities read (covered by `positions`) but not
   * detected yet, and each partition's highest event time. Absent in older checkpoints (empty).
   */
  reorder?: ReorderSnapshot;
}

/** What {@link CheckpointStore.load} found. */
export interface LoadedCheckpoint {
  /** `checkpoint` (serve), `seed` (a `tokenwatch run --state-dir` directory: baselines only) or `none`. */
  kind: 'checkpoint' | 'seed' | 'none';
  positions: OffsetPositions;
  /** The release buffer saved with a serve checkpoint (see {@link ServeCheckpointExtra.reorder}). */
  reorder?: ReorderSnapshot;
  dir?: string;
}

const CURRENT = 'CURRENT';
const PREFIX = 'checkpoint-';

async function fsyncPath(path: string, dir = false): Promise<void> {
  const fh = await open(path, dir ? 'r' : 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function fsyncTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) await fsyncTree(p);
    else if (entry.isFile()) await fsyncPath(p);
  }
  await fsyncPath(dir, true);
}

/**
 * Checkpoints of the pipeline state together with the Kafka offsets it covers, in a state
 * directory:
 *
 * ```
 * <stateDir>/CURRENT               name of the live checkpoint directory
 * <stateDir>/checkpoint-<seq>/     pipeline state (baselines/, pipeline.json with the offsets)
 * ```
 *
 * A save writes a brand-new directory, fsyncs it, then replaces `CURRENT` with a rename: a crash
 * at any point leaves either the old or the new checkpoint live, never a mix of new baselines
 * and old offsets. The previous checkpoint is kept one generation as a fallback; older ones and
 * orphans of interrupted saves are removed.
 *
 * A state directory written by `tokenwatch run --state-dir` (a bare `pipeline.json`) is loaded as
 * a seed: its baselines are used, and consumption starts from the consumer group's committed
 * offsets (or the beginning of the topics).
 */
export class CheckpointStore {
  private seq = 0;
  private readonly log: Logger;

  constructor(
    readonly dir: string,
    logger: Logger,
  ) {
    this.log = logger.child({ component: 'serve.checkpoint' });
  }

  /**
   * Restores the live checkpoint into `pipeline` and returns the offsets it covers.
   * @throws StateError when the checkpoint is corrupt (never silently starts from scratch).
   */
  async load(pipeline: Pipeline, options: { fresh?: boolean } = {}): Promise<LoadedCheckpoint> {
    await mkdir(this.dir, { recursive: true });
    this.seq = await this.maxSeq();
    if (options.fresh) {
      this.log.warn(
        { dir: this.dir },
        '--fresh: saved checkpoints ignored (the next checkpoint replaces them)',
      );
      return { kind: 'none', positions: new OffsetPositions() };
    }
    const currentFile = join(this.dir, CURRENT);
    if (existsSync(currentFile)) {
      const name = (await readFile(currentFile, 'utf8')).trim();
      if (!name.startsWith(PREFIX)) throw new StateError(`${currentFile} names no checkpoint ("${name}")`);
      const dir = join(this.dir, name);
      const loaded = await loadPipelineState(pipeline, dir, { logger: this.log });
      if (!loaded) throw new StateError(`checkpoint ${dir} named by ${currentFile} is missing`);
      const extra = loaded.extra as Partial<ServeCheckpointExtra> | undefined;
      if (extra?.kind !== 'tokenwatch.serve')
        throw new StateError(`checkpoint ${dir} holds no serve offsets`);
      const positions = OffsetPositions.fromJSON(extra.positions);
      this.log.info({ dir, savedAt: extra.savedAt, positions: extra.positions }, 'checkpoint restored');
      return { kind: 'checkpoint', positions, ...(extra.reorder ? { reorder: extra.reorder } : {}), dir };
    }
    // a complete checkpoint without CURRENT is lost state (an interrupted first save leaves an
    // incomplete one, which is ignored and overwritten)
    const complete = (await readdir(this.dir)).filter(
      (n) => n.startsWith(PREFIX) && existsSync(join(this.dir, n, MANIFEST)),
    );
    if (complete.length > 0) {
      throw new StateError(
        `${currentFile} is missing but ${this.dir} holds checkpoints (checkpoint-*): restore CURRENT or pass --fresh to start over`,
      );
    }
    const seeded = await loadPipelineState(pipeline, this.dir, { logger: this.log });
    if (seeded) {
      this.log.info(
        { dir: this.dir },
        'baselines seeded from a `tokenwatch run` state directory (no offsets)',
      );
      return { kind: 'seed', positions: new OffsetPositions(), dir: this.dir };
    }
    return { kind: 'none', positions: new OffsetPositions() };
  }

  /** Saves the pipeline state, the release buffer and the offsets they cover as the new live checkpoint. */
  async save(
    pipeline: Pipeline,
    positions: OffsetPositions,
    groupId: string,
    reorder?: ReorderSnapshot,
  ): Promise<string> {
    this.seq += 1;
    const name = `${PREFIX}${String(this.seq).padStart(10, '0')}`;
    const dir = join(this.dir, name);
    await rm(dir, { recursive: true, force: true });
    const extra: ServeCheckpointExtra = {
      kind: 'tokenwatch.serve',
      version: 1,
      savedAt: new Date().toISOString(),
      groupId,
      positions: positions.toJSON(),
      ...(reorder && reorder.buffered.length + reorder.partitions.length > 0 ? { reorder } : {}),
    };
    await savePipelineState(pipeline, dir, extra);
    await fsyncTree(dir);
    const tmp = join(this.dir, `${CURRENT}.tmp`);
    await writeFile(tmp, `${name}\n`);
    await fsyncPath(tmp);
    await rename(tmp, join(this.dir, CURRENT));
    await fsyncPath(this.dir, true);
    await this.prune(name);
    return dir;
  }

  private async maxSeq(): Promise<number> {
    let max = 0;
    for (const e of await readdir(this.dir)) {
      if (!e.startsWith(PREFIX)) continue;
      const n = Number(e.slice(PREFIX.length));
      if (Number.isInteger(n) && n > max) max = n;
    }
    return max;
  }

  /** Keeps the live checkpoint and the one before it. */
  private async prune(live: string): Promise<void> {
    const names = (await readdir(this.dir)).filter((e) => e.startsWith(PREFIX)).sort();
    const keep = new Set([live, names.filter((n) => n < live).at(-1)]);
    for (const n of names) {
      if (keep.has(n)) continue;
      await rm(join(this.dir, n), { recursive: true, force: true }).catch((err: unknown) =>
        this.log.warn({ dir: n, err }, 'could not remove an old checkpoint'),
      );
    }
  }
}
