/**
 * `serve` in a child process, for tests that kill it abruptly (SIGKILL: no graceful shutdown).
 * Reads the config (JSON, validated) from TW_CONFIG and extra ServeOptions from TW_SERVE_OPTIONS;
 * prints one JSON line per event on stdout (`{"type":"started"}`, `{"type":"batch",...}`);
 * SIGTERM/SIGINT start a graceful shutdown.
 */
import { destination, pino } from 'pino';
import { configSchema } from '../../src/config.js';
import { serve } from '../../src/serve/index.js';

const config = configSchema.parse(JSON.parse(process.env['TW_CONFIG'] ?? '{}'));
const extra = JSON.parse(process.env['TW_SERVE_OPTIONS'] ?? '{}') as Record<string, unknown>;
const ac = new AbortController();
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => ac.abort());
const emit = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);

serve(config, pino({ level: process.env['TOKENWATCH_TEST_LOG_LEVEL'] ?? 'warn' }, destination(2)), {
  signal: ac.signal,
  ...extra,
  onStarted: (i) => emit({ type: 'started', httpUrl: i.httpUrl, restored: i.restored }),
  onBatch: (b) => emit({ type: 'batch', ...b, report: undefined }),
}).then(
  () => emit({ type: 'stopped' }),
  (err: unknown) => {
    emit({ type: 'failed', error: (err as Error).message });
    process.exitCode = 1;
  },
);
