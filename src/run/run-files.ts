import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { redactText } from '../../ingestors/common/redact.js';
import type { DeadLetter } from '../../ingestors/types.js';
import type { Alert } from '../../schemas/alert.js';
import type { Source, TokenActivity } from '../../schemas/token-activity.js';
import { appendAlertLog } from '../api/alert-log.js';
import type { Config } from '../config.js';
import { loadAppVetting } from '../pipeline/apps-lookup.js';
import type { PipelineCounts } from '../pipeline/counts.js';
import { type Normalized, Pipeline } from '../pipeline/pipeline.js';
import { loadPipelineState, savePipelineState } from '../pipeline/state.js';
import { TimeOrder, type TimeOrderOptions } from '../pipeline/time-partition.js';
import { type InputFile, openInput, resolveInputs, type SkippedInputFile } from './inputs.js';

/** Options of {@link runFiles}. */
export interface RunOptions {
  /** Files, directories, globs, or `-` for stdin. */
  inputs: readonly string[];
  /** Force the source instead of detecting it per file. */
  source?: Source;
  /** Directory for `alerts.ndjson` (+ `activity.ndjson`, `dead-letters.ndjson`); none: nothing written. */
  outDir?: string;
  writeActivity?: boolean;
  writeDeadLetters?: boolean;
  /** Baseline state directory: loaded if present, saved at the end. */
  stateDir?: string;
  /** Ignore the saved state in `stateDir` (start over on purpose); it is replaced at the end. */
  fresh?: boolean;
  config: Readonly<Config>;
  logger: Logger;
  /** Called with bytes read so far, for a progress display. */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  /** Called for each activity after detection (evaluation harnesses). */
  onActivity?: (activity: TokenActivity) => void;
  /**
   * The pipeline to run (default: a new one from `config`), for callers that inspect its state
   * afterwards (the benchmark measures its baselines).
   */
  pipeline?: Pipeline;
  /** Memory bounds of the event-time sort (src/pipeline/time-partition.ts); defaults fit a large run. */
  timeOrder?: TimeOrderOptions;
}

/** How a run read its inputs: what bounds its memory (tests and the benchmark check these). */
export interface ReadingStats {
  /** Input files open at once at most (they are read one after another: 1 for any number of files). */
  maxOpenInputs: number;
  /** Activities held in memory at once at most, waiting for their turn in event-time order. */
  peakBufferedActivities: number;
  /** Activities that waited in temporary time-partition files instead (0 when all fit in memory). */
  spilledActivities: number;
  /** Time-partition files written. */
  partitions: number;
}

/** What a run did. */
export interface RunResult {
  counts: PipelineCounts;
  alerts: Alert[];
  files: { name: string; source: Source | 'unknown'; bytes: number }[];
  /** Files whose source could not be detected (not read as records). */
  unknownFiles: string[];
  /** Files in the input directories / globs that were not read (name not an input), with why. */
  skippedFiles: SkippedInputFile[];
  deadLetters: DeadLetter[];
  durationMs: number;
  reading: ReadingStats;
  outputs: { alerts?: string; activity?: string; deadLetters?: string; skipped?: string; state?: string };
}

function ndjson(path: string): WriteStream {
  return createWriteStream(path, { encoding: 'utf8' });
}

function close(s: WriteStream | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!s) return resolve();
    s.end((err?: Error | null) => (err ? reject(err) : resolve()));
  });
}

/**
 * One line of `skipped.ndjson`: source, reason, location, for a duplicate the event it repeats
 * (`duplicate_of.id`, `duplicate_of.location` when remembered). The raw record is not written:
 * the location names it, and a skipped record has not been through every source's redaction.
 */
function skippedLine(item: Normalized & { kind: 'skipped' }): Record<string, unknown> {
  // A reason can quote a raw field (a Salesforce object type read before redaction): redacted too.
  const safe = (text: string): string => redactText(text).text;
  return {
    source: item.source,
    reason: safe(item.reason),
    location: safe(item.location),
    ...(item.duplicateOf ? { duplicate_of: item.duplicateOf } : {}),
  };
}

/** Dead letters kept in memory for the summary; all of them go to the file. */
const MAX_DEAD_LETTERS_IN_MEMORY = 1000;

/**
 * Runs the pipeline over files: reads the inputs one after another (stage 1: frame, redact,
 * normalize, enrich; dead letters and skips are written as they come), orders all their activities
 * by the stage-2 order in bounded memory (time-partition.ts: whatever the files' own order and
 * time ranges), then detects, groups, and writes alerts (and optionally activity and dead letters)
 * as NDJSON. Baseline state is restored from / saved to `stateDir`.
 * @throws InputError for unreadable inputs, StateError for a corrupt state directory.
 */
export async function runFiles(options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const log = options.logger.child({ component: 'run' });
  const pipeline =
    options.pipeline ?? new Pipeline({ config: options.config.pipeline, logger: options.logger });
  if (options.stateDir) {
    const restored = await loadPipelineState(pipeline, options.stateDir, {
      ...(options.fresh ? { fresh: true } : {}),
      logger: log,
    });
    pipeline.apps ??= await loadAppVetting(options.stateDir);
    if (restored) log.info({ stateDir: options.stateDir }, 'restored baseline state');
  }
  const { paths, skipped: skippedFiles } = await resolveInputs(options.inputs);
  for (const s of skippedFiles) log.info({ file: s.path, reason: s.reason }, 'file not read');
  const files: InputFile[] = paths.map((p) => openInput(p, options.source));
  const unknownFiles = files.filter((f) => f.source === undefined).map((f) => f.name);
  for (const name of unknownFiles)
    log.warn({ file: name }, 'source not recognized; file dead-lettered (use --source)');
  const known = files.filter((f): f is InputFile & { source: Source } => f.source !== undefined);
  const totalBytes = known.reduce((s, f) => s + f.bytes, 0);

  const outputs: RunResult['outputs'] = {};
  let alertsOut: WriteStream | undefined;
  let activityOut: WriteStream | undefined;
  let deadOut: WriteStream | undefined;
  let skippedOut: WriteStream | undefined;
  if (options.outDir) {
    mkdirSync(options.outDir, { recursive: true });
    outputs.alerts = join(options.outDir, 'alerts.ndjson');
    alertsOut = ndjson(outputs.alerts);
    if (options.writeActivity) {
      outputs.activity = join(options.outDir, 'activity.ndjson');
      activityOut = ndjson(outputs.activity);
    }
    if (options.writeDeadLetters) {
      outputs.deadLetters = join(options.outDir, 'dead-letters.ndjson');
      deadOut = ndjson(outputs.deadLetters);
      outputs.skipped = join(options.outDir, 'skipped.ndjson');
      skippedOut = ndjson(outputs.skipped);
    }
  }

  const alerts: Alert[] = [];
  const deadLetters: DeadLetter[] = [];
  const emit = (batch: Alert[]): void => {
    for (const a of batch) {
      alerts.push(a);
      alertsOut?.write(`${JSON.stringify(a)}\n`);
    }
  };

  // Progress: bytes of chunks handed to the pipeline so far.
  let doneBytes = 0;
  let openInputs = 0;
  let maxOpenInputs = 0;
  function* tracked(file: InputFile & { source: Source }): Generator<Normalized> {
    openInputs += 1;
    maxOpenInputs = Math.max(maxOpenInputs, openInputs);
    try {
      for (const chunk of file.chunks()) {
        if (chunk.text !== '')
          yield* pipeline.normalize(chunk.text, { source: file.source, location: chunk.location });
        if (chunk.error)
          yield pipeline.inputError(file.source, chunk.location, chunk.error.reason, chunk.error.partial);
        doneBytes += chunk.bytes;
        options.onProgress?.(doneBytes, totalBytes);
      }
    } finally {
      openInputs -= 1;
    }
  }

  // A file whose source cannot be recognized is one dead letter (nothing is dropped silently).
  function unrecognized(file: InputFile): Normalized {
    const it = file.chunks()[Symbol.iterator]();
    const first = it.next();
    it.return?.();
    const chunks = first.done ? [] : [first.value];
    const error = chunks[0]?.error;
    // a gzip stream that does not even decode its head: the decoder's reason, not "unrecognized"
    if (error && chunks[0]?.text === '') return pipeline.inputError('unknown', file.name, error.reason, '');
    return pipeline.unrecognizedInput(file.name, chunks);
  }

  const recordDead = (dead: DeadLetter): void => {
    if (deadLetters.length < MAX_DEAD_LETTERS_IN_MEMORY) deadLetters.push(dead);
    deadOut?.write(`${JSON.stringify(dead)}\n`);
  };
  const passThrough = (item: Normalized): void => {
    if (item.kind === 'dead') recordDead(item.dead);
    else if (item.kind === 'skipped') skippedOut?.write(`${JSON.stringify(skippedLine(item))}\n`);
  };

  let sinceClose = 0;
  const order = new TimeOrder(options.timeOrder);
  try {
    // Stage 1, one input at a time: unrecognized files first, then the others in path order.
    // Dead letters and skips go out as they are read; activities wait in `order`.
    for (const f of files) if (f.source === undefined) passThrough(unrecognized(f));
    for (const f of known) {
      for (const item of tracked(f)) {
        if (item.kind === 'activity') order.add(item.activity);
        else passThrough(item);
      }
    }
    // Stage 2 in the stage-2 order over all inputs (event-order.ts).
    for (const input of order.drain()) {
      const { activity, alerts: closed, dead } = pipeline.detect(input);
      emit(closed);
      if (dead) {
        recordDead(dead);
        continue;
      }
      activityOut?.write(`${JSON.stringify(activity)}\n`);
      options.onActivity?.(activity);
      if (++sinceClose >= 10_000) {
        // Bound memory: close groups whose window ended more than a day of event time ago.
        emit(pipeline.closeGroups(86_400_000));
        sinceClose = 0;
      }
    }
  } finally {
    order.close();
  }
  // End of input: every open group becomes an alert, then the learned state is saved (with no
  // open groups, so a later run over new input never repeats these alerts).
  emit(pipeline.flush());
  if (options.stateDir) {
    outputs.state = options.stateDir;
    await savePipelineState(pipeline, options.stateDir);
    // The API and console (`tokenwatch ui --state`) read the alerts from the state directory.
    await appendAlertLog(options.stateDir, alerts);
  }
  await Promise.all([close(alertsOut), close(activityOut), close(deadOut), close(skippedOut)]);
  return {
    counts: pipeline.counts,
    alerts,
    files: files.map((f) => ({ name: f.name, source: f.source ?? 'unknown', bytes: f.bytes })),
    unknownFiles,
    skippedFiles,
    deadLetters,
    durationMs: performance.now() - started,
    reading: {
      maxOpenInputs,
      peakBufferedActivities: order.stats.peakInMemory,
      spilledActivities: order.stats.spilled,
      partitions: order.stats.partitions,
    },
    outputs,
  };
}
