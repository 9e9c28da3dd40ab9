import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeConfig, loadConfig } from './config.js';
import { createLogger } from './logger.js';

const GHP = 'ghp_Zx9YwVu8TsRq7PoNm6LkJi5HgFe4DcBa3Z21';
const ES_PASSWORD = 'S3cretPassw0rd99';

/** Logs through a real pino logger into a file and returns the lines. */
function logged(write: (log: ReturnType<typeof createLogger>) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'tokenwatch-log-'));
  try {
    const fd = openSync(join(dir, 'log'), 'w');
    const log = createLogger('debug', fd);
    write(log);
    log.flush();
    closeSync(fd);
    return readFileSync(join(dir, 'log'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('createLogger', () => {
  it('never prints a password given in the Elasticsearch or broker URL (describeConfig, raw config)', () => {
    const config = loadConfig({
      env: {
        ELASTICSEARCH_URL: `http://elastic:${ES_PASSWORD}@es.internal:9200`,
        KAFKA_BROKERS: `kafka://svc:${ES_PASSWORD}x@broker:9092`,
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'svc',
        KAFKA_SASL_PASSWORD: `${ES_PASSWORD}sasl`,
      },
    });
    const out = logged((log) => {
      log.info({ config: describeConfig(config) }, 'starting');
      log.debug({ config }, 'raw config by mistake');
      log.info({ nodes: config.elasticsearch.nodes }, `connecting to ${config.elasticsearch.nodes[0]}`);
    });
    expect(out).toContain('es.internal:9200');
    expect(out).not.toContain(ES_PASSWORD);
    expect(out).not.toContain(ES_PASSWORD.slice(2, 14));
  });

  it('scrubs tokens from messages, fields, errors and child bindings at debug level', () => {
    const out = logged((log) => {
      const child = log.child({ component: 'x', url: `https://h/?access_token=${GHP}` });
      child.debug({ ua: `curl backup_${GHP}_old`, nested: { deep: [`key_${GHP}`] } }, `saw ${GHP}`);
      child.error({ err: new Error(`bad token ${GHP}`) }, 'failed');
      child.warn(`authorization=bearer%20${GHP}`);
    });
    expect(out.split('\n').filter(Boolean)).toHaveLength(3);
    expect(out).toContain('[REDACTED:github_pat_classic]');
    expect(out).not.toContain(GHP.slice(4, 16));
  });
});
