import { describe, expect, it } from 'vitest';
import type { FramedItem, RawRecord } from '../types.js';
import { MAX_RECORD_CHARS } from './dead-letter.js';
import { frameSalesforce } from './frame.js';

const frame = (text: string, location = 'elf.csv', eventType?: string): FramedItem[] => [
  ...frameSalesforce(text, location, eventType === undefined ? {} : { eventType }),
];
const records = (items: FramedItem[]): RawRecord[] =>
  items.flatMap((i) => (i.kind === 'record' ? [i.record] : []));
const deads = (items: FramedItem[]) => items.flatMap((i) => (i.kind === 'dead' ? [i.dead] : []));

const HEADER = '"EVENT_TYPE","TIMESTAMP","USER_ID","QUERY","CLIENT_IP"';

describe('frameSalesforce: CSV', () => {
  it('keys rows by header, whatever the column order', () => {
    const a = records(
      frame(
        `${HEADER}\n"API","20240502170000.000","0055j000000q9s7","SELECT Id FROM Account","203.0.113.10"\n`,
      ),
    );
    const b = records(
      frame(
        '"CLIENT_IP","QUERY","USER_ID","TIMESTAMP","EVENT_TYPE"\n"203.0.113.10","SELECT Id FROM Account","0055j000000q9s7","20240502170000.000","API"\n',
      ),
    );
    expect(a[0]?.value).toEqual(b[0]?.value);
    expect(a[0]?.value.USER_ID).toBe('0055j000000q9s7');
    expect(a[0]?.family).toBe('EventLogFile:API');
    expect(a[0]?.location).toBe('elf.csv:2');
  });

  it('decodes doubled quotes, commas, tabs and newlines inside quoted fields', () => {
    const text = `${HEADER}\n"API","20240502170000.000","0055j000000q9s7","SELECT Id, Name\nFROM Account WHERE Name = ""Acme, Inc.""\tLIMIT 5","203.0.113.10"\n"API","20240502170001.000","0055j000000q9s7","SELECT Id FROM Lead","203.0.113.11"\n`;
    const recs = records(frame(text));
    expect(recs.map((r) => r.value.QUERY)).toEqual([
      'SELECT Id, Name\nFROM Account WHERE Name = "Acme, Inc."\tLIMIT 5',
      'SELECT Id FROM Lead',
    ]);
    // The second row starts on line 4 because the first spans lines 2-3.
    expect(recs.map((r) => r.location)).toEqual(['elf.csv:2', 'elf.csv:4']);
  });

  it('accepts a BOM and CRLF, keeping CRLF inside a quoted value', () => {
    const text = `\uFEFF${HEADER}\r\n"API","20240502170000.000","0055j000000q9s7","SELECT Id\r\nFROM Lead","203.0.113.10"\r\n"API","20240502170001.000","0055j000000q9s7","x","203.0.113.11"\r\n`;
    const recs = records(frame(text));
    expect(Object.keys(recs[0]?.value ?? {})[0]).toBe('EVENT_TYPE');
    expect(recs[0]?.value.QUERY).toBe('SELECT Id\r\nFROM Lead');
    expect(recs[1]?.value.CLIENT_IP).toBe('203.0.113.11');
    expect(recs.map((r) => r.location)).toEqual(['elf.csv:2', 'elf.csv:4']);
  });

  it('reads unquoted CSV too', () => {
    const recs = records(frame('EVENT_TYPE,TIMESTAMP,USER_ID\nLogin,20240502170000.000,0055j000000q9s7\n'));
    expect(recs[0]?.value).toEqual({
      EVENT_TYPE: 'Login',
      TIMESTAMP: '20240502170000.000',
      USER_ID: '0055j000000q9s7',
    });
  });

  it('dead-letters a row with the wrong column count and keeps going', () => {
    const items = frame(
      `${HEADER}\n"API","1","2","3"\n"API","20240502170000.000","0055j000000q9s7","q","1.2.3.4","extra"\n"API","20240502170000.000","0055j000000q9s7","q","1.2.3.4"\n`,
    );
    expect(deads(items).map((d) => [d.code, d.reason, d.location])).toEqual([
      ['parse_error', 'expected 5 columns, got 4', 'elf.csv:2'],
      ['parse_error', 'expected 5 columns, got 6', 'elf.csv:3'],
    ]);
    expect(records(items).map((r) => r.location)).toEqual(['elf.csv:4']);
  });

  it('isolates a stray quote to its own line and recovers the following rows', () => {
    const text = `${HEADER}\n"API","20240502170200.000","0055j000000q9s7","SELECT Id WHERE Name = "Acme"","203.0.113.10"\n"API","20240502170300.000","0055j000000q9s7","SELECT Id FROM Lead","203.0.113.11"\n`;
    const items = frame(text);
    expect(items.map((i) => i.kind)).toEqual(['dead', 'record']);
    expect(deads(items)[0]?.reason).toMatch(/closing quote at line 2/);
    expect(records(items)[0]?.value.CLIENT_IP).toBe('203.0.113.11');
  });

  it('dead-letters a truncated last row whose quote never closes', () => {
    const items = frame(
      `${HEADER}\n"API","20240502170000.000","0055j000000q9s7","ok","1.2.3.4"\n"API","20240502170100.000","0055j000000q9s7","SELECT Id FROM Le`,
    );
    expect(items.map((i) => i.kind)).toEqual(['record', 'dead']);
    expect(deads(items)[0]).toMatchObject({ code: 'parse_error', location: 'elf.csv:3' });
    expect(deads(items)[0]?.reason).toMatch(/never closed/);
  });

  it('never puts the SESSION_KEY of a broken row into the dead letter', () => {
    const text =
      '"EVENT_TYPE","SESSION_KEY","USER_ID","QUERY"\n"API","Zz1/Yy2xXw3vVu4t","0055j000000q9s7","bad "quote""\n"API","Aa1/Bb2cCc3dDd4e","0055j000000q9s7"\n';
    const dead = deads(frame(text));
    expect(dead).toHaveLength(2);
    const raw = dead.map((d) => d.raw).join('\n');
    expect(raw).not.toContain('Zz1/Yy2xXw3vVu4t');
    expect(raw).not.toContain('Aa1/Bb2cCc3dDd4e');
    expect(raw).toContain('[REDACTED]');
  });

  it('dead-letters rows over 1 MiB as oversized and keeps their neighbours', () => {
    const big = 'x'.repeat(MAX_RECORD_CHARS + 10);
    const items = frame(
      `${HEADER}\n"API","20240502170000.000","0055j000000q9s7","${big}","1.2.3.4"\n"API","20240502170000.000","0055j000000q9s7","q","1.2.3.5"\n`,
    );
    expect(items.map((i) => i.kind)).toEqual(['dead', 'record']);
    expect(deads(items)[0]?.code).toBe('oversized');
    expect(deads(items)[0]?.raw.length).toBeLessThanOrEqual(64 * 1024);
  });

  it('takes the event type from the options or the file name when there is no EVENT_TYPE column', () => {
    const text = '"TIMESTAMP","USER_ID"\n"20240502170000.000","0055j000000q9s7"\n';
    expect(records(frame(text, 'x.csv', 'BulkApi2'))[0]?.family).toBe('EventLogFile:BulkApi2');
    expect(records(frame(text, 'downloads/2024-05-02_RestApi_0AT5j0000.csv'))[0]?.family).toBe(
      'EventLogFile:RestApi',
    );
    expect(records(frame(text, 'downloads/export.csv'))[0]?.family).toBe('EventLogFile');
    // A row's own EVENT_TYPE wins over the hint.
    expect(records(frame(`${HEADER}\n"Login","1","2","3","4"\n`, 'x_RestApi.csv'))[0]?.family).toBe(
      'EventLogFile:Login',
    );
  });

  it('turns a text that is not an ELF CSV into dead letters, one per row', () => {
    const items = frame('hello world\nthis is not\na log file\n');
    expect(items).toHaveLength(3);
    expect(deads(items)[0]?.reason).toMatch(/not an EventLogFile CSV header/);
    expect(deads(items).map((d) => d.location)).toEqual(['elf.csv:1', 'elf.csv:2', 'elf.csv:3']);
  });

  it('ignores blank lines and yields nothing for an empty or header-only file', () => {
    expect(frame('')).toEqual([]);
    expect(frame('  \n\n')).toEqual([]);
    expect(frame(`${HEADER}\n`)).toEqual([]);
    expect(records(frame(`${HEADER}\n\n"API","1","2","3","4"\n\n`)).map((r) => r.location)).toEqual([
      'elf.csv:3',
    ]);
  });
});
