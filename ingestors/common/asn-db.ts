import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ParsedIp } from './ip.js';
import { NetworkDataError } from './network-data-error.js';

/**
 * Autonomous system of an IP address, from the `@ip-location-db/asn` npm package (sapics/
 * ip-location-db: RouteViews prefix-to-AS, the five RIRs' delegation files and DB-IP's IP-to-ASN
 * Lite for organization names; CC BY 4.0). The package's version is its build date
 * (`2.3.2026061719` = 2026-06-17 19h UTC); `npm run refresh:network` updates it. (Its README
 * announces that npm releases will stop in favour of GitHub releases; the refresh script names
 * that as the next source.)
 *
 * Files read: `asn-ipv4-num.csv` (`start,end,asn,organization`, inclusive integer ranges) and
 * `asn-ipv6-num.csv` (same, 128-bit integers as decimal text), both sorted by start. Rows are
 * checked while loading: numeric fields, start <= end, ascending starts; a row that overlaps the
 * previous one (the 2026-06-17 build has one, in DoD space) is clipped to the earlier row and
 * counted in `info.overlapsRepaired`.
 *
 * The ~33 MB of text is parsed by a dedicated scanner rather than a CSV library: the format is a
 * fixed 4 columns where only the organization is ever quoted, and `csv-parse` took ~12 s for the
 * IPv4 file on the 2-core build machine against well under 1 s here. IPv6 numbers are read into
 * four 32-bit limbs (no BigInt). Memory: ~10 MB of typed arrays plus one string per distinct AS
 * (~85,000). Lookup: a binary search (~19 steps).
 */

/** An autonomous system: ECS `source.as.number` and `source.as.organization.name`. */
export interface AsnInfo {
  number: number;
  organization?: string;
}

/** Looks up the autonomous system announcing an address. */
export interface AsnDatabase {
  lookup(ip: ParsedIp): AsnInfo | undefined;
  /** Organization name of an AS number, if the database has one. */
  organization(asn: number): string | undefined;
  /** Every range announced by one of `asns`: `[start, end, 32 | 128]` (inclusive integers). */
  rangesOf(asns: ReadonlySet<number>): Array<[bigint, bigint, 32 | 128]>;
  /** Build time of the data (from the package version `2.3.YYYYMMDDHH`), ISO 8601. */
  readonly builtAt: string;
  /** What was loaded (for the start-up log). */
  readonly info: {
    source: string;
    version: string;
    ipv4Ranges: number;
    ipv6Ranges: number;
    /** Rows overlapping the previous row: the later row is clipped (or dropped when contained). */
    overlapsRepaired: number;
    bytes: number;
  };
}

const PACKAGE = '@ip-location-db/asn';

/** Ranges of one family: start/end as `limbs` 32-bit words each (1 for IPv4, 4 for IPv6). */
interface Table {
  limbs: 1 | 4;
  starts: Uint32Array;
  ends: Uint32Array;
  asns: Uint32Array;
  count: number;
}

const COMMA = 44;
const QUOTE = 34;
const NL = 10;
const CR = 13;

class Scanner {
  pos = 0;
  line = 1;
  constructor(
    readonly text: string,
    readonly file: string,
  ) {}

  fail(why: string): never {
    throw new NetworkDataError('network_data_invalid', `${this.file}:${this.line}: ${why}`);
  }

  /** Reads a decimal field into `out[0..limbs)` (big-endian 32-bit limbs) and skips the comma. */
  number(out: Uint32Array, at: number, limbs: 1 | 4): void {
    const t = this.text;
    let p = this.pos;
    for (let k = 0; k < limbs; k++) out[at + k] = 0;
    const start = p;
    while (p < t.length) {
      const c = t.charCodeAt(p);
      if (c < 48 || c > 57) break;
      // out = out * 10 + digit, limb by limb from the least significant
      let carry = c - 48;
      for (let k = limbs - 1; k >= 0; k--) {
        const v = (out[at + k] as number) * 10 + carry;
        out[at + k] = v >>> 0;
        carry = Math.floor(v / 4294967296);
      }
      if (carry !== 0) this.fail('number out of range');
      p++;
    }
    if (p === start || t.charCodeAt(p) !== COMMA) this.fail('expected a number and a comma');
    this.pos = p + 1;
  }

  /** Reads a small decimal field (AS number) and skips the comma. */
  small(): number {
    const t = this.text;
    let p = this.pos;
    let n = 0;
    const start = p;
    while (p < t.length) {
      const c = t.charCodeAt(p);
      if (c < 48 || c > 57) break;
      n = n * 10 + (c - 48);
      p++;
    }
    if (p === start || p - start > 10 || n > 0xffffffff || t.charCodeAt(p) !== COMMA)
      this.fail('bad AS number');
    this.pos = p + 1;
    return n;
  }

  /** Reads (when `want`) or skips the organization, then the line end. */
  org(want: boolean): string | undefined {
    const t = this.text;
    let p = this.pos;
    let value: string | undefined;
    if (t.charCodeAt(p) === QUOTE) {
      let end = p + 1;
      let escaped = false;
      for (;;) {
        end = t.indexOf('"', end);
        if (end < 0) this.fail('unterminated quoted organization');
        if (t.charCodeAt(end + 1) === QUOTE) {
          escaped = true;
          end += 2;
          continue;
        }
        break;
      }
      if (want) {
        value = t.slice(p + 1, end);
        if (escaped) value = value.replaceAll('""', '"');
      }
      p = end + 1;
    } else {
      let end = t.indexOf('\n', p);
      if (end < 0) end = t.length;
      if (want) value = t.slice(p, t.charCodeAt(end - 1) === CR ? end - 1 : end);
      p = end;
    }
    if (t.charCodeAt(p) === CR) p++;
    if (p < t.length && t.charCodeAt(p) !== NL) this.fail('expected end of line');
    this.pos = p + 1;
    this.line++;
    return value;
  }
}

/** -1, 0, 1 comparing `a[i..i+n)` with `b[j..j+n)` as big-endian limbs. */
function cmp(a: Uint32Array, i: number, b: Uint32Array, j: number, n: number): number {
  for (let k = 0; k < n; k++) {
    const x = a[i + k] as number;
    const y = b[j + k] as number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** `a[i..i+n)` + 1 (no overflow: callers only increment a value below another one). */
function increment(a: Uint32Array, i: number, n: number): void {
  for (let k = n - 1; k >= 0; k--) {
    const v = ((a[i + k] as number) + 1) >>> 0;
    a[i + k] = v;
    if (v !== 0) return;
  }
}

function parseTable(
  text: string,
  file: string,
  limbs: 1 | 4,
  orgs: Map<number, string>,
  repaired: { count: number },
): Table {
  let cap = 1024;
  let starts = new Uint32Array(cap * limbs);
  let ends = new Uint32Array(cap * limbs);
  let asns = new Uint32Array(cap);
  let count = 0;
  const prevStart = new Uint32Array(limbs);
  const prevEnd = new Uint32Array(limbs);
  const s = new Scanner(text, file);
  while (s.pos < text.length) {
    if (text.charCodeAt(s.pos) === NL) {
      s.pos++;
      s.line++;
      continue;
    }
    if (count === cap) {
      cap *= 2;
      const grow = (a: Uint32Array, n: number) => {
        const b = new Uint32Array(cap * n);
        b.set(a);
        return b;
      };
      starts = grow(starts, limbs);
      ends = grow(ends, limbs);
      asns = grow(asns, 1);
    }
    const at = count * limbs;
    s.number(starts, at, limbs);
    s.number(ends, at, limbs);
    const asn = s.small();
    const org = s.org(!orgs.has(asn));
    if (org !== undefined && org !== '') orgs.set(asn, org);
    if (cmp(starts, at, ends, at, limbs) > 0) s.fail('range start after its end');
    if (count > 0 && cmp(starts, at, prevStart, 0, limbs) < 0) s.fail('ranges not sorted by start');
    prevStart.set(starts.subarray(at, at + limbs));
    if (count > 0 && cmp(starts, at, prevEnd, 0, limbs) <= 0) {
      repaired.count++;
      if (cmp(ends, at, prevEnd, 0, limbs) <= 0) continue; // contained in the previous row
      starts.set(prevEnd, at);
      increment(starts, at, limbs);
    }
    prevEnd.set(ends.subarray(at, at + limbs));
    asns[count] = asn;
    count++;
  }
  return { limbs, starts, ends, asns, count };
}

/** Index of the row containing `addr` (limbs), or -1. */
function find(t: Table, addr: Uint32Array): number {
  let lo = 0;
  let hi = t.count - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(t.starts, mid * t.limbs, addr, 0, t.limbs) <= 0) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0 || cmp(addr, 0, t.ends, found * t.limbs, t.limbs) > 0) return -1;
  return found;
}

function toBigInt(a: Uint32Array, i: number, n: number): bigint {
  let v = 0n;
  for (let k = 0; k < n; k++) v = (v << 32n) | BigInt(a[i + k] as number);
  return v;
}

/** `2.3.2026061719` -> `2026-06-17T19:00:00.000Z`; epoch 0 when the version has no date. */
export function versionDate(version: string): string {
  const m = /\.(\d{4})(\d{2})(\d{2})(\d{2})$/.exec(version);
  if (!m) return new Date(0).toISOString();
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]))).toISOString();
}

function read(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch (cause) {
    throw new NetworkDataError('network_data_missing', `cannot read ${path} (is ${PACKAGE} installed?)`, {
      cause,
    });
  }
}

/**
 * Loads the ASN database from `@ip-location-db/asn` (or `dir`, a folder with the same two files,
 * for tests). Synchronous (well under a second on an idle core); call once per process.
 * @throws NetworkDataError `network_data_missing` when a file cannot be read,
 *   `network_data_invalid` when a row is malformed or the rows are not sorted by start.
 */
export function loadAsnDatabase(dir?: string): AsnDatabase {
  let base = dir;
  let version = 'local';
  if (base === undefined) {
    let pkgJson: string;
    try {
      pkgJson = createRequire(import.meta.url).resolve(`${PACKAGE}/package.json`);
    } catch (cause) {
      throw new NetworkDataError('network_data_missing', `${PACKAGE} is not installed (npm install)`, {
        cause,
      });
    }
    base = pkgJson.slice(0, -'package.json'.length);
    version = (JSON.parse(read(pkgJson)) as { version?: string }).version ?? 'unknown';
  }
  if (!base.endsWith('/')) base += '/';
  const orgs = new Map<number, string>();
  const repaired = { count: 0 };
  const v4Text = read(`${base}asn-ipv4-num.csv`);
  const v6Text = read(`${base}asn-ipv6-num.csv`);
  const v4 = parseTable(v4Text, `${base}asn-ipv4-num.csv`, 1, orgs, repaired);
  const v6 = parseTable(v6Text, `${base}asn-ipv6-num.csv`, 4, orgs, repaired);
  // organization names are UTF-8; the files were read as latin1 for speed, so decode the names
  for (const [asn, name] of orgs) {
    if (/[^\x00-\x7f]/.test(name)) orgs.set(asn, Buffer.from(name, 'latin1').toString('utf8'));
  }
  const bytes = v4Text.length + v6Text.length;
  const info = (asn: number): AsnInfo | undefined => {
    if (asn === 0) return undefined; // AS0: "not routed" in the RIR files
    const organization = orgs.get(asn);
    return organization === undefined ? { number: asn } : { number: asn, organization };
  };
  const addr4 = new Uint32Array(1);
  const addr6 = new Uint32Array(4);
  return {
    builtAt: versionDate(version),
    organization: (asn) => orgs.get(asn),
    rangesOf(asnSet) {
      const out: Array<[bigint, bigint, 32 | 128]> = [];
      for (const [t, bits] of [
        [v4, 32],
        [v6, 128],
      ] as const) {
        for (let i = 0; i < t.count; i++) {
          if (!asnSet.has(t.asns[i] as number)) continue;
          out.push([toBigInt(t.starts, i * t.limbs, t.limbs), toBigInt(t.ends, i * t.limbs, t.limbs), bits]);
        }
      }
      return out;
    },
    info: {
      source: PACKAGE,
      version,
      ipv4Ranges: v4.count,
      ipv6Ranges: v6.count,
      overlapsRepaired: repaired.count,
      bytes,
    },
    lookup(ip) {
      let row: number;
      let table: Table;
      if (ip.version === 4) {
        addr4[0] = ip.value;
        table = v4;
        row = find(v4, addr4);
      } else {
        const g = ip.groups;
        for (let k = 0; k < 4; k++) addr6[k] = (((g[2 * k] ?? 0) << 16) | (g[2 * k + 1] ?? 0)) >>> 0;
        table = v6;
        row = find(v6, addr6);
      }
      return row < 0 ? undefined : info(table.asns[row] as number);
    },
  };
}
