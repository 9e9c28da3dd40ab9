import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ElfEventType } from './emitted.js';
import { labelsFileSchema, labelsSchema } from './labels.js';
import { dataFiles, readRaw } from './raw-reader.js';
import { ELF_COLUMNS } from './records-salesforce.js';
import { type SimulationSummary, simulate } from './simulate.js';

const SMALL = {
  seed: 11,
  start: '2025-03-03',
  days: 21,
  orgs: 2,
  people: 12,
  volume: 0.3,
  badInputs: true,
} as const;

function digest(dir: string): string {
  const h = createHash('sha256');
  for (const f of dataFiles(dir)) h.update(f.slice(dir.length)).update(readFileSync(f));
  h.update(readFileSync(join(dir, 'labels.json')));
  return h.digest('hex');
}

describe('simulate (small population)', () => {
  const root = mkdtempSync(join(tmpdir(), 'tokenwatch-sim-'));
  const dirA = join(root, 'a');
  let summary: SimulationSummary;

  beforeAll(async () => {
    summary = await simulate({ ...SMALL, outDir: dirA });
  }, 120_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is byte-identical for the same seed and differs for another seed', async () => {
    const dirB = join(root, 'b');
    const dirC = join(root, 'c');
    await simulate({ ...SMALL, outDir: dirB });
    await simulate({ ...SMALL, seed: 12, outDir: dirC });
    expect(digest(dirB)).toBe(digest(dirA));
    expect(digest(dirC)).not.toBe(digest(dirA));
  }, 120_000);

  it('writes all three sources and a valid labels file', () => {
    expect(summary.records.github).toBeGreaterThan(500);
    expect(summary.records.google_workspace).toBeGreaterThan(300);
    expect(summary.records.salesforce).toBeGreaterThan(300);
    const labels = labelsFileSchema.parse(JSON.parse(readFileSync(summary.labelsPath, 'utf8')));
    expect(labelsSchema).toBe(labelsFileSchema);
    expect(labels.dataset.tokens).toBe(summary.tokens);
    const kinds = labels.incidents.map((i) => i.kind).sort();
    // the one-IP / one-ASN replays need 4 developers with a PAT in one org: skipped at 6 people per org
    expect(kinds).toEqual([
      'S1',
      'S10',
      'S11',
      'S12',
      'S2',
      'S3',
      'S4',
      'S6',
      'S7',
      'S8',
      'S9',
      'app.scope_beyond_approved/approved-app-asks-for-mail',
      'token.session.concurrent_networks/pat-replayed-while-owner-works',
    ]);
    expect(labels.dataset.notes?.filter((n) => n.includes('network.source_many_owners/pats-'))).toHaveLength(
      2,
    );
    expect(labels.dataset.notes?.some((n) => n.includes('S5 skipped'))).toBe(true);
    expect(new Set(labels.incidents.map((i) => i.source))).toEqual(
      new Set(['github', 'google_workspace', 'salesforce']),
    );
    const laKinds = new Set(labels.lookalikes.map((l) => l.kind));
    for (const k of ['N1', 'N2', 'N3', 'N4', 'N6'] as const) expect(laKinds).toContain(k);
  });

  it('every labeled event id exists in the raw data (ids recomputed from raw records)', () => {
    const raw = readRaw(dirA);
    const byId = new Map(raw.map((r) => [r.eventId, r]));
    const labels = labelsFileSchema.parse(JSON.parse(readFileSync(summary.labelsPath, 'utf8')));
    for (const inc of labels.incidents) {
      const missing = inc.event_ids.filter((id) => !byId.has(id));
      expect(missing, inc.id).toEqual([]);
      const tokens = new Set(inc.event_ids.map((id) => byId.get(id)?.tokenId));
      expect(tokens.has(inc.entity), `${inc.id} entity ${inc.entity}`).toBe(true);
      for (const t of tokens) expect(inc.entities).toContain(t);
      const times = inc.event_ids.map((id) => byId.get(id)?.t as number);
      expect(Math.min(...times)).toBe(Date.parse(inc.first_malicious));
      expect(Math.max(...times)).toBe(Date.parse(inc.last_malicious));
    }
    const benignTokens = new Set(raw.map((r) => r.tokenId));
    for (const la of labels.lookalikes)
      expect(
        la.entities.some((e) => benignTokens.has(e)),
        la.id,
      ).toBe(true);
    // event ids are unique except re-delivered ELF rows (same REQUEST_ID)
    const dupes = raw.length - byId.size;
    expect(dupes).toBeLessThan(raw.length * 0.01);
  });

  it("never has the victim use a credential the attacker created (S2's connected app, S10's minted PAT)", () => {
    // Before: the victim's benign behaviour drove the attacker's grant like their own Data Loader,
    // even weeks before it was authorized (unlabeled benign records on the incident's entity).
    const raw = readRaw(dirA);
    const labels = labelsFileSchema.parse(JSON.parse(readFileSync(summary.labelsPath, 'utf8')));
    const created = labels.incidents.filter((i) => i.kind === 'S2' || i.kind === 'S10');
    expect(created.map((i) => i.kind).sort()).toEqual(['S10', 'S2']);
    for (const inc of created) {
      const malicious = new Set(inc.event_ids);
      const benign = raw.filter((r) => r.tokenId === inc.entity && !malicious.has(r.eventId));
      expect(
        benign.map((r) => new Date(r.t).toISOString()),
        inc.id,
      ).toEqual([]);
    }
  });

  it('writes GitHub events with epoch-ms timestamps and token fields', () => {
    const gh = readRaw(dirA).filter((r) => r.source === 'github');
    let withToken = 0;
    let withoutIp = 0;
    for (const { record: r } of gh) {
      expect(Number.isInteger(r['@timestamp'])).toBe(true);
      expect(r['@timestamp'] as number).toBeGreaterThan(1_600_000_000_000);
      expect(r['created_at']).toBe(r['@timestamp']);
      expect(typeof r['_document_id']).toBe('string');
      if (typeof r['hashed_token'] === 'string') {
        withToken++;
        expect(Buffer.from(r['hashed_token'], 'base64')).toHaveLength(32);
        expect(typeof r['programmatic_access_type']).toBe('string');
      }
      if (r['token_scopes'] !== undefined) expect(typeof r['token_scopes']).toBe('string');
      if (r['actor_ip'] === undefined) withoutIp++;
      else expect((r['actor_location'] as { country_code: string }).country_code).toMatch(/^[A-Z]{2}$/);
    }
    expect(withToken).toBeGreaterThan(gh.length / 2);
    expect(withoutIp).toBeGreaterThan(0);
    const types = new Set(gh.map((r) => r.record['programmatic_access_type']));
    for (const t of [
      'Personal access token (classic)',
      'OAuth access token',
      'Fine-grained personal access token',
      'GitHub App server-to-server token',
    ])
      expect(types).toContain(t);
  }, 60_000);

  it('writes Google Workspace Reports API pages with string int64s', () => {
    const files = dataFiles(dirA).filter((f) => f.includes('/google_workspace/'));
    expect(files.map((f) => f.split('/').pop()).sort()).toEqual(
      [
        'admin.ndjson',
        'drive.ndjson',
        'login.ndjson',
        'token.ndjson',
        'admin.ndjson',
        'drive.ndjson',
        'login.ndjson',
        'token.ndjson',
      ].sort(),
    );
    let late = 0;
    for (const f of files) {
      const pages = readFileSync(f, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      pages.forEach((page, i) => {
        expect(page.kind).toBe('admin#reports#activities');
        expect(Array.isArray(page.items)).toBe(true);
        expect(page.nextPageToken === undefined).toBe(i === pages.length - 1);
        let prev = '';
        for (const act of page.items) {
          expect(act.kind).toBe('admin#reports#activity');
          expect(typeof act.id.uniqueQualifier).toBe('string');
          expect(act.id.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
          if (act.id.time < prev) late++;
          prev = act.id.time > prev ? act.id.time : prev;
          for (const e of act.events)
            for (const p of e.parameters ?? [])
              if (p.intValue !== undefined) expect(typeof p.intValue).toBe('string');
        }
      });
    }
    expect(late).toBeGreaterThan(0);
  });

  it('writes Salesforce ELF CSVs (quoted, right headers) and RTEM records', () => {
    const csvs = dataFiles(dirA).filter((f) => f.endsWith('.csv'));
    expect(csvs.length).toBeGreaterThan(10);
    for (const f of csvs) {
      const type = /_(\w+)\.csv$/.exec(f)?.[1] as ElfEventType;
      const text = readFileSync(f, 'utf8');
      const rows = parse(text, { relax_quotes: false }) as string[][];
      expect(rows[0]).toEqual([...ELF_COLUMNS[type]]);
      for (const line of text.trim().split('\n'))
        expect(line.startsWith('"') && line.endsWith('"')).toBe(true);
      for (const row of rows.slice(1)) {
        const r = Object.fromEntries((rows[0] as string[]).map((h, i) => [h, row[i] ?? '']));
        expect(r['EVENT_TYPE']).toBe(type);
        expect(r['TIMESTAMP']).toMatch(/^\d{14}\.\d{3}$/);
        expect(r['USER_ID']).toHaveLength(15);
        expect(r['USER_ID_DERIVED']?.startsWith(r['USER_ID'] as string)).toBe(true);
        expect(r['USER_ID_DERIVED']).toHaveLength(18);
      }
    }
    const rtem = readRaw(dirA).filter((r) => r.file.includes('/rtem/'));
    expect(new Set(rtem.map((r) => (r.record['attributes'] as { type: string }).type))).toEqual(
      new Set(['ApiEvent', 'LoginEvent', 'BulkApiResultEvent', 'ReportEvent']),
    );
    for (const { record: r } of rtem) {
      expect(r['EventDate']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
      expect(r['UserId']).toHaveLength(18);
    }
  });

  it('keeps malformed inputs apart in bad/', () => {
    expect(dataFiles(dirA).some((f) => f.includes('/bad/'))).toBe(false);
    expect(readFileSync(join(dirA, 'bad', 'github-oversized.ndjson')).length).toBeGreaterThan(1024 * 1024);
  });
});

describe('simulate (spans)', () => {
  it('injects S5 when the span allows a >= 90-day dormancy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenwatch-s5-'));
    try {
      const s = await simulate({
        outDir: dir,
        seed: 5,
        days: 104,
        people: 6,
        volume: 0.05,
        incidents: [{ kind: 'S5' }, { kind: 'S1' }],
      });
      const labels = labelsFileSchema.parse(JSON.parse(readFileSync(s.labelsPath, 'utf8')));
      const s5 = labels.incidents.find((i) => i.kind === 'S5');
      expect(s5).toBeDefined();
      const raw = readRaw(dir).filter((r) => r.tokenId === s5?.entity);
      const first = Date.parse(s5!.first_malicious);
      const lastBenign = Math.max(...raw.filter((r) => r.t < first).map((r) => r.t));
      expect(first - lastBenign).toBeGreaterThan(90 * 86_400_000);
      expect(labels.lookalikes.some((l) => l.kind === 'N5')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('simulate (memory)', () => {
  it('streams a medium population in bounded memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenwatch-mem-'));
    // The unit project shares modules across test files (isolate: false): the heap already holds
    // what earlier files in this worker loaded, so the bound is on the growth during this run.
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }, 25);
    try {
      const s = await simulate({ outDir: dir, seed: 8, days: 4, tokens: 6000, orgs: 2, incidents: 'none' });
      peak = Math.max(peak, process.memoryUsage().heapUsed);
      expect(s.tokens).toBeGreaterThan(4000);
      expect(s.records.github + s.records.google_workspace + s.records.salesforce).toBeGreaterThan(50_000);
      // one hour of traffic plus the population, not the dataset
      expect(peak - before).toBeLessThan(300 * 1024 * 1024);
    } finally {
      clearInterval(timer);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});

describe('simulate with one file per day (split: day)', () => {
  it('finishes a multi-day span (daily files closed under back-pressure used to hang flush)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-sim-split-'));
    try {
      const r = await simulate({
        outDir: dir,
        seed: 3,
        tokens: 2000,
        days: 6,
        incidents: 'none',
        split: 'day',
      });
      expect(r.events).toBeGreaterThan(10_000);
      const days = new Set(r.files.map((f) => /\d{4}-\d{2}-\d{2}/.exec(f.path)?.[0]).filter(Boolean));
      expect(days.size).toBeGreaterThanOrEqual(6); // late deliveries can land in the day after the span
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
