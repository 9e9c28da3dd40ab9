import type { z } from 'zod';

/** Small value helpers shared by normalizers. */

/** A trimmed non-empty string, or undefined for null / undefined / blank / non-strings. */
export function text(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? undefined : t;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/**
 * Drops undefined-valued keys so optional fields are absent rather than `undefined`: returns `obj`
 * itself when it has none, else a copy without them (same key order). Use the return value.
 * (A copy rather than `delete`: deleting turns an object into a slow dictionary-mode object.)
 */
export function compact<T extends Record<string, unknown>>(obj: T): T {
  const keys = Object.keys(obj);
  let i = 0;
  while (i < keys.length && obj[keys[i] as string] !== undefined) i++;
  if (i === keys.length) return obj;
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const v = obj[key];
    if (v !== undefined) out[key] = v;
  }
  return out as T;
}

/** The distinct non-empty strings of a list, in first-seen order. */
export function distinct(values: readonly (string | undefined)[]): string[] {
  const out: string[] = [];
  for (const v of values) if (v !== undefined && v !== '' && !out.includes(v)) out.push(v);
  return out;
}

/** One line summarising a zod error: `actor_id: Invalid input; id.time: Required`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}
