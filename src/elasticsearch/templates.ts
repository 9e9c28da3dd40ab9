import { createHash } from 'node:crypto';
import type { estypes } from '@elastic/elasticsearch';
import { type Client, errors } from '@elastic/elasticsearch';
import type { Logger } from 'pino';
import type { ElasticsearchConfig } from '../config.js';
import { SinkError } from '../errors.js';
import { activityMappings, alertMappings, identitiesMappings, tokenInventoryMappings } from './mappings.js';
import {
  activityDataStream,
  alertDataStream,
  identitiesIndex,
  TEMPLATE_NAMES,
  tokenInventoryIndex,
} from './names.js';

/**
 * Bumped when a template body changes shape on purpose (mappings, settings). The content hash in
 * `_meta.tokenwatch_hash` catches every other difference (retention, replicas).
 */
export const TEMPLATE_VERSION = 1;

/**
 * Priority of our templates. Elastic's built-in `logs` template (`logs-*-*`) has priority 100;
 * anything above 200 wins over the built-in ones without clashing with Fleet integrations.
 */
export const TEMPLATE_PRIORITY = 500;

type ConstantType = 'constant_keyword' | 'keyword';

/** A composable index template body, as sent to `PUT _index_template/<name>`. */
export interface IndexTemplate {
  name: string;
  index_patterns: string[];
  data_stream?: Record<string, never>;
  priority: number;
  version: number;
  template: {
    settings: Record<string, unknown>;
    mappings: Record<string, unknown>;
    lifecycle?: { data_retention: string };
  };
  _meta: Record<string, unknown>;
}

function withHash(t: Omit<IndexTemplate, '_meta'> & { _meta: Record<string, unknown> }): IndexTemplate {
  const hash = createHash('sha256').update(JSON.stringify(t)).digest('hex').slice(0, 16);
  return { ...t, _meta: { ...t._meta, tokenwatch_hash: hash } };
}

/**
 * The four templates for a config: alert and activity data streams (composable template with
 * `data_stream: {}`, data stream lifecycle retention from `elasticsearch.retention`, not ILM), the
 * token inventory plain index and the identities plain index. `constantType` is `constant_keyword` on a full Elasticsearch
 * and `keyword` where the x-pack mapper is missing.
 */
export function buildTemplates(config: ElasticsearchConfig, constantType: ConstantType): IndexTemplate[] {
  const settings = { number_of_replicas: config.replicas };
  const meta = { managed_by: 'tokenwatch', description: '' };
  return [
    withHash({
      name: TEMPLATE_NAMES.alert,
      index_patterns: [alertDataStream('*')],
      data_stream: {},
      priority: TEMPLATE_PRIORITY,
      version: TEMPLATE_VERSION,
      template: {
        settings,
        mappings: alertMappings(constantType),
        lifecycle: { data_retention: config.retention },
      },
      _meta: { ...meta, description: 'tokenwatch ECS external alerts (event.kind: alert)' },
    }),
    withHash({
      name: TEMPLATE_NAMES.activity,
      index_patterns: [activityDataStream('*')],
      data_stream: {},
      priority: TEMPLATE_PRIORITY,
      version: TEMPLATE_VERSION,
      template: {
        settings,
        mappings: activityMappings(constantType),
        lifecycle: { data_retention: config.retention },
      },
      _meta: { ...meta, description: 'tokenwatch normalized token activity' },
    }),
    withHash({
      name: TEMPLATE_NAMES.tokens,
      index_patterns: [tokenInventoryIndex('*')],
      priority: TEMPLATE_PRIORITY,
      version: TEMPLATE_VERSION,
      template: { settings: { ...settings, number_of_shards: 1 }, mappings: tokenInventoryMappings() },
      _meta: { ...meta, description: 'tokenwatch token inventory, one document per token.id' },
    }),
    withHash({
      name: TEMPLATE_NAMES.identities,
      index_patterns: [identitiesIndex('*')],
      priority: TEMPLATE_PRIORITY,
      version: TEMPLATE_VERSION,
      template: { settings: { ...settings, number_of_shards: 1 }, mappings: identitiesMappings() },
      _meta: { ...meta, description: 'tokenwatch identity facts: offboarding events, login-to-email links' },
    }),
  ];
}

/** What {@link installTemplates} did. */
export interface InstallResult {
  /** Templates written (new or changed); the others were already identical. */
  changed: string[];
  unchanged: string[];
  /** `constant_keyword`, or `keyword` when the cluster lacks the x-pack mapper. */
  constantType: ConstantType;
  /** The token inventory index was created by this call. */
  createdTokenIndex: boolean;
}

function isMissingConstantKeyword(err: unknown): boolean {
  return (
    err instanceof errors.ResponseError &&
    err.statusCode === 400 &&
    /constant_keyword/.test(JSON.stringify(err.meta.body ?? err.message))
  );
}

async function existingHashes(client: Client): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  const res = await client.indices.getIndexTemplate({ name: 'tokenwatch-*' }, { ignore: [404] });
  for (const t of res.index_templates ?? []) out.set(t.name, t.index_template._meta?.tokenwatch_hash);
  return out;
}

async function putTemplate(client: Client, t: IndexTemplate): Promise<void> {
  await client.indices.putIndexTemplate(t as unknown as estypes.IndicesPutIndexTemplateRequest);
}

/**
 * Installs the index templates and the token inventory index, idempotently: a template whose
 * stored content hash equals ours is not rewritten, so calling this twice (or from several
 * instances) changes nothing. A changed alert/activity template rolls the existing data stream
 * over (lazily where supported) so new documents get the new mappings.
 * @throws SinkError (retriable) when Elasticsearch cannot be reached, (not retriable) when it
 *   rejects a template.
 */
export async function installTemplates(
  client: Client,
  config: ElasticsearchConfig,
  logger: Logger,
): Promise<InstallResult> {
  const log = logger.child({ component: 'elasticsearch.templates' });
  try {
    const existing = await existingHashes(client);
    const variants: Record<ConstantType, IndexTemplate[]> = {
      constant_keyword: buildTemplates(config, 'constant_keyword'),
      keyword: buildTemplates(config, 'keyword'),
    };
    // A cluster without constant_keyword already has the keyword variant installed: keep it.
    const installedAlert = existing.get(TEMPLATE_NAMES.alert);
    let constantType: ConstantType =
      installedAlert !== undefined && installedAlert === variants.keyword[0]?._meta.tokenwatch_hash
        ? 'keyword'
        : 'constant_keyword';
    const changed: string[] = [];
    const unchanged: string[] = [];
    for (let i = 0; i < variants.keyword.length; i++) {
      let template = variants[constantType][i] as IndexTemplate;
      if (existing.get(template.name) === template._meta.tokenwatch_hash) {
        unchanged.push(template.name);
        continue;
      }
      try {
        await putTemplate(client, template);
      } catch (err) {
        if (constantType === 'keyword' || !isMissingConstantKeyword(err)) throw err;
        log.warn(
          'cluster has no constant_keyword field type (x-pack mapper missing): mapping data_stream.* as keyword',
        );
        constantType = 'keyword';
        template = variants.keyword[i] as IndexTemplate;
        if (existing.get(template.name) === template._meta.tokenwatch_hash) {
          unchanged.push(template.name);
          continue;
        }
        await putTemplate(client, template);
      }
      changed.push(template.name);
      if (existing.has(template.name) && template.data_stream)
        await rolloverIfExists(client, template, config, log);
      else if (existing.has(template.name)) await updatePlainIndexMapping(client, template, config, log);
    }
    const createdTokenIndex = await ensureTokenIndex(client, tokenInventoryIndex(config.namespace));
    await ensureTokenIndex(client, identitiesIndex(config.namespace));
    log.info({ changed, unchanged, constantType, createdTokenIndex }, 'index templates installed');
    return { changed, unchanged, constantType, createdTokenIndex };
  } catch (cause) {
    if (cause instanceof SinkError) throw cause;
    const retriable = !(cause instanceof errors.ResponseError) || (cause.statusCode ?? 500) >= 500;
    throw new SinkError(`installing index templates failed: ${(cause as Error).message}`, {
      cause,
      retriable,
    });
  }
}

async function rolloverIfExists(client: Client, t: IndexTemplate, config: ElasticsearchConfig, log: Logger) {
  const stream =
    t.name === TEMPLATE_NAMES.alert
      ? alertDataStream(config.namespace)
      : activityDataStream(config.namespace);
  const exists = await client.indices.exists({ index: stream });
  if (!exists) return;
  try {
    await client.indices.rollover({ alias: stream, lazy: true });
  } catch {
    await client.indices.rollover({ alias: stream });
  }
  log.info({ dataStream: stream }, 'template changed: data stream rolled over');
}

/**
 * A changed template of a plain index (inventory, identities) applies only to indices created
 * later: the existing index of this namespace gets the template's mappings through "Update
 * mapping" (additions only, which is all tokenwatch's template changes are; a conflicting change
 * is rejected by Elasticsearch and reported).
 */
async function updatePlainIndexMapping(
  client: Client,
  t: IndexTemplate,
  config: ElasticsearchConfig,
  log: Logger,
) {
  const index =
    t.name === TEMPLATE_NAMES.tokens
      ? tokenInventoryIndex(config.namespace)
      : identitiesIndex(config.namespace);
  if (!(await client.indices.exists({ index }))) return;
  await client.indices.putMapping({ index, ...(t.template.mappings as Record<string, never>) });
  log.info({ index }, 'template changed: mappings of the existing index updated');
}

async function ensureTokenIndex(client: Client, index: string): Promise<boolean> {
  if (await client.indices.exists({ index })) return false;
  try {
    await client.indices.create({ index });
    return true;
  } catch (err) {
    // Another instance created it in between.
    if (err instanceof errors.ResponseError && /resource_already_exists/.test(err.message)) return false;
    throw err;
  }
}
