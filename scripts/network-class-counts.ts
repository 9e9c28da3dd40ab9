/**
 * Counts distinct source addresses (and events) per network class and GeoIP precision over input
 * files, with the default configuration: `npx tsx scripts/network-class-counts.ts samples/`.
 * Used for the figures in data/network/README.md.
 */
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import { openInput, resolveInputPaths } from '../src/run/inputs.js';

const config = loadConfig({ overrides: { logLevel: 'error' } });
const pipeline = new Pipeline({ config: config.pipeline, logger: createLogger('error') });
const byIp = new Map<string, { cls: string; precision: string; provider: string }>();
const events = new Map<string, number>();
for (const path of await resolveInputPaths(process.argv.slice(2))) {
  const file = openInput(path, undefined);
  if (file.source === undefined) continue;
  for (const chunk of file.chunks()) {
    for (const n of pipeline.normalize(chunk.text, { source: file.source, location: chunk.location })) {
      if (n.kind !== 'activity') continue;
      const a = n.activity;
      const net = a.tokenwatch.network;
      const cls = a.source?.ip ? (net?.class ?? 'unclassified') : 'no-ip';
      events.set(cls, (events.get(cls) ?? 0) + 1);
      if (a.source?.ip)
        byIp.set(a.source.ip, {
          cls,
          precision: net?.geo_precision ?? 'none',
          provider: net?.cloud_provider ?? a.source.as?.organization?.name ?? '',
        });
    }
  }
}
const count = (key: (v: { cls: string; precision: string; provider: string }) => string) => {
  const m = new Map<string, number>();
  for (const v of byIp.values()) m.set(key(v), (m.get(key(v)) ?? 0) + 1);
  return Object.fromEntries([...m].sort((a, b) => b[1] - a[1]));
};
console.log(
  JSON.stringify(
    {
      addresses: byIp.size,
      addressesPerClass: count((v) => v.cls),
      addressesPerPrecision: count((v) => v.precision),
      eventsPerClass: Object.fromEntries([...events].sort((a, b) => b[1] - a[1])),
      networksPerClass: count((v) => `${v.cls} ${v.provider}`),
    },
    null,
    2,
  ),
);
