/**
 * Minimal safe HTML building for the console: every interpolated value goes through
 * {@link esc} unless it is a {@link Safe} fragment built by these helpers. Audit-log strings
 * (user agents, app names, repo names, messages) are attacker-controlled.
 */

/** An HTML fragment already escaped. */
export class Safe {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(v: unknown): string {
  return String(v ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

type Part = Safe | string | number | undefined | null | false | readonly Part[];

const render = (p: Part): string => {
  if (p === undefined || p === null || p === false) return '';
  if (p instanceof Safe) return p.html;
  if (Array.isArray(p)) return p.map(render).join('');
  return esc(p);
};

/** Tagged template: literal parts are trusted markup, every value is escaped (arrays joined). */
export function html(strings: TemplateStringsArray, ...values: Part[]): Safe {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i] as Part) + (strings[i + 1] ?? '');
  return new Safe(out);
}

/** A query string from defined, non-empty values (`?a=1&b=x`), or ''. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
