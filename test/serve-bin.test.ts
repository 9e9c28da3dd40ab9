/**
 * `tokenwatch serve` as operators run it: `node bin/tokenwatch.js serve` in its own process (no npm
 * or npx in between). Its health endpoints answer while Elasticsearch is down (503 with the reason),
 * and ONE SIGTERM stops it gracefully (exit 0), both while it waits for Elasticsearch and while it
 * consumes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { Config } from '../src/config.js';
import { kafkaBrokers } from './services.js';
import { isolatedConfig, waitFor } from './support/serve-harness.js';
import { TcpProxy } from './support/tcp-proxy.js';

const root = join(import.meta.dirname, '..');

interface ServeProcess {
  child: ChildProcess;
  /** Resolves with the HTTP base URL once serve logged it. */
  url: Promise<string>;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exit: Promise<number | string>;
  stderr: () => string;
}

/** Spawns `node bin/tokenwatch.js --config <file> serve` with only the variables given here. */
function spawnServe(config: Config, esUrl: string): ServeProcess {
  const file = join(config.stateDir as string, '..', `${config.kafka.clientId}.config.json`);
  writeFileSync(file, JSON.stringify(config));
  const auth = inject('esAuth');
  const child = spawn(process.execPath, ['bin/tokenwatch.js', '--config', file, 'serve'], {
    cwd: root,
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? '/tmp',
      KAFKA_BROKERS: kafkaBrokers().join(','),
      ELASTICSEARCH_URL: esUrl,
      ...(auth ? { ELASTICSEARCH_USERNAME: auth.username, ELASTICSEARCH_PASSWORD: auth.password } : {}),
      TOKENWATCH_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /"url":"(http:\/\/[^"]+)"[^\n]*"msg":"http server listening"/.exec(err);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`serve exited before listening:\n${err.slice(-3000)}`)));
  });
  url.catch(() => {});
  const exit = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return { child, url, exit, stderr: () => err };
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

describe('serve from bin/tokenwatch.js', () => {
  it('answers /healthz and /readyz (503, with the reason) while Elasticsearch is down; one SIGTERM stops it', async () => {
    const proxy = TcpProxy.forUrl('http://127.0.0.1:9');
    await proxy.start();
    const downUrl = proxy.url;
    await proxy.stop(); // nothing listens there now
    const config = isolatedConfig('bin-down', { esUrl: downUrl });
    const serve = spawnServe(config, downUrl);
    try {
      const base = await serve.url;
      expect(await getJson(`${base}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } });
      const ready = await waitFor(
        'a failed attempt named in /readyz',
        async () => {
          const r = await getJson(`${base}/readyz`);
          const checks = (r.body as { checks: { name: string; ok: boolean; detail?: string }[] }).checks;
          const startup = checks.find((c) => c.name === 'startup');
          return startup?.detail?.includes('last attempt failed') ? { ...r, checks } : undefined;
        },
        300_000,
      );
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'not_ready' });
      expect(ready.checks.find((c) => c.name === 'startup')?.detail).toMatch(
        /^waiting for elasticsearch templates; last attempt failed: /,
      );
      expect(ready.checks.find((c) => c.name === 'elasticsearch')).toMatchObject({ ok: false });
      serve.child.kill('SIGTERM');
      expect(await serve.exit).toBe(0);
      expect(serve.stderr()).toContain('"msg":"stopped"');
    } finally {
      serve.child.kill('SIGKILL');
    }
  }, 600_000); // a CLI start, startup retries, a graceful stop: generous under load

  it('stops on one SIGTERM while consuming (graceful: exit 0, state checkpointed)', async () => {
    const config = isolatedConfig('bin-run');
    const serve = spawnServe(config, inject('esUrl'));
    try {
      const base = await serve.url;
      await waitFor('ready', async () => (await fetch(`${base}/readyz`)).status === 200, 300_000);
      serve.child.kill('SIGTERM');
      expect(await serve.exit).toBe(0);
      expect(serve.stderr()).toContain('"msg":"open alert groups flushed, state saved"');
      expect(serve.stderr()).toContain('"msg":"stopped"');
    } finally {
      serve.child.kill('SIGKILL');
    }
  }, 600_000); // a CLI start, startup retries, a graceful stop: generous under load
});
