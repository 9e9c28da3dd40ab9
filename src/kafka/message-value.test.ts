import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { processMessages } from '../serve/processor.js';
import { decodeMessageValue } from './message-value.js';

const lines = [
  '{"@timestamp":1751623200000,"_document_id":"kq-1","action":"git.clone","actor":"dana-ops","org":"acme","repo":"acme/api","actor_ip":"198.51.100.71","hashed_token":"h1=","token_id":1}',
  '{"@timestamp":1751623260000,"_document_id":"kq-2","action":"git.fetch","actor":"dana-ops","org":"acme","repo":"acme/web","actor_ip":"198.51.100.71","hashed_token":"h1=","token_id":1}',
];
const ndjson = `${lines.join('\n')}\n`;

describe('decodeMessageValue', () => {
  it('reads a plain value as UTF-8 and a gzip value (magic 1f 8b) decompressed', () => {
    expect(decodeMessageValue(Buffer.from(ndjson))).toEqual({ kind: 'text', text: ndjson });
    const gz = gzipSync(ndjson);
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
    expect(decodeMessageValue(gz)).toEqual({ kind: 'text', text: ndjson });
  });

  it('reads a multi-member gzip value (concatenated members) whole', () => {
    const two = Buffer.concat([gzipSync(`${lines[0]}\n`), gzipSync(`${lines[1]}\n`)]);
    expect(decodeMessageValue(two)).toEqual({ kind: 'text', text: ndjson });
  });

  it('reports a truncated or corrupt stream, and one past the size limit, as an error', () => {
    const gz = gzipSync(ndjson);
    const cut = decodeMessageValue(gz.subarray(0, gz.length - 6));
    expect(cut.kind).toBe('error');
    const flipped = Buffer.from(gz);
    flipped[flipped.length - 8] = (flipped[flipped.length - 8] as number) ^ 0xff; // CRC-32
    expect(decodeMessageValue(flipped)).toMatchObject({
      kind: 'error',
      reason: expect.stringContaining('CRC-32'),
    });
    const bomb = gzipSync(Buffer.alloc(1_000_000, 0x20));
    expect(decodeMessageValue(bomb, 100_000)).toMatchObject({
      kind: 'error',
      reason: expect.stringContaining('over the limit of 100000 bytes'),
    });
  });
});

describe('serve stage 1 over gzip message values', () => {
  const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
  const logger = createLogger('silent');
  const msg = (offset: number, value: Buffer) => ({
    topic: 'raw.github',
    partition: 0,
    offset: String(offset),
    value,
  });

  it('gives the same activities for a gzip value as for the plain value', () => {
    const plain = processMessages(
      new Pipeline({ config: config.pipeline, logger }),
      'github',
      [msg(0, Buffer.from(ndjson))],
      0,
    );
    const gz = processMessages(
      new Pipeline({ config: config.pipeline, logger }),
      'github',
      [msg(0, gzipSync(ndjson))],
      0,
    );
    expect(plain.activities.map((a) => a.event.id)).toEqual(['github:kq-1', 'github:kq-2']);
    expect(gz.activities).toEqual(plain.activities);
    expect(gz.records).toBe(2);
    expect(gz.deadLetters).toEqual([]);
  });

  it('lists a re-delivered gzip value as duplicates naming the plain messages it repeats', () => {
    const out = processMessages(
      new Pipeline({ config: config.pipeline, logger }),
      'github',
      [msg(0, Buffer.from(`${lines[0]}\n`)), msg(1, Buffer.from(`${lines[1]}\n`)), msg(2, gzipSync(ndjson))],
      0,
    );
    expect([out.records, out.activities.length, out.skipped]).toEqual([4, 2, 2]);
    expect(out.duplicates).toEqual([
      { location: 'raw.github/0@2:1', duplicateOf: { id: 'github:kq-1', location: 'raw.github/0@0:1' } },
      { location: 'raw.github/0@2:2', duplicateOf: { id: 'github:kq-2', location: 'raw.github/0@1:1' } },
    ]);
  });

  it('dead-letters a corrupt gzip value once, with its reason and location, and goes on', () => {
    const gz = gzipSync(ndjson);
    const out = processMessages(
      new Pipeline({ config: config.pipeline, logger }),
      'github',
      [msg(7, gz.subarray(0, 20)), msg(8, Buffer.from(ndjson))],
      0,
    );
    expect(out.records).toBe(3);
    expect(out.activities).toHaveLength(2);
    expect(out.deadLetters.map((d) => [d.code, d.location])).toEqual([['parse_error', 'raw.github/0@7']]);
    expect(out.deadLetters[0]?.reason).toMatch(/^gzip message value: corrupt gzip stream/);
  });
});
