/**
 * A structural JSON scanner: finds where values, array elements and object members start and end
 * without building them, so framing can parse each record on its own (one bad record does not
 * lose its neighbours), measure records before parsing them, and report line numbers.
 *
 * It checks bracket balance and string termination only; the content of each span is validated
 * later by `JSON.parse`. Functions return `-1` / `undefined` when the structure is broken.
 */

/** A half-open character range `[start, end)` in the scanned text. */
export interface Span {
  start: number;
  end: number;
}

/** An object member: its decoded key and the span of its value. */
export interface MemberSpan extends Span {
  key: string;
  /**
   * For an array of objects (an API page's `items`): its element listing, which
   * {@link arrayElements} would give for `[start, end)`, kept so the array is scanned once.
   */
  elements?: Listing<Span>;
}

const QUOTE = 34;
const BACKSLASH = 92;

/** Index of the first non-whitespace char at or after `i` (or `end`). */
export function skipWs(text: string, i: number, end = text.length): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9 && c !== 0xfeff) break;
    i++;
  }
  return i;
}

/**
 * End index (exclusive) of the string starting with `"` at `i`, or -1 if unterminated before
 * `end`: the next quote not escaped by an odd run of backslashes (found with `indexOf`, not a
 * character loop; the run never reaches back past the opening quote).
 */
export function scanString(text: string, i: number, end: number): number {
  let k = text.indexOf('"', i + 1);
  while (k > 0 && k < end) {
    let b = k - 1;
    while (text.charCodeAt(b) === BACKSLASH) b--;
    if ((k - 1 - b) % 2 === 0) return k + 1;
    k = text.indexOf('"', k + 1);
  }
  return -1;
}

/**
 * End index (exclusive) of the value starting at `i` (a non-whitespace char), or -1 when an object,
 * array or string is not closed before `end` or brackets do not match.
 */
export function scanValueEnd(text: string, i: number, end = text.length): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return scanString(text, i, end);
  if (c !== 123 && c !== 91) {
    let j = i;
    while (j < end) {
      const d = text.charCodeAt(j);
      if (d === 44 || d === 93 || d === 125 || d === 32 || d === 10 || d === 13 || d === 9) break;
      j++;
    }
    return j;
  }
  const stack: number[] = [];
  for (let j = i; j < end; j++) {
    const d = text.charCodeAt(j);
    if (d === QUOTE) {
      const s = scanString(text, j, end);
      if (s < 0) return -1;
      j = s - 1;
    } else if (d === 123 || d === 91) stack.push(d === 123 ? 125 : 93);
    else if (d === 125 || d === 93) {
      if (stack.pop() !== d) return -1;
      if (stack.length === 0) return j + 1;
    }
  }
  return -1;
}

/** Result of listing a container: the spans found and, if broken, where scanning stopped. */
export interface Listing<T> {
  items: T[];
  /** Index where the structure broke (element spans before it are sound), else undefined. */
  brokenAt?: number;
  /** End index (exclusive) of the container when it closed properly. */
  end?: number;
}

/** Element spans of the array whose `[` is at `i`. */
export function arrayElements(text: string, i: number, end = text.length): Listing<Span> {
  const items: Span[] = [];
  let j = skipWs(text, i + 1, end);
  if (text.charCodeAt(j) === 93) return { items, end: j + 1 };
  while (j < end) {
    const e = scanValueEnd(text, j, end);
    if (e < 0 || e === j) return { items, brokenAt: j };
    items.push({ start: j, end: e });
    j = skipWs(text, e, end);
    const d = text.charCodeAt(j);
    if (d === 93) return { items, end: j + 1 };
    if (d !== 44) return { items, brokenAt: j };
    j = skipWs(text, j + 1, end);
  }
  return { items, brokenAt: j };
}

/** Member spans of the object whose `{` is at `i`. Keys are JSON-decoded. */
export function objectMembers(text: string, i: number, end = text.length): Listing<MemberSpan> {
  const items: MemberSpan[] = [];
  let j = skipWs(text, i + 1, end);
  if (text.charCodeAt(j) === 125) return { items, end: j + 1 };
  while (j < end) {
    if (text.charCodeAt(j) !== QUOTE) return { items, brokenAt: j };
    const k = scanString(text, j, end);
    if (k < 0) return { items, brokenAt: j };
    let key: string;
    try {
      key = JSON.parse(text.slice(j, k)) as string;
    } catch {
      return { items, brokenAt: j };
    }
    j = skipWs(text, k, end);
    if (text.charCodeAt(j) !== 58) return { items, brokenAt: j };
    j = skipWs(text, j + 1, end);
    const elements = text.charCodeAt(j) === 91 ? objectElements(text, j, end) : undefined;
    const e = elements ? (elements.end as number) : scanValueEnd(text, j, end);
    if (e < 0 || e === j) return { items, brokenAt: j };
    items.push(elements ? { key, start: j, end: e, elements } : { key, start: j, end: e });
    j = skipWs(text, e, end);
    const d = text.charCodeAt(j);
    if (d === 125) return { items, end: j + 1 };
    if (d !== 44) return { items, brokenAt: j };
    j = skipWs(text, j + 1, end);
  }
  return { items, brokenAt: j };
}

/**
 * {@link arrayElements} of the array at `i` when it is well formed and holds only objects (or
 * nothing): then its end is exactly where {@link scanValueEnd} ends the array (each element is
 * scanned the same way inside and outside the array; between elements are only commas and
 * whitespace). Undefined otherwise, and the caller scans the array as a whole.
 */
function objectElements(text: string, i: number, end: number): Listing<Span> | undefined {
  const list = arrayElements(text, i, end);
  if (list.end === undefined || list.brokenAt !== undefined) return undefined;
  for (const span of list.items) if (text.charCodeAt(span.start) !== 123) return undefined;
  return list;
}

/** Nesting limit of one record (objects and arrays), checked on the text before parsing. */
export const MAX_RECORD_DEPTH = 64;
/** Limit on the values (members and elements, at any depth) of one record. */
export const MAX_RECORD_FIELDS = 10_000;

/**
 * Checks the JSON text `[start, end)` against the nesting and field-count limits without parsing
 * it (one linear pass, strings skipped): returns the reason it is over a limit, or undefined.
 * Framing calls this before `JSON.parse`, so no recursive code (redaction, validation,
 * serialization) ever sees a value deeper than {@link MAX_RECORD_DEPTH}. Values are counted as
 * containers plus commas, an upper bound of members and elements minus one per container.
 */
export function overLimits(
  text: string,
  start = 0,
  end = text.length,
  maxDepth = MAX_RECORD_DEPTH,
  maxFields = MAX_RECORD_FIELDS,
): string | undefined {
  let depth = 0;
  let fields = 0;
  for (let j = start; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) {
      // skip the string: to the next quote not escaped by an odd run of backslashes
      let k = text.indexOf('"', j + 1);
      while (k > 0 && k < end) {
        let b = k - 1;
        while (text.charCodeAt(b) === BACKSLASH) b--;
        if ((k - 1 - b) % 2 === 0) break;
        k = text.indexOf('"', k + 1);
      }
      if (k < 0 || k >= end) return undefined; // unterminated: JSON.parse reports it
      j = k;
    } else if (c === 123 || c === 91) {
      if (++depth > maxDepth) return `nesting deeper than ${maxDepth} levels`;
      if (++fields > maxFields) return `more than ${maxFields} fields`;
    } else if (c === 125 || c === 93) depth--;
    else if (c === 44 && ++fields > maxFields) return `more than ${maxFields} fields`;
  }
  return undefined;
}
