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
import { validateEntityState } from './entity-codec.js';
import { BaselineStateError } from './errors.js';
import { OrgBaseline, orgStateSchema } from './org-baseline.js';
import { BaselineStore } from './store.js';
import type { EntityKind } from './types.js';

/** Format id and version written in the header line; bump the version on incompatible changes. */
export const BASELINE_FORMAT = 'tokenwatch.baselines';
/**
 * Version 2: a JSON header line, then each entity as a varint byte length and its binary state
 * (entity-codec.ts). Version 1 (NDJSON, one JSON entity per line) is still read.
 */
export const BASELINE_FORMAT_VERSION = 2;
/** File names in the save directory (gzip is the default). */
export const BASELINE_FILE_GZ = 'baselines.bin.gz';
export const BASELINE_FILE_PLAIN = 'baselines.bin';
/** Version 1 file names (NDJSON), read when no version 2 file is present and removed by the next save. */
export const BASELINE_V1_FILE_GZ = 'baselines.ndjson.gz';
export const BASELINE_V1_FILE_PLAIN = 'baselines.ndjson';
/** Every entity file name {@link loadStore} reads, in order of preference. */
export const BASELINE_FILES: readonly string[] = [
  BASELINE_FILE_GZ,
  BASELINE_FILE_PLAIN,
  BASELINE_V1_FILE_GZ,
  BASELINE_V1_FILE_PLAIN,
];
/** Organization-wide state (org-baseline.ts), gzipped JSON, next to the entity file; optional on load. */
export const ORG_FILE = 'org.json.gz';

const gzipAsync = promisify(gzipBuffer);
const gunzipAsync = promisify(gunzip);

const KINDS: readonly EntityKind[] = ['token', 'app', 'owner'];

const formatIdSchema = z.object({ format: z.literal(BASELINE_FORMAT), version: z.number().int() });
const headerSchema = z.object({
  format: z.literal(BASELINE_FORMAT),
  version: z.union([z.literal(1), z.literal(BASELINE_FORMAT_VERSION)]),
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

/** Batches of the file's bytes: the header line, then length-prefixed entity records. */
async function* records(store: BaselineStore): AsyncGenerator<Buffer> {
  const counts = { token: store.size('token'), app: store.size('app'), owner: store.size('owner') };
  yield Buffer.from(
    `${JSON.stringify({ format: BASELINE_FORMAT, version: BASELINE_FORMAT_VERSION, counts, config: store.config })}\n`,
  );
  const batch: Uint8Array[] = [];
  let bytes = 0;
  for (const kind of KINDS) {
    for (const e of store.entities(kind)) {
      const rec = e.encode();
      batch.push(varint(rec.length), rec);
      bytes += rec.length;
      if (bytes >= 256 * 1024) {
        yield Buffer.concat(batch);
        batch.length = 0;
        bytes = 0;
      }
    }
  }
  if (batch.length > 0) yield Buffer.concat(batch);
}

/** Unsigned LEB128 varint (record lengths). */
const varint = (n: number): Uint8Array => {
  const out: number[] = [];
  while (n >= 128) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Uint8Array.from(out);
};

/**
 * Writes every entity of `store` to `dir/baselines.bin.gz` (or `baselines.bin` without gzip),
 * atomically: a temporary file is written, fsynced, then renamed over the previous one, so a
 * crash leaves either the old or the new file, never a mix. Entity files of the other form and
 * of version 1 are removed afterwards.
 *
 * Format (version 2): line 1 is the UTF-8 JSON header `{format: 'tokenwatch.baselines',
 * version: 2, counts: {token, app, owner}, config}` and a newline; then per entity its byte
 * length (unsigned LEB128 varint) and its binary state (entity-codec.ts, version byte 2),
 * tokens then apps then owners, each kind least recently updated first, so LRU order survives a
 * restart.
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
    const source = Readable.from(records(store));
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
  for (const other of BASELINE_FILES) if (other !== name) await rm(join(dir, other), { force: true });
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

const parseHeader = (json: unknown, path: string, line: number, expected: number): Header => {
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
  if (id.data.version !== 1 && id.data.version !== BASELINE_FORMAT_VERSION) {
    throw new BaselineStateError(
      'BASELINE_STATE_VERSION',
      path,
      `format version ${id.data.version} is not supported (this build reads versions 1 and ${BASELINE_FORMAT_VERSION})`,
      { line },
    );
  }
  if (id.data.version !== expected) {
    throw new BaselineStateError(
      'BASELINE_STATE_CORRUPT',
      path,
      `format version ${id.data.version} in a file named for version ${expected}`,
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
 * as without the restart. Reads the version 2 file (`baselines.bin.gz` / `baselines.bin`) or,
 * when there is none, a version 1 file of an earlier release (`baselines.ndjson.gz` /
 * `baselines.ndjson`), whose entities migrate as they load (the next save writes version 2).
 *
 * @throws BaselineStateError `BASELINE_STATE_MISSING` when `dir` holds no baseline file,
 *   `BASELINE_STATE_VERSION` for another format version, `BASELINE_STATE_CORRUPT` (with the line,
 *   or for version 2 the record number counting the header as 1) for a bad gzip stream, bad
 *   JSON, an entity failing to decode or the schema, or a truncated file.
 */
export const loadStore = async (dir: string, config?: BaselineConfigInput): Promise<BaselineStore> => {
  let path: string | undefined;
  for (const name of BASELINE_FILES) {
    if (await exists(join(dir, name))) {
      path = join(dir, name);
      break;
    }
  }
  if (path === undefined) {
    throw new BaselineStateError(
      'BASELINE_STATE_MISSING',
      dir,
      `no ${BASELINE_FILE_GZ}, ${BASELINE_FILE_PLAIN}, ${BASELINE_V1_FILE_GZ} or ${BASELINE_V1_FILE_PLAIN}`,
    );
  }
  const file = path;
  const binary = file.endsWith(BASELINE_FILE_GZ) || file.endsWith(BASELINE_FILE_PLAIN);
  const store = new BaselineStore(config);
  let lineNo = 0;
  let header = undefined as Header | undefined;
  const seen = { token: 0, app: 0, owner: 0 };
  const parseJson = (line: string): unknown => {
    try {
      return JSON.parse(line);
    } catch (cause) {
      throw new BaselineStateError('BASELINE_STATE_CORRUPT', file, `invalid JSON: ${describe(cause)}`, {
        cause,
        line: lineNo,
      });
    }
  };
  const add = (entity: EntityBaseline): void => {
    seen[entity.kind]++;
    store.restore(entity);
  };
  const onLine = (line: string): void => {
    lineNo++;
    const json = parseJson(line);
    if (header === undefined) {
      header = parseHeader(json, file, lineNo, 1);
      return;
    }
    add(EntityBaseline.fromJSON(validateEntityState(json, file, lineNo), store.config));
  };
  const onRecord = (bytes: Uint8Array): void => {
    lineNo++;
    add(EntityBaseline.decode(bytes, store.config, file, lineNo));
  };
  // a parse error thrown inside the pipeline surfaces as an AbortError; keep the real one
  let parseError: BaselineStateError | undefined;
  const consumeLines = async (source: AsyncIterable<Buffer>): Promise<void> => {
    const decoder = new StringDecoder('utf8');
    let rest = '';
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
  };
  const consumeRecords = async (source: AsyncIterable<Buffer>): Promise<void> => {
    let buf: Buffer = Buffer.alloc(0);
    let at = 0;
    for await (const chunk of source) {
      buf = at < buf.length ? Buffer.concat([buf.subarray(at), chunk]) : chunk;
      at = 0;
      if (header === undefined) {
        const nl = buf.indexOf(0x0a);
        if (nl < 0) continue;
        lineNo++;
        header = parseHeader(parseJson(buf.subarray(0, nl).toString('utf8')), file, lineNo, 2);
        at = nl + 1;
      }
      for (;;) {
        // record: varint length, then the bytes
        let len = 0;
        let mul = 1;
        let p = at;
        let complete = false;
        while (p < buf.length && p - at < 8) {
          const b = buf[p++]!;
          len += (b & 127) * mul;
          mul *= 128;
          if (b < 128) {
            complete = true;
            break;
          }
        }
        if (!complete) {
          if (p - at >= 8)
            throw new BaselineStateError('BASELINE_STATE_CORRUPT', file, 'bad record length', {
              line: lineNo + 1,
            });
          break;
        }
        if (p + len > buf.length) break;
        onRecord(buf.subarray(p, p + len));
        at = p + len;
      }
    }
    if (header === undefined) {
      if (buf.length > 0) {
        lineNo++;
        header = parseHeader(parseJson(buf.toString('utf8')), file, lineNo, 2);
      }
      return;
    }
    if (at < buf.length) {
      throw new BaselineStateError(
        'BASELINE_STATE_CORRUPT',
        file,
        'truncated: incomplete last entity record',
        {
          line: lineNo + 1,
        },
      );
    }
  };
  const consume = async (source: AsyncIterable<Buffer>): Promise<void> => {
    try {
      await (binary ? consumeRecords(source) : consumeLines(source));
    } catch (e) {
      if (e instanceof BaselineStateError) parseError = e;
      throw e;
    }
  };
  try {
    if (file.endsWith('.gz')) await pipeline(createReadStream(file), createGunzip(), consume);
    else await pipeline(createReadStream(file), consume);
  } catch (cause) {
    if (parseError !== undefined) throw parseError;
    if (cause instanceof BaselineStateError) throw cause;
    throw new BaselineStateError('BASELINE_STATE_CORRUPT', file, `unreadable: ${describe(cause)}`, {
      cause,
      line: lineNo,
    });
  }
  if (header === undefined) throw new BaselineStateError('BASELINE_STATE_CORRUPT', file, 'empty file');
  for (const kind of KINDS) {
    if (seen[kind] !== header.counts[kind]) {
      throw new BaselineStateError(
        'BASELINE_STATE_CORRUPT',
        file,
        `truncated: header announces ${header.counts[kind]} ${kind} entities, found ${seen[kind]}`,
      );
    }
  }
  await loadOrg(store, dir);
  return store;
};
