import { describe, expect, it } from 'vitest';
import type { FramedItem } from '../types.js';
import { frameJson, int64Quoter } from './framing.js';

const opts = { source: 'github' as const };
const frame = (text: string, o: Parameters<typeof frameJson>[2] = opts) => [...frameJson(text, 'f.json', o)];
const records = (items: FramedItem[]) => items.flatMap((i) => (i.kind === 'record' ? [i.record] : []));
const deads = (items: FramedItem[]) => items.flatMap((i) => (i.kind === 'dead' ? [i.dead] : []));

describe('frameJson: shapes', () => {
  it('frames NDJSON, ignoring blank lines and CRLF, with line numbers', () => {
    const items = frame('{"a":1}\r\n\n   \n{"a":2}\n{"a":3}');
    expect(records(items).map((r) => [r.value, r.location])).toEqual([
      [{ a: 1 }, 'f.json:1'],
      [{ a: 2 }, 'f.json:4'],
      [{ a: 3 }, 'f.json:5'],
    ]);
    expect(records(items)[0]?.source).toBe('github');
  });

  it('frames a JSON array with each element on its own line', () => {
    const items = frame('[\n  {"a":1},\n  {"a":2}\n]\n');
    expect(records(items).map((r) => r.location)).toEqual(['f.json:2', 'f.json:3']);
  });

  it('frames an API page under items, with the envelope for family hints', () => {
    const page = JSON.stringify(
      { kind: 'admin#reports#activities', etag: '"x"', items: [{ id: 1 }, { id: 2 }], nextPageToken: 't' },
      null,
      2,
    );
    const items = frame(page, {
      source: 'google_workspace',
      family: (r, env) => `${String(env?.kind)}#${String(r.id)}`,
    });
    expect(records(items).map((r) => [r.value, r.family])).toEqual([
      [{ id: 1 }, 'admin#reports#activities#1'],
      [{ id: 2 }, 'admin#reports#activities#2'],
    ]);
    expect(deads(items)).toEqual([]);
  });

  it('frames configured envelopes: SOQL records and streaming data.payload', () => {
    const o = { source: 'salesforce' as const, envelopes: ['records', 'data.payload'] };
    const soql = frame('{"totalSize":2,"done":true,"records":[{"Id":"a"},{"Id":"b"}]}', o);
    expect(records(soql).map((r) => r.value)).toEqual([{ Id: 'a' }, { Id: 'b' }]);
    const stream = frame(
      '{"channel":"/event/ApiEventStream","data":{"event":{"replayId":5},"payload":{"EventIdentifier":"e1"}}}\n' +
        '{"channel":"/event/ApiEventStream","data":{"event":{"replayId":6},"payload":{"EventIdentifier":"e2"}}}',
      { ...o, family: (_r, env) => String(env?.channel) },
    );
    expect(records(stream).map((r) => [r.value, r.family, r.location])).toEqual([
      [{ EventIdentifier: 'e1' }, '/event/ApiEventStream', 'f.json:1'],
      [{ EventIdentifier: 'e2' }, '/event/ApiEventStream', 'f.json:2'],
    ]);
  });

  it('frames one page per line (NDJSON of pages)', () => {
    const items = frame('{"items":[{"a":1},{"a":2}]}\n{"items":[{"a":3}]}');
    expect(records(items).map((r) => [r.value, r.location])).toEqual([
      [{ a: 1 }, 'f.json:1'],
      [{ a: 2 }, 'f.json:1'],
      [{ a: 3 }, 'f.json:2'],
    ]);
  });

  it('frames an empty page as nothing when the source says so', () => {
    const o = {
      source: 'google_workspace' as const,
      isEmptyPage: (v: Record<string, unknown>) => v.kind === 'admin#reports#activities',
    };
    expect(frame('{"kind":"admin#reports#activities","etag":"\\"e\\""}', o)).toEqual([]);
    expect(frame('{"kind":"admin#reports#activities","items":[]}', o)).toEqual([]);
  });

  it('frames pretty-printed objects one after another', () => {
    const items = frame('{\n  "a": 1\n}\n{\n  "a": 2\n}\n');
    expect(records(items).map((r) => [r.value, r.location])).toEqual([
      [{ a: 1 }, 'f.json:1'],
      [{ a: 2 }, 'f.json:4'],
    ]);
  });

  it('frames a single compact object and strips a BOM', () => {
    expect(records(frame('\ufeff{"a":1}')).map((r) => r.value)).toEqual([{ a: 1 }]);
  });

  it.each(['', '   \n\n\t', '\n'])('yields nothing for empty input %j', (text) => {
    expect(frame(text)).toEqual([]);
  });
});

describe('frameJson: dead letters (never throws)', () => {
  it('isolates a malformed NDJSON line', () => {
    const items = frame('{"a":1}\n{"a":\n{"a":3}');
    expect(records(items).map((r) => r.value)).toEqual([{ a: 1 }, { a: 3 }]);
    expect(deads(items)).toEqual([
      expect.objectContaining({ code: 'parse_error', location: 'f.json:2', raw: '{"a":', source: 'github' }),
    ]);
    expect(deads(items)[0]?.reason).toMatch(/^malformed JSON/);
  });

  it('keeps NDJSON mode when the first line is the bad one', () => {
    const items = frame('{"a":\n{"a":2}\n{"a":3}');
    expect(records(items).map((r) => r.location)).toEqual(['f.json:2', 'f.json:3']);
    expect(deads(items).map((d) => [d.code, d.location])).toEqual([['parse_error', 'f.json:1']]);
  });

  it('turns non-objects into not_an_object dead letters', () => {
    const items = frame('42\n"text"\nnull\ntrue\n[1,{"a":1},[2]]\n{"a":1}');
    expect(records(items).map((r) => r.value)).toEqual([{ a: 1 }, { a: 1 }]);
    expect(deads(items).map((d) => [d.code, d.location, d.reason])).toEqual([
      ['not_an_object', 'f.json:1', 'expected a JSON object, got a number'],
      ['not_an_object', 'f.json:2', 'expected a JSON object, got a string'],
      ['not_an_object', 'f.json:3', 'expected a JSON object, got null'],
      ['not_an_object', 'f.json:4', 'expected a JSON object, got a boolean'],
      ['not_an_object', 'f.json:5', 'expected a JSON object, got a number'],
      ['not_an_object', 'f.json:5', 'array element is itself an array, expected an object'],
    ]);
  });

  it('reports binary junk and invalid UTF-8 as parse errors with sanitised raw text', () => {
    const junk = '\u0000\u0001\u0002PK\u0003\u0004\u00ff\u00fe';
    const badUtf8 = new TextDecoder().decode(
      new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0xc3, 0x28, 0x7d]),
    );
    const items = frame(`${junk}\n${badUtf8}\n{"ok":true}`);
    expect(records(items).map((r) => r.value)).toEqual([{ ok: true }]);
    const d = deads(items);
    expect(d.map((x) => [x.code, x.location])).toEqual([
      ['parse_error', 'f.json:1'],
      ['parse_error', 'f.json:2'],
    ]);
    expect(d[0]?.reason).toBe('binary data (control characters), not JSON');
    expect(d[0]?.raw).not.toMatch(/[\u0000-\u0008]/);
    expect(d[1]?.reason).toBe('invalid UTF-8 (replacement characters) or binary data, not JSON');
  });

  it('dead-letters an oversized record and keeps the rest', () => {
    const big = JSON.stringify({ action: 'x', pad: 'y'.repeat(5000) });
    const items = frame(`{"a":1}\n${big}\n{"a":2}`, { ...opts, maxRecordBytes: 1000 });
    expect(records(items).map((r) => r.value)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(deads(items)).toEqual([
      expect.objectContaining({
        code: 'oversized',
        location: 'f.json:2',
        reason: `record is ${big.length} bytes, limit 1000`,
      }),
    ]);
  });

  it('measures size in UTF-8 bytes, not characters', () => {
    const multi = JSON.stringify({ s: 'é'.repeat(400) }); // 400 chars, 800 bytes of é
    expect(deads(frame(multi, { ...opts, maxRecordBytes: 600 }))[0]?.code).toBe('oversized');
    expect(records(frame(multi, { ...opts, maxRecordBytes: 900 }))).toHaveLength(1);
  });

  it('applies the size limit per record inside a page, not to the page', () => {
    const page = JSON.stringify({ items: [{ a: 'x'.repeat(300) }, { a: 'y'.repeat(300) }] });
    const items = frame(page, { ...opts, maxRecordBytes: 400 });
    expect(records(items)).toHaveLength(2);
  });

  it('cuts dead-letter raw text to 64 KiB and redacts secrets in it', () => {
    const token = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';
    const huge = `{"t":"${token}","pad":"${'z'.repeat(200_000)}"`;
    const d = deads(frame(huge))[0];
    expect(d?.code).toBe('parse_error');
    expect(Buffer.byteLength(d?.raw ?? '')).toBeLessThanOrEqual(64 * 1024);
    expect(d?.raw).toContain('[REDACTED:github_pat_classic]');
    expect(d?.raw).not.toContain(token);
    expect(d?.raw.endsWith('…[truncated]')).toBe(true);
  });

  it('recovers the elements of a truncated array before the break', () => {
    const items = frame('[\n{"a":1},\n{"a":2},\n{"a":');
    expect(records(items).map((r) => r.value)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(deads(items).map((d) => [d.code, d.location])).toEqual([['parse_error', 'f.json:4']]);
    expect(deads(items)[0]?.reason).toMatch(/after 2 element/);
  });

  it('isolates a malformed element inside an array', () => {
    const items = frame('[{"a":1},{"a":01},{"a":3}]');
    expect(records(items).map((r) => r.value)).toEqual([{ a: 1 }, { a: 3 }]);
    expect(deads(items).map((d) => d.raw)).toEqual(['{"a":01}']);
  });

  it('reports a truncated pretty document once', () => {
    const items = frame('{\n  "kind": "admin#reports#activities",\n  "items": [\n    {"id": 1},\n');
    expect(records(items)).toEqual([]);
    expect(deads(items).map((d) => [d.code, d.location])).toEqual([['parse_error', 'f.json:1']]);
  });

  it('counts every input record exactly once across a mixed input', () => {
    const lines = [
      '{"n":1}',
      '',
      '{"n":2',
      '"s"',
      '{"items":[{"n":3},{"n":4},5]}',
      '[{"n":6},{"n":7}]',
      '\u0000\u0001',
      JSON.stringify({ n: 8, pad: 'p'.repeat(3000) }),
      '{"n":9}',
    ];
    const items = frame(lines.join('\n'), { ...opts, maxRecordBytes: 2000 });
    // inputs: n1, bad line, "s", n3, n4, 5, n6, n7, junk, oversized n8, n9 = 11
    expect(items).toHaveLength(11);
    expect(records(items).map((r) => r.value.n)).toEqual([1, 3, 4, 6, 7, 9]);
    expect(deads(items).map((d) => d.code)).toEqual([
      'parse_error',
      'not_an_object',
      'not_an_object',
      'parse_error',
      'oversized',
    ]);
  });
});

describe('frameJson: hostile input (issue 12)', () => {
  const ndjson = Array.from({ length: 20 }, (_v, i) => `{"n":${i}}`);

  it('frames NDJSON behind a stray `[` line by line: nothing lost', () => {
    const items = frame(`[${ndjson.join('\n')}`);
    expect(records(items).map((r) => r.value.n)).toEqual(ndjson.map((_l, i) => i));
    expect(deads(items)).toEqual([]);
  });

  it('dead-letters only the broken lines at the head of NDJSON', () => {
    const head = ['{"a":', 'garbage', '{"x":[1,2', '"unterminated', '}}}', '{'];
    const items = frame([...head, ...ndjson].join('\n'));
    expect(records(items)).toHaveLength(20);
    expect(deads(items).map((d) => d.location)).toEqual(head.map((_h, i) => `f.json:${i + 1}`));
  });

  it('reads a page whose envelope key is written with escapes', () => {
    const items = frame('{"kind":"admin#reports#activities","\\u0069tems":[{"n":1},{"n":2}]}', {
      source: 'google_workspace',
      envelopes: ['items'],
    });
    expect(records(items).map((r) => r.value.n)).toEqual([1, 2]);
  });

  it('dead-letters a record nested past the depth limit, or with too many fields, before parsing', () => {
    const deep = `{"a":${'['.repeat(50_000)}1${']'.repeat(50_000)}}`;
    const wide = `{"a":[${Array.from({ length: 20_000 }, () => '1').join(',')}]}`;
    const items = frame([deep, '{"n":1}', wide].join('\n'));
    expect(records(items).map((r) => r.value.n)).toEqual([1]);
    expect(deads(items).map((d) => [d.code, d.location])).toEqual([
      ['oversized', 'f.json:1'],
      ['oversized', 'f.json:3'],
    ]);
    expect(deads(items)[0]?.reason).toMatch(/nesting deeper than 64/);
    expect(deads(items)[1]?.reason).toMatch(/more than 10000 fields/);
  });
});

describe('int64Quoter', () => {
  const quote = int64Quoter(['uniqueQualifier']);

  it('quotes the integer literals of the given keys, whatever the spacing', () => {
    expect(quote('{"id":{"uniqueQualifier":-9223372036854775807,"x":1}}')).toBe(
      '{"id":{"uniqueQualifier":"-9223372036854775807","x":1}}',
    );
    expect(quote('{"uniqueQualifier" :\n 12345678901234567890 }')).toBe(
      '{"uniqueQualifier" :\n "12345678901234567890" }',
    );
    expect(quote('[{"uniqueQualifier":"1"},{"uniqueQualifier":2}]')).toBe(
      '[{"uniqueQualifier":"1"},{"uniqueQualifier":"2"}]',
    );
  });

  it('returns the same text when no key holds a number literal', () => {
    const text = '{"id":{"uniqueQualifier":"123"},"note":"uniqueQualifier: 5","uniqueQualifierX":7}';
    expect(quote(text)).toBe(text);
    expect(quote('{"a":1}')).toBe('{"a":1}');
    // a number that is not a whole literal (a float) is left alone, as before
    expect(quote('{"uniqueQualifier":1.5}')).toBe('{"uniqueQualifier":1.5}');
  });
});
