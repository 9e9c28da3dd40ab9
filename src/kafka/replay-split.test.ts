import { describe, expect, it } from 'vitest';
import { splitRecords } from './replay-split.js';

describe('splitRecords: JSON', () => {
  it('sends one message per NDJSON line, junk lines as they are', () => {
    const text = '{"a":1}\n\n{"a":2}\r\nnot json\n{"a":3}\n';
    expect(splitRecords(text, 'x.ndjson')).toEqual(['{"a":1}', '{"a":2}', 'not json', '{"a":3}']);
  });

  it('splits a Google Reports API page (one per line or a whole file) per activity', () => {
    const page = {
      kind: 'admin#reports#activities',
      items: [{ id: { uniqueQualifier: '1' } }, { id: { uniqueQualifier: '2' } }],
    };
    const one = splitRecords(JSON.stringify(page), 'g.json');
    expect(one.map((m) => JSON.parse(m))).toEqual(page.items);
    const pretty = splitRecords(JSON.stringify(page, null, 2), 'g.json');
    expect(pretty.map((m) => JSON.parse(m))).toEqual(page.items);
    const lines = splitRecords(`${JSON.stringify(page)}\n${JSON.stringify(page)}\n`, 'g.ndjson');
    expect(lines).toHaveLength(4);
  });

  it('splits a JSON array and SOQL records', () => {
    expect(splitRecords('[{"a":1},\n {"a":2}]', 'a.json')).toEqual(['{"a":1}', '{"a":2}']);
    expect(splitRecords('{"totalSize":1,"done":true,"records":[{"Id":"x"}]}', 's.json')).toEqual([
      '{"Id":"x"}',
    ]);
  });

  it('splits pretty-printed objects one after another', () => {
    expect(splitRecords('{\n  "a": 1\n}\n{\n  "b": 2\n}\n', 'p.json')).toEqual([
      '{\n  "a": 1\n}',
      '{\n  "b": 2\n}',
    ]);
  });

  it('returns nothing for blank input and strips a BOM', () => {
    expect(splitRecords('  \n ', 'x.json')).toEqual([]);
    expect(splitRecords('\uFEFF{"a":1}', 'x.json')).toEqual(['{"a":1}']);
  });
});

describe('splitRecords: Salesforce CSV', () => {
  it('sends one message per row with the header re-attached, quoted newlines kept', () => {
    const csv = '"EVENT_TYPE","USER_ID","QUERY"\n"API","005A","select\nId"\n"API","005B","x"\n';
    expect(splitRecords(csv, 'elf.csv')).toEqual([
      '"EVENT_TYPE","USER_ID","QUERY"\n"API","005A","select\nId"\n',
      '"EVENT_TYPE","USER_ID","QUERY"\n"API","005B","x"\n',
    ]);
  });

  it('adds EVENT_TYPE from the file name when the CSV has no such column', () => {
    const csv = '"USER_ID","URI"\r\n"005A","/x"\r\n';
    expect(splitRecords(csv, 'logs/2024-05-01_RestApi.csv')).toEqual([
      '"EVENT_TYPE","USER_ID","URI"\n"RestApi","005A","/x"\n',
    ]);
  });

  it('gives nothing for a header-only file', () => {
    expect(splitRecords('"EVENT_TYPE","USER_ID"\n', 'e.csv')).toEqual([]);
  });
});
