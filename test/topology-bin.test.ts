/**
 * `tokenwatch serve --role ...` as operators run it (compose's `scaled` profile): `node
 * bin/tokenwatch.js` in its own process. Its HTTP server answers `/readyz` with 503 and the startup
 * step while Kafka is unreachable, reports one check per stage once consuming, exports the stage
 * counters on `/metrics`, and ONE SIGTERM stops it (exit 0).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../src/config.js';
import { createKafka, kafkaBrokers } from './services.js';
import { isolatedConfig, produce, waitFor } from './support/serve-harness.js';
import { TcpProxy } from './support/tcp-proxy.js';

const root = join(import.meta.dirname, '..');
const stateDirs: string[] = [];
afterAll(() => {
  for (const d of stateDirs) rmSync(d, { recursive: true, force: true });
});

interface RoleProcess {
  child: ChildProcess;
  url: Promise<string>;
  exit: Promise<number | string>;
  stderr: () => string;
}

/** Spawns `node bin/tokenwatch.js --config <file> serve --role <roles> --partitions 2`. */
function spawnRoles(config: Config, roles: string, brokers: string): RoleProcess {
  const file = join(config.stateDir as string, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  const auth = inject('esAuth');
  const child = spawn(
    process.execPath,
    ['bin/tokenwatch.js', '--config', file, 'serve', '--role', roles, '--partitions', '2'],
    {
      cwd: root,
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: process.env['HOME'] ?? '/tmp',
        KAFKA_BROKERS: brokers,
        ELASTICSEARCH_URL: inject('esUrl'),
        ...(auth ? { ELASTICSEARCH_USERNAME: auth.username, ELASTICSEARCH_PASSWORD: auth.password } : {}),
        TOKENWATCH_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /"url":"(http:\/\/[^"]+)"[^\n]*"msg":"http server listening"/.exec(err);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`serve --role exited before listening:\n${err.slice(-3000)}`)));
  });
  url.catch(() => {});
  const exit = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return { child, url, exit, stderr: () => err };
}

interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

async function readyz(base: string): Promise<{ status: number; checks: Check[] }> {
  const res = await fetch(`${base}/readyz`);
  return { status: res.status, checks: ((await res.json()) as { checks: Check[] }).checks };
}

/** The value of one Prometheus series (`name{labels}`) in a text exposition, 0 when absent. */
function series(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : 0;
}

describe('serve --role from bin/tokenwatch.js', () => {
  it('answers /readyz 503 with the startup step while Kafka is unreachable; one SIGTERM stops it', async () => {
    const proxy = TcpProxy.forUrl('http://127.0.0.1:9');
    await proxy.start();
    const down = new URL(proxy.url).host;
    await proxy.stop(); // nothing listens there now
    const config = isolatedConfig('role-down');
    stateDirs.push(config.stateDir as string);
    const proc = spawnRoles(config, 'normalize', down);
    try {
      const base = await proc.url;
      const ready = await waitFor(
        'a failed kafka attempt named in /readyz',
        async () => {
          const r = await readyz(base);
          return r.checks.find((c) => c.name === 'startup')?.detail?.includes('last attempt failed')
            ? r
            : undefined;
        },
        300_000,
      );
      expect(ready.status).toBe(503);
      expect(ready.checks.find((c) => c.name === 'startup')?.detail).toMatch(
        /^waiting for kafka topics; last attempt failed: /,
      );
      expect(ready.checks.find((c) => c.name === 'kafka')).toMatchObject({ ok: false });
      // no sink role: Elasticsearch is not this process's dependency
      expect(ready.checks.some((c) => c.name === 'elasticsearch')).toBe(false);
      proc.child.kill('SIGTERM');
      expect(await proc.exit).toBe(0);
      expect(proc.stderr()).toContain('"msg":"stopped"');
    } finally {
      proc.child.kill('SIGKILL');
    }
  }, 600_000);

  it('reports each stage ready, counts records and stage batches on /metrics, stops on one SIGTERM', async () => {
    const config = isolatedConfig('role-all');
    stateDirs.push(config.stateDir as string);
    const proc = spawnRoles(config, 'all', kafkaBrokers().join(','));
    try {
      const base = await proc.url;
      const ready = await waitFor(
        'every stage consuming',
        async () => {
          const r = await readyz(base);
          return r.status === 200 ? r : undefined;
        },
        300_000,
      );
      expect(ready.checks.map((c) => c.name).sort()).toEqual([
        'elasticsearch',
        'kafka',
        'stage:detect',
        'stage:normalize',
        'stage:org',
        'stage:sink',
      ]);
      // 40 GitHub audit records plus one blank message (counted as skipped, not lost)
      const lines = readFileSync(join(root, 'samples/northwind/github/audit-log.ndjson'), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .slice(0, 40);
      await produce(createKafka(), config.kafka.topics.github, [...lines, '   ']);
      // the detect stage reads the 40 activities plus one watermark message per normalize batch
      // and activity partition (2)
      const detectInput = (t: string) =>
        40 + 2 * series(t, 'tokenwatch_topology_batches_total{stage="normalize"}');
      const text = await waitFor(
        'the detect stage committed all 40 activities',
        async () => {
          const t = await (await fetch(`${base}/metrics`)).text();
          return series(t, 'tokenwatch_topology_messages_total{stage="normalize"}') === 41 &&
            series(t, 'tokenwatch_topology_messages_total{stage="detect"}') >= detectInput(t)
            ? t
            : undefined;
        },
        300_000,
      );
      expect(series(text, 'tokenwatch_records_total{source="github",outcome="normalized"}')).toBe(40);
      expect(series(text, 'tokenwatch_records_total{source="github",outcome="skipped"}')).toBe(1);
      expect(series(text, 'tokenwatch_topology_messages_total{stage="normalize"}')).toBe(41);
      expect(series(text, 'tokenwatch_topology_messages_total{stage="detect"}')).toBe(detectInput(text));
      expect(series(text, 'tokenwatch_topology_batches_total{stage="detect"}')).toBeGreaterThan(0);
      proc.child.kill('SIGTERM');
      expect(await proc.exit).toBe(0);
      expect(proc.stderr()).toContain('"msg":"stopped"');
    } finally {
      proc.child.kill('SIGKILL');
    }
  }, 600_000);
});
