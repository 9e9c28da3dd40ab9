#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { SOURCES, type Source } from '../../schemas/token-activity.js';
import { loadConfig } from '../config.js';
import { ConfigError, TokenwatchError } from '../errors.js';
import { createLogger } from '../logger.js';
import type { PipelineCounts } from '../pipeline/counts.js';
import { runFiles } from '../run/run-files.js';
import { EXIT, exitCodeFor, runExit } from './exit-codes.js';
import { registerInventoryCommands } from './inventory-command.js';
import { NameBook } from './names.js';
import { makeProgress, type ProgressFn } from './progress.js';
import { alertCounts, formatSummary, outputWidth } from './summary.js';
import { packageVersion } from './version.js';

/** Inputs smaller than this (bytes) show no progress (they finish before it would help). */
const PROGRESS_MIN_BYTES = 20 * 1024 * 1024;

/** Reading progress for `run`/`eval` on stderr, unless `--no-progress`. */
function readingProgress(enabled: boolean): ProgressFn | undefined {
  return enabled
    ? makeProgress({ label: 'reading', unit: 'bytes', minTotal: PROGRESS_MIN_BYTES })
    : undefined;
}

/** Sets the exit code of a `run`/`eval` (3 when nothing was accepted, with the reason on stderr). */
function setRunExit(c: PipelineCounts): void {
  const { code, message } = runExit(c);
  if (message) process.stderr.write(`tokenwatch: ${message}; exit ${code}\n`);
  process.exitCode = code;
}

/** Builds the `tokenwatch` command line (commander). */
export function buildCli(): Command {
  const program = new Command('tokenwatch')
    .description('Detect stolen SaaS tokens from GitHub, Google Workspace and Salesforce audit logs.')
    .option('-c, --config <file>', 'JSON config file (also TOKENWATCH_CONFIG)')
    .option('--log-level <level>', 'pino log level (logs go to stderr)', 'error')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .exitOverride()
    .addHelpText(
      'after',
      `\nExit codes: ${EXIT.ok} ok, ${EXIT.error} error, ${EXIT.usage} bad usage or configuration, ${EXIT.nothingAccepted} no record accepted (run, eval).`,
    );

  program
    .command('run')
    .description('Run the pipeline over files (embedded mode, no server) and print a summary')
    .argument('[inputs...]', 'files, directories, globs, or - for stdin', ['samples/'])
    .addOption(
      new Option('-s, --source <source>', 'source of every input (default: detected per file)').choices(
        SOURCES,
      ),
    )
    .option('-o, --out <dir>', 'output directory for alerts.ndjson (and activity/dead letters)', 'out')
    .option('--activity', 'also write normalized token activity to <out>/activity.ndjson')
    .option(
      '--dead-letters',
      'also write dead letters to <out>/dead-letters.ndjson and skipped records (duplicates included) to <out>/skipped.ndjson',
    )
    .option('--state <dir>', 'baseline state directory: restored if present, saved at the end')
    .option('--fresh', 'ignore the saved state in --state (start over); it is replaced at the end')
    .option('--json', 'print the summary as JSON instead of text')
    .option('--no-progress', 'no progress display on stderr')
    .action(async (inputs: string[], opts) => {
      const global = program.opts();
      const config = loadConfig({ file: global.config, overrides: { logLevel: global.logLevel } });
      const logger = createLogger(config.logLevel);
      const names = new NameBook();
      const result = await runFiles({
        inputs,
        source: opts.source as Source | undefined,
        outDir: opts.out,
        writeActivity: Boolean(opts.activity),
        writeDeadLetters: Boolean(opts.deadLetters),
        stateDir: opts.state ?? config.stateDir,
        ...(opts.fresh ? { fresh: true } : {}),
        config,
        logger,
        onProgress: readingProgress(opts.progress !== false),
        onActivity: (a) => names.learn(a),
      });
      if (opts.json) {
        const { alerts, deadLetters, ...rest } = result;
        const counts = alertCounts(alerts);
        process.stdout.write(
          `${JSON.stringify({
            ...rest,
            alerts: alerts.length,
            alertsBySeverity: counts.severity,
            alertsByDetector: counts.detectors,
            deadLettersShown: deadLetters.length,
          })}\n`,
        );
      } else {
        process.stdout.write(`${formatSummary(result, { width: outputWidth(), names })}\n`);
      }
      setRunExit(result.counts);
    });

  program
    .command('simulate')
    .description('Write a labeled, deterministic dataset of raw vendor logs (see README)')
    .option('-o, --out <dir>', 'output directory', 'out/sim')
    .option('--seed <n>', 'random seed', '42')
    .option('--tokens <n>', 'approximate number of tokens')
    .option('--days <n>', 'span in days')
    .option('--start <date>', 'first day (YYYY-MM-DD)')
    .option('--preset <name>', 'population preset: demo | ci | large')
    .option(
      '--scenarios <ids>',
      'scenario modules to add (detectors/<id>/scenarios/*.ts): standard (default: S11, S12, N13), all, none, or comma-separated ids/paths',
    )
    .action(async (opts) => {
      const { runSimulateCommand } = await import('./simulate-command.js');
      await runSimulateCommand(opts);
    });

  program
    .command('eval')
    .description('Run the pipeline over a labeled dataset and report recall, time to detect and false alerts')
    .argument('<dataset>', 'directory with raw logs and labels.json')
    .option('-l, --labels <file>', 'labels file (default <dataset>/labels.json)')
    .option('--json <file>', 'also write the report as JSON to this file')
    .option('--no-progress', 'no progress display on stderr')
    .action(async (dataset: string, opts) => {
      const global = program.opts();
      const { runEvalCommand } = await import('./eval-command.js');
      const counts = await runEvalCommand(dataset, {
        ...opts,
        config: global.config,
        logLevel: global.logLevel,
        ...(opts.progress !== false ? { onProgress: makeProgress({ label: 'reading', unit: 'bytes' }) } : {}),
      });
      setRunExit(counts);
    });

  program
    .command('serve')
    .description('Consume raw audit logs from Kafka, write alerts to Elasticsearch (see README)')
    .option('--fresh', 'ignore saved checkpoints in the state directory (start over)')
    .option(
      '--role <stages>',
      'run the partitioned topology instead of the single-process loop: normalize, detect, org, sink (comma-separated) or all',
    )
    .option('--partitions <n>', 'partitions of the topology topics it creates (with --role)', '6')
    .action(async (opts: { fresh?: boolean; role?: string; partitions: string }) => {
      const global = program.opts();
      const config = loadConfig({
        file: global.config,
        overrides: { logLevel: global.logLevel === 'error' ? 'info' : global.logLevel },
      });
      const logger = createLogger(config.logLevel);
      const abort = new AbortController();
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => abort.abort());
      if (opts.role !== undefined) {
        const { parseRoles, runTopology } = await import('../topology/index.js');
        const partitions = Number(opts.partitions);
        if (!Number.isInteger(partitions) || partitions < 1)
          throw new ConfigError(`--partitions must be a positive integer, got "${opts.partitions}"`);
        await runTopology(config, logger, {
          signal: abort.signal,
          roles: parseRoles(opts.role),
          partitions,
          http: true,
        });
        return;
      }
      const { serve } = await import('../serve/index.js');
      await serve(config, logger, { signal: abort.signal, ...(opts.fresh ? { fresh: true } : {}) });
    });

  program
    .command('replay')
    .description(
      'Produce raw audit-log files into the raw Kafka topics (one message per record), e.g. samples/',
    )
    .argument('[inputs...]', 'files or directories', ['samples/'])
    .option('--json', 'print the result as JSON (per file: source, topic, messages)')
    .option('--no-progress', 'no progress display on stderr')
    .action(async (inputs: string[], opts) => {
      const global = program.opts();
      const config = loadConfig({ file: global.config, overrides: { logLevel: global.logLevel } });
      const logger = createLogger(config.logLevel);
      const { replayFiles } = await import('../kafka/replay.js');
      const { formatReplaySummary } = await import('./replay-summary.js');
      const result = await replayFiles(inputs, config, {
        logger,
        ...(opts.progress !== false
          ? { onProgress: makeProgress({ label: 'sending', unit: 'count', minTotal: 1_000 }) }
          : {}),
      });
      process.stdout.write(
        opts.json ? `${JSON.stringify(result)}\n` : `${formatReplaySummary(result, config.kafka.brokers)}\n`,
      );
    });

  program
    .command('config')
    .description('Configuration tools')
    .command('check')
    .description('Validate a JSON config file and print the effective configuration (secrets masked)')
    .argument('<file>', 'JSON config file')
    .action(async (file: string) => {
      const { checkConfig } = await import('./config-command.js');
      process.stdout.write(checkConfig(file));
    });

  const detectorsCommand = program
    .command('detectors')
    .description('List the detectors (id, severity, MITRE ATT&CK, what they catch)')
    .action(async () => {
      const { detectors } = await import('../../detectors/registry.js');
      for (const d of detectors) {
        process.stdout.write(
          `${d.id.padEnd(44)} ${d.severity.padEnd(8)} ${d.mitre
            .map((m) => m.id)
            .join(',')
            .padEnd(22)} ${d.name}\n`,
        );
      }
    });
  detectorsCommand
    .command('test')
    .description(
      "Run detectors' raw-log cases (detectors/<id>/cases/*.json) through the real ingestors and pipeline",
    )
    .argument('[ids...]', 'detector ids (default: every detector with cases)')
    .action(async (ids: string[]) => {
      const { runDetectorCases, formatCaseResults } = await import('../cases/index.js');
      const results = runDetectorCases(ids.length > 0 ? ids : undefined);
      process.stdout.write(formatCaseResults(results));
      if (results.some((r) => r.problems.length > 0)) process.exitCode = 1;
    });

  registerInventoryCommands(program);
  return program;
}

/**
 * CLI entry point: parses argv, prints errors as one clear line on stderr (the stack only with
 * `--log-level debug`), sets the exit code (see exit-codes.ts).
 */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeFor(err);
    // commander has already printed its own message (or the help / version).
    if (err instanceof CommanderError) return;
    if (err instanceof TokenwatchError) {
      process.stderr.write(`tokenwatch: ${err.message} [${err.code}]\n`);
    } else {
      const e = err instanceof Error ? err : new Error(String(err));
      process.stderr.write(`tokenwatch: ${e.message}\n`);
      if (argv.includes('debug') || argv.includes('trace')) process.stderr.write(`${e.stack ?? ''}\n`);
    }
  }
}

await main(process.argv);
