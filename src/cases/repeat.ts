import { createHash } from 'node:crypto';
import { Duration } from 'luxon';
import { parseTimestampMs } from '../../ingestors/common/time.js';
import type { Source } from '../../schemas/token-activity.js';
import { CaseFileError } from './errors.js';

/**
 * Repeated records in a raw-log case (`repeat: { every, times }` on a case input): a behavioural
 * baseline needs weeks of history, which is unreadable written out record by record. A repeated
 * input's records are a template (say one working day); repetition `k` (0-based) is a copy of
 * every template record shifted `k * every` later, with the record's vendor dedup identity made
 * unique for `k > 0`, so the ingestors read `times` distinct events per template record. The first
 * repetition (`k = 0`) is the template unchanged. Everything else (actor, IP, user agent, session
 * keys other than Salesforce's, below) is copied verbatim.
 *
 * Fields rewritten, per source (the fields each ingestor reads time and `event.id` from, see
 * ingestors/IDS.md):
 * - `github` (audit log event): time `@timestamp`, `created_at`, `at_sign_timestamp`;
 *   id `_document_id`;
 * - `google_workspace` (Reports API activity): time `id.time` (and an event parameter
 *   `login_timestamp`, epoch µs, when present); id `id.uniqueQualifier`;
 * - `salesforce` EventLogFile row (`rows`): time `TIMESTAMP` (`yyyyMMddHHmmss.SSS`) and
 *   `TIMESTAMP_DERIVED` (ISO 8601); id `REQUEST_ID`; session `LOGIN_KEY`, `SESSION_KEY`;
 * - `salesforce` Real-Time Event Monitoring object (`records`, bare objects only): time `EventDate`,
 *   `CreatedDate`; id `EventIdentifier`; session `LoginKey`, `SessionKey`.
 * Salesforce session keys are renamed like ids, so each repetition is a new login session, and the
 * template's rows that shared a key (a Login and its API calls) share the new one (the new value is a
 * function of the key and `k` only).
 * A time keeps its form: epoch numbers (or digit strings) keep their unit, ELF compact times stay
 * compact, ISO text is written back in UTC (`Z`) with milliseconds only when the template had a
 * fraction. A new id keeps the template id's shape (same length; digits stay digits, hex stays hex,
 * otherwise each letter keeps its case and each digit stays a digit, punctuation is kept) and is
 * derived from SHA-256 of the template id and `k`, so it is deterministic; a prefix up to the last
 * `:` (Salesforce's `TID:`) is kept.
 */

/** The `repeat` member of a case input. */
export interface Repeat {
  /** ISO 8601 duration of a fixed length (weeks, days, hours, minutes, seconds): `PT8H`, `P1D`. */
  every: string;
  /** Number of repetitions, the template's own included (1 = the template once). */
  times: number;
}

/** Record kinds a repeat rewrites. */
export type RepeatKind = 'github' | 'google_workspace' | 'salesforce_elf' | 'salesforce_rtem';

/** The kind of a case input's records: `rows` are always EventLogFile rows. */
export function repeatKind(source: Source, rows: boolean): RepeatKind {
  if (source === 'salesforce') return rows ? 'salesforce_elf' : 'salesforce_rtem';
  return source;
}

/**
 * Milliseconds of an ISO 8601 duration of fixed length.
 * @throws CaseFileError for an invalid duration, years or months (not a fixed length), or zero.
 */
export function durationMs(every: string): number {
  const d = Duration.fromISO(every);
  if (!d.isValid) throw new CaseFileError(`repeat.every "${every}" is not an ISO 8601 duration (PT8H, P1D)`);
  if (d.years !== 0 || d.quarters !== 0 || d.months !== 0)
    throw new CaseFileError(
      `repeat.every "${every}": years and months have no fixed length; use weeks or days`,
    );
  const ms = d.as('milliseconds');
  if (!(ms > 0)) throw new CaseFileError(`repeat.every "${every}" must be longer than zero`);
  return ms;
}

/** Pseudo-random bytes from SHA-256 of `seed` (counter mode), as many as asked. */
function hashBytes(seed: string, n: number): number[] {
  const out: number[] = [];
  for (let block = 0; out.length < n; block++)
    out.push(...createHash('sha256').update(`${seed}\u0000${block}`).digest());
  return out.slice(0, n);
}

const DIGITS = '0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * The template id `id` for repetition `k` (itself for `k = 0`): same length and shape, derived from
 * SHA-256 of the id and `k`. An all-digit id (optionally signed: Google's int64 `uniqueQualifier`)
 * stays a number of the same length that fits an int64 (first digit 1-8); an all-hex id stays hex;
 * the part up to the last `:` is kept.
 */
export function repeatedId(id: string, k: number): string {
  if (k === 0) return id;
  const colon = id.lastIndexOf(':');
  if (colon >= 0) return id.slice(0, colon + 1) + repeatedId(id.slice(colon + 1), k);
  const bytes = hashBytes(`${id}#${k}`, id.length);
  const pick = (alphabet: string, i: number): string => alphabet[(bytes[i] ?? 0) % alphabet.length] ?? '';
  const digits = /^-?\d+$/.test(id);
  const hex = !digits && /^[0-9a-f]+$/i.test(id);
  const hexDigits = /[A-F]/.test(id) && !/[a-f]/.test(id) ? '0123456789ABCDEF' : '0123456789abcdef';
  let firstDigit = true;
  return [...id]
    .map((c, i) => {
      if (digits) {
        if (c === '-') return c;
        if (firstDigit) {
          firstDigit = false;
          return id.replace('-', '').length > 1 ? pick('12345678', i) : pick('123456789', i);
        }
        return pick(DIGITS, i);
      }
      if (hex) return pick(hexDigits, i);
      if (/[0-9]/.test(c)) return pick(DIGITS, i);
      if (/[a-z]/.test(c)) return pick(LOWER, i);
      if (/[A-Z]/.test(c)) return pick(UPPER, i);
      return c;
    })
    .join('');
}

const ELF_COMPACT = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,3}))?$/;

/** ELF compact time (`yyyyMMddHHmmss.SSS`, UTC) to epoch ms, or undefined when not that form. */
function elfCompactMs(s: string): number | undefined {
  const m = ELF_COMPACT.exec(s);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number);
  const ms = Number((m[7] ?? '').padEnd(3, '0'));
  return Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, se ?? 0, ms);
}

/** Epoch ms as ELF compact time with the template's number of fraction digits. */
function toElfCompact(ms: number, fractionDigits: number): string {
  const iso = new Date(ms).toISOString(); // 2025-06-02T08:00:00.123Z
  const base = iso.slice(0, 19).replace(/[-T:]/g, '');
  return fractionDigits === 0
    ? base
    : `${base}.${iso.slice(20, 20 + fractionDigits).padEnd(fractionDigits, '0')}`;
}

/** Epoch number (s, ms, µs or ns by magnitude, as ingestors/common/time.ts reads it) plus `offsetMs`. */
function shiftEpoch(n: number, offsetMs: number): number {
  const abs = Math.abs(n);
  if (abs < 1e11) return n + offsetMs / 1000;
  if (abs < 1e14) return n + offsetMs;
  if (abs < 1e17) return n + offsetMs * 1000;
  return n + offsetMs * 1e6;
}

/**
 * A vendor time value shifted by `offsetMs`, in the same form.
 * @throws CaseFileError when the value is no time the ingestors read.
 */
export function shiftTime(value: unknown, offsetMs: number, field: string): unknown {
  if (offsetMs === 0) return value;
  if (typeof value === 'number') return shiftEpoch(value, offsetMs);
  if (typeof value === 'string') {
    const s = value.trim();
    const compact = elfCompactMs(s);
    if (compact !== undefined) return toElfCompact(compact + offsetMs, /\.(\d+)$/.exec(s)?.[1]?.length ?? 0);
    if (/^-?\d+(?:\.\d+)?$/.test(s)) return String(shiftEpoch(Number(s), offsetMs));
    let ms: number;
    try {
      ms = parseTimestampMs(s);
    } catch (cause) {
      throw new CaseFileError(`repeat: ${field} "${value}" is not a time`, { cause });
    }
    const iso = new Date(ms + offsetMs).toISOString();
    return /:\d{2}[.,]\d+/.test(s) ? iso : iso.replace('.000Z', 'Z');
  }
  throw new CaseFileError(`repeat: ${field} ${JSON.stringify(value)} is not a time`);
}

type Rec = Record<string, unknown>;

const isRec = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Shifts the listed top-level time fields present; returns how many were present. */
function shiftFields(rec: Rec, fields: readonly string[], offsetMs: number): number {
  let n = 0;
  for (const f of fields) {
    if (rec[f] === undefined || rec[f] === '') continue;
    rec[f] = shiftTime(rec[f], offsetMs, f);
    n++;
  }
  return n;
}

function renameId(rec: Rec, field: string, k: number): void {
  const v = rec[field];
  if (typeof v === 'string' && v !== '') rec[field] = repeatedId(v, k);
  else if (typeof v === 'number') rec[field] = repeatedId(String(v), k);
}

function requireTime(present: number, kind: RepeatKind, fields: string): void {
  if (present === 0) throw new CaseFileError(`repeat: a ${kind} record has no ${fields} to shift`);
}

/**
 * Repetition `k` of one template record (the template itself for `k = 0`, else a shifted copy).
 * @throws CaseFileError when the record has no time field of its kind, or a time does not parse.
 */
export function repeatRecord(kind: RepeatKind, template: Rec, k: number, everyMs: number): Rec {
  if (k === 0) return template;
  const rec = structuredClone(template);
  const offset = k * everyMs;
  switch (kind) {
    case 'github':
      requireTime(
        shiftFields(rec, ['@timestamp', 'created_at', 'at_sign_timestamp'], offset),
        kind,
        '@timestamp or created_at',
      );
      renameId(rec, '_document_id', k);
      break;
    case 'google_workspace': {
      const id = rec.id;
      if (!isRec(id) || id.time === undefined)
        throw new CaseFileError('repeat: a google_workspace activity has no id.time to shift');
      id.time = shiftTime(id.time, offset, 'id.time');
      renameId(id, 'uniqueQualifier', k);
      const events = Array.isArray(rec.events) ? rec.events : isRec(rec.events) ? [rec.events] : [];
      for (const e of events) {
        if (!isRec(e) || !Array.isArray(e.parameters)) continue;
        for (const p of e.parameters)
          if (isRec(p) && p.name === 'login_timestamp' && p.intValue !== undefined)
            p.intValue = shiftTime(p.intValue, offset, 'login_timestamp');
      }
      break;
    }
    case 'salesforce_elf':
      requireTime(
        shiftFields(rec, ['TIMESTAMP', 'TIMESTAMP_DERIVED'], offset),
        kind,
        'TIMESTAMP or TIMESTAMP_DERIVED',
      );
      renameId(rec, 'REQUEST_ID', k);
      for (const key of ['LOGIN_KEY', 'SESSION_KEY']) renameId(rec, key, k);
      break;
    case 'salesforce_rtem':
      requireTime(
        shiftFields(rec, ['EventDate', 'CreatedDate'], offset),
        kind,
        'EventDate or CreatedDate (bare event objects only)',
      );
      renameId(rec, 'EventIdentifier', k);
      for (const key of ['LoginKey', 'SessionKey']) renameId(rec, key, k);
      break;
  }
  return rec;
}

/**
 * Every repetition of the templates: repetition 0 (all templates in order), then 1, and so on.
 * @throws CaseFileError as {@link durationMs} and {@link repeatRecord}.
 */
export function expandRepeat(kind: RepeatKind, templates: readonly Rec[], repeat: Repeat): Rec[] {
  const every = durationMs(repeat.every);
  const out: Rec[] = [];
  for (let k = 0; k < repeat.times; k++) for (const t of templates) out.push(repeatRecord(kind, t, k, every));
  return out;
}
