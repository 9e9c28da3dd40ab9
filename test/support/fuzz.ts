import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../../baselines/seeded-random.js';
import type { Source } from '../../schemas/token-activity.js';

/**
 * Seeded hostile-input generator for the fuzz suite (test/e2e/fuzz.test.ts): takes real records
 * from `samples/` and mutates them (byte flips, truncation, huge strings, deep nesting, unicode
 * edge cases, CSV quote chaos, prototype keys, wrong types, file-level damage), and counts the
 * records it produced independently of tokenwatch's framing (the oracle): one per non-blank NDJSON
 * line, one per array / page element, one per non-blank CSV row after the header, and one for an
 * input that is empty or whitespace only.
 */

/** A deterministic PRNG (mulberry32, baselines/seeded-random.ts). */
export const rng = seededRandom;

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** Sample records per shape (JSON text of one record, or a CSV file's header and rows). */
export interface Corpus {
  github: string[];
  google: string[];
  rtem: string[];
  csv: { name: string; header: string; rows: string[] }[];
}

function ndjsonLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

function walkFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walkFiles(p));
    else out.push(p);
  }
  return out.sort();
}

/**
 * Loads the good samples (samples/<org>/...): GitHub audit events, Google activities split to one
 * event each (so one line is one record whatever happens to its `events`), Salesforce RTEM events
 * and ELF CSV files (at most `maxPerShape` records per shape).
 */
export function loadCorpus(root: string, maxPerShape = 3000): Corpus {
  const files = walkFiles(root).filter((f) => !f.includes(`${join(root, 'bad')}`));
  const corpus: Corpus = { github: [], google: [], rtem: [], csv: [] };
  for (const f of files) {
    if (f.includes('/github/') && f.endsWith('.ndjson')) corpus.github.push(...ndjsonLines(f));
    else if (f.includes('/google_workspace/') && f.endsWith('.ndjson')) {
      for (const line of ndjsonLines(f)) {
        const page = JSON.parse(line) as { items?: { events?: unknown[] }[]; events?: unknown[] };
        for (const v of Array.isArray(page.items) ? page.items : [page as { events?: unknown[] }]) {
          const events = Array.isArray(v.events) && v.events.length > 0 ? v.events : [undefined];
          for (const e of events)
            corpus.google.push(JSON.stringify(e === undefined ? v : { ...v, events: [e] }));
        }
      }
    } else if (f.includes('/rtem/') && f.endsWith('.ndjson')) corpus.rtem.push(...ndjsonLines(f));
    else if (f.endsWith('.csv') && corpus.csv.length < 40) {
      const lines = readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '');
      const [header, ...rows] = lines;
      if (header && rows.length > 0 && rows.every((r) => !r.includes('\r')))
        corpus.csv.push({ name: f.split('/').pop() ?? 'x.csv', header, rows });
    }
  }
  corpus.github = corpus.github.slice(0, maxPerShape);
  corpus.google = corpus.google.slice(0, maxPerShape);
  corpus.rtem = corpus.rtem.slice(0, maxPerShape);
  return corpus;
}

const UNICODE_EDGES = [
  '\u2028',
  '\u2029',
  '\u0000',
  '\ud800',
  '\udfff',
  '\ufeff',
  '\u202e',
  '\uffff',
  '\ufffd',
  '\u0301\u0301\u0301',
  '\ud83d\ude00',
  'I\u0307',
  '\u212a',
  '\u00a0',
  '\u0085',
  '\t\r',
];

const PROTO_KEYS = [
  '"__proto__":{"polluted":true,"isAdmin":true}',
  '"constructor":{"prototype":{"polluted":true}}',
  '"__proto__":null',
  '"toString":"x"',
  '"hasOwnProperty":1',
  '"valueOf":{"a":1}',
  '"__proto__":[1,2]',
];

const WRONG_VALUES: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  -0,
  '',
  ' ',
  [],
  {},
  [null],
  { nested: { x: [1, 'a'] } },
  '9'.repeat(400),
  'not-a-date',
  '2025-13-45T99:99:99Z',
  Number.MAX_SAFE_INTEGER + 2,
];

/** Replaces one random top-level (or nested) string/number with a placeholder, returns the JSON. */
function withPlaceholder(r: Rand, text: string, placeholder: string): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== 'object') return undefined;
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 0) return undefined;
  let target = obj;
  let key = pick(r, keys);
  const inner = target[key];
  if (inner && typeof inner === 'object' && !Array.isArray(inner) && r() < 0.5) {
    const innerKeys = Object.keys(inner);
    if (innerKeys.length > 0) {
      target = inner as Record<string, unknown>;
      key = pick(r, innerKeys);
    }
  }
  target[key] = placeholder;
  return JSON.stringify(obj);
}

const PH = '\u0001PLACEHOLDER\u0001';
const PH_JSON = JSON.stringify(PH);

/** Mutations of one JSON record's text; each returns the new text (may contain no newline). */
const JSON_MUTATIONS: Record<string, (r: Rand, text: string) => string> = {
  byteFlip(r, text) {
    const buf = Buffer.from(text, 'utf8');
    for (let n = int(r, 1, 6); n > 0; n--) {
      const i = int(r, 0, buf.length - 1);
      let b = int(r, 0, 255);
      if (b === 0x0a) b = 0x0b;
      buf[i] = b;
    }
    return buf.toString('utf8');
  },
  truncate(r, text) {
    return text.slice(0, int(r, 1, Math.max(1, text.length - 1)));
  },
  hugeString(r, text) {
    const size = pick(r, [70_000, 300_000, 900_000, 1_200_000, 3_000_000]);
    const fill = pick(r, ['A', 'é', '\u4e2d', '\\"', 'ab1']);
    const s = fill.repeat(Math.ceil(size / fill.length)).slice(0, size);
    return (withPlaceholder(r, text, PH) ?? text).replace(PH_JSON, JSON.stringify(s));
  },
  deepNesting(r, text) {
    const depth = pick(r, [40, 200, 1500, 6000, 20000, 60000]);
    const kind = r() < 0.5 ? 'array' : 'object';
    const deep =
      kind === 'array'
        ? `${'['.repeat(depth)}1${']'.repeat(depth)}`
        : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    return (withPlaceholder(r, text, PH) ?? text).replace(PH_JSON, deep);
  },
  unicode(r, text) {
    let out = withPlaceholder(r, text, PH) ?? text;
    const s = Array.from({ length: int(r, 1, 4) }, () => pick(r, UNICODE_EDGES)).join('x');
    // lone surrogates and controls survive JSON.stringify as escapes; also plant some raw
    out = out.replace(PH_JSON, r() < 0.5 ? JSON.stringify(s) : `"${s.replace(/[\n"\\]/g, '')}"`);
    return out;
  },
  protoKeys(r, text) {
    const t = text.trimStart();
    if (!t.startsWith('{')) return text;
    const key = pick(r, PROTO_KEYS);
    const rest = t.slice(1).trimStart();
    return `{${key}${rest.startsWith('}') ? '' : ','}${rest}`;
  },
  wrongTypes(r, text) {
    if (r() < 0.1) return JSON.stringify(pick(r, [null, 42, 'str', true, [1]]));
    const out = withPlaceholder(r, text, PH) ?? text;
    return out.replace(PH_JSON, JSON.stringify(pick(r, WRONG_VALUES)));
  },
  duplicateKeys(_r, text) {
    const t = text.trimStart();
    if (!t.startsWith('{')) return text;
    return `{"action":"a","action":{"x":1},${t.slice(1)}`;
  },
  escapedKeys(_r, text) {
    // every key written with \u escapes: valid JSON that only a real parser reads
    return text.replace(
      /"([a-z_]+)":/g,
      (_m, k: string) => `"\\u00${k.charCodeAt(0).toString(16)}${k.slice(1)}":`,
    );
  },
};

/** Mutations of one CSV row (no newline inside: the oracle counts physical lines). */
const CSV_MUTATIONS: Record<string, (r: Rand, row: string) => string> = {
  byteFlip: JSON_MUTATIONS.byteFlip as (r: Rand, row: string) => string,
  truncate(r, row) {
    // a cut inside a quoted field would open a multi-line field that swallows the next row (valid
    // RFC 4180, one record for two lines): the cut row's quote is closed so the oracle's one
    // record per line holds
    const cut = row.slice(0, int(r, 1, Math.max(1, row.length - 1)));
    return (cut.match(/"/g)?.length ?? 0) % 2 === 1 ? `${cut}"` : cut;
  },
  strayQuote(r, row) {
    const i = int(r, 0, row.length);
    return `${row.slice(0, i)}"${row.slice(i)}`;
  },
  dropQuote(r, row) {
    const qs = [...row.matchAll(/"/g)].map((m) => m.index ?? 0);
    if (qs.length === 0) return row;
    const i = pick(r, qs);
    return row.slice(0, i) + row.slice(i + 1);
  },
  extraColumn(r, row) {
    return r() < 0.5 ? `${row},"extra"` : row.replace(/","/, '","","');
  },
  missingColumn(_r, row) {
    return row.replace(/,"[^"]*"$/, '');
  },
  hugeField(r, row) {
    const size = pick(r, [100_000, 1_100_000]);
    return row.replace(/,"[^"]*"/, `,"${'x'.repeat(size)}"`);
  },
  unicode(r, row) {
    const s = Array.from({ length: int(r, 1, 4) }, () => pick(r, UNICODE_EDGES))
      .join('')
      .replace(/[\n"]/g, '');
    return row.replace(/,"([^"]*)"/, `,"$1${s}"`);
  },
  quoteChaos(r, row) {
    let out = row;
    for (let n = int(r, 1, 5); n > 0; n--) {
      const i = int(r, 0, out.length);
      out = out.slice(0, i) + pick(r, ['"', '""', '"""', ',"', '",', '\\"']) + out.slice(i);
    }
    return out;
  },
  wrongTypes(r, row) {
    return row.replace(
      /"(\d{14,17}(?:\.\d+)?)"/,
      `"${pick(r, ['', 'NaN', '-1', 'x', '99999999999999999999'])}"`,
    );
  },
};

/** One generated input: its text and the records the oracle counts in it. */
export interface FuzzInput {
  source: Source;
  shape: 'ndjson' | 'array' | 'page' | 'csv' | 'blank';
  /** File name hint (Salesforce CSV event type comes from it). */
  name: string;
  text: string;
  /** Independent record count (see the module comment). */
  expected: number;
  mutations: string[];
}

/** NDJSON lines that count as records: non-blank after JSON whitespace (and BOM). */
export function countNdjsonRecords(text: string): number {
  let n = 0;
  for (const line of text.split('\n')) if (line.replace(/[ \t\r\ufeff]/g, '') !== '') n++;
  return n;
}

/**
 * Generates one input of about `records` records: a random shape and source, each record mutated
 * with probability `rate`, sometimes a file-level mutation (a `[` or broken lines in front, BOM,
 * CRLF, whitespace only).
 */
export function generateInput(r: Rand, corpus: Corpus, records: number, rate = 0.5): FuzzInput {
  const roll = r();
  if (roll < 0.02) {
    const text = pick(r, ['', ' ', '\n\n', ' \t\r\n ', '\ufeff']);
    const source = pick(r, ['github', 'google_workspace', 'salesforce'] as const);
    return { source, shape: 'blank', name: 'blank.ndjson', text, expected: 1, mutations: ['blank'] };
  }
  if (roll < 0.27) return csvInput(r, corpus, records, rate);
  const which = pick(r, ['github', 'google', 'rtem'] as const);
  const source: Source =
    which === 'github' ? 'github' : which === 'google' ? 'google_workspace' : 'salesforce';
  const pool = corpus[which];
  const mutations: string[] = [];
  const recs: string[] = [];
  const start = int(r, 0, Math.max(0, pool.length - records));
  for (let i = 0; i < records; i++) {
    let t = pool[(start + i) % pool.length] as string;
    if (r() < rate) {
      const name = pick(r, Object.keys(JSON_MUTATIONS));
      mutations.push(name);
      t = (JSON_MUTATIONS[name] as (r: Rand, t: string) => string)(r, t);
    }
    recs.push(t.replace(/\n/g, ' '));
  }
  // structured shapes only hold records that are still valid JSON (the oracle counts elements)
  const shapeRoll = r();
  if (shapeRoll < 0.1 && source !== 'salesforce') {
    const valid = recs.filter((t) => {
      try {
        const v = JSON.parse(t);
        return v !== null && typeof v === 'object' && !Array.isArray(v);
      } catch {
        return false;
      }
    });
    if (source === 'github') {
      return {
        source,
        shape: 'array',
        name: 'audit.json',
        text: `[\n${valid.join(',\n')}\n]`,
        expected: valid.length,
        mutations,
      };
    }
    const text = `{"kind":"admin#reports#activities","etag":"\\"x\\"","items":[${valid.join(',')}]}`;
    return { source, shape: 'page', name: 'page.json', text, expected: valid.length, mutations };
  }
  let text = recs.join('\n');
  const fileRoll = r();
  if (fileRoll < 0.05) {
    text = `[${text}`;
    mutations.push('file:[');
  } else if (fileRoll < 0.1) {
    text = `${['{"a":', 'garbage', '{"x":[1,2', '"unterminated', '}}}', '{'].join('\n')}\n${text}`;
    mutations.push('file:broken-head');
  } else if (fileRoll < 0.13) {
    text = `\ufeff${text}`;
    mutations.push('file:bom');
  } else if (fileRoll < 0.16) {
    text = text.replace(/\n/g, '\r\n');
    mutations.push('file:crlf');
  } else if (fileRoll < 0.19) {
    text = text.replace(/\n/g, '\n \n\n');
    mutations.push('file:blank-lines');
  }
  return {
    source,
    shape: 'ndjson',
    name: `${which}.ndjson`,
    text,
    expected: countNdjsonRecords(text),
    mutations,
  };
}

function csvInput(r: Rand, corpus: Corpus, records: number, rate: number): FuzzInput {
  const file = pick(r, corpus.csv);
  const mutations: string[] = [];
  const rows: string[] = [];
  const start = int(r, 0, Math.max(0, file.rows.length - 1));
  for (let i = 0; i < records; i++) {
    let row = file.rows[(start + i) % file.rows.length] as string;
    if (r() < rate) {
      const name = pick(r, Object.keys(CSV_MUTATIONS));
      mutations.push(`csv:${name}`);
      row = (CSV_MUTATIONS[name] as (r: Rand, t: string) => string)(r, row);
    }
    rows.push(row.replace(/[\r\n]/g, ' '));
  }
  const crlf = r() < 0.1;
  const text = [file.header, ...rows].join(crlf ? '\r\n' : '\n');
  const expected = rows.filter((row) => row.trim() !== '').length;
  return { source: 'salesforce', shape: 'csv', name: file.name, text, expected, mutations };
}
