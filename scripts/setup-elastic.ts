/**
 * One-shot setup of the Elastic Stack for tokenwatch (the `setup` and `kibana-setup` services of
 * docker-compose.yml; also usable against any cluster):
 *
 *   tsx scripts/setup-elastic.ts elasticsearch   # kibana_system password, tokenwatch user + role, templates
 *   tsx scripts/setup-elastic.ts kibana          # import kibana/*.ndjson (data views, dashboard, rule)
 *   tsx scripts/setup-elastic.ts all
 *
 * Environment: ELASTICSEARCH_URL, ELASTICSEARCH_CA_FILE, ELASTIC_PASSWORD (superuser `elastic`;
 * else ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD/ELASTICSEARCH_API_KEY as for serve),
 * KIBANA_SYSTEM_PASSWORD, TOKENWATCH_ES_PASSWORD, ELASTICSEARCH_NAMESPACE, ELASTICSEARCH_RETENTION;
 * KIBANA_URL, KIBANA_USERNAME, KIBANA_PASSWORD. SETUP_TIMEOUT_S (600): how long to keep retrying
 * while a service is still starting. Exit 0 when done, 1 when a step failed for good or timed out.
 */
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { createElasticsearch } from '../src/elasticsearch/client.js';
import { importKibanaAssets, setupElasticsearch } from '../src/elasticsearch/setup.js';
import { createLogger } from '../src/logger.js';
import { isRetriable, retryUntilDone } from '../src/serve/backoff.js';
import { StartupError } from '../src/serve/errors.js';

const mode = process.argv[2] ?? 'all';
if (!['elasticsearch', 'kibana', 'all'].includes(mode)) {
  console.error('usage: setup-elastic.ts elasticsearch|kibana|all');
  process.exit(2);
}
const env = process.env;
const logger = createLogger(env['TOKENWATCH_LOG_LEVEL'] ?? 'info');
const signal = AbortSignal.timeout(Number(env['SETUP_TIMEOUT_S'] ?? 600) * 1000);
const retry = <T>(what: string, step: () => Promise<T>) =>
  retryUntilDone(
    async () => {
      try {
        return await step();
      } catch (err) {
        // Elasticsearch refusing the request (bad credentials, a rejected body) will not pass by waiting.
        const status = (err as { meta?: { statusCode?: number } }).meta?.statusCode;
        const refused = status === 400 || status === 401 || status === 403;
        if (refused || !isRetriable(err)) throw new StartupError(what, err);
        throw err;
      }
    },
    {
      signal,
      backoff: { initialMs: 1_000, maxMs: 10_000 },
      onFailure: (err, attempt) =>
        logger.info({ what, attempt, err: (err as Error).message }, 'not yet; retrying'),
    },
  );

try {
  if (mode !== 'kibana') {
    const base = loadConfig({ env });
    const es = createElasticsearch({
      ...base.elasticsearch,
      ...(env['ELASTIC_PASSWORD']
        ? { auth: { username: 'elastic', password: env['ELASTIC_PASSWORD'] } }
        : {}),
    });
    const result = await retry('elasticsearch setup', () =>
      setupElasticsearch(
        es,
        base.elasticsearch,
        {
          ...(env['KIBANA_SYSTEM_PASSWORD'] ? { kibanaSystem: env['KIBANA_SYSTEM_PASSWORD'] } : {}),
          ...(env['TOKENWATCH_ES_PASSWORD'] ? { tokenwatch: env['TOKENWATCH_ES_PASSWORD'] } : {}),
        },
        logger,
      ),
    );
    await es.close();
    console.log(
      `elasticsearch: security ${result.security ? 'on' : 'off'}; users set: ${result.users.join(', ') || 'none'}; templates changed: ${result.templates.changed.length}, unchanged: ${result.templates.unchanged.length}`,
    );
  }
  if (mode !== 'elasticsearch') {
    const url = env['KIBANA_URL'];
    if (!url) throw new Error('KIBANA_URL is not set');
    const dir = fileURLToPath(new URL('../kibana/', import.meta.url));
    const results = await retry('kibana import', () =>
      importKibanaAssets(
        {
          url,
          ...(env['KIBANA_USERNAME'] ? { username: env['KIBANA_USERNAME'] } : {}),
          ...(env['KIBANA_PASSWORD'] ? { password: env['KIBANA_PASSWORD'] } : {}),
        },
        {
          savedObjects: `${dir}tokenwatch-saved-objects.ndjson`,
          rules: `${dir}tokenwatch-detection-rules.ndjson`,
        },
      ),
    );
    for (const r of results) console.log(`kibana: imported ${r.imported} from ${r.file}`);
  }
} catch (err) {
  console.error(`setup-elastic: ${(err as Error).message}`);
  process.exit(1);
}
