import { readFileSync } from 'node:fs';
import type { Client } from '@elastic/elasticsearch';
import type { Logger } from 'pino';
import type { ElasticsearchConfig } from '../config.js';
import { TokenwatchError } from '../errors.js';
import { activityDataStream, alertDataStream, identitiesIndex, tokenInventoryIndex } from './names.js';
import { type InstallResult, installTemplates } from './templates.js';

/** The role serve's Elasticsearch user gets: its own data streams, index and templates only. */
export const TOKENWATCH_WRITER_ROLE = 'tokenwatch_writer';

/**
 * Role `tokenwatch_writer` (Elasticsearch "Create or update roles" API,
 * https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-security-put-role):
 * `manage_index_templates` to install its templates at startup, `monitor` for `/readyz`
 * (`_cluster/health`); on `logs-tokenwatch.*`, `tokenwatch-tokens-*` and `tokenwatch-identities-*` the index privileges to
 * create the data streams / index, write and read documents, and roll a data stream over after a
 * template change (`manage`).
 */
export function writerRole(): Record<string, unknown> {
  return {
    cluster: ['manage_index_templates', 'monitor'],
    indices: [
      {
        names: [
          alertDataStream('*'),
          activityDataStream('*'),
          tokenInventoryIndex('*'),
          identitiesIndex('*'),
        ],
        privileges: [
          'create_index',
          'auto_configure',
          'create_doc',
          'write',
          'read',
          'view_index_metadata',
          'manage',
        ],
      },
    ],
    metadata: { managed_by: 'tokenwatch scripts/setup-elastic.ts' },
  };
}

/** What {@link setupElasticsearch} did. */
export interface ElasticsearchSetupResult {
  /** Security is on (users and roles managed), or off (only templates installed). */
  security: boolean;
  /** Users whose password was set (`kibana_system`, `tokenwatch`). */
  users: string[];
  templates: InstallResult;
}

/** Passwords {@link setupElasticsearch} applies when security is on. */
export interface SetupPasswords {
  /** `kibana_system`'s password (Kibana's connection), if Kibana is used. */
  kibanaSystem?: string;
  /** Password of the user `tokenwatch` (role {@link TOKENWATCH_WRITER_ROLE}); no user when unset. */
  tokenwatch?: string;
}

async function securityEnabled(es: Client): Promise<boolean> {
  try {
    await es.security.authenticate();
    return true;
  } catch (err) {
    // With xpack.security.enabled: false the security APIs answer "security is not enabled"
    // (or, where the security REST handlers are not registered, "no handler found for uri").
    const text = JSON.stringify((err as { meta?: { body?: unknown } }).meta?.body ?? (err as Error).message);
    if (
      /security.*(not enabled|disabled)|Security must be explicitly enabled|no handler found for uri \[\/_security/i.test(
        text,
      )
    )
      return false;
    throw err;
  }
}

/**
 * The Elasticsearch half of the stack's setup, idempotent (run it again at every start):
 * when security is on, sets the `kibana_system` password and creates or updates role
 * {@link TOKENWATCH_WRITER_ROLE} and the user `tokenwatch`; then installs the index templates and
 * the token inventory index ({@link installTemplates}). The client needs a superuser (`elastic`)
 * when security is on.
 * @throws the Elasticsearch client's error when a call fails (the caller retries while it starts).
 */
export async function setupElasticsearch(
  es: Client,
  config: ElasticsearchConfig,
  passwords: SetupPasswords,
  logger: Logger,
): Promise<ElasticsearchSetupResult> {
  const log = logger.child({ component: 'setup.elasticsearch' });
  const security = await securityEnabled(es);
  const users: string[] = [];
  if (security) {
    if (passwords.kibanaSystem) {
      await es.security.changePassword({ username: 'kibana_system', password: passwords.kibanaSystem });
      users.push('kibana_system');
    }
    if (passwords.tokenwatch) {
      await es.security.putRole({ name: TOKENWATCH_WRITER_ROLE, ...writerRole() });
      await es.security.putUser({
        username: 'tokenwatch',
        password: passwords.tokenwatch,
        roles: [TOKENWATCH_WRITER_ROLE],
        full_name: 'tokenwatch serve',
      });
      users.push('tokenwatch');
    }
  } else {
    log.warn('Elasticsearch security is off: no users or roles set (the detection engine needs security on)');
  }
  const templates = await installTemplates(es, config, logger);
  log.info({ security, users, changed: templates.changed }, 'elasticsearch ready for tokenwatch');
  return { security, users, templates };
}

/** One Kibana import and what Kibana answered. */
export interface KibanaImportResult {
  file: string;
  /** Objects or rules imported. */
  imported: number;
}

/** Kibana connection for {@link importKibanaAssets}. */
export interface KibanaTarget {
  /** Base URL, e.g. `http://kibana:5601` (a space: `.../s/<space>`). */
  url: string;
  username?: string;
  password?: string;
  /** fetch to use (tests pass their own). */
  fetch?: typeof fetch;
}

/** Kibana answered an import with an error or with objects it could not import. */
export class KibanaImportError extends TokenwatchError {
  constructor(message: string, options: { retriable?: boolean } = {}) {
    super('TW_ERR_KIBANA_IMPORT', message, options);
  }
}

async function postNdjson(
  target: KibanaTarget,
  path: string,
  file: string,
): Promise<Record<string, unknown>> {
  const form = new FormData();
  form.append('file', new Blob([readFileSync(file)], { type: 'application/ndjson' }), file.split('/').pop());
  const headers: Record<string, string> = { 'kbn-xsrf': 'tokenwatch-setup' };
  if (target.username && target.password)
    headers['authorization'] =
      `Basic ${Buffer.from(`${target.username}:${target.password}`).toString('base64')}`;
  const res = await (target.fetch ?? fetch)(`${target.url.replace(/\/+$/, '')}${path}`, {
    method: 'POST',
    headers,
    body: form,
  });
  const text = await res.text();
  if (!res.ok)
    throw new KibanaImportError(`${path} answered ${res.status}: ${text.slice(0, 500)}`, {
      retriable: res.status >= 500 || res.status === 408 || res.status === 429,
    });
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * Imports the Kibana assets of `kibana/` with Kibana's import APIs, overwriting objects with the
 * same ids (idempotent):
 * - saved objects (data views, saved searches, visualizations, dashboard):
 *   `POST /api/saved_objects/_import?overwrite=true`
 *   (https://www.elastic.co/docs/api/doc/kibana/operation/operation-importsavedobjectsdefault);
 * - detection rules: `POST /api/detection_engine/rules/_import?overwrite=true`
 *   (https://www.elastic.co/docs/api/doc/kibana/operation/operation-importrules).
 * Both answer 200 with `success: false` and `errors` when some objects failed: that is an error here.
 * @throws KibanaImportError (retriable for 5xx: Kibana still starting).
 */
export async function importKibanaAssets(
  target: KibanaTarget,
  files: { savedObjects: string; rules: string },
): Promise<KibanaImportResult[]> {
  const out: KibanaImportResult[] = [];
  const objects = await postNdjson(target, '/api/saved_objects/_import?overwrite=true', files.savedObjects);
  if (objects['success'] !== true)
    throw new KibanaImportError(
      `saved objects import failed: ${JSON.stringify(objects['errors'] ?? objects)}`,
    );
  out.push({ file: files.savedObjects, imported: Number(objects['successCount'] ?? 0) });
  const rules = await postNdjson(target, '/api/detection_engine/rules/_import?overwrite=true', files.rules);
  if (rules['success'] !== true || Number(rules['errors'] && (rules['errors'] as unknown[]).length) > 0)
    throw new KibanaImportError(`detection rules import failed: ${JSON.stringify(rules['errors'] ?? rules)}`);
  out.push({ file: files.rules, imported: Number(rules['success_count'] ?? 0) });
  return out;
}
