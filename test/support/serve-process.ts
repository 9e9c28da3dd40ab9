/**
 * serve as a child process ({@link ./serve-child.ts}) for tests that kill it abruptly (SIGKILL):
 * its JSON event lines collected as they arrive, its exit awaited.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../src/config.js';

const CHILD = fileURLToPath(new URL('./serve-child.ts', import.meta.url));

/** A running serve child. */
export interface ServeChild {
  proc: ChildProcess;
  /** Event lines printed so far (`started`, `batch`, `stopped`, `failed`). */
  events: Record<string, unknown>[];
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Set when the process exited: a message for waitFor's failIf. */
  dead: () => string | undefined;
}

/** Starts serve with `config` and extra ServeOptions `options` in a child process. */
export function spawnServe(config: Config, options: Record<string, unknown>): ServeChild {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, TW_CONFIG: JSON.stringify(config), TW_SERVE_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const events: Record<string, unknown>[] = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    try {
      events.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not an event line
    }
  });
  let exit: string | undefined;
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code, signal) => {
      exit = `serve child exited (code ${code}, signal ${signal})`;
      resolve(code);
    }),
  );
  return { proc, events, exited, dead: () => exit };
}

/** The highest input offset a child reported as delivered (-1 before its first batch). */
export const lastOffset = (c: ServeChild): number =>
  c.events.filter((e) => e['type'] === 'batch').reduce((m, e) => Math.max(m, Number(e['lastOffset'])), -1);
