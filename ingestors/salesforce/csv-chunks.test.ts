import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../baselines/seeded-random.js';
import type { FramedItem } from '../types.js';
import { csvChunks } from './csv-chunks.js';
import { frameSalesforce } from './frame.js';

const HEADER = '"EVENT_TYPE","TIMESTAMP","USER_ID","QUERY","CLIENT_IP"';

/** Splits `text` into pieces of random sizes (never inside a surrogate pair). */
function pieces(text: string, seed: number, max: number): string[] {
  const r = seededRandom(seed);
  const out: string[] = [];
  for (let at = 0; at < text.length; ) {
    let n = 1 + Math.floor(r() * max);
    const code = text.charCodeAt(at + n - 1);
    if (code >= 0xd800 && code <= 0xdbff) n += 1;
    out.push(text.slice(at, at + n));
    at += n;
  }
  return out;
}

/**
 * What framing gives, with every location as `<file>:<input line>` and the line numbers in
 * dead-letter reasons as input lines (a chunk `<file>@<line>` counts its lines from `<line>`).
 */
function framed(items: Iterable<FramedItem>): unknown[] {
  const base = (loc: string): number => Number(/@(\d+):\d+$/.exec(loc)?.[1] ?? 1);
  const abs = (loc: string): string => {
    const m = /^(.*)@(\d+):(\d+)$/.exec(loc);
    return m ? `${m[1]}:${Number(m[2]) + Number(m[3]) - 1}` : loc;
  };
  return [...items].map((i) => {
    if (i.kind === 'record')
      return { value: i.record.value, family: i.record.family, location: abs(i.record.location) };
    const b = base(i.dead.location);
    const reason = i.dead.reason.replace(
      /\b(at|on) line (\d+)/g,
      (_, w, n) => `${w} line ${b + Number(n) - 1}`,
    );
    return { dead: { ...i.dead, reason, location: abs(i.dead.location) } };
  });
}

/** Frames `text` whole, and in chunks cut from random pieces; both lists. */
function both(text: string, chunkChars: number, seed = 1, name = 'f_RestApi.csv') {
  const whole = framed(frameSalesforce(text, name));
  const chunks = [...csvChunks(pieces(text, seed, 97), chunkChars)];
  const streamed = framed(
    chunks.flatMap((c) => [...frameSalesforce(c.text, c.line === 1 ? name : `${name}@${c.line}`)]),
  );
  return { whole, streamed, chunks };
}

function row(i: number, query: string, eol = '\n'): string {
  return `"RestApi","2025060${1 + (i % 9)}1200${String(i % 60).padStart(2, '0')}.000","005000000000${String(i).padStart(3, '0')}","${query}","203.0.113.${i % 250}"${eol}`;
}

describe('csvChunks: EventLogFile CSV streamed in chunks', () => {
  it('frames the same records and dead letters as the whole text: quoted newlines, doubled quotes, CRLF, BOM, blank lines', () => {
    const rows: string[] = [];
    for (let i = 0; i < 300; i++) {
      const q =
        i % 7 === 0
          ? `SELECT Id,\nName FROM Account WHERE Name = ""Acme, Inc.""\r\n LIMIT ${i}`
          : i % 11 === 0
            ? `résumé 😀 ${'x'.repeat(i)}`
            : `SELECT Id FROM Lead ${i}`;
      rows.push(row(i, q, i % 5 === 0 ? '\r\n' : '\n'));
      if (i % 37 === 0) rows.push('\n   \n');
    }
    const text = `\ufeff${HEADER}\r\n${rows.join('')}`;
    for (const [chunkChars, seed] of [
      [500, 1],
      [2000, 2],
      [64, 3],
    ] as const) {
      const { whole, streamed, chunks } = both(text, chunkChars, seed);
      expect(chunks.length).toBeGreaterThan(5);
      expect(streamed).toEqual(whole);
      expect(whole.filter((x) => 'dead' in (x as object))).toEqual([]);
      // every input byte in exactly one chunk; later chunks repeat the header, not the BOM
      expect(chunks.reduce((s, c) => s + c.bytes, 0)).toBe(Buffer.byteLength(text));
      expect(chunks[0]?.text.startsWith(`\ufeff${HEADER}`)).toBe(true);
      for (const c of chunks.slice(1))
        expect(c.text.startsWith(`${HEADER}\n"RestApi"`) || c.text.startsWith(`${HEADER}\n\n`)).toBe(true);
    }
  });

  it('keeps malformed rows malformed at the same lines: stray quote, wrong column count, quote never closed', () => {
    const rows = [
      row(1, 'ok'),
      '"RestApi","20250601120000.000","005000000000002","bad "quote" here","203.0.113.2"\n',
      row(3, 'multi\nline'),
      '"RestApi","20250601120000.000","005000000000004"\n',
      row(5, 'ok'),
      row(6, 'ok'),
      '"RestApi","20250601120000.000","005000000000007","never closed,"203.0.113.7"\n',
      row(8, 'after the open quote'),
      row(9, 'last, no line end', ''),
    ];
    const text = `${HEADER}\n${rows.join('')}`;
    for (const chunkChars of [50, 150, 400]) {
      const { whole, streamed } = both(text, chunkChars, chunkChars);
      expect(streamed).toEqual(whole);
      expect(whole.filter((x) => 'dead' in (x as object)).length).toBeGreaterThanOrEqual(3);
    }
  });

  it('leaves JSON, blank text and CSV without an ELF header in one chunk, as before', () => {
    for (const text of [
      '[{"EventIdentifier":"a"}]\n'.repeat(50),
      ' \n\n\t\n'.repeat(40),
      `"NAME","VALUE"\n${'"a","b"\n'.repeat(100)}`,
      '',
    ]) {
      const chunks = [...csvChunks(pieces(text, 4, 13), 32)];
      expect(chunks).toEqual([{ text, line: 1, bytes: Buffer.byteLength(text) }]);
    }
  });
});
