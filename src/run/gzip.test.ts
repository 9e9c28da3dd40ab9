import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bufferReader, gunzipHead, gunzipPieces, isGzip } from './gzip.js';

/** NDJSON lines with incompressible padding (so compressed blocks map to few lines). */
const lines = (n: number): string =>
  Array.from(
    { length: n },
    (_, i) => `{"action":"git.clone","n":${i},"pad":"${randomBytes(60).toString('hex')}"}\n`,
  ).join('');

describe('gzip input', () => {
  it('recognises gzip by its magic bytes only', () => {
    expect(isGzip(gzipSync('x'))).toBe(true);
    expect(isGzip(Buffer.from('{"a":1}'))).toBe(false);
    expect(isGzip(Buffer.from([0x1f]))).toBe(false);
  });

  it('decompresses in line-aligned pieces, every byte once, numbering lines', () => {
    const text = lines(500);
    const pieces = [...gunzipPieces(bufferReader(gzipSync(text), 1000), { pieceBytes: 4096, mode: 'lines' })];
    expect(pieces.length).toBeGreaterThan(5);
    expect(pieces.every((p) => p.kind === 'text' && p.text.endsWith('\n'))).toBe(true);
    expect(pieces.map((p) => (p.kind === 'text' ? p.text : '')).join('')).toBe(text);
    let line = 1;
    for (const p of pieces) {
      if (p.kind !== 'text') continue;
      expect(p.line).toBe(line);
      line += p.text.split('\n').length - 1;
    }
  });

  it('reads multi-member files (concatenated gzip objects) whole', () => {
    const a = lines(3);
    const b = lines(2);
    const buf = Buffer.concat([gzipSync(a), gzipSync(b)]);
    const pieces = [...gunzipPieces(bufferReader(buf), { pieceBytes: 1 << 20, mode: 'whole' })];
    expect(pieces).toEqual([{ kind: 'text', text: a + b, line: 1, bytes: Buffer.byteLength(a + b) }]);
  });

  it('a truncated stream yields the complete lines, then one error naming where it stopped', () => {
    const text = lines(2000);
    const gz = gzipSync(text);
    const cut = gz.subarray(0, Math.floor(gz.length / 2));
    const pieces = [...gunzipPieces(bufferReader(cut, 512), { pieceBytes: 8192, mode: 'lines' })];
    const last = pieces.at(-1);
    expect(last?.kind).toBe('error');
    const good = pieces.filter((p) => p.kind === 'text').map((p) => (p.kind === 'text' ? p.text : ''));
    const decoded = good.join('');
    expect(decoded.endsWith('\n')).toBe(true);
    expect(text.startsWith(decoded)).toBe(true);
    if (last?.kind === 'error') {
      expect(last.reason).toMatch(/^corrupt gzip stream after \d+ decompressed bytes: /);
      expect(last.line).toBe(decoded.split('\n').length);
      expect(text.startsWith(decoded + last.partial)).toBe(true);
    }
  });

  it('whole mode: a corrupt stream yields only the error (no truncated document is framed)', () => {
    const gz = Buffer.from(gzipSync(lines(50)));
    gz.fill(0xff, 20, 40); // garbage in the deflate data
    const pieces = [...gunzipPieces(bufferReader(gz), { pieceBytes: 1 << 20, mode: 'whole' })];
    expect(pieces).toHaveLength(1);
    expect(pieces[0]?.kind).toBe('error');
  });

  it('a wrong CRC-32 in the trailer is an error (fflate does not check it)', () => {
    const gz = Buffer.from(gzipSync(lines(5)));
    gz[gz.length - 8] = (gz[gz.length - 8] as number) ^ 0xff;
    const pieces = [...gunzipPieces(bufferReader(gz), { pieceBytes: 1 << 20, mode: 'whole' })];
    expect(pieces).toEqual([
      expect.objectContaining({ kind: 'error', reason: expect.stringContaining('CRC-32') }),
    ]);
  });

  it('never throws on an empty or header-only input', () => {
    expect([...gunzipPieces(bufferReader(Buffer.alloc(0)), { pieceBytes: 10, mode: 'lines' })]).toEqual([
      { kind: 'error', reason: expect.stringContaining('no gzip header'), line: 1, partial: '' },
    ]);
    const head = gunzipHead(bufferReader(Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0])), 100);
    expect('error' in head || head.text === '').toBe(true);
  });

  it('gunzipHead decodes at most the asked prefix', () => {
    const text = lines(1000);
    const head = gunzipHead(bufferReader(gzipSync(text), 256), 2048);
    expect('text' in head && head.text).toBe(text.slice(0, 2048));
  });
});
