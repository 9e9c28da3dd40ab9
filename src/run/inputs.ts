import { readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { glob } from 'tinyglobby';
import type { Source } from '../../schemas/token-activity.js';
import { detectSource } from '../../ingestors/index.js';
import { InputError } from '../errors.js';

/** File extensions read from directories and globs. */
export const INPUT_EXTENSIONS = ['.ndjson', '.jsonl', '.json', '.csv', '.log'];

/** One resolved input: its name, text and source. */
export interface InputFile {
  /** path, or `stdin` */
  name: string;
  text: string;
  bytes: number;
  source: Source | undefined;
}

function isDataFile(path: string): boolean {
  const name = basename(path);
  return INPUT_EXTENSIONS.includes(extname(path).toLowerCase()) && !/^labels.*\.json$/i.test(name);
}

/**
 * Expands CLI input arguments into files: a file path, a directory (read recursively: every
 * `.ndjson`/`.jsonl`/`.json`/`.csv`/`.log` except labels files), a glob (`logs/**\/*.csv`), or `-`
 * for stdin. Sorted by path so runs are reproducible.
 * @throws InputError when an argument matches nothing.
 */
export async function resolveInputPaths(args: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const arg of args) {
    if (arg === '-') {
      out.push('-');
      continue;
    }
    let st: ReturnType<typeof statSync> | undefined;
    try {
      st = statSync(arg);
    } catch {
      st = undefined;
    }
    if (st?.isFile()) {
      out.push(arg);
      continue;
    }
    const pattern = st?.isDirectory() ? `${arg.replace(/\/+$/, '')}/**/*` : arg;
    const matches = (await glob(pattern, { onlyFiles: true, dot: false })).filter(isDataFile).sort();
    if (matches.length === 0) throw new InputError(`no input files match "${arg}"`);
    out.push(...matches);
  }
  return [...new Set(out)];
}

/**
 * Reads an input and detects its source (unless `source` is given).
 * @throws InputError when the file cannot be read.
 */
export function readInput(path: string, source: Source | undefined): InputFile {
  let buf: Buffer;
  try {
    buf = path === '-' ? readFileSync(0) : readFileSync(path);
  } catch (cause) {
    throw new InputError(`cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  const text = buf.toString('utf8');
  const name = path === '-' ? 'stdin' : path;
  return { name, text, bytes: buf.length, source: source ?? detectSource(text, name) };
}
