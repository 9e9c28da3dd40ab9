import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { promisify } from 'node:util';
import { createGunzip, createGzip, gunzip, gzip as gzipBuffer } from 'node:zlib';
import { z } from 'zod';
import type { BaselineConfigInput } from './config.js';
import { EntityBaseline } from './entity-baseline.js';
import { entityStateSchema } from './entity-state.js';
import { BaselineStateError } from './errors.js';
import { OrgBaseline, orgStateSchema } from './org-baseline.js';
import { BaselineStore } from './store.js';
import type { EntityKind } from './types.js';

/** Format id and version written in the header line; bump the version on incompatible changes. */
export const BASELINE_FORMAT = 'tokenwatch.baselines';
export const BASELINE_FORMAT_VERSION = 1;
/** File names in the save directory (gzip is the default). */
export const BASELINE_FILE_GZ = 'baselines.ndjson.gz';
export const BASELINE_FILE_PLAIN = 'baselines.ndjson';
/** Organization-wide state (org-baseline.ts), gzipped JSON, next to the entity file; optional on load. */
export const ORG_FILE = 'org.json.gz';

const gzipAsync = promisify(gzipBuffer);
const gunzipAsync = promisify(gunzip);

const KINDS: readonly EntityKind[] = ['token', 'app', 'owner'];

const formatIdSchema = z.object({ format: z.literal(BASELINE_FORMAT), version: z.number().int() });
const headerSchema = z.object({
  format: z.literal(BASELINE_FORMAT),
  version: z.literal(BASELINE_FORMAT_VERSION),
  counts: z.object({
    token: z.number().int().nonnegative(),
    app: z.number().int().nonnegative(),
    owner: z.number().int().nonnegative(),
  }),
});

type Header = z.infer<typeof headerSchema>;

/** Options of {@link saveStore}. */
export interface SaveOptions {
  /** gzip the file (default true; about 5x smaller) */
  gzip?: boolean;
}

async function* lines(store: BaselineStore): AsyncGenerator<string> {
  const counts = { token: store.size('token'), app: store.size('app'), owner: store.size('owner') };
  yield `${JSON.stringify({ format: BASELINE_FORMAT, version: BASELINE_FORMAT_VERSION, counts, config: store.config })}\n`;
  for (const kind of KINDS) {
    for (const e of store.entities(kind)) yield `${JSON.stringify(e.toJSON())}\n`;
  }
}

/**
 * Writes every entity of `store` to `dir/baselines.ndjson.gz` (or `.ndjson` without gzip),
 * atomically: a temporary file is written, fsynced, then renamed over the previous one, so a
 * crash leaves either the old or the new file, never a mix.
 *
 * Format (NDJSON, UTF-8): line 1 is the header `{format: 'tokenwatch.baselines', version: 1,
 * counts: {token, app, owner}, config}`; then one entity state per line (entity-state.ts), tokens
 * then apps then owners, each kind least recently updated first, so LRU order survives a restart.
 * The organization-wide state (`store.org`) goes to `dir/org.json.gz` (gzipped JSON, same atomic
 * write), written first; {@link loadStore} restores it when present.
 */
export const saveStore = async (
  store: BaselineStore,
  dir: string,
  options: SaveOptions = {},
): Promise<void> => {
  const gzip = options.gzip ?? true;
  await mkdir(dir, { recursive: true });
  await saveOrg(store, dir);
  const name = gzip ? BASELINE_FILE_GZ : BASELINE_FILE_PLAIN;
  const target = join(dir, name);
  const tmp = `${target}.tmp-${process.pid}`;
  try {
    const source = Readable.from(lines(store));
    const sink = createWriteStream(tmp);
    if (gzip) await pipeline(source, createGzip({ level: 6 }), sink);
    else await pipeline(source, sink);
    const fh = await open(tmp, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
  } catch (cause) {
    await rm(tmp, { force: true });
    throw cause;
  }
  await rm(join(dir, gzip ? BASELINE_FILE_PLAIN : BASELINE_FILE_GZ), { force: true });
};

/** Writes `dir/org.json.gz` atomically (temporary file, fsync, rename). */
const saveOrg = async (store: BaselineStore, dir: string): Promise<void> => {
  const target = join(dir, ORG_FILE);
  const tmp = `${target}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, await gzipAsync(JSON.stringify(store.org.toJSON())));
    const fh = await open(tmp, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
  } catch (cause) {
    await rm(tmp, { force: true });
    throw cause;
  }
};

/** Restores `dir/org.json.gz` into `store` when present (state saved before it existed has none). */
const loadOrg = async (store: BaselineStore, dir: string): Promise<void> => {
  const path = join(dir, ORG_FILE);
  if (!(await exists(path))) return;
  let json: unknown;
  try {
    json = JSON.parse((await gunzipAsync(await readFile(path))).toString('utf8'));
  } catch (cause) {
    throw new BaselineStateError('BASELINE_STATE_CORRUPT', path, `unreadable: ${describe(cause)}`, { cause });
  }
  const parsed = orgStateSchema.safeParse(json);
  if (!parsed.success) {
    throw new BaselineStateError('BASELINE_STATE_CORRUPT', path, 'invalid organization state', {
      cause: parsed.error,
    });
  }
  store.org = OrgBaseline.fromJSON(parsed.data);
};

const exists = async (path: string): Promise<boolean> => {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
};

const parseHeader = (json: unknown, path: string, line: number): Header => {
  const id = formatIdSchema.safeParse(json);
  if (!id.success) {
    throw new BaselineStateError(
      'BASELINE_STATE_CORRUPT',
      path,
      'not a tokenwatch baseline file (bad header)',
      {
        cause: id.error,
        line,
      },
    );
  }
  if (id.data.version !== BASELINE_FORMAT_VERSION) {
    throw new BaselineStateError(
      'BASELINE_STATE_VERSION',
      path,
      `format version ${id.data.version} is not supported (this build reads version ${BASELINE_FORMAT_VERSION})`,
      { line },
    );
  }
  const h = headerSchema.safeParse(json);
  if (!h.success) {
    throw new BaselineStateError('BASELINE_STATE_CORRUPT', path, 'bad header', { cause: h.error, line });
  }
  return h.data;
};

const describe = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause));

/**
 * Restores a store saved by {@link saveStore} from `dir`, with `config` (the caller's config wins
 * over the one in the file; a smaller `setCap` applies from the next new value). The restored
 * store behaves exactly like the saved one: same views, and further updates give the same state
 * as without the restart.
 *
 * @throws BaselineStateError `BASELINE_STATE_MISSING` when `dir` holds no baseline file,
 *   `BASELINE_STATE_VERSION` for another format version, `BASELINE_STATE_CORRUPT` (with the line
 *   number) for a bad gzip stream, bad JSON, an entity failing the schema, or a truncated file.
 */
export const loadStore = async (dir: string, config?: BaselineConfigInput): Promise<BaselineStore> => {
  const gzPath = join(dir, BASELINE_FILE_GZ);
  const plainPath = join(dir, BASELINE_FILE_PLAIN);
  const path = (await exists(gzPath)) ? gzPath : (await exists(plainPath)) ? plainPath : undefined;
  if (path === undefined) {
    throw new BaselineStateError(
      'BASELINE_STATE_MISSING',
      dir,
      `no ${BASELINE_FILE_GZ} or ${BASELINE_FILE_PLAIN}`,
    );
  }
  const store = new BaselineStore(config);
  let lineNo = 0;
  let header = undefined as Header | undefined;
  const seen = { token: 0, app: 0, owner: 0 };
  const onLine = (line: string): void => {
    lineNo++;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (cause) {
      throw new BaselineStateError('BASELINE_STATE_CORRUPT', path, `invalid JSON: ${describe(cause)}`, {
        cause,
        line: lineNo,
      });
    }
    if (header === undefined) {
      header = parseHeader(json, path, lineNo);
      return;
    }
    const e = entityStateSchema.safeParse(json);
    if (!e.success) {
      const issue = e.error.issues[0];
      throw new BaselineStateError(
        'BASELINE_STATE_CORRUPT',
        path,
        `invalid entity state at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'unknown'}`,
        { cause: e.error, line: lineNo },
      );
    }
    seen[e.data.k]++;
    store.restore(EntityBaseline.fromJSON(e.data, store.config));
  };
  // a parse error thrown inside the pipeline surfaces as an AbortError; keep the real one
  let parseError: BaselineStateError | undefined;
  const consume = async (source: AsyncIterable<Buffer>): Promise<void> => {
    const decoder = new StringDecoder('utf8');
    let rest = '';
    try {
      for await (const chunk of source) {
        const text = rest + decoder.write(chunk);
        let from = 0;
        let nl = text.indexOf('\n', from);
        while (nl >= 0) {
          if (nl > from) onLine(text.slice(from, nl));
          from = nl + 1;
          nl = text.indexOf('\n', from);
        }
        rest = text.slice(from);
      }
      rest += decoder.end();
      if (rest.length > 0) onLine(rest);
    } catch (e) {
      if (e instanceof BaselineStateError) parseError = e;
      throw e;
    }
  };
  try {
    if (path === gzPath) await pipeline(createReadStream(path), createGunzip(), consume);
    else await pipeline(createReadStream(path), consume);
  } catch (cause) {
    if (parseError !== undefined) throw parseError;
    if (cause instanceof BaselineStateError) throw cause;
    throw new BaselineStateError('BASELINE_STATE_CORRUPT', path, `unreadable: ${describe(cause)}`, {
      cause,
      line: lineNo,
    });
  }
  if (header === undefined) throw new BaselineStateError('BASELINE_STATE_CORRUPT', path, 'empty file');
  for (const kind of KINDS) {
    if (seen[kind] !== header.counts[kind]) {
      throw new BaselineStateError(
        'BASELINE_STATE_CORRUPT',
        path,
        `truncated: header announces ${header.counts[kind]} ${kind} entities, found ${seen[kind]}`,
      );
    }
  }
  await loadOrg(store, dir);
  return store;
};
