import { type Command, Option } from 'commander';
import { SOURCES } from '../../schemas/token-activity.js';
import { ConfigError } from '../errors.js';
import {
  type Column,
  formatCsv,
  formatTable,
  OUTPUT_FORMATS,
  type OutputFormat,
} from '../inventory/format.js';
import {
  DEFAULT_POLICY,
  HYGIENE_FLAGS,
  type HygieneFlag,
  type HygienePolicy,
  type InventoryRow,
  inventoryRows,
} from '../inventory/hygiene.js';
import { type RotationFinding, rotationCheck } from '../inventory/rotation.js';
import { loadInventoryState, referenceTime } from '../inventory/state-view.js';
import { ledgerDeltas } from '../serve/checkpoint.js';

const day = (iso: string | undefined): string => (iso ? iso.slice(0, 10) : '');
let pipeHandled = false;
/** Writes to stdout; a closed pipe (`| head`) ends the command quietly. */
const write = (s: string): void => {
  if (!pipeHandled) {
    pipeHandled = true;
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
  process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
};
const termWidth = (): number => (process.stdout.isTTY ? process.stdout.columns || 160 : 200);

/** Columns of `tokenwatch inventory` (table and CSV). */
export const INVENTORY_COLUMNS: readonly Column<InventoryRow>[] = [
  { header: 'source', get: (r) => r.source, min: 6 },
  { header: 'type', get: (r) => r.type, min: 8 },
  { header: 'owner', get: (r) => r.owner, min: 12 },
  { header: 'kind', get: (r) => r.principal },
  { header: 'app', get: (r) => r.app ?? '', min: 8 },
  { header: 'created', get: (r) => day(r.created) },
  { header: 'first_seen', get: (r) => day(r.first_seen) },
  { header: 'last_used', get: (r) => day(r.last_used) },
  { header: 'idle_d', get: (r) => String(r.idle_days) },
  { header: 'last_from', get: (r) => [r.last_ip, r.last_country].filter(Boolean).join(' '), min: 10 },
  { header: 'scopes_granted', get: (r) => r.scopes_granted.join(' '), min: 10 },
  { header: 'scopes_used_90d', get: (r) => r.scopes_used_90d.join(' '), min: 8 },
  { header: 'state', get: (r) => r.state },
  { header: 'flags', get: (r) => r.flags.join(','), min: 20 },
];

/** CSV has every column, in full (the table keeps the ones that fit). */
const CSV_COLUMNS: readonly Column<InventoryRow>[] = [
  { header: 'token_id', get: (r) => r.id },
  ...INVENTORY_COLUMNS.filter((c) => c.header !== 'last_from'),
  { header: 'last_ip', get: (r) => r.last_ip ?? '' },
  { header: 'last_country', get: (r) => r.last_country ?? '' },
  { header: 'last_user_agent', get: (r) => r.last_user_agent ?? '' },
  { header: 'scopes_used_30d', get: (r) => r.scopes_used_30d.join(' ') },
  { header: 'scopes_unused', get: (r) => r.scopes_unused.join(' ') },
  { header: 'app_vetting', get: (r) => r.app_vetting ?? '' },
  { header: 'offboarding', get: (r) => (r.offboarding ? `${r.offboarding.action} ${r.offboarding.at}` : '') },
  { header: 'alerts', get: (r) => String(r.alert_count) },
  { header: 'reasons', get: (r) => Object.values(r.reasons).join('; ') },
];

const ROTATION_COLUMNS: readonly Column<RotationFinding>[] = [
  { header: 'finding', get: (f) => f.kind },
  { header: 'source', get: (f) => f.source },
  { header: 'type', get: (f) => f.type },
  { header: 'owner', get: (f) => f.owner, min: 12 },
  { header: 'app', get: (f) => f.app ?? '' },
  { header: 'created', get: (f) => `${f.created.slice(0, 16)}${f.created_seen ? '' : ' (first seen)'}` },
  { header: 'last_used', get: (f) => f.last_used.slice(0, 16) },
  { header: 'token', get: (f) => f.token, min: 16 },
  { header: 'replacement', get: (f) => f.replacement?.token ?? '', min: 10 },
];

/** Parses a positive integer flag. @throws ConfigError */
function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`--${name} must be a positive integer, got ${v}`);
  return n;
}

/** Parses an ISO time flag to epoch ms. @throws ConfigError */
function isoTime(name: string, v: string): number {
  const t = Date.parse(v);
  if (!Number.isFinite(t)) throw new ConfigError(`--${name} must be an ISO 8601 time, got ${v}`);
  return t;
}

/**
 * Adds `inventory`, `rotation check` and `apps approve|revoke|list` to the CLI. All read (and
 * `apps` writes) a state directory written by `tokenwatch run --state DIR` or `serve`.
 */
export function registerInventoryCommands(program: Command): void {
  const stateDir = (opts: { state?: string }): string => {
    const dir = opts.state ?? process.env.TOKENWATCH_STATE_DIR;
    if (!dir) throw new ConfigError('--state <dir> (or TOKENWATCH_STATE_DIR) is required');
    return dir;
  };

  program
    .command('inventory')
    .description('Every credential seen, with owner, app, scopes granted/used, lifecycle and hygiene flags')
    .option('--state <dir>', 'state directory (tokenwatch run --state / serve)')
    .addOption(new Option('--flag <flag>', 'only rows with this hygiene flag').choices(HYGIENE_FLAGS))
    .addOption(new Option('--source <source>', 'only this source').choices(SOURCES))
    .option('--owner <text>', 'owner contains (email or login)')
    .option('--app <text>', 'app name or client id contains')
    .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .option(
      '--as-of <time>',
      'reference time for idle days and ages: ISO time or "now" (default: newest event in the state)',
    )
    .option('--unused-days <n>', 'days without use that flag a credential unused', '90')
    .option('--rotation-days <n>', 'maximum age of PATs, API keys, service-account and deploy keys', '90')
    .option(
      '--incident-date <time>',
      'flag live credentials created before this time (not rotated since the incident)',
    )
    .action(async (opts) => {
      const state = await loadInventoryState(stateDir(opts), ledgerDeltas);
      const asOf = referenceTime(opts.asOf, state.watermarkMs);
      const rotation = positiveInt('rotation-days', opts.rotationDays);
      const policy: HygienePolicy = {
        unusedDays: positiveInt('unused-days', opts.unusedDays),
        rotationDays: Object.fromEntries(Object.keys(DEFAULT_POLICY.rotationDays).map((k) => [k, rotation])),
        ...(opts.incidentDate ? { incidentAtMs: isoTime('incident-date', opts.incidentDate) } : {}),
      };
      const rows = inventoryRows(state.ledger, asOf, policy, state.apps, {
        ...(opts.flag ? { flag: opts.flag as HygieneFlag } : {}),
        ...(opts.source ? { source: opts.source } : {}),
        ...(opts.owner ? { owner: opts.owner } : {}),
        ...(opts.app ? { app: opts.app } : {}),
      });
      const format = opts.format as OutputFormat;
      if (format === 'json') write(JSON.stringify(rows, null, 2));
      else if (format === 'csv') write(formatCsv(rows, CSV_COLUMNS));
      else {
        write(formatTable(rows, INVENTORY_COLUMNS, termWidth()));
        const counts = HYGIENE_FLAGS.map((f) => `${f} ${rows.filter((r) => r.flags.includes(f)).length}`);
        write(`\n${rows.length} credentials as of ${new Date(asOf).toISOString()}; ${counts.join(', ')}`);
      }
    });

  const rotation = program.command('rotation').description('Credential rotation after an incident');
  rotation
    .command('check')
    .description(
      'Credentials created before --since and still used after it, and replacements whose predecessors are still used',
    )
    .requiredOption('--since <time>', 'incident time (ISO 8601)')
    .option('--state <dir>', 'state directory')
    .addOption(new Option('--source <source>', 'only this source').choices(SOURCES))
    .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .action(async (opts) => {
      const state = await loadInventoryState(stateDir(opts), ledgerDeltas);
      const findings = rotationCheck(state.ledger, {
        sinceMs: isoTime('since', opts.since),
        ...(opts.source ? { source: opts.source } : {}),
      });
      const format = opts.format as OutputFormat;
      if (format === 'json') write(JSON.stringify(findings, null, 2));
      else if (format === 'csv') write(formatCsv(findings, ROTATION_COLUMNS));
      else {
        write(formatTable(findings, ROTATION_COLUMNS, termWidth()));
        const pre = findings.filter((f) => f.kind === 'pre_incident_still_used').length;
        write(
          `\n${pre} credentials created before ${opts.since} still used after it; ${findings.length - pre} replaced credentials still used after their replacement`,
        );
      }
    });

  program
    .command('ui')
    .description('Serve the console and the HTTP API over a state directory (http://127.0.0.1:8080/console)')
    .option('--state <dir>', 'state directory (tokenwatch run --state / serve)')
    .option('--host <host>', 'listen address (default http.host, 127.0.0.1)')
    .option('--port <n>', 'port (default http.port, 8080)')
    .option('--no-auth', 'no API key (only on a loopback address)')
    .option(
      '--elasticsearch',
      'serve mode: read tokens and alerts from Elasticsearch (config elasticsearch.*), apps from --state',
    )
    .option(
      '--as-of <time>',
      'reference time for idle days: ISO time or "now" (default: newest event in the state)',
    )
    .action(async (opts) => {
      const global = program.opts();
      const { loadConfig } = await import('../config.js');
      const { createLogger } = await import('../logger.js');
      const config = loadConfig({
        file: global.config,
        overrides: { logLevel: global.logLevel === 'error' ? 'info' : global.logLevel },
      });
      const logger = createLogger(config.logLevel);
      const host: string = opts.host ?? config.http.host;
      const port = opts.port === undefined ? config.http.port : Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new ConfigError(`--port must be 0..65535, got ${opts.port}`);
      const { checkAuthOptions } = await import('../api/auth.js');
      const auth = { keys: config.http.apiKeys, noAuth: opts.auth === false };
      checkAuthOptions(host, auth);
      const { buildConsoleServer } = await import('../api/server.js');
      const dir = opts.state ?? config.stateDir ?? process.env.TOKENWATCH_STATE_DIR;
      let store: import('../api/types.js').ConsoleStore;
      if (opts.elasticsearch) {
        const { ElasticStore } = await import('../api/elastic-store.js');
        const { createElasticsearch } = await import('../elasticsearch/client.js');
        const { AppsRegistry } = await import('../inventory/apps-registry.js');
        if (!dir)
          throw new ConfigError('--state <dir> (the serve state directory, for apps.json) is required');
        store = new ElasticStore({
          client: createElasticsearch(config.elasticsearch),
          namespace: config.elasticsearch.namespace,
          apps: await AppsRegistry.load(dir),
        });
      } else {
        const { EmbeddedStore } = await import('../api/embedded-store.js');
        store = await EmbeddedStore.open(stateDir({ state: dir }), opts.asOf ? { asOf: opts.asOf } : {});
      }
      const app = await buildConsoleServer({ store, logger, auth });
      const address = await app.listen({ host, port });
      process.stderr.write(
        `tokenwatch console: ${address}/console${auth.noAuth ? ' (no authentication, loopback only)' : ''}\n`,
      );
      await new Promise<void>((resolve) => {
        for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve());
      });
      await app.close();
    });

  const apps = program.command('apps').description('App vetting registry (<state>/apps.json)');
  apps
    .command('list')
    .description('List vetted apps')
    .option('--state <dir>', 'state directory')
    .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .action(async (opts) => {
      const { AppsRegistry } = await import('../inventory/apps-registry.js');
      const list = (await AppsRegistry.load(stateDir(opts))).list();
      const cols: Column<(typeof list)[number]>[] = [
        { header: 'source', get: (a) => a.source },
        { header: 'client_id', get: (a) => a.client_id, min: 12 },
        { header: 'name', get: (a) => a.name ?? '' },
        { header: 'status', get: (a) => a.status },
        { header: 'approved_by', get: (a) => a.approved_by },
        { header: 'approved_at', get: (a) => a.approved_at },
        { header: 'scopes', get: (a) => a.scopes.join(' ') || '(any)', min: 10 },
        { header: 'expires_at', get: (a) => a.expires_at ?? '' },
        { header: 'revoked', get: (a) => (a.revoked_at ? `${a.revoked_at} by ${a.revoked_by ?? '?'}` : '') },
      ];
      const format = opts.format as OutputFormat;
      if (format === 'json') write(JSON.stringify(list, null, 2));
      else if (format === 'csv') write(formatCsv(list, cols));
      else write(formatTable(list, cols, termWidth()));
    });
  apps
    .command('approve')
    .description('Approve an app (OAuth client, GitHub App, connected app) for some scopes, until a date')
    .argument('<source>', `one of ${SOURCES.join(', ')}`)
    .argument('<client-id>', 'token.client.id as the inventory shows it (app_id)')
    .requiredOption('--by <who>', 'who approves')
    .option('--state <dir>', 'state directory')
    .option('--name <name>', 'display name')
    .option('--scopes <list>', 'comma-separated scopes the approval covers (default: any)')
    .option('--until <time>', 'approval end (ISO 8601)')
    .option('--note <text>', 'why')
    .action(async (source: string, clientId: string, opts) => {
      if (!(SOURCES as readonly string[]).includes(source)) throw new ConfigError(`unknown source ${source}`);
      if (opts.until) isoTime('until', opts.until);
      const { AppsRegistry } = await import('../inventory/apps-registry.js');
      const registry = await AppsRegistry.load(stateDir(opts));
      const entry = await registry.approve({
        source: source as (typeof SOURCES)[number],
        client_id: clientId,
        by: opts.by,
        ...(opts.name ? { name: opts.name } : {}),
        ...(opts.scopes
          ? {
              scopes: String(opts.scopes)
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
            }
          : {}),
        ...(opts.until ? { expires_at: opts.until } : {}),
        ...(opts.note ? { note: opts.note } : {}),
      });
      write(JSON.stringify(entry));
    });
  apps
    .command('revoke')
    .description('Revoke an app approval')
    .argument('<source>')
    .argument('<client-id>')
    .requiredOption('--by <who>', 'who revokes')
    .option('--state <dir>', 'state directory')
    .action(async (source: string, clientId: string, opts) => {
      const { AppsRegistry } = await import('../inventory/apps-registry.js');
      const entry = await (await AppsRegistry.load(stateDir(opts))).revoke(source, clientId, opts.by);
      if (!entry) throw new ConfigError(`app ${source} ${clientId} is not in the registry`);
      write(JSON.stringify(entry));
    });
}
