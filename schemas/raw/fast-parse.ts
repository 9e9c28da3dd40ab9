import type { z } from 'zod';

/**
 * Hand-written fast paths for the raw vendor schemas, used on the ingest hot path where zod's
 * general machinery (unions, loose objects, transforms) costs tens of microseconds per record.
 *
 * Each fast parser mirrors one zod schema of this folder construct by construct and either returns
 * what the schema's `parse` would return (the same keys and values, unknown values by reference;
 * object keys in input order, where zod lists shape keys first: callers read fields by name) or
 * {@link UNSURE} whenever the input is anything it does not handle: then the zod schema parses the
 * value and is the authority (on failures too: errors always come from zod). `fast-parse.test.ts` checks the
 * fast parsers against the schemas (same keys per object, same results on fixtures and on
 * generated variants).
 */

/** A fast parser's "ask zod" answer. */
export const UNSURE: unique symbol = Symbol('unsure');
export type Fast<T> = (v: unknown) => T | typeof UNSURE;

/** One field of a {@link looseObject}: key, parser, and whether it may be absent (`.nullish()`). */
export type FastField = readonly [key: string, parse: Fast<unknown>, optional: boolean];

/** An object whose prototype is `Object.prototype` (what `JSON.parse` and object literals build). */
export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** `z.string()` */
export const str: Fast<string> = (v) => (typeof v === 'string' ? v : UNSURE);

/** `z.string().min(1)` */
export const nonEmptyStr: Fast<string> = (v) => (typeof v === 'string' && v.length >= 1 ? v : UNSURE);

/** `z.union([z.number(), z.string()])` (no transform) */
export const numOrStr: Fast<number | string> = (v) =>
  typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? v : UNSURE;

/** `z.union([z.number(), z.string()]).transform(String)` (either order of the two options) */
export const idText: Fast<string> = (v) =>
  typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : UNSURE;

/** `z.union([z.string(), z.number(), z.boolean()]).transform(String)` */
export const scalarText: Fast<string> = (v) =>
  typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))
    ? String(v)
    : UNSURE;

/** `z.union([z.boolean(), z.string()]).transform((v) => v === true || v === 'true')` */
export const boolish: Fast<boolean> = (v) =>
  typeof v === 'boolean' ? v : typeof v === 'string' ? v === 'true' : UNSURE;

/** `schema.nullish()` for a value that is present (absence is handled by {@link looseObject}). */
export const nullish =
  <T>(parse: Fast<T>): Fast<T | null> =>
  (v) =>
    v === null ? null : parse(v);

/** `z.array(schema)` */
export const array =
  <T>(parse: Fast<T>): Fast<T[]> =>
  (v) => {
    if (!Array.isArray(v)) return UNSURE;
    const out = new Array<T>(v.length);
    for (let i = 0; i < v.length; i++) {
      const r = parse(v[i]);
      if (r === UNSURE) return UNSURE;
      out[i] = r;
    }
    return out;
  };

/** `z.union([a, b])` where no value is accepted by both options (arrays vs objects, ...). */
export const either =
  <A, B>(a: Fast<A>, b: Fast<B>): Fast<A | B> =>
  (v) => {
    const r = a(v);
    return r === UNSURE ? b(v) : r;
  };

/** `z.record(z.string(), z.unknown())` */
export const recordOfUnknown: Fast<Record<string, unknown>> = (v) => {
  if (!isPlainObject(v)) return UNSURE;
  const out: Record<string, unknown> = {};
  for (const key in v) {
    if (key === '__proto__') return UNSURE;
    out[key] = v[key];
  }
  return out;
};

/**
 * `z.looseObject(shape)`: plain objects only; every present shape field must parse, every field
 * that is not optional must be present; unknown keys are kept by reference. The result is a
 * shallow copy of the input with the parsed fields replaced, so its keys come in input order
 * (zod puts shape keys first: same keys and values, different order).
 */
export function looseObject(fields: readonly FastField[]): Fast<Record<string, unknown>> {
  const byKey = new Map<string, { parse: Fast<unknown>; optional: boolean }>();
  for (const [key, parse, optional] of fields) byKey.set(key, { parse, optional });
  let required = 0;
  for (const [, , optional] of fields) if (!optional) required++;
  return (v) => {
    if (!isPlainObject(v)) return UNSURE;
    const out: Record<string, unknown> = { ...v };
    let present = 0;
    for (const key in out) {
      const field = byKey.get(key);
      if (field === undefined) {
        if (key === '__proto__') return UNSURE;
        continue;
      }
      const x = out[key];
      if (x === undefined) return UNSURE;
      const r = field.parse(x);
      if (r === UNSURE) return UNSURE;
      if (r !== x) out[key] = r;
      if (!field.optional) present++;
    }
    return present === required ? out : UNSURE;
  };
}

/** Keys of a fast {@link looseObject} spec, for tests against the zod shape. */
export const fieldKeys = (fields: readonly FastField[]): string[] => fields.map((f) => f[0]);

/**
 * `schema.safeParse(value)` with the fast path first: the fast result when it vouches for the
 * value, else zod's own result (success or failure).
 */
export function safeParseFast<S extends z.ZodType>(
  schema: S,
  fast: Fast<unknown>,
  value: unknown,
): z.ZodSafeParseResult<z.output<S>> {
  const r = fast(value);
  if (r !== UNSURE) return { success: true, data: r as z.output<S> };
  return schema.safeParse(value);
}
