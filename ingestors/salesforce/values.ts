/**
 * Small value helpers shared by the ELF and RTEM normalizers. ELF uses an empty string for "not
 * applicable" and RTEM uses null; both become undefined here (`text` and `distinct` are the common
 * ones, ingestors/common/values.ts, re-exported for the normalizers).
 */

import { text } from '../common/values.js';

export { distinct, text } from '../common/values.js';

/** Like {@link text}, but also undefined for the placeholders `N/A` and `Unknown` (RTEM names). */
export function name(value: unknown): string | undefined {
  const t = text(value);
  return t === undefined || /^(n\/?a|unknown)$/i.test(t) ? undefined : t;
}

/**
 * A non-negative count or size: a JSON number or a numeric string (`"150"`, `"2.0"`). Undefined
 * for empty, `N/A`, negative or non-numeric values.
 */
export function count(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : Number.NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * Normalized sObject list: ELF `ENTITY_NAME` is a set and RTEM `QueriedEntities` a comma list
 * (`Account, Contact`), so names are split, trimmed, de-duplicated and joined with `,` in their
 * original order.
 */
export function entities(value: unknown): string | undefined {
  const t = text(value);
  if (t === undefined) return undefined;
  const names = [
    ...new Set(
      t
        .split(/[,;|]/)
        .map((s) => s.trim())
        .filter((s) => s !== '' && !/^n\/?a$/i.test(s)),
    ),
  ];
  return names.length === 0 ? undefined : names.join(',');
}

/** The first sObject of a SOQL query (`SELECT Id FROM Account WHERE ...` -> `Account`). */
export function entityFromQuery(query: unknown): string | undefined {
  const t = text(query);
  if (t === undefined) return undefined;
  return /\bFROM\s+([A-Za-z_][A-Za-z0-9_]*)/i.exec(t)?.[1];
}

/**
 * A URI without its query string and fragment (they can carry session ids:
 * `/secur/frontdoor.jsp?sid=...`).
 */
export function uriPath(value: unknown): string | undefined {
  const t = text(value);
  if (t === undefined) return undefined;
  const cut = t.search(/[?#]/);
  const path = cut < 0 ? t : t.slice(0, cut);
  return path === '' ? undefined : path;
}

/** A report id (`00O` key prefix, 15 or 18 characters) in a URI such as `/00O5j000000AbCd`. */
export function reportIdFromUri(value: unknown): string | undefined {
  const t = text(value);
  if (t === undefined) return undefined;
  return /(?:^|\/)(00O[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?)(?=$|[/?#])/.exec(t)?.[1];
}

/** Number of records in an RTEM `Records` value (`{"totalSize":2,"records":[...]}` as JSON text). */
export function recordsCount(value: unknown): number | undefined {
  let v: unknown = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  const total = count(o.totalSize);
  if (total !== undefined) return total;
  return Array.isArray(o.records) ? o.records.length : undefined;
}
