import { BaselineStateError } from './errors.js';

/** Integers up to this magnitude take the varint path of {@link ByteWriter.num} (exact in float64 arithmetic). */
const INT_LIMIT = 2 ** 50;

const encoder = new TextEncoder();
/** The base64url alphabet, in 6-bit code order, and each ASCII code's 6-bit code (255: not in it). */
const SIX_BIT_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const SIX_BIT = new Uint8Array(128).fill(255);
for (let i = 0; i < 64; i++) SIX_BIT[SIX_BIT_CHARS.charCodeAt(i)] = i;
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Appends LEB128 varints, zigzag integers, exact compact numbers and UTF-8 strings to a growing
 * byte buffer (the building blocks of entity-codec.ts). Varints hold safe non-negative integers
 * up to 2^53 (arithmetic, not 32-bit shifts).
 */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initial = 1024) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** One byte (0..255). */
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  /** Unsigned LEB128 varint of a safe non-negative integer. */
  uv(v: number): void {
    this.ensure(8);
    while (v >= 128) {
      this.buf[this.pos++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  /** Zigzag varint of a safe integer: 0, -1, 1, -2 ... as 0, 1, 2, 3 ... */
  sv(v: number): void {
    this.uv(v >= 0 ? 2 * v : -2 * v - 1);
  }

  /** IEEE 754 double, little endian. */
  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /**
   * Any finite number, exactly and compactly, as a delta to `base` (0 by default): an integer
   * (value and base integers, |delta| <= 2^50) is a varint of zigzag(delta) x 2; a short decimal
   * (up to 15 fraction digits that read back to the same double) a tag, its scale and a zigzag
   * mantissa; anything else a tag and the raw double. {@link ByteReader.num} reverses it with
   * the same base.
   */
  num(v: number, base = 0): void {
    if (Number.isInteger(v) && Number.isInteger(base) && !Object.is(v, -0)) {
      const d = v - base;
      if (d <= INT_LIMIT && d >= -INT_LIMIT && base + d === v) {
        this.uv((d >= 0 ? 2 * d : -2 * d - 1) * 2);
        return;
      }
    }
    this.uv(1);
    for (let k = 1; k <= 15 && !Object.is(v, -0); k++) {
      const scale = 10 ** k;
      const m = Math.round(v * scale);
      if (Math.abs(m) > INT_LIMIT) break;
      if (Object.is(m / scale, v)) {
        this.u8(k);
        this.sv(m);
        return;
      }
    }
    this.u8(0);
    this.f64(v);
  }

  /**
   * A string: a varint header (length x 2 + form), then either its UTF-8 bytes (form 0; the
   * length counts bytes) or, for a text of 4+ characters all in the base64url alphabet
   * (`A-Z a-z 0-9 - _`: random document, record and key ids), 6 bits per character (form 1; the
   * length counts characters): a 33-character Drive file id takes 25 bytes instead of 33.
   */
  str(s: string): void {
    const n = s.length;
    let ascii = true;
    let packable = n >= 4;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 127) {
        ascii = false;
        packable = false;
        break;
      }
      if (packable && SIX_BIT[c] === 255) packable = false;
    }
    if (packable) {
      this.uv(n * 2 + 1);
      this.ensure(Math.ceil((n * 6) / 8));
      let acc = 0;
      let bits = 0;
      for (let i = 0; i < n; i++) {
        acc = (acc << 6) | SIX_BIT[s.charCodeAt(i)]!;
        bits += 6;
        if (bits >= 8) {
          bits -= 8;
          this.buf[this.pos++] = (acc >> bits) & 255;
        }
      }
      if (bits > 0) this.buf[this.pos++] = (acc << (8 - bits)) & 255;
      return;
    }
    if (ascii) {
      this.uv(n * 2);
      this.ensure(n);
      for (let i = 0; i < n; i++) this.buf[this.pos++] = s.charCodeAt(i);
      return;
    }
    const bytes = encoder.encode(s);
    this.uv(bytes.length * 2);
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /**
   * A string front-coded against `prev`: the length (UTF-16 code units) of their common prefix
   * (never splitting a surrogate pair) as a varint, then the rest as {@link str}.
   */
  strAfter(s: string, prev: string): void {
    const max = Math.min(s.length, prev.length);
    let p = 0;
    while (p < max && s.charCodeAt(p) === prev.charCodeAt(p)) p++;
    if (p > 0 && p < s.length) {
      const c = s.charCodeAt(p - 1);
      if (c >= 0xd800 && c <= 0xdbff) p--;
    }
    this.uv(p);
    this.str(p === 0 ? s : s.slice(p));
  }

  /** Bytes written so far (a copy). */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** Number of bytes written so far. */
  get length(): number {
    return this.pos;
  }
}

/**
 * Reads what {@link ByteWriter} wrote. Every read is bounds-checked.
 * @throws BaselineStateError `BASELINE_STATE_CORRUPT` (file `what`) on truncated or malformed input
 */
export class ByteReader {
  private pos = 0;
  private readonly view: DataView;

  /**
   * @param what the source named in errors (file, record key)
   * @param line the record's line / number in its file, for errors
   */
  constructor(
    private readonly buf: Uint8Array,
    private readonly what: string,
    private readonly line?: number,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** The error for malformed input at the current position (for the caller to throw). */
  corrupt(message: string): BaselineStateError {
    return new BaselineStateError(
      'BASELINE_STATE_CORRUPT',
      this.what,
      `${message} at byte ${this.pos}`,
      this.line === undefined ? {} : { line: this.line },
    );
  }

  private fail(message: string): never {
    throw this.corrupt(message);
  }

  /** True once every byte was read. */
  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  u8(): number {
    if (this.pos >= this.buf.length) this.fail('truncated');
    return this.buf[this.pos++]!;
  }

  uv(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = this.u8();
      v += (b & 127) * mul;
      if (b < 128) break;
      mul *= 128;
      if (mul > 2 ** 56) this.fail('varint too long');
    }
    if (v > Number.MAX_SAFE_INTEGER) this.fail('varint out of range');
    return v;
  }

  sv(): number {
    const u = this.uv();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  f64(): number {
    if (this.pos + 8 > this.buf.length) this.fail('truncated');
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Reverses {@link ByteWriter.num} (same `base`). */
  num(base = 0): number {
    const u = this.uv();
    if (u % 2 === 0) {
      const z = u / 2;
      return base + (z % 2 === 0 ? z / 2 : -(z + 1) / 2);
    }
    const k = this.u8();
    if (k === 0) {
      const v = this.f64();
      if (!Number.isFinite(v)) this.fail('non-finite number');
      return v;
    }
    if (k > 15) this.fail(`bad decimal scale ${k}`);
    return this.sv() / 10 ** k;
  }

  /** Reverses {@link ByteWriter.str}. */
  str(): string {
    const head = this.uv();
    const n = Math.floor(head / 2);
    if (head % 2 === 1) {
      const len = Math.ceil((n * 6) / 8);
      if (this.pos + len > this.buf.length) this.fail('truncated string');
      let out = '';
      let acc = 0;
      let bits = 0;
      for (let i = 0; i < n; ) {
        if (bits < 6) {
          acc = ((acc << 8) | this.buf[this.pos++]!) & 0xffff;
          bits += 8;
        }
        bits -= 6;
        out += SIX_BIT_CHARS[(acc >> bits) & 63];
        i++;
      }
      return out;
    }
    if (this.pos + n > this.buf.length) this.fail('truncated string');
    const start = this.pos;
    this.pos += n;
    let ascii = true;
    for (let i = start; i < this.pos; i++) {
      if (this.buf[i]! > 127) {
        ascii = false;
        break;
      }
    }
    if (ascii && n <= 4096)
      return String.fromCharCode.apply(null, this.buf.subarray(start, this.pos) as never);
    try {
      return decoder.decode(this.buf.subarray(start, this.pos));
    } catch {
      return this.fail('invalid UTF-8');
    }
  }

  /** Reverses {@link ByteWriter.strAfter}. */
  strAfter(prev: string): string {
    const p = this.uv();
    if (p > prev.length) this.fail('bad shared prefix');
    const rest = this.str();
    return p === 0 ? rest : prev.slice(0, p) + rest;
  }
}

/** Exported for tests: the largest integer delta {@link ByteWriter.num} writes as a varint. */
export const NUM_INT_LIMIT = INT_LIMIT;
