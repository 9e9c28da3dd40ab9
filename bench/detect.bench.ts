/**
 * Detect-stage benchmark (not a test): stage 2 alone (`Pipeline.detect`: sessions, baselines,
 * peer models, detectors, inventory, alert grouping) over a recorded stage-2 input, with a digest
 * of the alerts so a change to the hot path can be shown to keep the output identical.
 *
 *   npx tsx bench/detect.bench.ts record bench/.data/sim-t1000-d7-s1 /tmp/t1000-d7.stage2.ndjson
 *   npx tsx bench/detect.bench.ts replay /tmp/t1000-d7.stage2.ndjson [--limit N]
 *   npx tsx bench/detect.bench.ts ab /tmp/t1000-d7.stage2.ndjson /path/to/other/checkout [--limit N]
 *
 * `record` runs `runFiles` over a bench input (see pipeline.bench.ts) and writes every activity
 * stage 2 receives, in stage-2 order, as one JSON line (the same JSON the time partition spills,
 * so a replayed activity equals the recorded one). `replay` feeds those lines to a fresh pipeline
 * exactly as `runFiles` does (`detect` per activity, `closeGroups(1 day)` every 10,000, `flush` at
 * the end), parsing each chunk of 2,000 lines before timing it: the CPU time (`process.cpuUsage`)
 * covers stage 2 only. Prints events, CPU µs per event, findings, alerts and the SHA-256 of the
 * alerts' JSON lines (equal digests: byte-identical alert output).
 *
 * `ab` compares this checkout ("b") with another one ("a", e.g. a worktree of main) in one
 * process: both pipelines get the same parsed chunks, alternately (a, b, b, a, ...), so a busy
 * shared machine slows both alike; prints both lines and the ratio of their CPU time.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { loadavg } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import type { TokenActivity } from '../schemas/token-activity.js';

const CHUNK = 2_000;

async function deps() {
  const { loadConfig } = await import('../src/config.js');
  const { createLogger } = await import('../src/logger.js');
  const config = loadConfig({ overrides: { logLevel: 'error' } });
  const logger = createLogger('error');
  return { config, logger };
}

async function record(dir: string, out: string): Promise<void> {
  const { runFiles } = await import('../src/run/run-files.js');
  const { Pipeline } = await import('../src/pipeline/pipeline.js');
  const { config, logger } = await deps();
  const pipeline = new Pipeline({ config: config.pipeline, logger });
  const fd = openSync(out, 'w');
  let buf = '';
  let n = 0;
  const detect = pipeline.detect.bind(pipeline);
  pipeline.detect = (input: TokenActivity) => {
    buf += `${JSON.stringify(input)}\n`;
    n += 1;
    if (buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = '';
    }
    return detect(input);
  };
  const r = await runFiles({ inputs: [dir], config, logger, pipeline });
  writeSync(fd, buf);
  closeSync(fd);
  process.stdout.write(`recorded ${n} stage-2 activities (${r.alerts.length} alerts) to ${out}\n`);
}

function* lines(file: string): Generator<string> {
  // read in 16 MiB pieces, cut into lines lazily (parse cost stays outside the timed part)
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(16 << 20);
  const decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      const text = rest + (n > 0 ? decoder.write(buf.subarray(0, n)) : decoder.end());
      let at = 0;
      for (let end = text.indexOf('\n', at); end >= 0; end = text.indexOf('\n', at)) {
        if (end > at) yield text.slice(at, end);
        at = end + 1;
      }
      rest = text.slice(at);
      if (n === 0) break;
    }
    if (rest !== '') yield rest;
  } finally {
    closeSync(fd);
  }
}

interface Replayer {
  feed(batch: readonly TokenActivity[]): void;
  finish(): Record<string, unknown>;
}

async function replayer(root: string): Promise<Replayer> {
  const { Pipeline } = (await import(
    `${root}/src/pipeline/pipeline.ts`
  )) as typeof import('../src/pipeline/pipeline.js');
  const { loadConfig } = (await import(`${root}/src/config.ts`)) as typeof import('../src/config.js');
  const { createLogger } = (await import(`${root}/src/logger.ts`)) as typeof import('../src/logger.js');
  const config = loadConfig({ overrides: { logLevel: 'error' } });
  const pipeline = new Pipeline({ config: config.pipeline, logger: createLogger('error') });
  const hash = createHash('sha256');
  let alerts = 0;
  let events = 0;
  let cpuUs = 0;
  let sinceClose = 0;
  const emit = (batch: readonly unknown[]): void => {
    for (const a of batch) hash.update(`${JSON.stringify(a)}\n`);
    alerts += batch.length;
  };
  const timedCpu = (f: () => void): void => {
    const c0 = process.cpuUsage();
    f();
    const c = process.cpuUsage(c0);
    cpuUs += c.user + c.system;
  };
  return {
    feed(batch) {
      events += batch.length;
      timedCpu(() => {
        for (const input of batch) {
          const { alerts: closed } = pipeline.detect(input);
          emit(closed);
          if (++sinceClose >= 10_000) {
            emit(pipeline.closeGroups(86_400_000));
            sinceClose = 0;
          }
        }
      });
    },
    finish() {
      timedCpu(() => emit(pipeline.flush()));
      return {
        events,
        cpuUsPerEvent: Math.round((cpuUs / events) * 10) / 10,
        eventsPerCpuS: Math.round(events / (cpuUs / 1e6)),
        findings: pipeline.counts.findings,
        alerts,
        detectorErrors: pipeline.counts.detectorErrors,
        alertsSha256: hash.digest('hex'),
      };
    },
  };
}

/** Chunks of parsed activities (a fresh parse per consumer: detect may change its input). */
function* chunks(file: string, limit: number, copies: number): Generator<TokenActivity[][]> {
  let raw: string[] = [];
  let n = 0;
  const parsed = (): TokenActivity[][] =>
    Array.from({ length: copies }, () => raw.map((l) => JSON.parse(l) as TokenActivity));
  for (const line of lines(file)) {
    if (n >= limit) break;
    raw.push(line);
    n += 1;
    if (raw.length >= CHUNK) {
      yield parsed();
      raw = [];
    }
  }
  if (raw.length > 0) yield parsed();
}

async function replay(file: string, limit: number): Promise<void> {
  const load = loadavg()[0]!;
  const r = await replayer(`${import.meta.dirname}/..`);
  const wall0 = performance.now();
  for (const [batch] of chunks(file, limit, 1)) r.feed(batch!);
  const out = {
    ...r.finish(),
    wallS: Math.round((performance.now() - wall0) / 100) / 10,
    loadAvgAtStart: Math.round(load * 10) / 10,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

async function ab(file: string, otherRoot: string, limit: number): Promise<void> {
  const load = loadavg()[0]!;
  const a = await replayer(otherRoot);
  const b = await replayer(`${import.meta.dirname}/..`);
  let i = 0;
  for (const [x, y] of chunks(file, limit, 2)) {
    // alternate which goes first (cache and GC effects of the previous chunk)
    if (i++ % 2 === 0) {
      a.feed(x!);
      b.feed(y!);
    } else {
      b.feed(y!);
      a.feed(x!);
    }
  }
  const ra = a.finish();
  const rb = b.finish();
  process.stdout.write(`a ${otherRoot}: ${JSON.stringify(ra)}\n`);
  process.stdout.write(`b this checkout: ${JSON.stringify(rb)}\n`);
  process.stdout.write(
    `b/a CPU per event: ${((rb.cpuUsPerEvent as number) / (ra.cpuUsPerEvent as number)).toFixed(3)}, same alerts: ${ra.alertsSha256 === rb.alertsSha256}, load average at start ${load.toFixed(1)}\n`,
  );
}

const [cmd, a, b] = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
if (cmd === 'record' && a && b) await record(a, b);
else if (cmd === 'replay' && a) await replay(a, Number(flag('limit') ?? Number.POSITIVE_INFINITY));
else if (cmd === 'ab' && a && b) await ab(a, b, Number(flag('limit') ?? Number.POSITIVE_INFINITY));
else {
  process.stderr.write(
    'usage: detect.bench.ts record <input dir> <out.ndjson> | replay <file.ndjson> [--limit N] | ab <file.ndjson> <other checkout> [--limit N]\n',
  );
  process.exitCode = 2;
}
