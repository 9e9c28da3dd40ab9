import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Logger } from 'pino';
import { StateError } from '../errors.js';
import type { LedgerDeltaReader } from '../inventory/state-view.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { loadPipelineState, MANIFEST, type StateManifest, savePipelineState } from '../pipeline/state.js';
import { OffsetPositions } from './positions.js';
import { applyReorderDelta, type ReorderBuffer, type ReorderDelta, type ReorderSnapshot } from './reorder.js';
import { applyDeltas, ChangeTracker, type PipelineDelta } from './state-delta.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

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

/**
 * One incremental checkpoint (`checkpoint-<seq>/deltas/<n>.json.gz`): what changed since the
 * previous one (the full checkpoint for n = 1), with the offsets the state then covers.
 */
export interface ServeCheckpointDelta {
  kind: 'tokenwatch.serve.delta';
  version: 1;
  /** 1, 2, ... within its full checkpoint; applied in this order. */
  n: number;
  savedAt: string;
  groupId: string;
  positions: Record<string, Record<string, string>>;
  reorder: ReorderDelta;
  state: PipelineDelta;
}

/** When a full checkpoint is written instead of a delta (see {@link CheckpointStore}). */
export interface CheckpointPolicy {
  /** Deltas after one full checkpoint at most (default 120: 10 minutes at the default 5 s interval). */
  maxDeltas: number;
  /** A full checkpoint once the deltas add up to this share of the full one's bytes (default 1). */
  maxDeltaShare: number;
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
const DELTAS = 'deltas';
const DELTA_FILE = /^(\d{10})\.json\.gz$/;

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
 * <stateDir>/CURRENT                              name of the live checkpoint directory
 * <stateDir>/checkpoint-<seq>/                    full pipeline state (baselines/, pipeline.json with the offsets)
 * <stateDir>/checkpoint-<seq>/deltas/<n>.json.gz  incremental checkpoints after it, n = 1, 2, ...
 * ```
 *
 * A full save writes a brand-new directory, fsyncs it, then replaces `CURRENT` with a rename: a
 * crash at any point leaves either the old or the new checkpoint live, never a mix of new
 * baselines and old offsets. Between full saves, a save writes only what changed since the last
 * one ({@link ServeCheckpointDelta}: the entities, detector-state entries and ledger records
 * stage 2 touched, the release buffer's added and released activities, the small pipeline-wide
 * pieces, the offsets) as the next delta file of the live checkpoint: gzip (off the event loop),
 * a temporary file, fsync, rename, directory fsync, so a crash leaves the delta either complete
 * or absent. A delta is captured (serialized) synchronously and may be written while the
 * pipeline goes on ({@link captureDelta}); deltas are written in capture order. Loading applies
 * the live checkpoint's deltas in order ({@link applyDeltas}), which
 * restores the state and offsets of the last one. A full save happens first, after
 * {@link CheckpointPolicy.maxDeltas} deltas, once the deltas add up to the full checkpoint's size,
 * and after a failed save (the changes it would have carried are gone from the tracker). The
 * previous checkpoint is kept one generation as a fallback; older ones and orphans of interrupted
 * saves are removed.
 *
 * A state directory written by `tokenwatch run --state-dir` (a bare `pipeline.json`) is loaded as
 * a seed: its baselines are used, and consumption starts from the consumer group's committed
 * offsets (or the beginning of the topics).
 */
export class CheckpointStore {
  private seq = 0;
  private readonly log: Logger;
  /** The live full checkpoint's directory name, once this process loaded or wrote one. */
  private live: string | undefined;
  private deltaCount = 0;
  private deltaBytes = 0;
  private fullBytes = 0;
  private needFull = true;
  private tracker: ChangeTracker | undefined;
  private readonly policy: CheckpointPolicy;
  /** The last captured delta's write: true once written (or none), false when it failed. */
  private lastWrite: Promise<boolean> = Promise.resolve(true);

  constructor(
    readonly dir: string,
    logger: Logger,
    policy: Partial<CheckpointPolicy> = {},
  ) {
    this.log = logger.child({ component: 'serve.checkpoint' });
    this.policy = { maxDeltas: policy.maxDeltas ?? 120, maxDeltaShare: policy.maxDeltaShare ?? 1 };
  }

  /**
   * The change tracker of `pipeline` (its stages note what stage 2 touches): serve must run
   * stage 2 through `tracker(pipeline).stages`, and report alerts it closes otherwise with
   * `noteAlerts`, for incremental checkpoints to be complete.
   */
  trackerFor(pipeline: Pipeline): ChangeTracker {
    this.tracker ??= new ChangeTracker(() => pipeline);
    return this.tracker;
  }

  /**
   * Restores the live checkpoint (and its deltas) into `pipeline` and returns the offsets it covers.
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
      const { deltas, bytes } = await readDeltas(dir);
      applyDeltas(
        pipeline,
        deltas.map((d) => d.state),
        join(dir, DELTAS),
      );
      const lastDelta = deltas.at(-1);
      let reorder = extra.reorder;
      for (const d of deltas) reorder = applyReorderDelta(reorder, d.reorder);
      const positionsJSON = lastDelta ? lastDelta.positions : extra.positions;
      const positions = OffsetPositions.fromJSON(positionsJSON);
      this.live = name;
      this.deltaCount = deltas.length;
      this.deltaBytes = bytes;
      this.fullBytes = await fullBytes(dir);
      this.needFull = false;
      this.trackerFor(pipeline).reset();
      this.log.info(
        {
          dir,
          savedAt: lastDelta?.savedAt ?? extra.savedAt,
          deltas: deltas.length,
          positions: positionsJSON,
        },
        'checkpoint restored',
      );
      return { kind: 'checkpoint', positions, ...(reorder ? { reorder } : {}), dir };
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

  /**
   * Whether the next save is in full (see the class comment). A full save reads the live
   * pipeline across awaits, so the pipeline must not change until it resolves; a delta is
   * captured synchronously ({@link captureDelta}) and may be written while processing goes on.
   */
  nextIsFull(): boolean {
    return (
      this.needFull ||
      this.live === undefined ||
      this.deltaCount >= this.policy.maxDeltas ||
      this.deltaBytes >= this.policy.maxDeltaShare * this.fullBytes
    );
  }

  /**
   * Saves the pipeline state, the release buffer and the offsets they cover as the new live
   * checkpoint: a delta when the policy allows (see the class comment), else in full. Returns the
   * file or directory written and which kind. The pipeline must not change until it resolves.
   */
  async save(
    pipeline: Pipeline,
    positions: OffsetPositions,
    groupId: string,
    reorder?: ReorderBuffer,
  ): Promise<{ path: string; kind: 'full' | 'delta' }> {
    if (this.nextIsFull())
      return { path: await this.saveFull(pipeline, positions, groupId, reorder), kind: 'full' };
    return { path: await this.captureDelta(pipeline, positions, groupId, reorder)(), kind: 'delta' };
  }

  /**
   * Captures an incremental checkpoint now, synchronously (what stage 2 changed since the last
   * save, the release buffer's changes, the offsets; serialized before this returns, so the
   * pipeline may change as soon as it does), and returns the function that writes it (gzip off
   * the event loop, temporary file, fsync, rename, directory fsync), resolving to its path once
   * it is live. Writes happen in capture order: one waits for the write before it and fails if
   * that one failed (a delta never follows a gap), and, given `ready`, wait for it too (a delta
   * must not become live before what it covers is acknowledged elsewhere; when `ready` rejects,
   * the write fails). After a failed write the next save is full. Only while {@link nextIsFull}
   * is false.
   * @throws StateError when the next save must be in full.
   */
  captureDelta(
    pipeline: Pipeline,
    positions: OffsetPositions,
    groupId: string,
    reorder?: ReorderBuffer,
    ready?: Promise<unknown>,
  ): () => Promise<string> {
    if (this.nextIsFull()) throw new StateError('the next checkpoint must be written in full');
    const tracker = this.trackerFor(pipeline);
    const live = join(this.dir, this.live as string);
    const n = this.deltaCount + 1;
    let json: string;
    try {
      const delta: ServeCheckpointDelta = {
        kind: 'tokenwatch.serve.delta',
        version: 1,
        n,
        savedAt: new Date().toISOString(),
        groupId,
        positions: positions.toJSON(),
        reorder: reorder?.delta() ?? { partitions: [], added: [], removed: [], nextSeq: 0 },
        state: tracker.delta(),
      };
      json = JSON.stringify(delta);
    } catch (err) {
      // the tracker may have forgotten changes this delta would have carried
      this.needFull = true;
      throw err;
    }
    reorder?.markPersisted();
    this.deltaCount = n;
    const before = this.lastWrite;
    // awaited after the gzip: a rejection meanwhile is not unhandled
    ready?.catch(() => {});
    const write = (async () => {
      try {
        const bytes = await gzipAsync(json, { level: 1 });
        if (!(await before)) throw new StateError(`incremental checkpoint ${n - 1} was not written`);
        const deltas = join(live, DELTAS);
        if (!existsSync(deltas)) {
          await mkdir(deltas, { recursive: true });
          await fsyncPath(live, true);
        }
        const target = join(deltas, `${String(n).padStart(10, '0')}.json.gz`);
        const tmp = `${target}.tmp-${process.pid}`;
        await writeFile(tmp, bytes);
        await fsyncPath(tmp);
        try {
          await ready;
        } catch (err) {
          await rm(tmp, { force: true });
          throw err;
        }
        await rename(tmp, target);
        await fsyncPath(deltas, true);
        this.deltaBytes += bytes.length;
        return target;
      } catch (err) {
        // what it carried is gone from the tracker: the next save is in full
        this.needFull = true;
        throw err;
      }
    })();
    this.lastWrite = write.then(
      () => true,
      () => false,
    );
    return () => write;
  }

  private async saveFull(
    pipeline: Pipeline,
    positions: OffsetPositions,
    groupId: string,
    reorder: ReorderBuffer | undefined,
  ): Promise<string> {
    // a delta still being written would land in the checkpoint this one replaces
    await this.lastWrite;
    try {
      return await this.writeFull(pipeline, positions, groupId, reorder);
    } catch (err) {
      this.needFull = true;
      throw err;
    }
  }

  private async writeFull(
    pipeline: Pipeline,
    positions: OffsetPositions,
    groupId: string,
    reorder: ReorderBuffer | undefined,
  ): Promise<string> {
    this.seq += 1;
    const name = `${PREFIX}${String(this.seq).padStart(10, '0')}`;
    const dir = join(this.dir, name);
    await rm(dir, { recursive: true, force: true });
    const snapshot = reorder?.toJSON();
    const extra: ServeCheckpointExtra = {
      kind: 'tokenwatch.serve',
      version: 1,
      savedAt: new Date().toISOString(),
      groupId,
      positions: positions.toJSON(),
      ...(snapshot && snapshot.buffered.length + snapshot.partitions.length > 0 ? { reorder: snapshot } : {}),
    };
    await savePipelineState(pipeline, dir, extra);
    await fsyncTree(dir);
    const tmp = join(this.dir, `${CURRENT}.tmp`);
    await writeFile(tmp, `${name}\n`);
    await fsyncPath(tmp);
    await rename(tmp, join(this.dir, CURRENT));
    await fsyncPath(this.dir, true);
    this.trackerFor(pipeline).reset();
    reorder?.markPersisted();
    this.live = name;
    this.deltaCount = 0;
    this.deltaBytes = 0;
    this.fullBytes = await fullBytes(dir);
    this.needFull = false;
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

/** Bytes of a full checkpoint's state files (from its manifest). */
async function fullBytes(dir: string): Promise<number> {
  try {
    const m = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as StateManifest;
    return Object.values(m.files).reduce((s, f) => s + f.bytes, 0);
  } catch {
    return 0;
  }
}

/**
 * The deltas of a full checkpoint directory, in order (1, 2, ... without a gap; temporary files
 * of an interrupted write are ignored), and their total size in bytes.
 * @throws StateError when one is unreadable, of another kind, or numbered out of sequence.
 */
export async function readDeltas(
  checkpointDir: string,
): Promise<{ deltas: ServeCheckpointDelta[]; bytes: number }> {
  const dir = join(checkpointDir, DELTAS);
  if (!existsSync(dir)) return { deltas: [], bytes: 0 };
  const files = (await readdir(dir)).filter((f) => DELTA_FILE.test(f)).sort();
  const deltas: ServeCheckpointDelta[] = [];
  let bytes = 0;
  for (const [i, f] of files.entries()) {
    const path = join(dir, f);
    let d: ServeCheckpointDelta;
    try {
      const raw = await readFile(path);
      bytes += (await stat(path)).size;
      d = JSON.parse((await gunzipAsync(raw)).toString('utf8')) as ServeCheckpointDelta;
    } catch (cause) {
      throw new StateError(`corrupt incremental checkpoint ${path}: ${(cause as Error).message}`, { cause });
    }
    if (d?.kind !== 'tokenwatch.serve.delta' || d.version !== 1 || d.n !== i + 1)
      throw new StateError(
        `incremental checkpoint ${path} is not delta ${i + 1} of ${checkpointDir} (kind ${String(d?.kind)}, n ${String(d?.n)})`,
      );
    deltas.push(d);
  }
  return { deltas, bytes };
}

/**
 * The token-ledger parts of a serve checkpoint's deltas, for `tokenwatch inventory --state` on a
 * serve state directory (src/inventory/state-view.ts).
 */
export const ledgerDeltas: LedgerDeltaReader = async (checkpointDir) =>
  (await readDeltas(checkpointDir)).deltas.map((d) => ({
    ledger: d.state.ledger,
    watermarkMs: d.state.watermarkMs,
  }));
