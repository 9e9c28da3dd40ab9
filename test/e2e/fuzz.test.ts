import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { processMessages } from '../../src/serve/processor.js';
import { type FuzzInput, generateInput, loadCorpus, rng } from '../support/fuzz.js';

/**
 * Fuzz suite (issue 12): seeded mutations of the samples (byte flips, truncation, huge strings,
 * deep nesting, unicode edge cases, CSV quote chaos, prototype keys, wrong types, damaged file
 * heads) through stage 1 and stage 2 of the real pipeline, as files and as Kafka messages (serve's
 * `processMessages`). Asserts: nothing throws, every output serializes, no prototype is polluted,
 * and for every input the generator's independent record count equals both tokenwatch's `records`
 * and `normalized + dead-lettered + skipped`.
 *
 * Size: `FUZZ_RECORDS` (default 10,000 for `.ci/run`; the nightly mode runs 100,000) and
 * `FUZZ_SEED` (default 12). A failing input is printed with its seed index and mutations.
 */
const TOTAL = Number(process.env.FUZZ_RECORDS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 12);

const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });

interface Tally {
  inputs: number;
  expected: number;
  records: number;
  accounted: number;
  crashes: string[];
  lost: string[];
  unserializable: number;
  maxDeadRawBytes: number;
  maxInputMs: number;
}

function runFileMode(pipeline: Pipeline, input: FuzzInput, index: number, t: Tally): void {
  const before = { ...pipeline.counts };
  const location = `fuzz/${index}/${input.name}`;
  for (const item of pipeline.normalize(input.text, { source: input.source, location })) {
    if (item.kind === 'activity') {
      const { activity, alerts } = pipeline.detect(item.activity);
      JSON.stringify(activity);
      for (const a of alerts) JSON.stringify(a);
    } else if (item.kind === 'dead') {
      const s = JSON.stringify(item.dead);
      if (typeof s !== 'string') t.unserializable += 1;
      t.maxDeadRawBytes = Math.max(t.maxDeadRawBytes, Buffer.byteLength(item.dead.raw));
    }
  }
  const c = pipeline.counts;
  const records = c.records - before.records;
  const accounted =
    c.normalized - before.normalized + (c.deadLettered - before.deadLettered) + (c.skipped - before.skipped);
  t.records += records;
  t.accounted += accounted;
  if (records !== input.expected || accounted !== input.expected)
    t.lost.push(
      `#${index} ${input.source}/${input.shape} expected ${input.expected}, records ${records}, accounted ${accounted} [${input.mutations.join(',')}]`,
    );
}

/** Serve's stage 1+2 with one message per NDJSON line / CSV input / blank input. */
function runKafkaMode(pipeline: Pipeline, input: FuzzInput, index: number, t: Tally): void {
  const values = input.shape === 'ndjson' ? input.text.split('\n') : [input.text];
  const messages = values.map((v, i) => ({
    topic: `fuzz.${input.source}`,
    partition: 0,
    offset: String(index * 1000 + i),
    value: Buffer.from(v, 'utf8'),
  }));
  // every message is one record at least: a blank one is counted as skipped
  const expected = input.shape === 'ndjson' ? values.length : input.shape === 'blank' ? 1 : input.expected;
  const batch = processMessages(pipeline, input.source, messages, 600_000);
  for (const d of batch.deadLetters) JSON.stringify(d);
  for (const a of batch.alerts) JSON.stringify(a);
  const accounted = batch.activities.length + batch.deadLetters.length + batch.skipped;
  t.records += batch.records;
  t.accounted += accounted;
  if (batch.records !== expected || accounted !== expected)
    t.lost.push(
      `#${index} kafka ${input.source}/${input.shape} expected ${expected}, records ${batch.records}, accounted ${accounted} [${input.mutations.join(',')}]`,
    );
}

describe(`fuzz: ${TOTAL} mutated records (seed ${SEED})`, () => {
  it('never crashes, never loses a record, never pollutes a prototype', () => {
    const corpus = loadCorpus('samples');
    const r = rng(SEED);
    const pipeline = new Pipeline({ config: config.pipeline, logger: createLogger('silent') });
    const t: Tally = {
      inputs: 0,
      expected: 0,
      records: 0,
      accounted: 0,
      crashes: [],
      lost: [],
      unserializable: 0,
      maxDeadRawBytes: 0,
      maxInputMs: 0,
    };
    let index = 0;
    while (t.expected < TOTAL) {
      const input = generateInput(r, corpus, 10 + Math.floor(r() * 40));
      const kafka = r() < 0.2 && input.shape !== 'array' && input.shape !== 'page';
      const t0 = performance.now();
      try {
        if (kafka) runKafkaMode(pipeline, input, index, t);
        else runFileMode(pipeline, input, index, t);
      } catch (e) {
        t.crashes.push(
          `#${index} ${input.source}/${input.shape} [${input.mutations.join(',')}]: ${(e as Error).message}`,
        );
      }
      t.maxInputMs = Math.max(t.maxInputMs, performance.now() - t0);
      t.expected += kafka && input.shape === 'ndjson' ? input.text.split('\n').length : input.expected;
      t.inputs += 1;
      index += 1;
    }
    pipeline.flush();
    const summary = {
      inputs: t.inputs,
      expected: t.expected,
      records: t.records,
      accounted: t.accounted,
      crashes: t.crashes.length,
      inputsWithLoss: t.lost.length,
      maxDeadRawBytes: t.maxDeadRawBytes,
      maxInputMs: Math.round(t.maxInputMs),
      counts: pipeline.counts,
    };
    if (process.env.FUZZ_REPORT) console.log(JSON.stringify(summary, null, 2), t.lost.join('\n'));
    expect(t.crashes.slice(0, 5)).toEqual([]);
    expect(t.lost.slice(0, 5)).toEqual([]);
    expect(t.unserializable).toBe(0);
    expect(t.maxDeadRawBytes).toBeLessThanOrEqual(64 * 1024);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('isAdmin');
    expect(t.expected).toBeGreaterThanOrEqual(TOTAL);
  }, 600_000);
});
