/**
 * Stand-alone entry point for the compose loader (until `tokenwatch replay` exists in the CLI):
 *
 *   tsx src/kafka/replay-cli.ts samples/ [more files or dirs...]
 *
 * Configuration comes from the environment / TOKENWATCH_CONFIG like every command (KAFKA_BROKERS,
 * KAFKA_TOPIC_*...). Prints one JSON summary line on stdout; exits 2 on a tokenwatch error.
 */
import { loadConfig } from '../config.js';
import { TokenwatchError } from '../errors.js';
import { createLogger } from '../logger.js';
import { replayFiles } from './replay.js';

async function main(args: string[]): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const result = await replayFiles(args.length > 0 ? args : ['samples/'], config, { logger });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`tokenwatch replay: ${(err as Error).message}\n`);
  process.exitCode = err instanceof TokenwatchError ? 2 : 1;
});
