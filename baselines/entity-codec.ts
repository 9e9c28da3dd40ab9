import { ByteReader, ByteWriter } from './byte-codec.js';
import { type EntityStateJSON, entityStateSchema } from './entity-state.js';
import { BaselineStateError } from './errors.js';
import { DIMENSIONS, type EntityKind } from './types.js';

/**
 * Version byte that starts every binary entity state ({@link encodeEntityState}). Version 1 is the
 * JSON text layout of entity-state.ts (its first byte is always `{`, 0x7b), still read and
 * migrated by {@link decodeEntityState}.
 */
export const ENTITY_STATE_VERSION = 2;
const JSON_OPEN = 0x7b;

const KIND_CODES: readonly EntityKind[] = ['token', 'app', 'owner'];
const NDIM = DIMENSIONS.length;
const IP_PREFIX = DIMENSIONS.indexOf('ip_prefix');
const ASN = DIMENSIONS.indexOf('asn');

const F_ACTIVE = 1;
const F_LOCATION = 2;
const F_CREATED = 4;
const F_REVOKE = 8;
const F_AUTH = 16;
const F_FOLDED = 32;

const L_CLOUD = 1;
const L_COUNTRY = 2;
const L_CITY = 4;
const L_EXT = 8;

const C_IP = 1;
const C_COUNTRY = 2;
const C_PREFIX = 4;

type Location = NonNullable<EntityStateJSON['ll']>;
type Created = NonNullable<EntityStateJSON['cr']>;
type SetEntry = [string, number, number, number];

/**
 * Encodes one entity state (the logical layout of entity-state.ts, as `EntityBaseline.toJSON()`
 * returns it) in the compact binary form, version {@link ENTITY_STATE_VERSION}:
 *
 * - byte 0: the version; byte 1: kind (0 token, 1 app, 2 owner); the id (UTF-8, varint length);
 *   events (varint); firstSeen; lastSeen as a delta to firstSeen; a flags varint (which optional
 *   parts follow).
 * - numbers ({@link ByteWriter.num}) are exact: integers as zigzag varints, times as deltas to
 *   the entity's first or last seen (a few bytes instead of 13 digits), short decimals
 *   (coordinates) as scale and mantissa, anything else as a raw double.
 * - strings ({@link ByteWriter.str}) are UTF-8, or 6 bits per character for base64url ids.
 * - hour-of-week and active-hour counters keep the zero-run form of version 1 as zigzag varints;
 *   the hourly series' kept buckets column-wise (a bit mask for the non-zero columns; the hours
 *   as the first hour and a bitmap of the span), its five histograms, maxima, last folded use
 *   and late events. Columns of integers are plain or zigzag varints (a header says which).
 * - seen sets: a bit mask of the dimensions present; per dimension the evicted count and the
 *   values in insertion order (IPv4 prefixes in 3 bytes, AS numbers as varints, other values
 *   front-coded against the previous one: resources of one organization share `repo:org/`),
 *   then the columns: counts, firstSeen as deltas between consecutive values, lastSeen as the
 *   shorter of its distance to the entity's lastSeen and to the value's firstSeen.
 * - scopes front-coded, last location (an IPv4 address in 4 bytes), revocation / authorization
 *   times, created context and the recent first-seen times as deltas to lastSeen.
 *
 * A mature token takes about half of its version 1 JSON (bench/pipeline.bench.ts prints the
 * sizes). {@link decodeEntityState} reads it back to an identical state.
 */
export const encodeEntityState = (s: EntityStateJSON): Uint8Array => {
  const w = new ByteWriter(1024);
  const f = s.f;
  const l = s.l;
  w.u8(ENTITY_STATE_VERSION);
  w.u8(KIND_CODES.indexOf(s.k));
  w.str(s.id);
  w.uv(s.n);
  w.num(f);
  w.num(l, f);
  const hs = s.hs;
  let flags = 0;
  if (s.ah !== undefined) flags |= F_ACTIVE;
  if (s.ll !== null) flags |= F_LOCATION;
  if (s.cr !== null) flags |= F_CREATED;
  if (s.rv !== -1) flags |= F_REVOKE;
  if (s.au !== -1) flags |= F_AUTH;
  if (hs.ph !== -1) flags |= F_FOLDED;
  w.uv(flags);
  writeInts(w, s.hw);
  if (s.ah !== undefined) writeInts(w, s.ah);
  // hourly series
  let mask = 0;
  for (let c = 0; c < hs.rb.length; c++) if (hs.rb[c] !== 0) mask |= 1 << c;
  w.u8(mask);
  if (mask !== 0) {
    for (let c = 0; c < hs.rb.length; c++) {
      const col = hs.rb[c]!;
      if (col === 0) continue;
      if (c === 0) writeHours(w, col);
      else writeColumn(w, col, false);
    }
  }
  for (const h of hs.hs) writeColumn(w, h, false);
  for (const m of hs.mx) w.num(m);
  if (hs.ph !== -1) w.num(hs.ph, l);
  w.uv(hs.lt);
  // seen sets
  let dims = 0;
  for (let d = 0; d < NDIM; d++) if (s.s[DIMENSIONS[d]!] !== undefined) dims |= 1 << d;
  w.uv(dims);
  for (let d = 0; d < NDIM; d++) {
    const set = s.s[DIMENSIONS[d]!];
    if (set === undefined) continue;
    w.uv(set[0]);
    const n = set.length - 1;
    w.uv(n);
    let prev = '';
    for (let i = 1; i <= n; i++) {
      const value = (set[i] as SetEntry)[0];
      if (d === IP_PREFIX) writeIp(w, value);
      else if (d === ASN) writeDecimal(w, value);
      else w.strAfter(value, prev);
      prev = value;
    }
    for (let i = 1; i <= n; i++) w.uv((set[i] as SetEntry)[1]);
    const col = scratch(n);
    for (let i = 0; i < n; i++) col[i] = (set[i + 1] as SetEntry)[2];
    writeColumn(w, col, true, n);
    // lastSeen as the shorter of its distance to the entity's lastSeen (a value in use) and to
    // the value's own firstSeen (0 for a value seen once), with a bit saying which, when exact
    const life = l - f;
    let spans = isSafeInt(life);
    for (let i = 0; spans && i < n; i++) {
      const [, , fromFirst, toLast] = set[i + 1] as SetEntry;
      const span = life - fromFirst - toLast;
      if (!isSafeInt(fromFirst) || !isSafeInt(toLast) || !isSafeInt(span) || span < 0 || toLast < 0)
        spans = false;
      else col[i] = span < toLast ? span * 2 + 1 : toLast * 2;
    }
    w.u8(spans ? 1 : 0);
    if (!spans) for (let i = 0; i < n; i++) col[i] = (set[i + 1] as SetEntry)[3];
    writeColumn(w, col, false, n);
  }
  writeStrings(w, s.sc);
  if (s.ll !== null) writeLocation(w, s.ll);
  if (s.rv !== -1) w.num(s.rv, l);
  if (s.au !== -1) w.num(s.au, l);
  if (s.cr !== null) writeCreated(w, s.cr);
  writeTimes(w, s.nr, l);
  writeTimes(w, s.na, l);
  return w.bytes();
};

const writeInts = (w: ByteWriter, a: readonly number[]): void => {
  w.uv(a.length);
  for (const v of a) w.sv(v);
};

/** Column encodings of {@link writeColumn}, in the low 2 bits of its header. */
const COL_NUM = 0;
const COL_SIGNED = 1;
const COL_UNSIGNED = 2;
const COL_BITMAP = 3;
const SAFE = 2 ** 50;

let scratchColumn: number[] = [];
const scratch = (n: number): number[] => {
  if (scratchColumn.length < n) scratchColumn = new Array(n * 2).fill(0);
  return scratchColumn;
};

/** A safe integer other than -0 (which only the raw double of {@link ByteWriter.num} keeps). */
const isSafeInt = (v: number): boolean => Number.isInteger(v) && v <= SAFE && v >= -SAFE && !Object.is(v, -0);

/**
 * A column of numbers (the first `n` of `a`; the length is written unless `n` is given), as
 * zigzag or plain varints when every value (or, with `chain`, every difference to the previous
 * value) is a safe integer, else each as {@link ByteWriter.num}. Header varint: length x 4 + mode.
 */
const writeColumn = (w: ByteWriter, a: readonly number[], chain: boolean, n = a.length): void => {
  let ints = true;
  let nonneg = true;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const v = a[i]!;
    if (!isSafeInt(v)) {
      ints = false;
      break;
    }
    const d = chain ? v - prev : v;
    if (!isSafeInt(d)) {
      ints = false;
      break;
    }
    if (d < 0) nonneg = false;
    prev = v;
  }
  const mode = !ints ? COL_NUM : nonneg ? COL_UNSIGNED : COL_SIGNED;
  w.uv(n * 4 + mode);
  prev = 0;
  for (let i = 0; i < n; i++) {
    const v = a[i]!;
    if (mode === COL_NUM) w.num(v);
    else if (mode === COL_UNSIGNED) w.uv(chain ? v - prev : v);
    else w.sv(chain ? v - prev : v);
    prev = v;
  }
};

/** Reverses {@link writeColumn} (same `chain`). */
const readColumn = (r: ByteReader, chain: boolean): number[] => readColumnWithHead(r, r.uv(), chain);

const readColumnWithHead = (r: ByteReader, head: number, chain: boolean): number[] => {
  const n = Math.floor(head / 4);
  const mode = head % 4;
  if (mode === COL_BITMAP) throw r.corrupt('bitmap column where values were expected');
  const out: number[] = new Array(n);
  let prev = 0;
  for (let i = 0; i < n; i++) {
    let v: number;
    if (mode === COL_NUM) v = r.num();
    else v = (chain ? prev : 0) + (mode === COL_UNSIGNED ? r.uv() : r.sv());
    out[i] = v;
    prev = v;
  }
  return out;
};

/** Longest hour span (hours) written as a bitmap by {@link writeHours}. */
const MAX_BITMAP_HOURS = 1024;

/**
 * The kept buckets' hour column (first: the hour index, then the difference to the previous
 * bucket's hour): as the first hour and a bitmap of the following hours (one bit per hour of the
 * span, 48 hours in 6 bytes) when the buckets ascend strictly, else as a {@link writeColumn}.
 */
const writeHours = (w: ByteWriter, col: readonly number[]): void => {
  let span = 0;
  let ok = col.length > 0 && isSafeInt(col[0]!);
  for (let i = 1; ok && i < col.length; i++) {
    const d = col[i]!;
    if (!Number.isInteger(d) || d < 1) ok = false;
    else span += d;
    if (span > MAX_BITMAP_HOURS) ok = false;
  }
  if (!ok) {
    writeColumn(w, col, false);
    return;
  }
  w.uv(col.length * 4 + COL_BITMAP);
  w.sv(col[0]!);
  const bits = new Uint8Array(Math.ceil(span / 8));
  let at = 0;
  for (let i = 1; i < col.length; i++) {
    at += col[i]!;
    bits[(at - 1) >> 3]! |= 1 << ((at - 1) & 7);
  }
  w.uv(bits.length);
  for (const b of bits) w.u8(b);
};

/** Reverses {@link writeHours}. */
const readHours = (r: ByteReader): number[] => {
  const head = r.uv();
  if (head % 4 !== COL_BITMAP) return readColumnWithHead(r, head, false);
  const n = Math.floor(head / 4);
  const out: number[] = [r.sv()];
  const len = r.uv();
  let last = 0;
  for (let byte = 0; byte < len; byte++) {
    const b = r.u8();
    for (let bit = 0; bit < 8; bit++) {
      if ((b & (1 << bit)) === 0) continue;
      const at = byte * 8 + bit + 1;
      out.push(at - last);
      last = at;
    }
  }
  if (out.length !== n) throw r.corrupt('hour bitmap does not match the bucket count');
  return out;
};

const writeStrings = (w: ByteWriter, a: readonly string[]): void => {
  w.uv(a.length);
  let prev = '';
  for (const v of a) {
    w.strAfter(v, prev);
    prev = v;
  }
};

const writeTimes = (w: ByteWriter, a: readonly number[], base: number): void => {
  w.uv(a.length);
  for (const t of a) w.num(t, base);
};

const writeLocation = (w: ByteWriter, ll: Location): void => {
  const [lat, lon, ip, age, cloud, country, city, ...ext] = ll;
  w.num(lat);
  w.num(lon);
  writeIp(w, ip);
  w.num(age);
  let bits = 0;
  if (cloud === 1) bits |= L_CLOUD;
  if (country !== null) bits |= L_COUNTRY;
  if (city !== null) bits |= L_CITY;
  if (ext.length > 0) bits |= L_EXT;
  w.u8(bits);
  if (country !== null) w.str(country);
  if (city !== null) w.str(city);
  if (ext.length === 0) return;
  w.uv(ext.length);
  for (const v of ext) {
    if (v === null) w.u8(0);
    else if (typeof v === 'number') {
      w.u8(1);
      w.num(v);
    } else {
      w.u8(2);
      w.str(v);
    }
  }
};

const writeCreated = (w: ByteWriter, [offset, ip, country, prefix]: Created): void => {
  w.num(offset);
  w.u8((ip !== null ? C_IP : 0) | (country !== null ? C_COUNTRY : 0) | (prefix !== null ? C_PREFIX : 0));
  if (ip !== null) writeIp(w, ip);
  if (country !== null) w.str(country);
  if (prefix !== null) writeIp(w, prefix);
};

/**
 * Reads an entity state written by {@link encodeEntityState} (version 2) or a version 1 JSON
 * text (UTF-8 bytes starting with `{`, as saved files and changelog records of earlier releases
 * hold it), migrating it: the result is the logical layout `EntityBaseline.fromJSON` takes,
 * validated with `entityStateSchema`. `what` names the source in errors (file, record key).
 * @throws BaselineStateError `BASELINE_STATE_VERSION` for an unknown version byte,
 *   `BASELINE_STATE_CORRUPT` for truncated, malformed or schema-violating input
 */
export const decodeEntityState = (bytes: Uint8Array, what: string, line?: number): EntityStateJSON => {
  const at = line === undefined ? {} : { line };
  if (bytes.length === 0)
    throw new BaselineStateError('BASELINE_STATE_CORRUPT', what, 'empty entity state', at);
  const v = bytes[0]!;
  let json: unknown;
  if (v === JSON_OPEN) {
    try {
      json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    } catch (cause) {
      throw new BaselineStateError(
        'BASELINE_STATE_CORRUPT',
        what,
        `invalid JSON: ${(cause as Error).message}`,
        {
          cause,
          ...at,
        },
      );
    }
  } else if (v === ENTITY_STATE_VERSION) {
    json = readV2(new ByteReader(bytes, what, line));
  } else {
    throw new BaselineStateError(
      'BASELINE_STATE_VERSION',
      what,
      `entity state version ${v} is not supported (this build reads 1 and ${ENTITY_STATE_VERSION})`,
      at,
    );
  }
  return validateEntityState(json, what, line);
};

/**
 * Validates a decoded entity state with `entityStateSchema`.
 * @throws BaselineStateError `BASELINE_STATE_CORRUPT` naming the first failing field
 */
export const validateEntityState = (json: unknown, what: string, line?: number): EntityStateJSON => {
  const e = entityStateSchema.safeParse(json);
  if (e.success) return e.data;
  const issue = e.error.issues[0];
  throw new BaselineStateError(
    'BASELINE_STATE_CORRUPT',
    what,
    `invalid entity state at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'unknown'}`,
    { cause: e.error, ...(line === undefined ? {} : { line }) },
  );
};

const readV2 = (r: ByteReader): EntityStateJSON => {
  r.u8();
  const kind = KIND_CODES[r.u8()];
  if (kind === undefined) throw r.corrupt('unknown entity kind');
  const id = r.str();
  const n = r.uv();
  const f = r.num();
  const l = r.num(f);
  const flags = r.uv();
  const hw = readInts(r);
  const ah = flags & F_ACTIVE ? readInts(r) : undefined;
  const mask = r.u8();
  const rb: (number[] | 0)[] = [0, 0, 0, 0, 0, 0, 0];
  for (let c = 0; c < 7; c++) {
    if ((mask & (1 << c)) !== 0) rb[c] = c === 0 ? readHours(r) : readColumn(r, false);
  }
  const hist = [
    readColumn(r, false),
    readColumn(r, false),
    readColumn(r, false),
    readColumn(r, false),
    readColumn(r, false),
  ] as EntityStateJSON['hs']['hs'];
  const mx = [r.num(), r.num(), r.num(), r.num(), r.num()] as EntityStateJSON['hs']['mx'];
  const ph = flags & F_FOLDED ? r.num(l) : -1;
  const lt = r.uv();
  const dims = r.uv();
  const s: EntityStateJSON['s'] = {};
  for (let d = 0; d < NDIM; d++) {
    if ((dims & (1 << d)) === 0) continue;
    const evicted = r.uv();
    const n = r.uv();
    const values: string[] = new Array(n);
    let prev = '';
    for (let i = 0; i < n; i++) {
      prev = d === IP_PREFIX ? readIp(r) : d === ASN ? readDecimal(r) : r.strAfter(prev);
      values[i] = prev;
    }
    const counts: number[] = new Array(n);
    for (let i = 0; i < n; i++) counts[i] = r.uv();
    const fromFirst = readColumn(r, true);
    const spans = r.u8() === 1;
    const toLast = readColumn(r, false);
    if (fromFirst.length !== n || toLast.length !== n)
      throw r.corrupt('seen-set columns of different lengths');
    if (spans) {
      for (let i = 0; i < n; i++) {
        const v = toLast[i]!;
        toLast[i] = v % 2 === 0 ? v / 2 : l - f - fromFirst[i]! - (v - 1) / 2;
      }
    }
    const set: [number, ...SetEntry[]] = [evicted];
    for (let i = 0; i < n; i++) set.push([values[i]!, counts[i]!, fromFirst[i]!, toLast[i]!]);
    s[DIMENSIONS[d]!] = set;
  }
  const sc = readStrings(r);
  const ll = flags & F_LOCATION ? readLocation(r) : null;
  const rv = flags & F_REVOKE ? r.num(l) : -1;
  const au = flags & F_AUTH ? r.num(l) : -1;
  const cr = flags & F_CREATED ? readCreated(r) : null;
  const nr = readTimes(r, l);
  const na = readTimes(r, l);
  if (!r.done) throw r.corrupt('trailing bytes after entity state');
  const out: EntityStateJSON = {
    id,
    k: kind,
    n,
    f,
    l,
    hw,
    hs: { rb, hs: hist, mx, ph, lt },
    s,
    sc,
    ll,
    rv,
    au,
    cr,
    nr,
    na,
  };
  if (ah !== undefined) out.ah = ah;
  return out;
};

const readInts = (r: ByteReader): number[] => {
  const n = r.uv();
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(r.sv());
  return out;
};

const readStrings = (r: ByteReader): string[] => {
  const n = r.uv();
  const out: string[] = [];
  let prev = '';
  for (let i = 0; i < n; i++) {
    prev = r.strAfter(prev);
    out.push(prev);
  }
  return out;
};

const readTimes = (r: ByteReader, base: number): number[] => {
  const n = r.uv();
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(r.num(base));
  return out;
};

const readLocation = (r: ByteReader): Location => {
  const lat = r.num();
  const lon = r.num();
  const ip = readIp(r);
  const age = r.num();
  const bits = r.u8();
  const country = bits & L_COUNTRY ? r.str() : null;
  const city = bits & L_CITY ? r.str() : null;
  const ll: Location = [lat, lon, ip, age, bits & L_CLOUD ? 1 : 0, country, city];
  if (bits & L_EXT) {
    const n = r.uv();
    for (let i = 0; i < n; i++) {
      const tag = r.u8();
      ll.push(tag === 0 ? null : tag === 1 ? r.num() : (r.str() as never));
    }
  }
  return ll;
};

const readCreated = (r: ByteReader): Created => {
  const offset = r.num();
  const bits = r.u8();
  return [
    offset,
    bits & C_IP ? readIp(r) : null,
    bits & C_COUNTRY ? r.str() : null,
    bits & C_PREFIX ? readIp(r) : null,
  ];
};

const IP_TEXT = 0;
const IPV4_NET24 = 1;
const IPV4_ADDR = 2;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(\/24)?$/;

/**
 * An address or network text: a dotted-quad IPv4 address in 4 bytes, an IPv4 /24 network
 * (`203.0.113.0/24`, observation.ts' ip_prefix) in 3, when the text is exactly the canonical
 * form read back; anything else (IPv6, other forms) as a string.
 */
const writeIp = (w: ByteWriter, s: string): void => {
  const m = IPV4.exec(s);
  if (m !== null) {
    const o = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
    const net = m[5] !== undefined;
    if (o.every((x) => x <= 255) && ipText(o, net) === s && (!net || o[3] === 0)) {
      w.u8(net ? IPV4_NET24 : IPV4_ADDR);
      for (let i = 0; i < (net ? 3 : 4); i++) w.u8(o[i]!);
      return;
    }
  }
  w.u8(IP_TEXT);
  w.str(s);
};

const ipText = (o: readonly number[], net: boolean): string =>
  net ? `${o[0]}.${o[1]}.${o[2]}.0/24` : `${o[0]}.${o[1]}.${o[2]}.${o[3]}`;

/** Reverses {@link writeIp}. */
const readIp = (r: ByteReader): string => {
  const tag = r.u8();
  if (tag === IP_TEXT) return r.str();
  if (tag === IPV4_NET24) return ipText([r.u8(), r.u8(), r.u8(), 0], true);
  if (tag === IPV4_ADDR) return ipText([r.u8(), r.u8(), r.u8(), r.u8()], false);
  throw r.corrupt(`unknown address tag ${tag}`);
};

const DECIMAL = /^(0|[1-9]\d{0,14})$/;

/** A decimal integer text (an AS number) as a varint of value + 1, anything else as 0 and a string. */
const writeDecimal = (w: ByteWriter, s: string): void => {
  if (DECIMAL.test(s)) {
    w.uv(Number(s) + 1);
    return;
  }
  w.uv(0);
  w.str(s);
};

/** Reverses {@link writeDecimal}. */
const readDecimal = (r: ByteReader): string => {
  const v = r.uv();
  return v === 0 ? r.str() : String(v - 1);
};
