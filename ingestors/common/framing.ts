import type { Source } from '../../schemas/token-activity.js';
import type { FramedItem, RawRecord, RecordLocation } from '../types.js';
import { deadLetter } from './dead-letter.js';
import { jsonErrorMessage } from './json-error.js';
import {
  arrayElements,
  type Listing,
  type MemberSpan,
  objectMembers,
  overLimits,
  type Span,
  scanValueEnd,
  skipWs,
} from './json-scan.js';
import { redactText } from './redact.js';

/**
 * JSON framing shared by every JSON source: turns one input (a file, or one Kafka message value)
 * into raw records. Shapes recognised:
 * - NDJSON: one JSON value per line, blank lines ignored (GitHub streaming, exports);
 * - a JSON array of records (GitHub REST `GET /enterprises/{e}/audit-log`);
 * - a page object whose records sit under an envelope path (`items` by default: Google Reports
 *   API `{"kind":"admin#reports#activities","items":[...]}`; `records` for Salesforce SOQL;
 *   `data.payload` for Salesforce streaming), also when such pages come one per line;
 * - pretty-printed objects one after another (concatenated JSON).
 *
 * Never throws. Each record is parsed on its own; whatever cannot be decoded becomes a dead letter
 * (`parse_error` for malformed JSON, binary junk or invalid UTF-8 (U+FFFD), `not_an_object` for
 * scalars/nested arrays, `oversized` past {@link FrameOptions.maxRecordBytes} or past the nesting
 * and field limits of json-scan.ts `overLimits`, checked on the text before parsing) with its raw text
 * redacted and cut to 64 KiB. Locations are `<location>:<line>` (1-based line of the record start).
 */

/** Default per-record size limit: 1 MiB of UTF-8. */
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

/** Options of {@link frameJson}. */
export interface FrameOptions {
  source: Source;
  /** Dot paths of envelopes holding the records, tried in order (default `['items']`). */
  envelopes?: readonly string[];
  /** Records larger than this many UTF-8 bytes become `oversized` dead letters (default 1 MiB). */
  maxRecordBytes?: number;
  /** An object that is an empty API page rather than a record (e.g. Google page without `items`). */
  isEmptyPage?: (value: Record<string, unknown>) => boolean;
  /**
   * A top-level object, fully parsed (escaped keys decoded) and outside every configured envelope,
   * that is a page whose records sit under a member this source does not read (a Reports page
   * spelling `items` as `Items`): returns why, else undefined. Checked before `isEmptyPage`. Such a
   * page becomes `unrecognized_envelope` dead letters, one per element of each of its array members
   * (or one for the whole document when it has none): never a silent loss.
   */
  strayEnvelope?: (value: Record<string, unknown>) => string | undefined;
  /**
   * Member names whose integer values are int64 (Google `uniqueQualifier`): their number literals
   * are quoted before `JSON.parse`, so values past 2^53 keep every digit (as strings).
   */
  int64Keys?: readonly string[];
  /** Vendor family hint for each record; `envelope` holds the page's other top-level fields. */
  family?: (
    record: Record<string, unknown>,
    envelope: Record<string, unknown> | undefined,
  ) => string | undefined;
}

interface Ctx {
  text: string;
  location: RecordLocation;
  opts: FrameOptions;
  maxBytes: number;
  envelopes: readonly string[][];
  /** The envelopes' first keys, JSON-quoted (`"items"`). */
  envelopeKeys: readonly string[];
  lineAt: (pos: number) => number;
  /** Quotes the int64 members' number literals (see {@link FrameOptions.int64Keys}). */
  lossless: ((raw: string) => string) | undefined;
}

/** Frames JSON input into records and dead letters (see the module comment). */
export function* frameJson(
  text: string,
  location: RecordLocation,
  opts: FrameOptions,
): Generator<FramedItem> {
  const start = skipWs(text, 0);
  if (start >= text.length) return;
  const ctx: Ctx = {
    text,
    location,
    opts,
    maxBytes: opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
    envelopes: (opts.envelopes ?? ['items']).map((p) => p.split('.')),
    envelopeKeys: (opts.envelopes ?? ['items']).map((p) => `"${p.split('.')[0]}"`),
    lineAt: lineCounter(text),
    lossless: opts.int64Keys && opts.int64Keys.length > 0 ? int64Quoter(opts.int64Keys) : undefined,
  };
  try {
    if (chooseMode(text, start) === 'lines') yield* frameLines(ctx);
    else yield* frameStream(ctx, start, text.length);
  } catch (e) {
    // Defensive: framing must never throw. Reaching this is a bug, reported as a dead letter.
    yield dead(ctx, 'parse_error', `framing failed: ${(e as Error).message}`, text, 1);
  }
}

/** `lines` = NDJSON (each line framed alone), `stream` = array / page / concatenated values. */
function chooseMode(text: string, start: number): 'lines' | 'stream' {
  const first = text.charCodeAt(start);
  if (first !== 123 && first !== 91) return 'lines';
  const nl = text.indexOf('\n', start);
  if (nl < 0) return first === 91 ? 'stream' : 'lines';
  // The first value closes on the first line: NDJSON, whether or not that line parses (it always
  // does when valid JSON, and a structurally closed invalid line is NDJSON with a bad line too).
  // A structural scan of the line instead of parsing it: pages can be hundreds of KiB per line.
  if (first === 123 && scanValueEnd(text, start, nl) > 0) return 'lines';
  // The first value spans lines: a pretty-printed document or array, or NDJSON whose head is
  // damaged (a stray `[`, broken lines). Later lines that are whole JSON objects mean NDJSON (or a
  // compact array, one element per line): unless the whole first value parses, frame line by line
  // so a damaged head costs only its own lines.
  if (!hasObjectLines(text, nl + 1, text.length)) return 'stream';
  const end = scanValueEnd(text, start);
  return end > 0 && parses(text.slice(start, end)) ? 'stream' : 'lines';
}

/** Lines looked at by {@link hasObjectLines}. */
const SNIFF_LINES = 50;

/**
 * True when one of the next {@link SNIFF_LINES} non-blank lines from `pos` is a whole JSON object
 * not followed by a comma (a leading `[` ignored): the text is line-structured (NDJSON). Lines
 * ending in `,` are elements of an enclosing array or page, which stream framing reads.
 */
function hasObjectLines(text: string, pos: number, end: number): boolean {
  let p = pos;
  for (let seen = 0; seen < SNIFF_LINES && p < end; ) {
    const next = text.indexOf('\n', p);
    const lineEnd = next < 0 || next > end ? end : next;
    let line = text.slice(p, Math.min(lineEnd, p + 2 * 1024 * 1024)).trim();
    if (line !== '') {
      seen++;
      if (line.startsWith('[')) line = line.slice(1).trimStart();
      if (line.startsWith('{') && line.endsWith('}') && parses(line)) return true;
    }
    p = lineEnd + 1;
  }
  return false;
}

function parses(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

/**
 * Frames `[from, to)` line by line (NDJSON). `from` is a line start. A line's trailing `,` (and a
 * `]` after a whole object) is array punctuation, not part of the record, so a compact array or
 * NDJSON behind a stray `[` loses nothing.
 */
function* frameLines(ctx: Ctx, from = 0, to = ctx.text.length): Generator<FramedItem> {
  const { text } = ctx;
  // Every position inside a line is on that line: one context for all lines, its line updated.
  let line = from === 0 ? 0 : ctx.lineAt(from) - 1;
  const lineCtx: Ctx = { ...ctx, lineAt: () => line };
  const plainRecords = ctx.envelopes.length === 0;
  let pos = from;
  while (pos < to) {
    line++;
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl < 0 || nl > to ? to : nl;
    let end = lineEnd;
    if (end > pos && text.charCodeAt(end - 1) === 13) end--;
    const start = skipWs(text, pos, end);
    if (start < end) {
      let unitEnd = trimEnd(text, start, end);
      const last = text.charCodeAt(unitEnd - 1);
      if (text.charCodeAt(start) === 123 && (last === 44 || last === 93)) {
        const v = scanValueEnd(text, start, unitEnd);
        if (v > 0 && /^[\s\],]*$/.test(text.slice(v, unitEnd))) unitEnd = v;
      }
      if (plainRecords && text.charCodeAt(start) === 123) {
        // what frameUnit does for an object when no envelope is configured, without a generator
        const item = frameRecord(lineCtx, { start, end: unitEnd }, undefined);
        if (Array.isArray(item)) yield* item;
        else if (item) yield item;
      } else {
        yield* frameUnit(lineCtx, start, unitEnd);
      }
    }
    pos = lineEnd + 1;
  }
}

/** Start of the line holding `pos`. */
function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

/**
 * After a structural break at `at` inside `[.., end)`: when the rest is line-structured (whole
 * objects on later lines), frames the broken line's rest as one dead letter and everything after
 * it line by line, and returns true; otherwise returns false (the caller dead-letters the rest).
 */
function* resync(ctx: Ctx, at: number, end: number): Generator<FramedItem, boolean> {
  const { text } = ctx;
  const ls = lineStart(text, at);
  const nl = text.indexOf('\n', at);
  const lineEnd = nl < 0 || nl > end ? end : nl;
  if (!hasObjectLines(text, skipWs(text, at, end) === at ? ls : lineEnd + 1, end)) return false;
  if (skipWs(text, ls, at) === at) {
    // the break is at the start of its line: frame from that line on
    yield* frameLines(ctx, ls, end);
    return true;
  }
  const restOfLine = text.slice(at, lineEnd);
  if (restOfLine.trim() !== '') {
    yield dead(ctx, 'parse_error', parseErrorReason(restOfLine), restOfLine, ctx.lineAt(at));
  }
  if (lineEnd < end) yield* frameLines(ctx, lineEnd + 1, end);
  return true;
}

function trimEnd(text: string, start: number, end: number): number {
  let e = end;
  while (e > start) {
    const c = text.charCodeAt(e - 1);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
    e--;
  }
  return e;
}

/** Frames consecutive top-level values in `[start, end)`. */
function* frameStream(ctx: Ctx, start: number, end: number): Generator<FramedItem> {
  let pos = skipWs(ctx.text, start, end);
  while (pos < end) {
    const valueEnd = scanValueEnd(ctx.text, pos, end);
    if (valueEnd <= pos) {
      if (yield* resync(ctx, pos, end)) return;
      yield* frameUnit(ctx, pos, end);
      return;
    }
    yield* frameUnit(ctx, pos, valueEnd);
    pos = skipWs(ctx.text, valueEnd, end);
  }
}

/** Frames one top-level value (array, page object, record object or scalar) in `[start, end)`. */
function* frameUnit(ctx: Ctx, start: number, end: number): Generator<FramedItem> {
  const { text } = ctx;
  const c = text.charCodeAt(start);
  if (c === 91) {
    yield* frameArray(ctx, start, end, undefined);
    return;
  }
  if (c === 123 && mayHaveEnvelope(ctx, start, end)) {
    const members = objectMembers(text, start, end);
    if (members.end === undefined || skipWs(text, members.end, end) !== end) {
      yield* unitError(ctx, start, end);
      return;
    }
    const env = findEnvelope(ctx, members.items);
    if (env) {
      yield* frameEnvelope(ctx, env.target, env.envelope);
      return;
    }
  }
  const item = frameRecord(ctx, { start, end }, undefined);
  if (Array.isArray(item)) yield* item;
  else if (item) yield item;
}

/** Cheap pre-check: only objects mentioning an envelope key are scanned member by member. */
function mayHaveEnvelope(ctx: Ctx, start: number, end: number): boolean {
  if (ctx.envelopes.length === 0) return false;
  const unit = ctx.text.slice(start, end);
  // the envelope key first (near the start of a page: found without reading the page); a key
  // written with escapes (`"\u0069tems"`) is decoded by the member scan
  return ctx.envelopeKeys.some((key) => unit.includes(key)) || unit.includes('\\u');
}

/** Reports a unit that is not well-formed JSON (possibly after some records were framed). */
function* unitError(ctx: Ctx, start: number, end: number): Generator<FramedItem> {
  const raw = ctx.text.slice(start, end);
  yield dead(ctx, 'parse_error', parseErrorReason(raw), raw, ctx.lineAt(start));
}

function* frameArray(
  ctx: Ctx,
  start: number,
  end: number,
  envelope: Record<string, unknown> | undefined,
  listed?: Listing<Span>,
): Generator<FramedItem> {
  const list = listed ?? arrayElements(ctx.text, start, end);
  for (const span of list.items) {
    if (ctx.text.charCodeAt(span.start) === 91) {
      const raw = ctx.text.slice(span.start, span.end);
      yield dead(
        ctx,
        'not_an_object',
        'array element is itself an array, expected an object',
        raw,
        ctx.lineAt(span.start),
      );
    } else {
      const item = frameRecord(ctx, span, envelope);
      if (Array.isArray(item)) yield* item;
      else if (item) yield item;
    }
  }
  if (list.brokenAt !== undefined) {
    // a truncated array whose elements were all read (`[{..},{..}` at the end): nothing is lost
    if (skipWs(ctx.text, list.brokenAt, end) >= end) return;
    if (yield* resync(ctx, list.brokenAt, end)) return;
    const raw = ctx.text.slice(list.brokenAt, end);
    const reason = `malformed or truncated JSON array after ${list.items.length} element(s): ${parseErrorReason(raw)}`;
    yield dead(ctx, 'parse_error', reason, raw, ctx.lineAt(list.brokenAt));
  } else if (list.end !== undefined && skipWs(ctx.text, list.end, end) < end) {
    yield* unitError(ctx, list.end, end);
  }
}

interface Envelope {
  target: MemberSpan;
  envelope: Record<string, unknown>;
}

/** Finds the first configured envelope path in a page object; undefined for a plain record. */
function findEnvelope(ctx: Ctx, top: MemberSpan[]): Envelope | undefined {
  for (const path of ctx.envelopes) {
    let members = top;
    let target: MemberSpan | undefined;
    for (let k = 0; k < path.length; k++) {
      target = members.find((m) => m.key === path[k]);
      if (!target) break;
      if (k < path.length - 1) {
        if (ctx.text.charCodeAt(target.start) !== 123) {
          target = undefined;
          break;
        }
        const inner = objectMembers(ctx.text, target.start, target.end);
        if (inner.brokenAt !== undefined) {
          target = undefined;
          break;
        }
        members = inner.items;
      }
    }
    const c = target ? ctx.text.charCodeAt(target.start) : 0;
    if (target && (c === 91 || c === 123)) {
      return { target, envelope: envelopeFields(ctx, top, path[0]) };
    }
  }
  return undefined;
}

/** The page's top-level fields other than the envelope key (small: `kind`, `etag`, `channel`...). */
function envelopeFields(ctx: Ctx, top: MemberSpan[], skip: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of top) {
    if (m.key === skip || m.end - m.start > 4096) continue;
    try {
      out[m.key] = JSON.parse(ctx.text.slice(m.start, m.end));
    } catch {
      // ignore a malformed envelope field: records are framed independently
    }
  }
  return out;
}

function* frameEnvelope(
  ctx: Ctx,
  target: MemberSpan,
  envelope: Record<string, unknown>,
): Generator<FramedItem> {
  if (ctx.text.charCodeAt(target.start) === 91)
    yield* frameArray(ctx, target.start, target.end, envelope, target.elements);
  else {
    const item = frameRecord(ctx, target, envelope);
    if (Array.isArray(item)) yield* item;
    else if (item) yield item;
  }
}

/**
 * Parses one record span: size check, JSON.parse, object check; undefined for an empty page, a
 * list of dead letters for a page with an unrecognized envelope ({@link FrameOptions.strayEnvelope}).
 */
function frameRecord(
  ctx: Ctx,
  span: Span,
  envelope: Record<string, unknown> | undefined,
): FramedItem | FramedItem[] | undefined {
  const { text } = ctx;
  const line = ctx.lineAt(span.start);
  const chars = span.end - span.start;
  if (chars * 3 > ctx.maxBytes) {
    const bytes = Buffer.byteLength(text.slice(span.start, span.end));
    if (bytes > ctx.maxBytes) {
      const raw = text.slice(span.start, Math.min(span.end, span.start + 2 * 65536));
      return dead(ctx, 'oversized', `record is ${bytes} bytes, limit ${ctx.maxBytes}`, raw, line);
    }
  }
  const raw = text.slice(span.start, span.end);
  // Depth and field limits on the text, before anything recursive can see the value.
  const over = overLimits(text, span.start, span.end);
  if (over !== undefined) return dead(ctx, 'oversized', `record over a limit: ${over}`, raw, line);
  let value: unknown;
  try {
    value = JSON.parse(ctx.lossless ? ctx.lossless(raw) : raw);
  } catch {
    return dead(ctx, 'parse_error', parseErrorReason(raw), raw, line);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return dead(ctx, 'not_an_object', `expected a JSON object, got ${what}`, raw, line);
  }
  const record = value as Record<string, unknown>;
  if (envelope === undefined) {
    const stray = ctx.opts.strayEnvelope?.(record);
    if (stray !== undefined) return strayDeadLetters(ctx, record, raw, line, stray);
    if (ctx.opts.isEmptyPage?.(record)) return undefined;
  }
  const family = ctx.opts.family?.(record, envelope);
  const framed: RawRecord = { source: ctx.opts.source, value: record, location: `${ctx.location}:${line}` };
  if (family) framed.family = family;
  return { kind: 'record', record: framed };
}

/**
 * The dead letters of a page whose envelope is not recognized: one per element of each array
 * member (location `<location>:<line>#<member>[<i>]`, raw the element's JSON), or one for the whole
 * document when no member is an array with elements.
 */
function strayDeadLetters(
  ctx: Ctx,
  page: Record<string, unknown>,
  raw: string,
  line: number,
  why: string,
): FramedItem[] {
  const out: FramedItem[] = [];
  const at = `${ctx.location}:${line}`;
  // member names are attacker-controlled text: redacted like the raw record
  const safeWhy = redactText(why).text;
  for (const key of Object.keys(page)) {
    const member = page[key];
    if (!Array.isArray(member)) continue;
    const name = redactText(key.slice(0, 64)).text;
    member.forEach((element, i) => {
      const reason = `${safeWhy}: element ${i + 1} of ${member.length} under ${JSON.stringify(name)} not read`;
      const text = JSON.stringify(element) ?? 'null';
      out.push({
        kind: 'dead',
        dead: deadLetter(ctx.opts.source, 'unrecognized_envelope', reason, text, `${at}#${name}[${i}]`),
      });
    });
  }
  if (out.length === 0)
    out.push(dead(ctx, 'unrecognized_envelope', `${safeWhy}: no records read`, raw, line));
  return out;
}

/**
 * Returns a function that rewrites `"<key>": -123` into `"<key>": "-123"` for the given member
 * names (a structural JSON scan would be exact; this pattern needs the key's closing quote right
 * after its name, which an escaped `\"key\"` inside a string value never has, and an integer
 * literal ending at `,`, `}` or `]`). Text without any of the keys is returned as is.
 */
export function int64Quoter(keys: readonly string[]): (raw: string) => string {
  const names = keys.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(`("(?:${names.join('|')})"\\s*:\\s*)(-?\\d+)(?=\\s*[,}\\]])`, 'g');
  const probes = keys.map((k) => `"${k}"`);
  // the start of what `re` needs after a key: the rewrite runs only when some key has it (rare:
  // Google writes uniqueQualifier as a string), not over every record's whole text
  const numberAfter = /\s*:\s*-?\d/y;
  const hasNumber = (raw: string): boolean => {
    for (const p of probes) {
      for (let k = raw.indexOf(p); k >= 0; k = raw.indexOf(p, k + 1)) {
        numberAfter.lastIndex = k + p.length;
        if (numberAfter.test(raw)) return true;
      }
    }
    return false;
  };
  return (raw) => (hasNumber(raw) ? raw.replace(re, '$1"$2"') : raw);
}

/** A human reason for text that JSON.parse rejects, calling out binary junk and bad UTF-8. */
function parseErrorReason(raw: string): string {
  if (raw.includes('\ufffd')) return 'invalid UTF-8 (replacement characters) or binary data, not JSON';
  if (/[\u0000-\u0008\u000e-\u001f]/.test(raw)) return 'binary data (control characters), not JSON';
  try {
    JSON.parse(raw);
    return 'malformed JSON';
  } catch (e) {
    return `malformed JSON: ${jsonErrorMessage(e)}`;
  }
}

function dead(
  ctx: Ctx,
  code: 'parse_error' | 'oversized' | 'not_an_object' | 'unrecognized_envelope',
  reason: string,
  raw: string,
  line: number,
): FramedItem {
  return { kind: 'dead', dead: deadLetter(ctx.opts.source, code, reason, raw, `${ctx.location}:${line}`) };
}

/** Returns pos -> 1-based line number, counting incrementally for increasing positions. */
function lineCounter(text: string): (pos: number) => number {
  let at = 0;
  let line = 1;
  return (pos) => {
    if (pos < at) {
      at = 0;
      line = 1;
    }
    for (let nl = text.indexOf('\n', at); nl >= 0 && nl < pos; nl = text.indexOf('\n', nl + 1)) line++;
    at = pos;
    return line;
  };
}
