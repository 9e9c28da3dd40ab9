import { CommanderError } from 'commander';
import { ConfigError, InputError } from '../errors.js';
import type { PipelineCounts } from '../pipeline/counts.js';

/**
 * tokenwatch's exit codes (README "Exit codes"): scripts and schedulers can tell a failure of the
 * tool from bad input from "ran, but nothing in the input was usable".
 */
export const EXIT = {
  /** Finished; for `run`, at least one record was accepted (normalized). */
  ok: 0,
  /** An error: a service refused, state could not be saved or loaded, an unexpected failure. */
  error: 1,
  /** Bad usage or configuration: unknown option or command, invalid value, unreadable input path. */
  usage: 2,
  /** `run`/`eval` read its inputs but accepted no record (all dead-lettered or skipped, or none). */
  nothingAccepted: 3,
} as const;

/**
 * The exit code for an error thrown by a command: 2 for bad usage or configuration (commander's
 * parse errors, ConfigError, InputError), 0 for `--help`/`--version`, 1 for everything else.
 */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    return ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(err.code)
      ? EXIT.ok
      : EXIT.usage;
  }
  if (err instanceof ConfigError || err instanceof InputError) return EXIT.usage;
  return EXIT.error;
}

/**
 * {@link EXIT.nothingAccepted} when a run accepted no record (every record dead-lettered or
 * skipped, or none read), with the reason for stderr; else {@link EXIT.ok}.
 */
export function runExit(c: PipelineCounts): { code: number; message?: string } {
  if (c.normalized > 0) return { code: EXIT.ok };
  return {
    code: EXIT.nothingAccepted,
    message: `no record accepted (${c.records} read: ${c.deadLettered} dead-lettered, ${c.skipped} skipped)`,
  };
}
