import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { seededRandom as rng } from '../../baselines/seeded-random.js';
import { frameGithub } from '../../ingestors/github/frame.js';
import { frameGoogleWorkspace } from '../../ingestors/google-workspace/frame.js';
import { frameSalesforce } from '../../ingestors/salesforce/frame.js';
import type { FramedItem } from '../../ingestors/types.js';
import { type FastField, fieldKeys } from './fast-parse.js';
import { GITHUB_FAST_FIELDS, githubAuditEventSchema, safeParseGithubAuditEvent } from './github-audit.js';
import {
  GWS_ACTIVITY_FAST_FIELDS,
  GWS_ACTOR_FAST_FIELDS,
  GWS_EVENT_FAST_FIELDS,
  GWS_ID_FAST_FIELDS,
  GWS_PARAMETER_FAST_FIELDS,
  gwsActivityIdSchema,
  gwsActivitySchema,
  gwsActorSchema,
  gwsEventSchema,
  gwsParameterSchema,
  safeParseGwsActivity,
} from './google-workspace.js';
import { elfRowSchema, safeParseElfRow } from './salesforce.js';

const shapeKeys = (schema: z.ZodType): string[] => Object.keys((schema as unknown as z.ZodObject).shape);

describe('fast paths cover exactly the zod shapes', () => {
  it.each([
    ['github audit event', githubAuditEventSchema, GITHUB_FAST_FIELDS],
    ['gws activity', gwsActivitySchema, GWS_ACTIVITY_FAST_FIELDS],
    ['gws id', gwsActivityIdSchema, GWS_ID_FAST_FIELDS],
    ['gws actor', gwsActorSchema, GWS_ACTOR_FAST_FIELDS],
    ['gws event', gwsEventSchema, GWS_EVENT_FAST_FIELDS],
    [
      'gws parameter',
      (gwsParameterSchema as unknown as z.ZodLazy)._zod.def.getter() as z.ZodType,
      GWS_PARAMETER_FAST_FIELDS,
    ],
  ] as [string, z.ZodType, readonly FastField[]][])('%s', (_name, schema, fields) => {
    expect(fieldKeys(fields)).toEqual(shapeKeys(schema));
    const optional = (schema as unknown as z.ZodObject).shape;
    for (const [key, , isOptional] of fields) {
      expect(optional[key]?.safeParse(undefined).success, key).toBe(isOptional);
    }
  });
});

const ODD_VALUES: unknown[] = [
  null,
  '',
  'x',
  'true',
  'false',
  0,
  -1,
  1.5,
  2 ** 64, // beyond the safe integers
  true,
  false,
  [],
  ['a', 'b'],
  [1, 2],
  [true, 'true'],
  [null],
  [{}],
  [{ name: 'p', value: 1 }],
  {},
  { value: 1 },
  { value: '2025-01-01T00:00:00Z', extra: [1] },
  { parameter: [{ name: 'q', multiValue: ['a', 1, false] }] },
  { parameter: null },
  { name: 'n', parameters: { a: 1 } },
];

/** Every key the fast paths know, to plant into random objects. */
const ALL_KEYS = [
  ...new Set(
    [
      GITHUB_FAST_FIELDS,
      GWS_ACTIVITY_FAST_FIELDS,
      GWS_ID_FAST_FIELDS,
      GWS_ACTOR_FAST_FIELDS,
      GWS_EVENT_FAST_FIELDS,
      GWS_PARAMETER_FAST_FIELDS,
    ].flatMap(fieldKeys),
  ),
  'applicationInfo',
  'oauthClientId',
  'impersonation',
  'country_code',
  'ip',
  'parameter',
  'value',
  'extra',
];

/** Objects and arrays inside a value (the value itself included). */
function nodesOf(v: unknown, out: (Record<string, unknown> | unknown[])[] = []) {
  if (Array.isArray(v)) {
    out.push(v);
    for (const x of v) nodesOf(x, out);
  } else if (v !== null && typeof v === 'object') {
    out.push(v as Record<string, unknown>);
    for (const x of Object.values(v)) nodesOf(x, out);
  }
  return out;
}

/** Type-swapped and odd replacements for a value. */
function replacementsFor(v: unknown): unknown[] {
  const out = [...ODD_VALUES];
  if (typeof v === 'number') out.push(String(v));
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) out.push(Number(v));
  if (typeof v === 'boolean') out.push(String(v));
  if (Array.isArray(v)) out.push(v[0], v.map(String));
  return out;
}

/** Random variants of a record: 1-3 fields set (existing or known keys, any node) or removed. */
function variants(value: unknown, random: () => number, n: number): unknown[] {
  const out: unknown[] = [];
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  for (let i = 0; i < n; i++) {
    const copy = structuredClone(value);
    const changes = 1 + Math.floor(random() * 3);
    for (let c = 0; c < changes; c++) {
      const node = pick(nodesOf(copy));
      if (Array.isArray(node)) {
        if (node.length > 0) node[Math.floor(random() * node.length)] = structuredClone(pick(ODD_VALUES));
        continue;
      }
      const existing = Object.keys(node);
      const key = existing.length > 0 && random() < 0.5 ? pick(existing) : pick(ALL_KEYS);
      const r = random();
      if (r < 0.1) delete node[key];
      else if (r < 0.12)
        Object.defineProperty(node, '__proto__', {
          value: 1,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else node[key] = structuredClone(pick(replacementsFor(node[key])));
    }
    out.push(copy);
  }
  return out;
}

function recordsOf(items: Iterable<FramedItem>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const item of items) if (item.kind === 'record') out.push(item.record.value);
  return out;
}

function fixtureRecords(dir: string, frame: (text: string, loc: string) => Iterable<FramedItem>) {
  const out: Record<string, unknown>[] = [];
  for (const f of readdirSync(dir)) {
    if (f.includes('.expected.')) continue;
    out.push(...recordsOf(frame(readFileSync(join(dir, f), 'utf8'), f)));
  }
  return out;
}

function expectSameAsZod(
  schema: z.ZodType,
  fast: (v: unknown) => z.ZodSafeParseResult<unknown>,
  values: unknown[],
): { fast: number; zod: number } {
  let viaFast = 0;
  for (const value of values) {
    const want = schema.safeParse(value);
    const got = fast(value);
    expect(got.success).toBe(want.success);
    if (want.success && got.success) {
      // same keys and values, unknown keys included (key order may differ, see fast-parse.ts)
      expect(got.data).toStrictEqual(want.data);
      expect(sortedJson(got.data)).toBe(sortedJson(want.data));
      viaFast++;
    } else if (!want.success && !got.success) {
      expect(got.error.issues).toEqual(want.error.issues);
    }
  }
  return { fast: viaFast, zod: values.length - viaFast };
}

/** JSON with object keys sorted, to compare values independently of key order. */
const sortedJson = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x !== null && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );

const HERE = import.meta.dirname;

describe('fast paths give what zod gives', () => {
  it('GitHub audit events: fixtures and random variants', () => {
    const base = fixtureRecords(join(HERE, '../../ingestors/github/fixtures'), frameGithub);
    expect(base.length).toBeGreaterThan(10);
    const random = rng(1);
    const values = [...base, ...base.flatMap((r) => variants(r, random, 100))];
    const { fast } = expectSameAsZod(githubAuditEventSchema, safeParseGithubAuditEvent, values);
    expect(fast).toBeGreaterThan(base.length);
  }, 60_000);

  it('Google Workspace activities: fixtures and random variants', () => {
    const base = fixtureRecords(
      join(HERE, '../../ingestors/google-workspace/fixtures'),
      frameGoogleWorkspace,
    );
    expect(base.length).toBeGreaterThan(10);
    const random = rng(2);
    const values = [...base, ...base.flatMap((r) => variants(r, random, 100))];
    const { fast } = expectSameAsZod(gwsActivitySchema, safeParseGwsActivity, values);
    expect(fast).toBeGreaterThan(base.length);
  }, 60_000);

  it('Salesforce EventLogFile rows: fixtures and random variants', () => {
    const dir = join(HERE, '../../ingestors/salesforce/fixtures');
    const base = fixtureRecords(dir, (text, loc) => (loc.endsWith('.csv') ? frameSalesforce(text, loc) : []));
    expect(base.length).toBeGreaterThan(10);
    const random = rng(3);
    const values = [...base, ...base.flatMap((r) => variants(r, random, 100))];
    // rows a vendor converted to JSON: numbers, booleans and nulls for some columns (zod turns them
    // back into strings), and objects without Object.prototype
    values.push(
      { EVENT_TYPE: 'Login', ROWS_PROCESSED: 5, API_VERSION: 62.0, SUCCESS: true, URI: null },
      Object.assign(Object.create(null) as object, { EVENT_TYPE: 'Login', USER_ID: '005' }),
      { EVENT_TYPE: 'Login', USER_ID: { id: '005' } },
      { EVENT_TYPE: 'Login', EXTRA: ['x'] },
    );
    const { fast, zod } = expectSameAsZod(elfRowSchema, safeParseElfRow, values);
    expect(fast).toBeGreaterThan(base.length);
    expect(zod).toBeGreaterThan(100);
  }, 60_000);

  it('takes the fast path for the usual shapes', () => {
    const gh = { action: 'git.clone', '@timestamp': 1, actor_id: 5, actor_is_bot: 'true', org_id: [1, '2'] };
    expect(safeParseGithubAuditEvent(gh)).toEqual({
      success: true,
      data: { action: 'git.clone', '@timestamp': 1, actor_id: '5', actor_is_bot: true, org_id: ['1', '2'] },
    });
  });
});
