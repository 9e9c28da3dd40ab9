/**
 * `npm run refresh:network`: refreshes the network-intelligence data.
 *
 * 1. (npm script) `npm install --save-exact @ip-location-db/asn@latest world-countries@latest`:
 *    the ASN database and the land-border table are read from node_modules at run time.
 * 2. (this script) rewrites `data/network/<provider>.json` from each provider's own published
 *    range file (URLs and formats in `scripts/network-providers.ts`), or, for providers that
 *    publish none (Hetzner, OVHcloud, IBM, Alibaba, Scaleway, smaller hosters), from the
 *    ranges their ASNs announce in `@ip-location-db/asn`. Each file records its `source` and
 *    `fetched_at`.
 *
 * A provider whose download fails keeps its current file (its old `source`/`fetched_at` stay, so
 * the staleness is visible) and is listed at the end; the exit status is then 1 unless
 * `--allow-partial` is given. `--only aws,tor` limits the run; `--offline` skips downloads (ASN-
 * derived providers only). Review `git diff --stat data/network` before committing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAsnDatabase } from '../ingestors/common/asn-db.js';
import { NETWORK_DATA_DIR, type ProviderRangesFile } from '../ingestors/common/network-data.js';
import { normaliseCidr, rangeToCidrs, sortPrefixes, writeProviderFile } from './network-data-lib.js';
import { PROVIDERS, type ProviderSpec } from './network-providers.js';

const TIMEOUT_MS = 60_000;

async function get(url: string): Promise<string> {
  const res = await fetch(url, {
    signal: AbortSignal.timeout(TIMEOUT_MS),
    headers: { 'user-agent': 'tokenwatch refresh-network-data' },
  });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.text();
}

/** Every string value under `key` anywhere in a JSON document. */
function collect(value: unknown, keys: ReadonlySet<string>, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) collect(v, keys, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (keys.has(k) && typeof v === 'string') out.push(v);
      else if (keys.has(k) && Array.isArray(v))
        for (const x of v)
          if (typeof x === 'string') out.push(x);
          else collect(v, keys, out);
    }
  }
  return out;
}

/** Lines of a plain list or an RFC 8805 geofeed (first CSV column), comments skipped. */
function firstColumn(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(',')[0]?.trim() ?? '');
}

async function download(p: ProviderSpec): Promise<string[]> {
  const texts = await Promise.all(p.urls.map((u) => (p.format === 'azure' ? azureServiceTags(u) : get(u))));
  const raw: string[] = [];
  for (const text of texts) {
    switch (p.format) {
      case 'aws':
        raw.push(...collect(JSON.parse(text), new Set(['ip_prefix', 'ipv6_prefix'])));
        break;
      case 'google':
        raw.push(...collect(JSON.parse(text), new Set(['ipv4Prefix', 'ipv6Prefix'])));
        break;
      case 'azure':
        raw.push(...collect(JSON.parse(text), new Set(['addressPrefixes'])));
        break;
      case 'oracle':
        raw.push(...collect(JSON.parse(text), new Set(['cidr'])));
        break;
      case 'github': {
        const meta = JSON.parse(text) as Record<string, unknown>;
        for (const v of Object.values(meta))
          if (Array.isArray(v)) raw.push(...v.filter((x) => typeof x === 'string'));
        break;
      }
      case 'zscaler':
        raw.push(...collect(JSON.parse(text), new Set(['range'])));
        break;
      case 'proton':
        raw.push(...collect(JSON.parse(text), new Set(['ExitIP'])));
        break;
      case 'mullvad':
        raw.push(...collect(JSON.parse(text), new Set(['ipv4_addr_in', 'ipv6_addr_in'])));
        break;
      case 'geofeed':
      case 'plain':
        raw.push(...firstColumn(text));
        break;
      case 'asn':
        break;
    }
  }
  const out: string[] = [];
  for (const r of raw) {
    const c = normaliseCidr(r);
    if (c) out.push(c);
  }
  if (out.length === 0) throw new Error(`${p.id}: the feed parsed to no prefixes`);
  return out;
}

/** The Service Tags JSON linked from Microsoft's download page (its file name changes weekly). */
async function azureServiceTags(pageUrl: string): Promise<string> {
  const page = await get(pageUrl);
  const link = /https:\/\/download\.microsoft\.com\/download\/[^"']+ServiceTags_Public_\d+\.json/.exec(
    page,
  )?.[0];
  if (!link) throw new Error(`${pageUrl}: no ServiceTags_Public_*.json link`);
  return get(link);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const onlyArg = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const only = onlyArg ? new Set(onlyArg.split(',')) : undefined;
  const offline = args.includes('--offline');
  const asnDb = loadAsnDatabase();
  const failed: string[] = [];
  const written = new Map<string, string[]>();
  for (const p of PROVIDERS) {
    if (only && !only.has(p.id)) continue;
    const fetchedAt = new Date().toISOString();
    let prefixes: string[];
    let source: string;
    let fetched = fetchedAt;
    try {
      if (p.format === 'asn') {
        const asns = p.asns ?? [];
        prefixes = asnDb.rangesOf(new Set(asns)).flatMap(([s, e, bits]) => rangeToCidrs(s, e, bits));
        fetched = asnDb.builtAt;
        source =
          `Every range announced by AS${asns.join(', AS')} in npm package @ip-location-db/asn ` +
          `${asnDb.info.version} (RouteViews + RIR delegations + DB-IP, CC BY 4.0): ${p.name} ` +
          `publishes no range file.`;
      } else {
        if (offline) continue;
        prefixes = await download(p);
        source = `Official feed ${p.urls.join(' and ')}, downloaded by scripts/refresh-network-data.ts.`;
      }
    } catch (err) {
      failed.push(`${p.id}: ${(err as Error).message}`);
      continue;
    }
    if (p.id === 'google') {
      // goog.json includes cloud.json's blocks; keep Google Cloud's own file authoritative
      const gcp = new Set(written.get('gcp') ?? currentPrefixes('gcp'));
      prefixes = prefixes.filter((c) => !gcp.has(c));
    }
    prefixes = sortPrefixes(prefixes);
    written.set(p.id, prefixes);
    const file: ProviderRangesFile = {
      provider: p.id,
      name: p.name,
      class: p.class,
      ...(p.vpnKind !== undefined ? { vpn_kind: p.vpnKind } : {}),
      source,
      urls: p.urls,
      fetched_at: fetched,
      prefixes,
    };
    const path = writeProviderFile(file);
    console.log(`${path}: ${prefixes.length} prefixes (${fetched})`);
  }
  if (failed.length > 0) {
    console.error(`not refreshed (current file kept):\n  ${failed.join('\n  ')}`);
    if (!args.includes('--allow-partial')) process.exitCode = 1;
  }
}

function currentPrefixes(id: string): string[] {
  try {
    return (JSON.parse(readFileSync(join(NETWORK_DATA_DIR, `${id}.json`), 'utf8')) as { prefixes: string[] })
      .prefixes;
  } catch {
    return [];
  }
}

await main();
