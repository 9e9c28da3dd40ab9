import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { frameSalesforce } from '../../ingestors/salesforce/frame.js';
import { InputError } from '../errors.js';
import {
  CSV_CHUNK_CHARS,
  NDJSON_CHUNK_BYTES,
  openBuffer,
  openInput,
  resolveInputPaths,
  resolveInputs,
} from './inputs.js';

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

describe('openInput: Salesforce EventLogFile CSV streamed', () => {
  const HEADER =
    '"EVENT_TYPE","TIMESTAMP","REQUEST_ID","ORGANIZATION_ID","USER_ID","URI","CLIENT_IP","USER_AGENT","TIMESTAMP_DERIVED"';
  const row = (i: number): string => {
    const ts = `20250602${String(10 + (i % 12)).padStart(2, '0')}${String(i % 60).padStart(2, '0')}00.${String(i % 1000).padStart(3, '0')}`;
    // a user agent with a quoted line break every 9th row, doubled quotes every 13th
    const ua =
      i % 9 === 0 ? 'Mozilla/5.0\r\n(X11; Linux)' : i % 13 === 0 ? 'curl ""7.1""' : `SFDC-Client/${i}`;
    return `"RestApi","${ts}","4Z${String(i).padStart(12, '0')}","00D5g000004XyzA","0055g00000${String(i).padStart(5, '0')}","/services/data/v60.0/query ${'x'.repeat(150)}","203.0.113.${i % 250}","${ua}","2025-06-02T10:00:00.000Z"\r\n`;
  };

  it('reads a CSV larger than one chunk in record-aligned chunks, each framing alone, the same records as the whole file', () => {
    const path = join(dir, '2025-06-02_RestApi.csv');
    const rows = Array.from({ length: 2100 }, (_, i) => row(i));
    const text = `\ufeff${HEADER}\r\n${rows.join('')}`;
    expect(text.length).toBeGreaterThan(2.5 * CSV_CHUNK_CHARS);
    writeFileSync(path, text);
    const input = openInput(path, undefined);
    expect(input.source).toBe('salesforce');
    const chunks = [...input.chunks()];
    expect(chunks.length).toBe(3);
    expect(chunks.reduce((s, c) => s + c.bytes, 0)).toBe(Buffer.byteLength(text));
    expect(chunks[0]?.location).toBe(path);
    for (const c of chunks.slice(1)) {
      expect(c.location).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}@\\d+$`));
      expect(c.text.startsWith(`${HEADER}\n"RestApi"`)).toBe(true);
    }
    // framed chunk by chunk = framed whole: same rows and values, locations naming the same lines
    const whole = [...frameSalesforce(text, path)];
    const streamed = chunks.flatMap((c) => [...frameSalesforce(c.text, c.location)]);
    expect(whole.every((i) => i.kind === 'record')).toBe(true);
    expect(streamed.length).toBe(2100);
    const line = (loc: string): number => {
      const m = /@(\d+):(\d+)$/.exec(loc);
      return m ? Number(m[1]) + Number(m[2]) - 1 : Number(/:(\d+)$/.exec(loc)?.[1]);
    };
    const view = (items: typeof whole) =>
      items.map((i) => (i.kind === 'record' ? { value: i.record.value, line: line(i.record.location) } : i));
    expect(view(streamed)).toEqual(view(whole));
    const last = streamed.at(-1);
    // the last row starts on the line after every line end before it (quoted ones included)
    const lastLine = text.slice(0, text.length - (rows.at(-1) as string).length).split('\n').length;
    expect(last?.kind === 'record' && line(last.record.location)).toBe(lastLine);
  });

  it('reads a small CSV whole, as before', () => {
    const path = join(dir, 'small_RestApi.csv');
    const text = `${HEADER}\n${row(1)}${row(2)}`;
    writeFileSync(path, text);
    expect([...openInput(path, undefined).chunks()]).toEqual([
      { text, location: path, bytes: Buffer.byteLength(text) },
    ]);
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
