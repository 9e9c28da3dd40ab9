/**
 * Pipeline benchmark (`npm run bench`; not a test): how fast `tokenwatch run` gets through a large
 * simulated input, next to a bare parse of the same bytes, and how big the baselines get.
 *
 *   npm run bench                          # default size: 5,000 tokens x 14 days
 *   npm run bench -- --tokens 30000 --days 30
 *   npm run bench -- --large               # the issue's target: 100,000 tokens x 30 days
 *
 * Steps (each phase runs in a child process: a fresh heap, and its own peak RSS):
 *  0. input: `simulate()` (sim/simulate) with `{seed, tokens, days, incidents: 'none',
 *     split: 'day'}`, written once to `bench/.data/sim-t<tokens>-d<days>-s<seed>/` (gitignored) and
 *     reused by later runs (delete the directory to regenerate);
 *  a. bare parse of the same files as the run reads, in the same chunks: `JSON.parse` per NDJSON
 *     line (per file for `.json`) and csv-parse (`csv-parse/sync`, as the Salesforce framing uses
 *     it) per CSV file, counting the records the ingestors would frame (GWS: one per event);
 *  b. stage 1 alone: `Pipeline.normalize` over every file (frame, redact, validate, normalize,
 *     enrich; no merge, baselines or detectors), to show where the time goes;
 *  c. the whole pipeline: `runFiles` with no outputs (merge by event time, baselines, detectors,
 *     alert grouping), then `stateBytes` (persisted bytes per entity: the binary version 2 state of
 *     baselines/entity-codec.ts, as saved files and changelog records hold it) of every mature
 *     token, app and owner baseline.
 * Then one table: events/s (wall and CPU time), MB/s and peak RSS per phase, the ratio of the
 * pipeline's and stage 1's events/s to the bare parse's (CPU and wall), the pipeline's peak RSS
 * per token, the machine (CPUs, Node, load average at start), and the goals (issue 11: pipeline
 * >= 0.25 and stage 1 >= 0.5 of the bare parse, peak RSS <= 1 GiB at 20,000 tokens x 14 days,
 * <= 2 KiB of state per mature token at p99; and >= 100,000 events/s on one core).
 *
 * Knobs: `--tokens N` / BENCH_TOKENS (5000), `--days D` / BENCH_DAYS (14), `--seed S` /
 * BENCH_SEED (1), `--large` (100,000 x 30), `--phases parse,stage1,pipeline` / BENCH_PHASES (all),
 * `--heap-mb N` / BENCH_HEAP_MB (V8 heap limit of the children, default 12,288; 0: Node's default).
 * The pipeline phase also prints its memory: the live heap (after a full GC) before and after the
 * run, the largest heap and RSS sampled during it, and the live heap each part of the pipeline
 * keeps at the end (baselines per kind, peer models, inventory, dedup memory, detector state).
 * The machine is usually shared: compare figures measured in the same run (the ratio), and CPU
 * time rather than wall time when the load average is high.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

const BENCH_DIR = import.meta.dirname;
const DATA_DIR = join(BENCH_DIR, '.data');
const GOAL_EVENTS_PER_S = 100_000;
const GOAL_STATE_BYTES = 2048;
/** Issue 11 targets, as ratios to the bare parse measured in the same run (CPU time). */
const GOAL_PIPELINE_RATIO = 0.25;
const GOAL_STAGE1_RATIO = 0.5;
/** Issue 11: peak RSS at 20,000 tokens x 14 days. */
const GOAL_PEAK_RSS_BYTES = 2 ** 30;
/**
 * V8 heap limit of the children by default, MiB (generous: the phases measure their own peak RSS).
 * `--heap-mb 0` runs them with Node's default limit, as a user's `tokenwatch run` gets.
 */
const CHILD_HEAP_MB = 12_288;

// ---------------------------------------------------------------------------------------------
// options

interface Options {
  tokens: number;
  days: number;
  seed: number;
  phases: Set<string>;
  /** V8 heap limit of the children, MiB; 0: Node's default. */
  heapMb: number;
}

function parseOptions(argv: readonly string[]): Options {
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string, env: string, dflt: number): number => {
    const raw = flag(name) ?? process.env[env];
    const n = raw === undefined ? dflt : Number(raw);
    if (!Number.isInteger(n) || n < 0 || (n === 0 && name !== 'heap-mb'))
      throw new Error(`--${name} must be a positive integer, got ${raw}`);
    return n;
  };
  const large = argv.includes('--large');
  const phases = (flag('phases') ?? process.env.BENCH_PHASES ?? 'parse,stage1,pipeline').split(',');
  return {
    tokens: num('tokens', 'BENCH_TOKENS', large ? 100_000 : 5_000),
    days: num('days', 'BENCH_DAYS', large ? 30 : 14),
    seed: num('seed', 'BENCH_SEED', 1),
    phases: new Set(phases.map((p) => p.trim())),
    heapMb: num('heap-mb', 'BENCH_HEAP_MB', CHILD_HEAP_MB),
  };
}

const datasetDir = (o: Options): string => join(DATA_DIR, `sim-t${o.tokens}-d${o.days}-s${o.seed}`);
const MARKER = '.bench-complete.json';

// ---------------------------------------------------------------------------------------------
// child phases (run as `pipeline.bench.ts --child <phase> <dataset dir> <result file>`)

/** What every phase reports. */
interface PhaseResult {
  phase: string;
  /** Records (framed units: GWS events, CSV rows, JSON objects) the phase got through. */
  records: number;
  bytes: number;
  wallMs: number;
  cpuMs: number;
  /** Peak RSS of the child process (KiB), and RSS just before the timed part (KiB). */
  maxRssKiB: number;
  rssBeforeKiB: number;
  extra?: Record<string, unknown>;
}

function timed<T>(body: () => T): { value: T; wallMs: number; cpuMs: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = body();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, wallMs, cpuMs: (c.user + c.system) / 1000 };
}

async function timedAsync<T>(body: () => Promise<T>): Promise<{ value: T; wallMs: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await body();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, wallMs, cpuMs: (c.user + c.system) / 1000 };
}

const rssKiB = (): number => Math.round(process.memoryUsage.rss() / 1024);

async function childGenerate(dir: string, o: Options): Promise<Record<string, unknown>> {
  // Workaround for a simulator bug (sim/simulate/writer.ts): a daily file closed while a
  // back-pressure `drain` is pending never emits 'drain' (Node skips it once the stream is
  // ending), so `OutputWriter.flush` waits forever and the process exits with code 13 as soon as
  // a run spans more than three days with split 'day'. Emitting 'drain' once such a stream
  // finished releases the waiter and changes nothing else.
  const { WriteStream } = await import('node:fs');
  const end = WriteStream.prototype.end;
  WriteStream.prototype.end = function patchedEnd(
    this: InstanceType<typeof WriteStream>,
    ...args: unknown[]
  ) {
    this.once('finish', () => this.emit('drain'));
    return (end as (...a: unknown[]) => InstanceType<typeof WriteStream>).apply(this, args);
  } as typeof end;
  const { simulate } = await import('../sim/simulate/simulate.js');
  const t0 = performance.now();
  const summary = await simulate({
    outDir: dir,
    seed: o.seed,
    tokens: o.tokens,
    days: o.days,
    incidents: 'none',
    split: 'day',
  });
  return {
    seconds: (performance.now() - t0) / 1000,
    tokens: summary.tokens,
    people: summary.people,
    records: summary.records,
    events: summary.events,
    files: summary.files.length,
    bytes: summary.files.reduce((s, f) => s + f.bytes, 0),
  };
}

/** Records a parsed JSON value stands for in the ingestors (GWS pages and activities, envelopes). */
function recordsIn(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((s: number, v) => s + recordsIn(v), 0);
  if (value === null || typeof value !== 'object') return 1;
  const v = value as Record<string, unknown>;
  if (Array.isArray(v.items)) return v.items.reduce((s: number, item) => s + recordsIn(item), 0);
  if (Array.isArray(v.records)) return v.records.length;
  if (Array.isArray(v.events)) return Math.max(1, v.events.length);
  return 1;
}

async function childParse(dir: string): Promise<Omit<PhaseResult, 'maxRssKiB'>> {
  const { resolveInputPaths, openInput } = await import('../src/run/inputs.js');
  const { parse } = await import('csv-parse/sync');
  const files = (await resolveInputPaths([dir])).map((p) => openInput(p, undefined));
  const rssBeforeKiB = rssKiB();
  const run = timed(() => {
    let records = 0;
    let bytes = 0;
    for (const file of files) {
      const csv = file.name.toLowerCase().endsWith('.csv');
      const ndjson = /\.(ndjson|jsonl|log)$/i.test(file.name);
      for (const chunk of file.chunks()) {
        bytes += chunk.bytes;
        const text = chunk.text;
        if (csv) {
          const rows = parse(Buffer.from(text, 'utf8'), { skip_empty_lines: true }) as unknown[];
          records += Math.max(0, rows.length - 1); // minus the header row
        } else if (ndjson) {
          for (let pos = 0; pos < text.length; ) {
            const nl = text.indexOf('\n', pos);
            const end = nl < 0 ? text.length : nl;
            if (end > pos) records += recordsIn(JSON.parse(text.slice(pos, end)));
            pos = end + 1;
          }
        } else {
          records += recordsIn(JSON.parse(text));
        }
      }
    }
    return { records, bytes };
  });
  return {
    phase: 'parse',
    records: run.value.records,
    bytes: run.value.bytes,
    wallMs: run.wallMs,
    cpuMs: run.cpuMs,
    rssBeforeKiB,
    extra: { files: files.length },
  };
}

async function loadRunDeps() {
  const { loadConfig } = await import('../src/config.js');
  const { createLogger } = await import('../src/logger.js');
  const { geoipLookup } = await import('../ingestors/common/enrich.js');
  const config = loadConfig({ overrides: { logLevel: 'error' } });
  const logger = createLogger('error');
  // geoip-lite reads its database on first use: load it before the timed part.
  const t0 = performance.now();
  geoipLookup('8.8.8.8');
  return { config, logger, geoipLoadMs: performance.now() - t0 };
}

async function childStage1(dir: string): Promise<Omit<PhaseResult, 'maxRssKiB'>> {
  const { resolveInputPaths, openInput } = await import('../src/run/inputs.js');
  const { Pipeline } = await import('../src/pipeline/pipeline.js');
  const { config, logger, geoipLoadMs } = await loadRunDeps();
  const files = (await resolveInputPaths([dir])).map((p) => openInput(p, undefined));
  const pipeline = new Pipeline({ config: config.pipeline, logger });
  const rssBeforeKiB = rssKiB();
  const run = timed(() => {
    let bytes = 0;
    for (const file of files) {
      if (file.source === undefined) continue;
      for (const chunk of file.chunks()) {
        bytes += chunk.bytes;
        for (const _ of pipeline.normalize(chunk.text, { source: file.source, location: chunk.location })) {
          // consume
        }
      }
    }
    return bytes;
  });
  const c = pipeline.counts;
  return {
    phase: 'stage1',
    records: c.records,
    bytes: run.value,
    wallMs: run.wallMs,
    cpuMs: run.cpuMs,
    rssBeforeKiB,
    extra: { geoipLoadMs, normalized: c.normalized, deadLettered: c.deadLettered, skipped: c.skipped },
  };
}

/** The pipeline phase's memory figures (bytes). */
interface PipelineMemory {
  heapLimit: number;
  liveHeapBefore: number;
  liveHeapAfter: number;
  heapTotalAfterRun: number;
  peak: MemorySamples;
  retained: Record<string, number>;
}

interface SizeStats {
  entities: number;
  mature: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

function sizeStats(sizes: number[], entities: number): SizeStats {
  const s = [...sizes].sort((a, b) => a - b);
  const q = (p: number): number =>
    s.length === 0 ? 0 : (s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0);
  return {
    entities,
    mature: s.length,
    mean: s.length === 0 ? 0 : s.reduce((a, b) => a + b, 0) / s.length,
    p50: q(0.5),
    p99: q(0.99),
    max: s.at(-1) ?? 0,
  };
}

/** A full GC (children run with `--expose-gc`), then the V8 heap in use, bytes. */
function liveHeapBytes(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return Number.NaN;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * Memory seen while the pipeline runs, sampled every few thousand activities and input chunks
 * (`process.memoryUsage`; the run is synchronous between chunks, so no timer could sample it).
 */
interface MemorySamples {
  /** Largest RSS / V8 heap in use / heap reserved / external memory (buffers, external strings) seen, bytes. */
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** RSS and heap in use when stage 2 started (every input read, activities waiting in time order). */
  atStage2?: { rss: number; heapUsed: number };
}

function memorySampler(): { samples: MemorySamples; sample: (stage2: boolean) => void } {
  const samples: MemorySamples = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0 };
  const sample = (stage2: boolean): void => {
    const m = process.memoryUsage();
    samples.rss = Math.max(samples.rss, m.rss);
    samples.heapUsed = Math.max(samples.heapUsed, m.heapUsed);
    samples.heapTotal = Math.max(samples.heapTotal, m.heapTotal);
    samples.external = Math.max(samples.external, m.external);
    if (stage2 && samples.atStage2 === undefined) samples.atStage2 = { rss: m.rss, heapUsed: m.heapUsed };
  };
  return { samples, sample };
}

/**
 * Live heap held by each long-lived part of the pipeline after the run: the live heap after a
 * full GC, then each part replaced by an empty one and the heap measured again (the difference is
 * what that part alone kept alive). Destroys the pipeline's state: call last.
 */
async function retainedByPart(
  pipeline: import('../src/pipeline/pipeline.js').Pipeline,
): Promise<Record<string, number>> {
  const { BaselineStore } = await import('../baselines/store.js');
  const { PeerModels } = await import('../baselines/peer-models.js');
  const { TokenLedger } = await import('../src/inventory/ledger.js');
  const { EventMemory } = await import('../src/pipeline/dedup.js');
  const { DetectorRunner } = await import('../detectors/runner.js');
  const out: Record<string, number> = {};
  let before = liveHeapBytes();
  const drop = (name: string, replace: () => void): void => {
    replace();
    const after = liveHeapBytes();
    out[name] = before - after;
    before = after;
  };
  const maps = (pipeline.store as unknown as { maps: Record<string, Map<string, unknown>> }).maps;
  for (const kind of ['token', 'app', 'owner']) drop(`store.${kind}`, () => maps[kind]?.clear());
  drop('store.org', () => {
    pipeline.store = new BaselineStore(pipeline.storeConfig);
  });
  drop('peers', () => {
    pipeline.peers = new PeerModels();
  });
  drop('inventory', () => {
    pipeline.inventory = new TokenLedger();
  });
  drop('dedup', () => {
    pipeline.memory = new EventMemory();
  });
  drop('detectorState', () => {
    pipeline.runner = new DetectorRunner(pipeline.runner.detectors, pipeline.runner.settings);
  });
  out.rest = before;
  return out;
}

async function childPipeline(dir: string): Promise<Omit<PhaseResult, 'maxRssKiB'>> {
  const { runFiles } = await import('../src/run/run-files.js');
  const { Pipeline } = await import('../src/pipeline/pipeline.js');
  const { stateBytes } = await import('../baselines/entity-baseline.js');
  const { config, logger, geoipLoadMs } = await loadRunDeps();
  const pipeline = new Pipeline({ config: config.pipeline, logger });
  const liveBefore = liveHeapBytes();
  const rssBeforeKiB = rssKiB();
  const { samples, sample } = memorySampler();
  let chunks = 0;
  let activities = 0;
  const run = await timedAsync(() =>
    runFiles({
      inputs: [dir],
      config,
      logger,
      pipeline,
      onProgress: () => {
        if (++chunks % 8 === 0) sample(false);
      },
      onActivity: () => {
        if (activities++ % 5000 === 0) sample(true);
      },
    }),
  );
  const r = run.value;
  sample(true);
  const memoryAfterRun = process.memoryUsage();
  const liveAfter = liveHeapBytes();
  const state: Record<string, SizeStats> = {};
  for (const kind of ['token', 'app', 'owner'] as const) {
    const sizes: number[] = [];
    for (const e of pipeline.store.entities(kind)) if (e.maturity === 'mature') sizes.push(stateBytes(e));
    state[kind] = sizeStats(sizes, pipeline.store.size(kind));
  }
  const retained = await retainedByPart(pipeline);
  return {
    phase: 'pipeline',
    records: r.counts.records,
    bytes: r.files.reduce((s, f) => s + f.bytes, 0),
    wallMs: run.wallMs,
    cpuMs: run.cpuMs,
    rssBeforeKiB,
    extra: {
      geoipLoadMs,
      normalized: r.counts.normalized,
      deadLettered: r.counts.deadLettered,
      skipped: r.counts.skipped,
      findings: r.counts.findings,
      alerts: r.alerts.length,
      // what bounds the run's input memory (src/run/run-files.ts ReadingStats)
      maxOpenInputs: r.reading.maxOpenInputs,
      peakBufferedActivities: r.reading.peakBufferedActivities,
      spilledActivities: r.reading.spilledActivities,
      timePartitions: r.reading.partitions,
      state,
      memory: {
        heapLimit: (await import('node:v8')).getHeapStatistics().heap_size_limit,
        liveHeapBefore: liveBefore,
        liveHeapAfter: liveAfter,
        heapTotalAfterRun: memoryAfterRun.heapTotal,
        peak: samples,
        retained,
      },
    },
  };
}

async function child(argv: readonly string[]): Promise<void> {
  const [phase, dir, out, optsJson] = argv;
  if (!phase || !dir || !out) throw new Error('usage: --child <phase> <dir> <out> [options]');
  let result: unknown;
  if (phase === 'generate') result = await childGenerate(dir, JSON.parse(optsJson ?? '{}') as Options);
  else if (phase === 'parse') result = await childParse(dir);
  else if (phase === 'stage1') result = await childStage1(dir);
  else if (phase === 'pipeline') result = await childPipeline(dir);
  else throw new Error(`unknown phase ${phase}`);
  const maxRssKiB = process.resourceUsage().maxRSS;
  writeFileSync(out, JSON.stringify({ ...(result as object), maxRssKiB }));
}

// ---------------------------------------------------------------------------------------------
// parent

function runChild(phase: string, dir: string, heapMb: number, extra?: string): Record<string, unknown> {
  const out = join(tmpdir(), `tokenwatch-bench-${process.pid}-${phase}.json`);
  rmSync(out, { force: true });
  const args = [
    ...process.execArgv,
    ...(heapMb > 0 ? [`--max-old-space-size=${heapMb}`] : []),
    '--expose-gc',
    import.meta.filename,
    '--child',
    phase,
    dir,
    out,
    ...(extra === undefined ? [] : [extra]),
  ];
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0 || !existsSync(out)) {
    throw new Error(`bench phase ${phase} failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''})`);
  }
  const result = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
  rmSync(out, { force: true });
  return result;
}

function ensureDataset(o: Options): { dir: string; info: Record<string, unknown>; cached: boolean } {
  const dir = datasetDir(o);
  const marker = join(dir, MARKER);
  if (existsSync(marker)) return { dir, info: JSON.parse(readFileSync(marker, 'utf8')), cached: true };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.stdout.write(`generating ${o.tokens} tokens x ${o.days} days into ${dir} ...\n`);
  const info = runChild('generate', dir, o.heapMb, JSON.stringify(o));
  writeFileSync(marker, JSON.stringify(info));
  return { dir, info, cached: false };
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mib = (bytes: number): string => `${fmt(bytes / 1048576, 1)} MiB`;

function table(rows: string[][], align: ('l' | 'r')[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r.map((cell, c) => (align[c] === 'l' ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
    )
    .join('\n');
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const load = loadavg();
  const cpu = cpus();
  const lines: string[] = [];
  const say = (s = ''): void => {
    lines.push(s);
    process.stdout.write(`${s}\n`);
  };
  say('tokenwatch pipeline benchmark');
  say(
    `machine: ${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, ` +
      `load average at start ${load.map((l) => l.toFixed(2)).join(' ')}, ` +
      `RAM ${fmt(totalmem() / 2 ** 30, 1)} GiB (${fmt(freemem() / 2 ** 30, 1)} free)`,
  );
  const { dir, info, cached } = ensureDataset(o);
  const rec = info.records as Record<string, number>;
  say(
    `input: ${resolve(dir)} (${cached ? 'cached' : `generated in ${fmt(Number(info.seconds), 1)} s`}): ` +
      `simulate({seed: ${o.seed}, tokens: ${fmt(o.tokens)}, days: ${o.days}, incidents: 'none', split: 'day'}) = ` +
      `${fmt(Number(info.tokens))} credentials of ${fmt(Number(info.people))} people, ` +
      `${fmt(Number(info.files))} files, ${mib(Number(info.bytes))}; raw records github ${fmt(rec.github ?? 0)}, ` +
      `google_workspace ${fmt(rec.google_workspace ?? 0)} (activities), salesforce ${fmt(rec.salesforce ?? 0)}`,
  );
  say();

  const results: Record<string, Record<string, unknown>> = {};
  for (const phase of ['parse', 'stage1', 'pipeline']) {
    if (!o.phases.has(phase)) continue;
    process.stdout.write(`running ${phase} ...\n`);
    results[phase] = runChild(phase, dir, o.heapMb);
  }

  const label: Record<string, string> = {
    parse: '(a) bare parse: JSON.parse per NDJSON line / JSON file, csv-parse per CSV file',
    stage1: '(b) stage 1 only: frame, redact, validate, normalize, enrich',
    pipeline: '(c) whole pipeline: runFiles, no outputs',
  };
  const rows: string[][] = [
    ['phase', 'records', 'wall s', 'CPU s', 'events/s wall', 'events/s CPU', 'MB/s wall', 'peak RSS'],
  ];
  for (const [phase, r] of Object.entries(results)) {
    const records = Number(r.records);
    const wall = Number(r.wallMs) / 1000;
    const cpuS = Number(r.cpuMs) / 1000;
    rows.push([
      label[phase] ?? phase,
      fmt(records),
      fmt(wall, 1),
      fmt(cpuS, 1),
      fmt(records / wall),
      fmt(records / cpuS),
      fmt(Number(r.bytes) / 1e6 / wall, 1),
      `${fmt(Number(r.maxRssKiB) / 1024)} MiB`,
    ]);
  }
  say(table(rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r']));
  say();
  const parse = results.parse;
  const pipe = results.pipeline;
  const stage1 = results.stage1;
  const rate = (r: Record<string, unknown> | undefined, key: 'wallMs' | 'cpuMs'): number =>
    r === undefined ? Number.NaN : Number(r.records) / (Number(r[key]) / 1000);
  const ratio = (r: Record<string, unknown> | undefined, key: 'wallMs' | 'cpuMs'): number =>
    parse === undefined ? Number.NaN : rate(r, key) / rate(parse, key);
  if (parse && (pipe || stage1)) {
    const parts: string[] = [];
    if (pipe)
      parts.push(`pipeline ${fmt(ratio(pipe, 'cpuMs'), 3)} CPU, ${fmt(ratio(pipe, 'wallMs'), 3)} wall`);
    if (stage1)
      parts.push(`stage 1 ${fmt(ratio(stage1, 'cpuMs'), 3)} CPU, ${fmt(ratio(stage1, 'wallMs'), 3)} wall`);
    say(`ratio to the bare parse in this run (events/s): ${parts.join('; ')}`);
  }
  const tokens = Number(info.tokens);
  if (pipe && tokens > 0) {
    const peak = Number(pipe.maxRssKiB) * 1024;
    const grown = peak - Number(pipe.rssBeforeKiB) * 1024;
    say(
      `pipeline peak RSS ${mib(peak)} for ${fmt(tokens)} credentials: ${fmt(peak / tokens / 1024, 1)} KiB per token ` +
        `(${fmt(grown / tokens / 1024, 1)} KiB per token above the RSS before the run, ${mib(grown)})`,
    );
  }
  const memory = (pipe?.extra as { memory?: PipelineMemory } | undefined)?.memory;
  if (memory && tokens > 0) {
    const p = memory.peak;
    say(
      `pipeline memory (V8 heap limit ${mib(memory.heapLimit)}): live heap after a full GC ${mib(memory.liveHeapBefore)} ` +
        `before the run, ${mib(memory.liveHeapAfter)} after it (${fmt((memory.liveHeapAfter - memory.liveHeapBefore) / tokens / 1024, 1)} KiB per token); ` +
        `largest sampled: heap used ${mib(p.heapUsed)}, heap reserved ${mib(p.heapTotal)}, external (buffers: GeoIP data) ${mib(p.external)}, RSS ${mib(p.rss)}` +
        (p.atStage2
          ? `; at the start of stage 2: heap used ${mib(p.atStage2.heapUsed)}, RSS ${mib(p.atStage2.rss)}`
          : ''),
    );
    say(
      `  live heap kept at the end, by part: ${Object.entries(memory.retained)
        .map(([k, v]) => `${k} ${mib(v)}`)
        .join(', ')}`,
    );
  }
  for (const [phase, r] of Object.entries(results)) {
    const extra = (r.extra ?? {}) as Record<string, unknown>;
    const { state: _state, memory: _memory, ...rest } = extra;
    say(
      `${phase}: RSS before the timed part ${fmt(Number(r.rssBeforeKiB) / 1024)} MiB; ` +
        Object.entries(rest)
          .map(([k, v]) => `${k} ${typeof v === 'number' ? fmt(v) : String(v)}`)
          .join(', '),
    );
  }
  const state = (pipe?.extra as { state?: Record<string, SizeStats> } | undefined)?.state;
  if (state) {
    say();
    say(
      'baseline state after the run (stateBytes: persisted bytes per entity, binary v2; mature entities only):',
    );
    const srows: string[][] = [['kind', 'entities', 'mature', 'mean B', 'p50 B', 'p99 B', 'max B']];
    for (const [kind, s] of Object.entries(state)) {
      srows.push([kind, fmt(s.entities), fmt(s.mature), fmt(s.mean), fmt(s.p50), fmt(s.p99), fmt(s.max)]);
    }
    say(table(srows, ['l', 'r', 'r', 'r', 'r', 'r', 'r']));
  }
  say();
  say('goals:');
  const verdict = (ok: boolean): string => (ok ? 'MET' : 'NOT MET');
  if (pipe && parse) {
    const r = ratio(pipe, 'cpuMs');
    say(
      `  embedded pipeline >= ${GOAL_PIPELINE_RATIO} of the bare parse (CPU): ${fmt(r, 3)} -> ${verdict(r >= GOAL_PIPELINE_RATIO)}`,
    );
  }
  if (stage1 && parse) {
    const r = ratio(stage1, 'cpuMs');
    say(
      `  stage 1 >= ${GOAL_STAGE1_RATIO} of the bare parse (CPU): ${fmt(r, 3)} -> ${verdict(r >= GOAL_STAGE1_RATIO)}`,
    );
  }
  if (pipe) {
    const peak = Number(pipe.maxRssKiB) * 1024;
    say(
      `  peak RSS <= ${mib(GOAL_PEAK_RSS_BYTES)} at 20,000 tokens x 14 days: ${mib(peak)} at ${fmt(Number(info.tokens))} ` +
        `credentials x ${o.days} days -> ` +
        (o.tokens >= 20_000 ? verdict(peak <= GOAL_PEAK_RSS_BYTES) : 'run with --tokens 20000 to judge'),
    );
    const cpuRate = rate(pipe, 'cpuMs');
    const wallRate = rate(pipe, 'wallMs');
    say(
      `  >= ${fmt(GOAL_EVENTS_PER_S)} events/s on one core, whole pipeline: ` +
        `${fmt(wallRate)} events/s wall, ${fmt(cpuRate)} per CPU second -> ` +
        (Math.max(wallRate, cpuRate) >= GOAL_EVENTS_PER_S
          ? 'MET'
          : `NOT MET (${fmt(GOAL_EVENTS_PER_S / Math.max(wallRate, cpuRate), 1)}x short)`),
    );
  }
  if (state?.token) {
    const t = state.token;
    say(
      `  <= ${fmt(GOAL_STATE_BYTES)} bytes of state per mature token: mean ${fmt(t.mean)}, p50 ${fmt(t.p50)}, ` +
        `p99 ${fmt(t.p99)}, max ${fmt(t.max)} over ${fmt(t.mature)} mature tokens -> ` +
        (t.mature === 0
          ? 'no mature token (run more days)'
          : t.p99 <= GOAL_STATE_BYTES
            ? 'MET (p99)'
            : t.mean <= GOAL_STATE_BYTES
              ? 'MET on average, not at p99'
              : 'NOT MET'),
    );
  }
}

if (process.argv[2] === '--child') await child(process.argv.slice(3));
else await main();
