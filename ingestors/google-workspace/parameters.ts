import type { GwsParameter } from '../../schemas/raw/google-workspace.js';

/**
 * Flattens Reports API event `parameters[]` (typed name/value pairs) into a plain map, whatever
 * value kind each one uses (`value`, `multiValue`, `intValue`, `multiIntValue`, `boolValue`,
 * `multiBoolValue`, `messageValue`, `multiMessageValue`; formats.md 2b). Int64 values stay strings
 * (they can overflow JS numbers); nested messages become nested maps. Panther's already-flat
 * `parameters` map is accepted as is.
 */

/** A flattened parameter value. */
export type ParamValue = string | boolean | string[] | boolean[] | ParamMap | ParamMap[];
/** Parameters by name. */
export type ParamMap = { [name: string]: ParamValue };

/** Flattens a `parameters` list (or Panther map) into a {@link ParamMap}. */
export function flattenParameters(
  params: readonly GwsParameter[] | Record<string, unknown> | null | undefined,
): ParamMap {
  const out: ParamMap = {};
  if (!params) return out;
  if (!Array.isArray(params)) {
    for (const [name, v] of Object.entries(params)) {
      const value = fromUnknown(v);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }
  for (const p of params as readonly GwsParameter[]) {
    const value = parameterValue(p);
    if (value !== undefined) out[p.name] = value;
  }
  return out;
}

function parameterValue(p: GwsParameter): ParamValue | undefined {
  if (p.value !== undefined && p.value !== null) return p.value;
  if (p.multiValue) return p.multiValue;
  if (p.intValue !== undefined && p.intValue !== null) return p.intValue;
  if (p.multiIntValue) return p.multiIntValue;
  if (p.boolValue !== undefined && p.boolValue !== null) return p.boolValue;
  if (p.multiBoolValue) return p.multiBoolValue;
  if (p.messageValue) return flattenParameters(p.messageValue.parameter);
  if (p.multiMessageValue) return p.multiMessageValue.map((m) => flattenParameters(m.parameter));
  return undefined;
}

function fromUnknown(v: unknown): ParamValue | undefined {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'boolean')) return v as boolean[];
    return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
  }
  return undefined;
}

/** A parameter as one string: a scalar, or the first element of a list. */
export function paramText(params: ParamMap, name: string): string | undefined {
  const v = params[name];
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

/** A parameter as a list of strings: `multiValue` as is, a scalar split on commas / whitespace. */
export function paramList(params: ParamMap, name: string): string[] {
  const v = params[name];
  if (Array.isArray(v))
    return v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim());
  if (typeof v === 'string') return v.split(/[\s,]+/).filter((x) => x !== '');
  return [];
}

/** A numeric parameter (`intValue` as string or number), or undefined when absent / not a number. */
export function paramNumber(params: ParamMap, name: string): number | undefined {
  const s = paramText(params, name);
  if (s === undefined) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** `scope_name` of each `scope_data` message (token `authorize`), when `scope` is absent. */
export function scopeDataNames(params: ParamMap): string[] {
  const v = params.scope_data;
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const m of v) {
    if (m && typeof m === 'object' && !Array.isArray(m)) {
      const name = (m as ParamMap).scope_name;
      if (typeof name === 'string') out.push(name);
    }
  }
  return out;
}
