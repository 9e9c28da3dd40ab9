/**
 * Seeds `data/network/<provider>.json` where the official feeds cannot be downloaded (this
 * project's build machines reach package registries only). Two registry-shipped sources:
 *
 * 1. PyPI `iporigin` (MIT code; data compiled from the providers' own feeds and CC0 community
 *    lists, see its NOTICE): `iporigin/data/ranges.bin`, a packed, de-overlapped range table with
 *    a build timestamp. Get it with
 *      pip download --no-deps iporigin==1.1.2 -d /tmp/iporigin && unzip /tmp/iporigin/*.whl -d /tmp/iporigin
 *    then run
 *      npx tsx scripts/seed-network-data.ts /tmp/iporigin/iporigin/data/ranges.bin
 *    Format (iporigin `_data.py`): header `<8sHQHII` (magic `IPORIGIN`, version 1, built_at epoch
 *    s, label count, IPv4 count, IPv6 count), labels (`u16` length + UTF-8 `provider\tkind`),
 *    IPv4 records `<IIH` (start, end, label), IPv6 records `<16s16sH` (big-endian start, end).
 * 2. npm `@ip-location-db/asn` (RouteViews/RIR/DB-IP, CC BY 4.0): every range announced by an
 *    ASN, for providers that publish no range file at all in any registry package (Zscaler).
 *
 * `npm run refresh:network` (scripts/refresh-network-data.ts) replaces these seeds with the
 * providers' own files wherever the machine can reach them.
 */
import { readFileSync } from 'node:fs';
import { loadAsnDatabase } from '../ingestors/common/asn-db.js';
import type { ProviderRangesFile } from '../ingestors/common/network-data.js';
import { rangeToCidrs, sortPrefixes, writeProviderFile } from './network-data-lib.js';
import { PROVIDERS } from './network-providers.js';

interface Bin {
  builtAt: Date;
  ranges: Map<string, { v4: [bigint, bigint][]; v6: [bigint, bigint][] }>;
}

function readIporigin(path: string): Bin {
  const buf = readFileSync(path);
  if (buf.subarray(0, 8).toString('latin1') !== 'IPORIGIN')
    throw new Error(`${path}: not an iporigin dataset`);
  const version = buf.readUInt16LE(8);
  if (version !== 1) throw new Error(`${path}: dataset format v${version}, expected v1`);
  const builtAt = new Date(Number(buf.readBigUInt64LE(10)) * 1000);
  const nLabels = buf.readUInt16LE(18);
  const nV4 = buf.readUInt32LE(20);
  const nV6 = buf.readUInt32LE(24);
  let off = 28;
  const labels: string[] = [];
  for (let i = 0; i < nLabels; i++) {
    const len = buf.readUInt16LE(off);
    off += 2;
    labels.push(
      buf
        .subarray(off, off + len)
        .toString('utf8')
        .split('\t')[0] ?? '',
    );
    off += len;
  }
  const ranges: Bin['ranges'] = new Map();
  const slot = (label: number) => {
    const name = labels[label] ?? `#${label}`;
    let r = ranges.get(name);
    if (!r) {
      r = { v4: [], v6: [] };
      ranges.set(name, r);
    }
    return r;
  };
  for (let i = 0; i < nV4; i++) {
    slot(buf.readUInt16LE(off + 8)).v4.push([
      BigInt(buf.readUInt32LE(off)),
      BigInt(buf.readUInt32LE(off + 4)),
    ]);
    off += 10;
  }
  const big = (o: number) => (buf.readBigUInt64BE(o) << 64n) | buf.readBigUInt64BE(o + 8);
  for (let i = 0; i < nV6; i++) {
    slot(buf.readUInt16LE(off + 32)).v6.push([big(off), big(off + 16)]);
    off += 34;
  }
  if (off !== buf.length) throw new Error(`${path}: ${buf.length - off} trailing bytes`);
  return { builtAt, ranges };
}

function main(): void {
  const binPath = process.argv[2];
  if (!binPath) {
    console.error('usage: tsx scripts/seed-network-data.ts <iporigin/data/ranges.bin>');
    process.exit(2);
  }
  const bin = readIporigin(binPath);
  const builtAt = bin.builtAt.toISOString();
  const asnDb = loadAsnDatabase();
  for (const p of PROVIDERS) {
    if (!p.seed) continue; // ASN-derived: scripts/refresh-network-data.ts --offline
    let prefixes: string[] = [];
    let source: string;
    let fetchedAt = builtAt;
    if (p.seed.kind === 'iporigin') {
      const { labels } = p.seed;
      for (const label of labels) {
        const r = bin.ranges.get(label);
        if (!r) throw new Error(`iporigin has no label ${label}`);
        for (const [s, e] of r.v4) prefixes.push(...rangeToCidrs(s, e, 32));
        for (const [s, e] of r.v6) prefixes.push(...rangeToCidrs(s, e, 128));
      }
      source =
        `Seeded from PyPI package iporigin 1.1.2 (iporigin/data/ranges.bin built ${builtAt}, labels ` +
        `${labels.map((l) => JSON.stringify(l)).join(', ')}; iporigin compiles them from ${p.seed.upstream}), ` +
        `because no npm package ships these ranges and this machine reaches package registries only. ` +
        `npm run refresh:network replaces them with the provider's own file.`;
    } else {
      const { asns } = p.seed;
      const found = asnDb.rangesOf(new Set(asns));
      for (const [s, e, bits] of found) prefixes.push(...rangeToCidrs(s, e, bits));
      fetchedAt = asnDb.builtAt;
      source =
        `Seeded from the ranges that AS${asns.join(', AS')} announce in npm package @ip-location-db/asn ` +
        `${asnDb.info.version} (RouteViews + RIR delegations + DB-IP, CC BY 4.0), because ${p.name} publishes ` +
        `its ranges only at its own URL and no registry package ships them. npm run refresh:network ` +
        `replaces them with the provider's own file.`;
    }
    prefixes = sortPrefixes(prefixes);
    const file: ProviderRangesFile = {
      provider: p.id,
      name: p.name,
      class: p.class,
      ...(p.vpnKind !== undefined ? { vpn_kind: p.vpnKind } : {}),
      source,
      urls: p.urls,
      fetched_at: fetchedAt,
      prefixes,
    };
    const path = writeProviderFile(file);
    console.log(`${path}: ${prefixes.length} prefixes`);
  }
}

main();
