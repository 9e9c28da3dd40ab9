import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Source } from '../../schemas/token-activity.js';
import { loadConfig } from '../../src/config.js';
import { inventoryDocs } from '../../src/elasticsearch/inventory.js';
import { activityMessage, deadLetterMessage } from '../../src/kafka/messages.js';
import { createLogger } from '../../src/logger.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { runFiles } from '../../src/run/run-files.js';
import { countDelivered, createServeMetrics } from '../../src/serve/metrics.js';
import { processMessages } from '../../src/serve/processor.js';
import { loadCorpus, rng } from '../support/fuzz.js';
import { leakedIds, leakIn, type Plant, plants, windowIndex } from '../support/secrets.js';

/**
 * Secret corpus (issue 12): every credential shape in every variant (support/secrets.ts) planted
 * into every string field of real sample records of every source (GitHub, Google Workspace,
 * Salesforce RTEM JSON and ELF CSV), into keys and new fields, JSON-escaped in the raw text, and
 * in malformed records (truncated JSON lines, broken CSV rows). Runs `runFiles` with activity,
 * dead letters and state written and logs at debug level, and serve's stage (processMessages ->
 * Kafka messages, token inventory docs), then asserts that no planted secret occurs in any output:
 * in full, as any 12-character window, or URL-encoded.
 */

const config = loadConfig({ env: {}, overrides: { logLevel: 'debug' } });

interface Planted {
  source: Source;
  file: string;
  lines: string[];
}

function stringLeaves(v: unknown, path: string[] = [], out: string[][] = [], depth = 0): string[][] {
  if (typeof v === 'string') out.push(path);
  else if (v && typeof v === 'object' && depth < 4) {
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) stringLeaves(x, [...path, String(i)], out, depth + 1);
    } else for (const [k, x] of Object.entries(v)) stringLeaves(x, [...path, k], out, depth + 1);
  }
  return out;
}

function setPath(v: Record<string, unknown>, path: string[], value: string): void {
  let cur: Record<string, unknown> = v;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
  cur[path.at(-1) as string] = value;
}

/** JSON text with every 4th character of `secret` written as a \u escape. */
function escapeInJson(json: string, secret: string): string {
  const enc = JSON.stringify(secret).slice(1, -1);
  const escaped = [...secret]
    .map((c, i) =>
      i % 4 === 1 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c === '/' ? '\\/' : c,
    )
    .join('');
  return json.split(enc).join(escaped);
}

/** JSON records (one per line) with `plant` in each string field, a new field, a key and escaped. */
function plantJson(base: string[], all: Plant[], r: () => number): string[] {
  const lines: string[] = [];
  for (const [k, p] of all.entries()) {
    const rec = JSON.parse(base[Math.floor(r() * base.length)] as string) as Record<string, unknown>;
    const leaves = stringLeaves(rec);
    // every field kind gets every shape across the variants (a quarter of the fields per plant)
    for (const leaf of leaves.filter((_l, i) => (i + k) % 4 === 0)) {
      const copy = structuredClone(rec);
      setPath(copy, leaf, p.text);
      lines.push(JSON.stringify(copy));
    }
    lines.push(JSON.stringify({ ...rec, custom_note: p.text, nested: { deeper: [{ v: p.text }] } }));
    lines.push(JSON.stringify({ ...rec, [p.text]: 'value' }));
    const leaf = leaves[Math.floor(r() * leaves.length)] as string[];
    const copy = structuredClone(rec);
    setPath(copy, leaf, p.text);
    lines.push(escapeInJson(JSON.stringify(copy), p.secret));
    // malformed: cut right after the secret, and a line with an unbalanced brace
    const whole = JSON.stringify(copy);
    const at = whole.indexOf(JSON.stringify(p.text).slice(1, -1));
    lines.push(whole.slice(0, at + p.text.length + 3));
    lines.push(`{"broken": ${JSON.stringify(p.text)}, ${whole.slice(1, 200)}`);
  }
  return lines;
}

function csvCell(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

function plantCsv(header: string, rows: string[], all: Plant[], r: () => number): string[] {
  const columns = header.split(',').length;
  const lines = [header];
  for (const [k, p] of all.entries()) {
    const row = rows[Math.floor(r() * rows.length)] as string;
    const cells = row.slice(1, -1).split('","');
    for (let c = k % 4; c < columns; c += 4) {
      const copy = [...cells];
      copy[c] = p.text;
      lines.push(copy.map(csvCell).join(','));
    }
    const copy = [...cells];
    copy[Math.floor(r() * columns)] = p.text;
    // malformed rows: a stray quote after the secret, and a missing column
    lines.push(copy.map(csvCell).join(',').replace(p.text.replaceAll('"', '""'), `${p.text}"x`));
    lines.push(copy.slice(1).map(csvCell).join(','));
  }
  return lines;
}

function readTree(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...readTree(p));
    else if (statSync(p).isFile()) {
      const buf = readFileSync(p);
      out.push(`${p}\n${p.endsWith('.gz') ? gunzipSync(buf).toString('utf8') : buf.toString('utf8')}`);
    }
  }
  return out;
}

describe('secret corpus: no planted secret reaches any output', () => {
  let work: string;
  let all: Plant[];
  const outputs: { name: string; text: string }[] = [];
  let planted: Planted[];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'tokenwatch-secrets-'));
    const corpus = loadCorpus('samples', 400);
    all = plants(1201);
    const r = rng(99);
    const csv = corpus.csv.find((c) => c.name.endsWith('_API.csv')) ?? corpus.csv[0];
    if (!csv) throw new Error('no ELF CSV sample');
    planted = [
      { source: 'github', file: 'github.ndjson', lines: plantJson(corpus.github, all, r) },
      { source: 'google_workspace', file: 'google.ndjson', lines: plantJson(corpus.google, all, r) },
      { source: 'salesforce', file: 'ApiEvent.ndjson', lines: plantJson(corpus.rtem, all, r) },
      { source: 'salesforce', file: csv.name, lines: plantCsv(csv.header, csv.rows, all, r) },
    ];
    for (const p of planted) {
      const dir = join(work, p.file);
      const inDir = join(dir, 'in');
      const outDir = join(dir, 'out');
      const stateDir = join(dir, 'state');
      for (const d of [inDir, outDir]) mkdirSync(d, { recursive: true });
      writeFileSync(join(inDir, p.file), `${p.lines.join('\n')}\n`);
      const logPath = join(dir, 'log.ndjson');
      const fd = openSync(logPath, 'w');
      const logger = createLogger('debug', fd);
      logger.debug({ config }, 'config');
      await runFiles({
        inputs: [join(inDir, p.file)],
        source: p.source,
        outDir,
        writeActivity: true,
        writeDeadLetters: true,
        stateDir,
        config,
        logger,
      });
      // serve's path: one Kafka message per line, then what the sinks would send
      const pipeline = new Pipeline({ config: config.pipeline, logger });
      const messages = p.lines.map((v, i) => ({
        topic: `raw.${p.source}`,
        partition: 0,
        offset: String(i),
        value: Buffer.from(p.file.endsWith('.csv') ? `${p.lines[0]}\n${v}` : v, 'utf8'),
      }));
      const batch = processMessages(pipeline, p.source, messages, 0);
      const kafka = [
        ...batch.activities.map(activityMessage),
        ...batch.deadLetters.map(deadLetterMessage),
      ].map((m) => JSON.stringify(m));
      const inventory = inventoryDocs(batch.activities, batch.alerts, () => undefined, new Date(0));
      const metrics = createServeMetrics();
      countDelivered(metrics, batch, 0);
      metrics.records.inc({ source: p.source, outcome: 'dead' }, batch.deadLetters.length);
      closeSync(fd);
      outputs.push({ name: `${p.file}: metrics`, text: await metrics.registry.metrics() });
      outputs.push({ name: `${p.file}: kafka`, text: kafka.join('\n') });
      outputs.push({ name: `${p.file}: inventory`, text: JSON.stringify([...inventory.values()]) });
      outputs.push({ name: `${p.file}: alerts (serve)`, text: JSON.stringify(batch.alerts) });
      for (const f of readTree(outDir)) outputs.push({ name: `${p.file}: ${f.split('\n', 1)[0]}`, text: f });
      for (const f of readTree(stateDir))
        outputs.push({ name: `${p.file}: ${f.split('\n', 1)[0]}`, text: f });
      outputs.push({ name: `${p.file}: log`, text: readFileSync(logPath, 'utf8') });
    }
  }, 600_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('plants every shape in every variant into every source', () => {
    expect(new Set(all.map((p) => p.shape)).size).toBeGreaterThanOrEqual(24);
    expect(planted.every((p) => p.lines.length > all.length * 5)).toBe(true);
    expect(outputs.some((o) => o.name.endsWith('dead-letters.ndjson'))).toBe(true);
    // the metrics output carries per-code dead-letter series, so labels were really exercised
    expect(outputs.find((o) => o.name.endsWith(': metrics'))?.text).toMatch(
      /tokenwatch_dead_letters_total\{code="/,
    );
  });

  it('finds zero occurrences (full, 12-character window, URL-encoded) in every output', () => {
    const leaks: string[] = [];
    const leakedPlants = new Set<number>();
    const index = windowIndex(all);
    for (const o of outputs) {
      for (const id of leakedIds(o.text, index)) {
        const p = all[id] as Plant;
        leaks.push(`${p.shape}/${p.variant} in ${o.name}: ${leakIn(o.text, p) ?? 'url-decoded window'}`);
        leakedPlants.add(p.id);
      }
    }
    if (process.env.FUZZ_REPORT) {
      const byShape = new Map<string, number>();
      for (const p of all.filter((x) => leakedPlants.has(x.id)))
        byShape.set(p.shape, (byShape.get(p.shape) ?? 0) + 1);
      console.log(
        JSON.stringify({
          planted: all.length,
          leakedPlants: leakedPlants.size,
          leaks: leaks.length,
          byShape: [...byShape],
        }),
      );
    }
    expect(leaks.slice(0, 20)).toEqual([]);
  });
});
