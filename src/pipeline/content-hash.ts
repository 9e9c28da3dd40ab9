/**
 * A fast seeded 64-bit hash of strings and of parsed JSON values, for the dedup memory (dedup.ts).
 *
 * Not cryptographic. It replaces SHA-256 of a canonical JSON text there because building that text
 * (sorted keys, `JSON.stringify` of every string) and hashing it cost about a fifth of stage 1.
 * Two lanes of 32 bits each: a MurmurHash3 (x86_32) block step and an xxHash32 round over the
 * same 32-bit words (two UTF-16 code units per word), finished with MurmurHash3's `fmix32`.
 *
 * {@link valueHash64} equals for two values exactly when their canonical JSON
 * (`ingestors/common/ids.ts` `canonicalJson`, or `canonicalJsonFilled` with `dropEmpty`) is the
 * same text, up to a 2^-64 chance of a false match: the value is walked with a type tag and a
 * length before every string, array and object, so no two different canonical texts feed the
 * same words; an object's members are hashed one by one (key, then value) and summed, so no key
 * sort is needed and their order does not matter (as in the canonical text).
 *
 * The seed is random per dedup memory and saved with it (never printed): a record crafted to give
 * another record's hash would have to be built without knowing it. Output is two unsigned 32-bit
 * halves; 0:0 is never returned (the dedup table's empty mark).
 */

/** A 64-bit hash as two unsigned 32-bit halves. */
export interface Hash64 {
  hi: number;
  lo: number;
}

/** Seed of the hash: two 32-bit words. */
export interface HashSeed {
  a: number;
  b: number;
}

const TAG_STRING = 0x5f3c_0001;
const TAG_INT = 0x5f3c_0002;
const TAG_DOUBLE = 0x5f3c_0003;
const TAG_NULL = 0x5f3c_0004;
const TAG_TRUE = 0x5f3c_0005;
const TAG_FALSE = 0x5f3c_0006;
const TAG_ARRAY = 0x5f3c_0007;
const TAG_OBJECT = 0x5f3c_0008;
const TAG_MEMBER = 0x5f3c_0009;

// the two lanes being fed (module state: hashing never re-enters itself but through `walk`)
let laneA = 0;
let laneB = 0;

/** Feeds one 32-bit word to both lanes. */
function word(k: number): void {
  // MurmurHash3 x86_32 block step
  let k1 = Math.imul(k, 0xcc9e2d51);
  k1 = (k1 << 15) | (k1 >>> 17);
  k1 = Math.imul(k1, 0x1b873593);
  let a = laneA ^ k1;
  a = (a << 13) | (a >>> 19);
  laneA = (Math.imul(a, 5) + 0xe6546b64) | 0;
  // xxHash32 round (PRIME32_2, PRIME32_1)
  let b = (laneB + Math.imul(k, 0x85ebca77)) | 0;
  b = (b << 13) | (b >>> 19);
  laneB = Math.imul(b, 0x9e3779b1);
}

/** Feeds a string: tag, length, then its UTF-16 code units two per word ({@link word}, inlined). */
function string(s: string): void {
  const n = s.length;
  word(TAG_STRING);
  word(n);
  let a = laneA;
  let b = laneB;
  for (let i = 0; i < n; i += 2) {
    const k = i + 1 < n ? s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16) : s.charCodeAt(i);
    let k1 = Math.imul(k, 0xcc9e2d51);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, 0x1b873593);
    a ^= k1;
    a = (a << 13) | (a >>> 19);
    a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    b = (b + Math.imul(k, 0x85ebca77)) | 0;
    b = (b << 13) | (b >>> 19);
    b = Math.imul(b, 0x9e3779b1);
  }
  laneA = a;
  laneB = b;
}

const f64 = new Float64Array(1);
const f64Words = new Uint32Array(f64.buffer);

/** Feeds a number the way canonical JSON tells numbers apart (-0 is 0; NaN, ±Infinity are null). */
function number(x: number): void {
  if (!Number.isFinite(x)) {
    word(TAG_NULL);
    return;
  }
  if ((x | 0) === x) {
    word(TAG_INT);
    word(x);
    return;
  }
  f64[0] = x;
  word(TAG_DOUBLE);
  word(f64Words[0] as number);
  word(f64Words[1] as number);
}

function fmix32(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return x ^ (x >>> 16);
}

// finished lanes of the last `finish()`
let outHi = 0;
let outLo = 0;

function finish(): void {
  const a = fmix32((laneA + Math.imul(laneB, 0x27d4eb2f)) | 0);
  outLo = fmix32((laneB ^ a) | 0) >>> 0;
  outHi = a >>> 0;
}

/** Feeds any JSON-like value; objects are hashed member by member and summed (order-free). */
function walk(value: unknown, seed: HashSeed, dropEmpty: boolean): void {
  if (typeof value === 'string') string(value);
  else if (typeof value === 'number') number(value);
  else if (value === null || value === undefined) word(TAG_NULL);
  else if (value === true) word(TAG_TRUE);
  else if (value === false) word(TAG_FALSE);
  else if (Array.isArray(value)) {
    word(TAG_ARRAY);
    word(value.length);
    for (let i = 0; i < value.length; i++) walk(value[i], seed, false);
  } else if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    // the parent's lanes, restored after the members were hashed each on their own
    const parentA = laneA;
    const parentB = laneB;
    let sumHi = 0;
    let sumLo = 0;
    let count = 0;
    // own enumerable keys (parsed JSON and CSV rows inherit none): no key array allocated
    for (const k in obj) {
      const v = obj[k];
      if (v === undefined || (dropEmpty && (v === '' || v === null))) continue;
      laneA = seed.a;
      laneB = seed.b;
      word(TAG_MEMBER);
      string(k);
      walk(v, seed, false);
      finish();
      sumHi = (sumHi + outHi) | 0;
      sumLo = (sumLo + outLo) | 0;
      count++;
    }
    laneA = parentA;
    laneB = parentB;
    word(TAG_OBJECT);
    word(count);
    word(sumHi);
    word(sumLo);
  } else {
    // bigint, function, symbol: not JSON; canonical JSON has no text for them either
    string(String(value));
  }
}

function result(): Hash64 {
  finish();
  return outHi === 0 && outLo === 0 ? { hi: 0, lo: 1 } : { hi: outHi, lo: outLo };
}

/** Seeded 64-bit hash of a string (its UTF-16 code units); never 0:0. */
export function stringHash64(text: string, seed: HashSeed): Hash64 {
  laneA = seed.a;
  laneB = seed.b;
  string(text);
  return result();
}

/**
 * Seeded 64-bit hash of a parsed JSON value (see the module comment): equal for values whose
 * canonical JSON is equal. With `dropEmpty`, top-level object members that are `''` or null are
 * left out (as `canonicalJsonFilled` does: a CSV row with an extra empty column is the same
 * content). Never 0:0.
 */
export function valueHash64(value: unknown, seed: HashSeed, dropEmpty = false): Hash64 {
  laneA = seed.a;
  laneB = seed.b;
  walk(value, seed, dropEmpty);
  return result();
}
