import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { detectors } from '../../detectors/registry.js';
import { createServeMetrics } from '../serve/metrics.js';
import { buildHttpServer, type ReadinessCheck } from './server.js';

const logger = pino({ level: 'silent' });

function app(checks: ReadinessCheck[] | Error = [{ name: 'kafka', ok: true }]) {
  const metrics = createServeMetrics();
  metrics.messages.inc({ topic: 'raw.github' }, 3);
  return buildHttpServer({
    logger,
    registry: metrics.registry,
    detectors,
    readiness: async () => {
      if (checks instanceof Error) throw checks;
      return checks;
    },
  });
}

describe('http server', () => {
  it('GET /healthz answers 200', async () => {
    const res = await app().inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz is 200 when every check passes, 503 with the failing checks otherwise', async () => {
    expect((await app().inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const down = await app([
      { name: 'kafka', ok: true },
      { name: 'elasticsearch', ok: false, detail: 'connect ECONNREFUSED' },
    ]).inject({ method: 'GET', url: '/readyz' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({
      status: 'not_ready',
      checks: [{ ok: true }, { name: 'elasticsearch', ok: false }],
    });
    const broken = await app(new Error('boom')).inject({ method: 'GET', url: '/readyz' });
    expect(broken.statusCode).toBe(503);
  });

  it('GET /metrics serves the Prometheus text format', async () => {
    const res = await app().inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain(new Registry().contentType.split(';')[0]);
    expect(res.body).toContain('tokenwatch_messages_total{topic="raw.github"} 3');
    expect(res.body).toContain('# TYPE tokenwatch_batch_duration_seconds histogram');
  });

  it('GET /detectors lists the catalogue with id, name, severity and MITRE', async () => {
    const res = await app().inject({ method: 'GET', url: '/detectors' });
    const body = res.json() as { id: string; severity: string; mitre: { id: string }[] }[];
    expect(body).toHaveLength(detectors.length);
    expect(body.map((d) => d.id)).toEqual([...detectors.map((d) => d.id)].sort());
    for (const d of body) {
      expect(['low', 'medium', 'high', 'critical']).toContain(d.severity);
      expect(d.mitre.length).toBeGreaterThan(0);
    }
  });
});
