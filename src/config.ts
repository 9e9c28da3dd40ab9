import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { detectorIds, detectorSettingsSchema } from '../detectors/registry.js';
import { parseIp } from '../ingestors/common/ip.js';
import { ConfigError } from './errors.js';

/**
 * tokenwatch configuration: one zod schema, validated once at startup from (lowest to highest
 * precedence) defaults, a JSON config file (`--config` / `TOKENWATCH_CONFIG`), environment
 * variables, and CLI flags. The result is deep-frozen. Secrets (SASL password, Elasticsearch API
 * key/password) are never logged: see `REDACT_PATHS` in logger.ts and {@link describeConfig}.
 */

/** An IPv4 or IPv6 CIDR (`203.0.113.0/24`, `2001:db8::/32`) or a single address. */
const cidrSchema = z.string().refine(
  (s) => {
    const slash = s.indexOf('/');
    const ip = parseIp(slash < 0 ? s : s.slice(0, slash));
    if (!ip || (ip.version === 4) !== s.includes('.')) return false;
    if (slash < 0) return true;
    const len = Number(s.slice(slash + 1));
    return /^\d{1,3}$/.test(s.slice(slash + 1)) && len <= (ip.version === 4 ? 32 : 128);
  },
  { message: 'not an IPv4/IPv6 CIDR' },
);

const pipelineSchema = z
  .object({
    /** Records larger than this (bytes) are dead-lettered as `oversized`. */
    maxRecordBytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024),
    /** A baseline is `learning` until it has this many days of history AND `learningEvents` events. */
    learningDays: z.number().nonnegative().default(7),
    learningEvents: z.number().int().nonnegative().default(30),
    /** Cap on each first-seen set per entity (IP prefixes, countries, UA families, ...). */
    setCap: z.number().int().positive().default(32),
    /** Maximum entities kept in memory; least recently used are evicted beyond it. */
    maxEntities: z.number().int().positive().default(2_000_000),
    /**
     * Extra cloud egress CIDRs (beyond the bundled `data/network` files), e.g. your CI provider's
     * or a SaaS integration's egress: classified `cloud`, `cloud_provider: custom`.
     */
    extraCloudCidrs: z.array(cidrSchema).default([]),
    /**
     * The organization's own egress (offices, corporate VPN / SDP tenant egress): classified
     * `corporate`, which wins over every other class.
     */
    corporateCidrs: z.array(cidrSchema).default([]),
    /**
     * Detector settings by detector id (`{ "token.lifecycle.dormant_reactivated": { "dormantDays": 60 } }`),
     * derived from each detector's declared `settings` (defaults, bounds, descriptions: see
     * `tokenwatch config check` and detectors/README.md). Any subset may be given.
     */
    detectors: detectorSettingsSchema().default(() => detectorSettingsSchema().parse({}) as never),
    /** Detector ids to switch off (must be registered ids). */
    disabledDetectors: z.array(z.enum(detectorIds as [string, ...string[]])).default([]),
  })
  .strict();

const kafkaSchema = z
  .object({
    brokers: z.array(z.string().min(1)).min(1).default(['127.0.0.1:9092']),
    clientId: z.string().default('tokenwatch'),
    groupId: z.string().default('tokenwatch'),
    topics: z
      .object({
        github: z.string().default('tokenwatch.raw.github'),
        google_workspace: z.string().default('tokenwatch.raw.google_workspace'),
        salesforce: z.string().default('tokenwatch.raw.salesforce'),
        activity: z.string().default('tokenwatch.activity'),
        deadLetter: z.string().default('tokenwatch.dlq'),
      })
      .strict()
      .default({
        github: 'tokenwatch.raw.github',
        google_workspace: 'tokenwatch.raw.google_workspace',
        salesforce: 'tokenwatch.raw.salesforce',
        activity: 'tokenwatch.activity',
        deadLetter: 'tokenwatch.dlq',
      }),
    ssl: z
      .object({ enabled: z.boolean().default(false), caFile: z.string().optional() })
      .strict()
      .default({ enabled: false }),
    sasl: z
      .object({
        mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
        username: z.string().min(1),
        password: z.string().min(1),
      })
      .strict()
      .optional(),
    /** Messages per processing batch; offsets are committed only after a batch is acknowledged. */
    batchSize: z.number().int().positive().default(1000),
  })
  .strict();

const elasticsearchSchema = z
  .object({
    nodes: z.array(z.string().url()).min(1).default(['http://127.0.0.1:9200']),
    auth: z
      .union([
        z.object({ apiKey: z.string().min(1) }).strict(),
        z.object({ username: z.string().min(1), password: z.string().min(1) }).strict(),
      ])
      .optional(),
    caFile: z.string().optional(),
    /** Data stream namespace: alerts go to `logs-tokenwatch.alert-<namespace>`. */
    namespace: z
      .string()
      .regex(/^[a-z0-9_]+$/)
      .default('default'),
    /** Also index normalized activity into `logs-tokenwatch.activity-<namespace>`. */
    indexActivity: z.boolean().default(false),
    /** Data stream lifecycle retention (Elasticsearch duration, e.g. `90d`). */
    retention: z.string().default('90d'),
    replicas: z.number().int().nonnegative().default(0),
    /** Bulk flush size in documents. */
    bulkSize: z.number().int().positive().default(1000),
  })
  .strict();

/** `tokenwatch serve` timings (see src/serve/serve.ts). */
const serveSchema = z
  .object({
    /** Event-time lateness after which open alert groups close (ms). */
    latenessMs: z.number().int().nonnegative().default(600_000),
    /** Minimum time between checkpoints and offset commits (ms; 0 = after every batch). */
    checkpointIntervalMs: z.number().int().nonnegative().default(5_000),
    /** How long a shutdown waits for the in-flight batch and the final alert flush (ms). */
    shutdownGraceMs: z.number().int().positive().default(30_000),
    /**
     * Activities the event-time release buffer (src/serve/reorder.ts) holds before it lets the
     * oldest out early (order across partitions then no longer guaranteed; logged).
     */
    maxBufferedActivities: z.number().int().positive().default(100_000),
  })
  .strict();

export const configSchema = z
  .object({
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    stateDir: z.string().optional(),
    pipeline: pipelineSchema.default(pipelineSchema.parse({})),
    kafka: kafkaSchema.default(kafkaSchema.parse({})),
    elasticsearch: elasticsearchSchema.default(elasticsearchSchema.parse({})),
    http: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        /**
         * API keys of the HTTP API and console (`TOKENWATCH_API_KEYS`, comma-separated), each
         * `name:secret` or a bare secret of at least 16 characters; see src/api/auth.ts.
         */
        apiKeys: z.array(z.string().min(16)).default([]),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8080, apiKeys: [] }),
    serve: serveSchema.default(serveSchema.parse({})),
  })
  .strict();

/** The validated, frozen configuration. */
export type Config = z.infer<typeof configSchema>;
export type PipelineConfig = Config['pipeline'];
export type KafkaConfig = Config['kafka'];
export type ElasticsearchConfig = Config['elasticsearch'];

type Env = Record<string, string | undefined>;

function list(v: string | undefined): string[] | undefined {
  return v === undefined || v === '' ? undefined : v.split(',').map((s) => s.trim());
}

function bool(name: string, v: string | undefined): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  if (/^(1|true|yes)$/i.test(v)) return true;
  if (/^(0|false|no)$/i.test(v)) return false;
  throw new ConfigError(`${name} must be true or false, got "${v}"`);
}

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ConfigError(`${name} must be an integer, got "${v}"`);
  return n;
}

/** Removes undefined leaves so they don't override lower layers. */
function prune(o: unknown): unknown {
  if (Array.isArray(o) || o === null || typeof o !== 'object') return o;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    const p = prune(v);
    if (p === undefined) continue;
    if (typeof p === 'object' && p !== null && !Array.isArray(p) && Object.keys(p).length === 0) continue;
    out[k] = p;
  }
  return out;
}

function merge(a: unknown, b: unknown): unknown {
  if (typeof a !== 'object' || a === null || Array.isArray(a)) return b ?? a;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) return b ?? a;
  const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
  for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
  return out;
}

/** Maps documented environment variables onto the config shape. */
export function configFromEnv(env: Env): unknown {
  const saslMechanism = env.KAFKA_SASL_MECHANISM?.toLowerCase();
  const esApiKey = env.ELASTICSEARCH_API_KEY;
  const esUser = env.ELASTICSEARCH_USERNAME;
  return prune({
    logLevel: env.TOKENWATCH_LOG_LEVEL,
    stateDir: env.TOKENWATCH_STATE_DIR,
    pipeline: {
      extraCloudCidrs: list(env.TOKENWATCH_EXTRA_CLOUD_CIDRS),
      corporateCidrs: list(env.TOKENWATCH_CORPORATE_CIDRS),
    },
    kafka: {
      brokers: list(env.KAFKA_BROKERS),
      clientId: env.KAFKA_CLIENT_ID,
      groupId: env.KAFKA_GROUP_ID,
      topics: {
        github: env.KAFKA_TOPIC_GITHUB,
        google_workspace: env.KAFKA_TOPIC_GOOGLE_WORKSPACE,
        salesforce: env.KAFKA_TOPIC_SALESFORCE,
        activity: env.KAFKA_TOPIC_ACTIVITY,
        deadLetter: env.KAFKA_TOPIC_DLQ,
      },
      ssl: { enabled: bool('KAFKA_SSL', env.KAFKA_SSL), caFile: env.KAFKA_SSL_CA_FILE },
      sasl: saslMechanism
        ? { mechanism: saslMechanism, username: env.KAFKA_SASL_USERNAME, password: env.KAFKA_SASL_PASSWORD }
        : undefined,
      batchSize: int('KAFKA_BATCH_SIZE', env.KAFKA_BATCH_SIZE),
    },
    elasticsearch: {
      nodes: list(env.ELASTICSEARCH_URL),
      auth: esApiKey
        ? { apiKey: esApiKey }
        : esUser
          ? { username: esUser, password: env.ELASTICSEARCH_PASSWORD }
          : undefined,
      caFile: env.ELASTICSEARCH_CA_FILE,
      namespace: env.ELASTICSEARCH_NAMESPACE,
      indexActivity: bool('ELASTICSEARCH_INDEX_ACTIVITY', env.ELASTICSEARCH_INDEX_ACTIVITY),
      retention: env.ELASTICSEARCH_RETENTION,
      bulkSize: int('ELASTICSEARCH_BULK_SIZE', env.ELASTICSEARCH_BULK_SIZE),
    },
    http: {
      host: env.TOKENWATCH_HTTP_HOST,
      port: int('TOKENWATCH_HTTP_PORT', env.TOKENWATCH_HTTP_PORT),
      apiKeys: list(env.TOKENWATCH_API_KEYS),
    },
    serve: {
      latenessMs: int('TOKENWATCH_ALERT_LATENESS_MS', env.TOKENWATCH_ALERT_LATENESS_MS),
      checkpointIntervalMs: int('TOKENWATCH_CHECKPOINT_INTERVAL_MS', env.TOKENWATCH_CHECKPOINT_INTERVAL_MS),
      shutdownGraceMs: int('TOKENWATCH_SHUTDOWN_GRACE_MS', env.TOKENWATCH_SHUTDOWN_GRACE_MS),
      maxBufferedActivities: int(
        'TOKENWATCH_MAX_BUFFERED_ACTIVITIES',
        env.TOKENWATCH_MAX_BUFFERED_ACTIVITIES,
      ),
    },
  });
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/**
 * Loads and validates the configuration once.
 * @throws ConfigError with every invalid field listed (path: message) when validation fails, or
 *   when the config file cannot be read or is not JSON.
 */
export function loadConfig(
  options: { env?: Env; file?: string | undefined; overrides?: unknown } = {},
): Readonly<Config> {
  const env = options.env ?? process.env;
  const file = options.file ?? env.TOKENWATCH_CONFIG;
  let fromFile: unknown = {};
  if (file) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8'));
    } catch (cause) {
      throw new ConfigError(`cannot read config file ${file}: ${(cause as Error).message}`, { cause });
    }
  }
  const merged = merge(merge(fromFile, configFromEnv(env)), prune(options.overrides ?? {}));
  return parseConfig(merged);
}

/** The object schema at `path` of `schema` (through defaults, optionals and arrays), if any. */
function objectAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodObject | undefined {
  let node: unknown = schema;
  const unwrap = () => {
    for (;;) {
      if (node instanceof z.ZodDefault || node instanceof z.ZodOptional || node instanceof z.ZodNullable) {
        node = node.unwrap();
      } else if (node instanceof z.ZodArray) {
        node = node.element;
      } else return;
    }
  };
  unwrap();
  for (const key of path) {
    if (typeof key === 'number') continue;
    if (!(node instanceof z.ZodObject)) return undefined;
    node = (node.shape as Record<string, unknown>)[String(key)];
    unwrap();
  }
  return node instanceof z.ZodObject ? node : undefined;
}

/** One line per issue; an unknown key also lists the valid keys at its place. */
export function formatConfigIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => {
    const where = i.path.join('.') || '(root)';
    if (i.code === 'unrecognized_keys') {
      const valid = Object.keys(objectAt(configSchema, i.path)?.shape ?? {});
      const list = valid.length > 0 ? valid.join(', ') : '(none: this object takes no keys)';
      return `  ${where}: unknown key(s) ${i.keys.map((k) => `"${k}"`).join(', ')}; valid: ${list}`;
    }
    return `  ${where}: ${i.message}`;
  });
}

/**
 * Validates an already merged configuration object and returns it deep-frozen, defaults applied.
 * @throws ConfigError listing every invalid field (path: message; unknown keys with the valid ones).
 */
export function parseConfig(input: unknown): Readonly<Config> {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(`invalid configuration:\n${formatConfigIssues(parsed.error.issues).join('\n')}`);
  }
  return deepFreeze(parsed.data);
}

/** A URL with its user-info password replaced by `***` (`http://user:***@host`); other text as is. */
export function stripUrlCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*):[^/?#@]*@/i, '$1:***@');
}

/** The config with secrets masked (credentials, passwords in broker and node URLs), safe to log or print. */
export function describeConfig(config: Config): unknown {
  const masked = structuredClone(config) as Config;
  masked.elasticsearch.nodes = masked.elasticsearch.nodes.map(stripUrlCredentials);
  masked.kafka.brokers = masked.kafka.brokers.map(stripUrlCredentials);
  if (masked.kafka.sasl) masked.kafka.sasl = { ...masked.kafka.sasl, password: '***' };
  if (masked.elasticsearch.auth) {
    masked.elasticsearch.auth =
      'apiKey' in masked.elasticsearch.auth
        ? { apiKey: '***' }
        : { ...masked.elasticsearch.auth, password: '***' };
  }
  return masked;
}
