/**
 * Reads a simulated output directory back into raw records and recomputes `event.id` and
 * `token.id` with ids.ts (used by the tests and handy for eval debugging). Whole files are read
 * into memory, so use it on sample-sized outputs.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { GwsActivity } from './emitted.js';
import {
  githubEventId,
  githubTokenId,
  googleEventId,
  googleTokenId,
  salesforceElfEventId,
  salesforceElfTokenId,
  salesforceRtemEventId,
  salesforceRtemTokenId,
} from './ids.js';

/** One raw record read back, with its recomputed ids. */
export interface RawRead {
  file: string;
  source: 'github' | 'google_workspace' | 'salesforce';
  eventId: string;
  tokenId: string;
  /** epoch ms event time */
  t: number;
  record: Record<string, unknown>;
}

/** All data files under a directory (skips labels.json, READMEs and `bad/`). */
export function dataFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        if (name !== 'bad') walk(p);
      } else if (/\.(ndjson|csv)$/.test(name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Reads every record of a simulated output directory. */
export function readRaw(dir: string): RawRead[] {
  const out: RawRead[] = [];
  for (const path of dataFiles(dir)) {
    const file = relative(dir, path);
    const text = readFileSync(path, 'utf8');
    if (file.includes('/github/')) {
      for (const line of text.split('\n')) {
        if (!line) continue;
        const rec = JSON.parse(line) as Record<string, unknown>;
        out.push({
          file,
          source: 'github',
          eventId: githubEventId(rec),
          tokenId: githubTokenId(rec),
          t: rec['@timestamp'] as number,
          record: rec,
        });
      }
    } else if (file.includes('/google_workspace/')) {
      for (const line of text.split('\n')) {
        if (!line) continue;
        const page = JSON.parse(line) as { items?: GwsActivity[] };
        for (const act of page.items ?? []) {
          act.events.forEach((_, i) => {
            out.push({
              file,
              source: 'google_workspace',
              eventId: googleEventId(act, i),
              tokenId: googleTokenId(act, i),
              t: Date.parse(act.id.time),
              record: act as unknown as Record<string, unknown>,
            });
          });
        }
      }
    } else if (file.endsWith('.csv')) {
      const rows = parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
      for (const row of rows) {
        out.push({
          file,
          source: 'salesforce',
          eventId: salesforceElfEventId(row),
          tokenId: salesforceElfTokenId(row),
          t: Date.parse(row['TIMESTAMP_DERIVED'] ?? ''),
          record: row,
        });
      }
    } else {
      for (const line of text.split('\n')) {
        if (!line) continue;
        const rec = JSON.parse(line) as Record<string, unknown>;
        const type = (rec['attributes'] as { type: string }).type;
        out.push({
          file,
          source: 'salesforce',
          eventId: salesforceRtemEventId(type, rec),
          tokenId: salesforceRtemTokenId(rec),
          t: Date.parse(String(rec['EventDate']).replace('+0000', 'Z')),
          record: rec,
        });
      }
    }
  }
  return out;
}
