/**
 * Streams generated records to files in the vendors' formats, in arrival order, with bounded
 * memory (writes honour stream back-pressure):
 * - `<org>/github/audit-log[-<day>].ndjson`: one audit event per line;
 * - `<org>/google_workspace/<application>[-<day>].ndjson`: one Reports API page per line
 *   (`{"kind":"admin#reports#activities","etag",...,"items":[...],"nextPageToken"}`);
 * - `<org>/salesforce/elf/<LogDate>_<EventType>.csv`: daily EventLogFile CSV, every value quoted;
 * - `<org>/salesforce/rtem/<Object>[-<day>].ndjson`: Real-Time Event Monitoring records.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { isoDate } from './calendar.js';
import type { Emitted, GwsActivity } from './emitted.js';
import type { Population } from './population-types.js';
import { type Rng, rngFor } from './prng.js';
import { ELF_COLUMNS } from './records-salesforce.js';

/** One written file. */
export interface FileStat {
  /** Path relative to the output directory (forward slashes). */
  path: string;
  source: 'github' | 'google_workspace' | 'salesforce';
  /** `audit`, `reports:<app>`, `EventLogFile:<type>`, `<RTEM object>`. */
  family: string;
  format: 'ndjson' | 'gws_pages_ndjson' | 'elf_csv' | 'rtem_ndjson';
  /** Raw records (GWS: activities; ELF: rows). */
  records: number;
  bytes: number;
}

interface OpenFile {
  stream: WriteStream;
  /** Pending drain, shared by all writes that hit back-pressure. */
  drain?: Promise<void>;
  /** Text buffered since the last flush (one write per file per batch). */
  buf: string[];
  stat: FileStat;
  /** GWS: items of the page being filled and the full page waiting for its successor. */
  items?: string[];
  held?: string[];
  rng?: Rng;
}

/** Quotes one CSV value the way EventLogFile does (always quoted, quotes doubled). */
export function csvQuote(v: string): string {
  return `"${v.replace(/"/g, '""')}"`;
}

/** Writes records; call {@link OutputWriter.flush} between batches and {@link OutputWriter.close} at the end. */
export class OutputWriter {
  private readonly files = new Map<string, OpenFile>();
  private readonly closed: FileStat[] = [];
  private drains: Promise<void>[] = [];

  constructor(
    private readonly outDir: string,
    private readonly pop: Population,
    private readonly opts: { split: 'none' | 'day'; gwsPageSize: number; seed: number },
  ) {}

  private open(
    rel: string,
    source: FileStat['source'],
    family: string,
    format: FileStat['format'],
    header?: string,
  ): OpenFile {
    let f = this.files.get(rel);
    if (f) return f;
    const abs = join(this.outDir, rel);
    mkdirSync(dirname(abs), { recursive: true });
    const stream = createWriteStream(abs, { encoding: 'utf8' });
    f = { stream, buf: [], stat: { path: rel, source, family, format, records: 0, bytes: 0 } };
    if (format === 'gws_pages_ndjson') {
      f.items = [];
      f.rng = rngFor(this.opts.seed, 'gws-pages', rel);
    }
    this.files.set(rel, f);
    if (header !== undefined) this.put(f, header);
    return f;
  }

  private put(f: OpenFile, text: string): void {
    f.buf.push(text);
  }

  private drainBuffer(f: OpenFile): void {
    if (f.buf.length === 0) return;
    const text = f.buf.join('');
    f.buf = [];
    f.stat.bytes += Buffer.byteLength(text);
    if (!f.stream.write(text) && !f.drain) {
      const file = f;
      // Resolves on 'drain', or when the file is ended/closed first (a daily file closed while a
      // write waits on back-pressure never emits 'drain', which used to hang flush()).
      file.drain = new Promise((resolve) => {
        const done = (): void => {
          file.stream.off('drain', done);
          file.stream.off('finish', done);
          file.stream.off('close', done);
          file.drain = undefined;
          resolve();
        };
        file.stream.once('drain', done);
        file.stream.once('finish', done);
        file.stream.once('close', done);
      });
      this.drains.push(file.drain);
    }
  }

  private suffix(arrival: number): string {
    return this.opts.split === 'day' ? `-${isoDate(arrival)}` : '';
  }

  /** Writes one record. */
  write(e: Emitted): void {
    const org = this.pop.tenants[e.tenant]?.slug ?? `org${e.tenant}`;
    if (e.source === 'github') {
      const f = this.open(
        `${org}/github/audit-log${this.suffix(e.arrival)}.ndjson`,
        'github',
        'audit',
        'ndjson',
      );
      f.stat.records++;
      this.put(f, `${JSON.stringify(e.rec)}\n`);
      return;
    }
    if (e.source === 'google_workspace') {
      const f = this.open(
        `${org}/google_workspace/${e.app}${this.suffix(e.arrival)}.ndjson`,
        'google_workspace',
        `reports:${e.app}`,
        'gws_pages_ndjson',
      );
      f.stat.records++;
      this.addItem(f, e.rec);
      return;
    }
    if (e.channel === 'elf') {
      const cols = ELF_COLUMNS[e.eventType];
      const f = this.open(
        `${org}/salesforce/elf/${isoDate(e.arrival)}_${e.eventType}.csv`,
        'salesforce',
        `EventLogFile:${e.eventType}`,
        'elf_csv',
        `${cols.map(csvQuote).join(',')}\n`,
      );
      f.stat.records++;
      this.put(f, `${cols.map((c) => csvQuote(e.row[c] ?? '')).join(',')}\n`);
      return;
    }
    const f = this.open(
      `${org}/salesforce/rtem/${e.object}${this.suffix(e.arrival)}.ndjson`,
      'salesforce',
      e.object,
      'rtem_ndjson',
    );
    f.stat.records++;
    this.put(f, `${JSON.stringify(e.rec)}\n`);
  }

  private addItem(f: OpenFile, act: GwsActivity): void {
    const items = f.items as string[];
    items.push(JSON.stringify(act));
    if (items.length >= this.opts.gwsPageSize) {
      if (f.held) this.writePage(f, f.held, true);
      f.held = items.splice(0, items.length);
    }
  }

  private writePage(f: OpenFile, items: string[], more: boolean): void {
    const rng = f.rng as Rng;
    const etag = JSON.stringify(`"${rng.base62(27)}/${rng.base62(27)}"`);
    const next = more ? `,"nextPageToken":${JSON.stringify(`A:${rng.digits(16)}:${rng.base62(24)}`)}` : '';
    this.put(f, `{"kind":"admin#reports#activities","etag":${etag},"items":[${items.join(',')}]${next}}\n`);
  }

  /** Waits for back-pressure to clear; closes daily ELF files older than `beforeDate` (YYYY-MM-DD). */
  async flush(beforeDate?: string): Promise<void> {
    for (const f of this.files.values()) this.drainBuffer(f);
    if (beforeDate !== undefined) {
      for (const [rel, f] of this.files) {
        if (f.stat.format !== 'elf_csv' && this.opts.split !== 'day') continue;
        const m = /(\d{4}-\d{2}-\d{2})/.exec(rel);
        if (m && (m[1] as string) < beforeDate) await this.closeFile(rel, f);
      }
    }
    const pending = this.drains;
    this.drains = [];
    await Promise.all(pending);
  }

  private async closeFile(rel: string, f: OpenFile): Promise<void> {
    if (f.stat.format === 'gws_pages_ndjson') {
      const items = f.items as string[];
      if (f.held) this.writePage(f, f.held, items.length > 0);
      if (items.length > 0 || !f.held) this.writePage(f, items, false);
    }
    this.drainBuffer(f);
    this.files.delete(rel);
    this.closed.push(f.stat);
    await new Promise<void>((resolve, reject) => {
      f.stream.once('error', reject);
      f.stream.end(() => resolve());
    });
  }

  /** Closes every file and returns their stats sorted by path. */
  async close(): Promise<FileStat[]> {
    await this.flush();
    for (const [rel, f] of [...this.files]) await this.closeFile(rel, f);
    return [...this.closed].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}
