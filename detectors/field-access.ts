/**
 * Records which token-activity fields code reads: {@link recordFieldAccess} wraps an activity in
 * a Proxy that adds the dotted path of every leaf read (a primitive, an array or a missing value)
 * to a set. The invariant test runs every detector over real activities through it and checks
 * the paths against the detector's `requiredFields`.
 */

const isPlainObject = (v: unknown): v is object =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/**
 * A read-only view of `target` recording the dotted path of every leaf read into `sink`
 * (array elements are not descended into: reading `token.scopes` records `token.scopes`).
 * Writes throw (detectors are pure and must not modify the activity).
 */
export function recordFieldAccess<T extends object>(target: T, sink: Set<string>, prefix = ''): T {
  const children = new Map<PropertyKey, object>();
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      if (typeof prop === 'symbol' || prop === 'toJSON') return value;
      const path = prefix === '' ? prop : `${prefix}.${prop}`;
      if (isPlainObject(value)) {
        let child = children.get(prop);
        if (child === undefined) {
          child = recordFieldAccess(value, sink, path);
          children.set(prop, child);
        }
        return child;
      }
      sink.add(path);
      return value;
    },
    has(obj, prop) {
      if (typeof prop === 'string') sink.add(prefix === '' ? prop : `${prefix}.${prop}`);
      return Reflect.has(obj, prop);
    },
    set() {
      throw new TypeError('detectors must not modify the activity');
    },
    deleteProperty() {
      throw new TypeError('detectors must not modify the activity');
    },
  });
}

/**
 * True when `path` is covered by one of `declared`: the same path, a declared parent
 * (`source.geo` covers `source.geo.country_iso_code`) or a declared child (reading
 * `tokenwatch.volume` to get at a declared `tokenwatch.volume.rows`).
 */
export function isDeclared(path: string, declared: Iterable<string>): boolean {
  for (const d of declared) {
    if (path === d || path.startsWith(`${d}.`) || d.startsWith(`${path}.`)) return true;
  }
  return false;
}

/**
 * Fields the framework and the shared helpers (explain.ts labels, lookup.ts end-of-life/failure
 * tests, defineDetector's source filter and entity default, declared-state keys) read for every detector.
 */
export const HELPER_FIELDS: readonly string[] = [
  '@timestamp',
  'event.module',
  'event.outcome',
  'token.id',
  'token.type',
  'token.key_kind',
  'token.lifecycle',
  'token.principal',
  'token.owner',
  'token.client',
  'user.name',
  'user.email',
  'user.id',
  'user.target',
  'tokenwatch.impersonated_user',
];
