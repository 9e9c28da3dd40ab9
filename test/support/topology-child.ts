/**
 * `tokenwatch serve --role ...` (the partitioned topology) in a child process, for tests that kill
 * it abruptly (SIGKILL). Reads the config (JSON, validated) from TW_CONFIG and TopologyOptions
 * (roles, sessionTimeoutMs, ...) from TW_TOPOLOGY_OPTIONS; prints one JSON line per event on
 * stdout (`{"type":"started"}`, `{"type":"batch",...}`, `{"type":"stopped"}`; batch and stopped lines carry
 * `cpuMs`, the process's CPU time so far); SIGTERM/SIGINT stop it gracefully.
 */
import { destination, pino } from 'pino';
import { configSchema } from '../../src/config.js';
import { runTopology } from '../../src/topology/index.js';

const config = configSchema.parse(JSON.parse(process.env['TW_CONFIG'] ?? '{}'));
const extra = JSON.parse(process.env['TW_TOPOLOGY_OPTIONS'] ?? '{}') as Record<string, unknown>;
const ac = new AbortController();
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => ac.abort());
const emit = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);
/** CPU time (user + system) of this process so far, ms. */
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

runTopology(config, pino({ level: process.env['TOKENWATCH_TEST_LOG_LEVEL'] ?? 'warn' }, destination(2)), {
  signal: ac.signal,
  ...extra,
  onStarted: () => emit({ type: 'started' }),
  onBatch: (b) => emit({ type: 'batch', ...b, cpuMs: cpuMs() }),
}).then(
  () => emit({ type: 'stopped', cpuMs: cpuMs() }),
  (err: unknown) => {
    emit({ type: 'failed', error: (err as Error).message });
    process.exitCode = 1;
  },
);
