import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { NDJSON_CHUNK_BYTES, openBuffer, openInput, resolveInputPaths, resolveInputs } from './inputs.js';

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

describe('resolveInputs', () => {
  it('lists files a directory holds but that are not read, with the reason', async () => {
    const folder = join(dir, 'mixed');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    for (const name of ['a.ndjson', 'sub/b.csv', 'notes.txt', 'dump.bin', 'labels.json', 'README'])
      writeFileSync(join(folder, name), '');
    const { paths, skipped } = await resolveInputs([folder]);
    expect(paths).toEqual([join(folder, 'a.ndjson'), join(folder, 'sub/b.csv')]);
    expect(skipped.map((s) => s.path)).toEqual(
      ['README', 'dump.bin', 'labels.json', 'notes.txt'].map((n) => join(folder, n)),
    );
    expect(skipped.find((s) => s.path.endsWith('notes.txt'))?.reason).toMatch(/^extension \.txt is not read/);
    expect(skipped.find((s) => s.path.endsWith('README'))?.reason).toMatch(/^extension \(none\)/);
    expect(skipped.find((s) => s.path.endsWith('labels.json'))?.reason).toMatch(/^labels file/);
  });

  it('reads a file named explicitly whatever its extension, and skips nothing then', async () => {
    const path = join(dir, 'export.txt');
    writeFileSync(path, line(1));
    expect(await resolveInputs([path])).toEqual({ paths: [path], skipped: [] });
  });

  it('a folder with nothing readable is an input error naming what it holds', async () => {
    const folder = join(dir, 'nothing');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'notes.txt'), '');
    const err = await resolveInputs([folder]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toContain('notes.txt');
  });
});

describe('openInput: gzip', () => {
  const github = (i: number): string =>
    `{"action":"git.clone","actor":"octo","@timestamp":${1_700_000_000_000 + i},"n":${i}}\n`;

  it('a .json.gz GitHub streaming object (NDJSON inside) is detected and read in line chunks', () => {
    const path = join(dir, '2025-01-01T00-00-00.json.gz');
    const text = Array.from({ length: 50 }, (_, i) => github(i)).join('');
    writeFileSync(path, gzipSync(text));
    const input = openInput(path, undefined);
    expect(input.source).toBe('github');
    expect(input.gzip).toBe(true);
    const chunks = [...input.chunks()];
    expect(chunks.map((c) => c.text).join('')).toBe(text);
    expect(chunks[0]?.location).toBe(path);
  });

  it('gzip is recognised by magic bytes whatever the name, CSV inside read whole', () => {
    const path = join(dir, 'elf_Login.csv.gz');
    const csv = '"EVENT_TYPE","TIMESTAMP"\n"Login","20240101000000.000"\n';
    writeFileSync(path, gzipSync(csv));
    const input = openInput(path, undefined);
    expect(input.source).toBe('salesforce');
    expect([...input.chunks()].map((c) => c.text)).toEqual([csv]);
  });

  it('gzip on stdin (an in-memory buffer) is decompressed', () => {
    const text = github(1) + github(2);
    const input = openBuffer('stdin', gzipSync(text), undefined);
    expect(input.source).toBe('github');
    expect([...input.chunks()].map((c) => c.text).join('')).toBe(text);
  });

  it('a gzip whose header does not decode is one chunk with an error, never a throw', () => {
    const input = openBuffer('stdin', Buffer.from([0x1f, 0x8b, 0xff, 0xff, 0xff, 0xff]), undefined);
    expect(input.source).toBeUndefined();
    const chunks = [...input.chunks()];
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.error?.reason).toMatch(/corrupt gzip stream/);
  });

  it('directories list .gz files', async () => {
    const sub = mkdtempSync(join(dir, 'stream-'));
    writeFileSync(join(sub, 'a.json.gz'), gzipSync(github(1)));
    writeFileSync(join(sub, 'b.json.gz'), gzipSync(github(2)));
    expect((await resolveInputPaths([sub])).map((p) => basename(p))).toEqual(['a.json.gz', 'b.json.gz']);
  });
});
