import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NDJSON_CHUNK_BYTES, openInput } from './inputs.js';

const dir = mkdtempSync(join(tmpdir(), 'tokenwatch-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const line = (i: number): string => `{"action":"git.clone","n":${i},"pad":"${'x'.repeat(200)}"}\n`;

describe('openInput: NDJSON chunks', () => {
  it('reads a small file as one chunk', () => {
    const path = join(dir, 'small.ndjson');
    const text = line(1) + line(2);
    writeFileSync(path, text);
    const chunks = [...openInput(path, 'github').chunks()];
    expect(chunks).toEqual([{ text, location: path, bytes: Buffer.byteLength(text) }]);
  });

  it('cuts a large file at line ends, every byte once, locations naming the first line', () => {
    const path = join(dir, 'large.ndjson');
    const lines: string[] = [];
    let size = 0;
    for (let i = 0; size < 2.5 * NDJSON_CHUNK_BYTES; i++) {
      lines.push(line(i));
      size += Buffer.byteLength(lines[i] as string);
    }
    const text = lines.join('');
    writeFileSync(path, text);
    const chunks = [...openInput(path, 'github').chunks()];
    expect(chunks.length).toBe(3);
    expect(chunks.map((c) => c.text).join('')).toBe(text);
    expect(chunks.reduce((s, c) => s + c.bytes, 0)).toBe(size);
    let first = 1;
    for (const c of chunks) {
      expect(c.text.endsWith('\n')).toBe(true);
      expect(c.bytes).toBeLessThanOrEqual(NDJSON_CHUNK_BYTES + 1024); // a read plus the carried partial line
      expect(c.location).toBe(first === 1 ? path : `${path}@${first}`);
      first += c.text.split('\n').length - 1;
    }
  });
});
