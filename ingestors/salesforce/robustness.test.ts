import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { seededRandom as rng } from '../../baselines/seeded-random.js';
import type { FramedItem } from '../types.js';
import { frameSalesforce } from './frame.js';
import { normalizeSalesforce } from './normalize.js';

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

const q = (v: string) => `"${v.replace(/"/g, '""')}"`;
const HEADER = ['EVENT_TYPE', 'TIMESTAMP', 'REQUEST_ID', 'USER_ID', 'QUERY', 'CLIENT_IP'];

interface Planned {
  text: string;
  expect: { kind: 'record' | 'dead'; line: number; query?: string };
}

/** A row that decodes: its QUERY may hold quotes, commas, tabs and line breaks. */
function goodRow(r: () => number, i: number, eol: string): { text: string; query: string } {
  const query = pick(r, [
    'SELECT Id FROM Account',
    'SELECT Id, Name FROM Account WHERE Name = "Acme, Inc."',
    `SELECT Id${eol}FROM Lead`,
    `SELECT Id,\tEmail${eol}FROM Contact${eol}LIMIT 10`,
    '',
    '"quoted"',
  ]);
  const fields = ['API', '20240502170000.000', `REQ-${i}`, '0055j000000q9s7', query, '203.0.113.10'];
  return { text: fields.map(q).join(','), query };
}

/** A one-line row that cannot decode. */
function badRow(r: () => number, i: number): string {
  const base = [
    'API',
    '20240502170000.000',
    `REQ-${i}`,
    '0055j000000q9s7',
    'SELECT Id FROM Account',
    '203.0.113.10',
  ];
  switch (pick(r, ['missing', 'extra', 'stray', 'junk'] as const)) {
    case 'missing':
      return base.slice(0, 5).map(q).join(',');
    case 'extra':
      return [...base, 'x'].map(q).join(',');
    case 'stray':
      return base.map(q).join(',').replace('"SELECT Id', '"SELECT "Id"');
    default:
      return 'lorem ipsum dolor';
  }
}

function plan(seed: number): { text: string; expected: Planned['expect'][] } {
  const r = rng(seed);
  const eol = r() < 0.5 ? '\n' : '\r\n';
  const parts = [HEADER.map(q).join(',')];
  const expected: Planned['expect'][] = [];
  let line = 2;
  const n = 10 + Math.floor(r() * 40);
  for (let i = 0; i < n; i++) {
    if (r() < 0.25) {
      parts.push(badRow(r, i));
      expected.push({ kind: 'dead', line });
      line += 1;
    } else {
      const g = goodRow(r, i, eol);
      parts.push(g.text);
      expected.push({ kind: 'record', line, query: g.query });
      line += g.text.split('\n').length;
    }
  }
  let text = parts.join(eol) + (r() < 0.5 ? eol : '');
  if (r() < 0.3) {
    // A truncated download: the last row stops inside a quoted field.
    text = `${text.endsWith(eol) ? text : text + eol}"API","20240502170000.000","REQ-T","0055j000000q9s7","SELECT Id FR`;
    expected.push({ kind: 'dead', line });
  }
  return { text: (r() < 0.3 ? '\uFEFF' : '') + text, expected };
}

describe('CSV recovery (seeded property test)', () => {
  for (let seed = 1; seed <= 60; seed++) {
    it(`seed ${seed}: every row is one record or one dead letter, at its own start line`, () => {
      const { text, expected } = plan(seed);
      const items = [...frameSalesforce(text, 'p.csv')];
      const got = items.map((i) =>
        i.kind === 'record'
          ? {
              kind: 'record' as const,
              line: Number(i.record.location.split(':')[1]),
              query: i.record.value.QUERY as string,
            }
          : { kind: 'dead' as const, line: Number(i.dead.location.split(':')[1]) },
      );
      expect(got).toEqual(expected);
    });
  }
});

function assertItemShape(items: FramedItem[]): void {
  for (const item of items) {
    if (item.kind === 'record') {
      expect(item.record.source).toBe('salesforce');
      expect(typeof item.record.location).toBe('string');
      const result = normalizeSalesforce(item.record);
      expect(['activity', 'dead', 'skipped']).toContain(result.kind);
    } else {
      expect(item.kind).toBe('dead');
      expect(item.dead.raw.length).toBeLessThanOrEqual(64 * 1024);
    }
  }
}

describe('never throws', () => {
  it('on random CSV-ish noise', () => {
    const r = rng(424242);
    const alphabet = [
      '"',
      '""',
      ',',
      '\n',
      '\r\n',
      '\r',
      'a',
      ' ',
      '\t',
      '\uFEFF',
      'x"y',
      'EVENT_TYPE',
      '{',
      ']',
    ];
    for (let i = 0; i < 300; i++) {
      let text = r() < 0.5 ? `${HEADER.map(q).join(',')}\n` : '';
      const len = Math.floor(r() * 200);
      for (let j = 0; j < len; j++) text += pick(r, alphabet);
      let items: FramedItem[] = [];
      expect(() => {
        items = [...frameSalesforce(text, 'noise.csv')];
      }).not.toThrow();
      assertItemShape(items);
    }
  });

  it('on every truncation point of every fixture', () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
    const inputs = readdirSync(dir).filter(
      (f) => /\.(csv|json|ndjson)$/.test(f) && !f.endsWith('.expected.json'),
    );
    let runs = 0;
    for (const file of inputs) {
      const text = readFileSync(join(dir, file), 'utf8');
      const step = Math.max(1, Math.floor(text.length / 40));
      for (let cut = 0; cut <= text.length; cut += step) {
        let items: FramedItem[] = [];
        expect(() => {
          items = [...frameSalesforce(text.slice(0, cut), file)];
        }).not.toThrow();
        assertItemShape(items);
        runs++;
      }
    }
    expect(runs).toBeGreaterThan(500);
  });

  it('normalize on hostile record values', () => {
    const values: unknown[] = [
      {},
      { EVENT_TYPE: 'API', USER_ID: ['x'] },
      { EVENT_TYPE: 'API', TIMESTAMP: 20240502170000, USER_ID: 5 },
      { attributes: { type: 'ApiEvent' }, EventIdentifier: 7, EventDate: {}, UserId: true },
      { attributes: 'LoginEvent', LoginType: null },
      Object.create(null),
    ];
    for (const value of values) {
      const result = normalizeSalesforce({
        source: 'salesforce',
        value: value as Record<string, unknown>,
        location: 'x',
      });
      expect(['activity', 'dead', 'skipped']).toContain(result.kind);
    }
    const notObject = normalizeSalesforce({
      source: 'salesforce',
      value: null as unknown as Record<string, unknown>,
      location: 'x',
    });
    expect(notObject.kind === 'dead' && notObject.dead.code).toBe('not_an_object');
  });
});
