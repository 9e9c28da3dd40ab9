import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BASELINE_FILES, loadStore } from '../../baselines/persistence.js';
import type { BaselineStore } from '../../baselines/store.js';
import type { Alert } from '../../schemas/alert.js';
import { AppsRegistry } from '../inventory/apps-registry.js';
import { DEFAULT_POLICY, type HygienePolicy, inventoryRow, inventoryRows } from '../inventory/hygiene.js';
import type { TokenLedger } from '../inventory/ledger.js';
import { LEDGER_FILE } from '../inventory/persistence.js';
import { liveStateDir, loadInventoryState, referenceTime } from '../inventory/state-view.js';
import { ALERT_LOG_FILE, type LoggedAlert, readAlertLog } from './alert-log.js';
import { baselineSummary, recentActivity } from './token-detail.js';
import { TriageFiles } from './triage-files.js';
import { afterCursor, alertView, byNewest, matchesAlertQuery } from './triage-logic.js';
import {
  type AlertPage,
  type AlertQuery,
  type AlertView,
  type ConsoleStore,
  encodeCursor,
  type Suppression,
  type TokenDetail,
  type TokenPage,
  type TriageRecord,
} from './types.js';

/** Options of {@link EmbeddedStore}. */
export interface EmbeddedStoreOptions {
  /** reference time for idle days: ISO, `now`, or undefined = the state's newest event */
  asOf?: string;
  policy?: HygienePolicy;
  /** wall clock (tests) */
  now?: () => Date;
}

const mtime = async (path: string): Promise<number> => (existsSync(path) ? (await stat(path)).mtimeMs : -1);

/**
 * The console store over a state directory written by `tokenwatch run --state DIR` (or a serve
 * checkpoint): inventory from `inventory.json.gz`, alerts from `alerts.ndjson`, baselines from
 * `baselines/`, triage and suppressions in `triage.json` / `suppressions.json`, apps in
 * `apps.json`. Files written by a later run are picked up on the next request (by mtime).
 */
export class EmbeddedStore implements ConsoleStore {
  private ledger!: TokenLedger;
  private watermarkMs = 0;
  private ledgerMtime = -2;
  private alertLog: LoggedAlert[] = [];
  private alertById = new Map<string, LoggedAlert>();
  private alertMtime = -2;
  private baselines: BaselineStore | undefined;
  private baselineMtime = -2;

  private constructor(
    readonly dir: string,
    private readonly triage: TriageFiles,
    private readonly registry: AppsRegistry,
    private readonly options: EmbeddedStoreOptions,
  ) {}

  /** @throws StateError when the directory holds no state or a file is corrupt */
  static async open(dir: string, options: EmbeddedStoreOptions = {}): Promise<EmbeddedStore> {
    const store = new EmbeddedStore(dir, await TriageFiles.load(dir), await AppsRegistry.load(dir), options);
    await store.refresh();
    return store;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private asOfMs(): number {
    return referenceTime(this.options.asOf, this.watermarkMs, () => this.now().getTime());
  }

  private policy(): HygienePolicy {
    return this.options.policy ?? DEFAULT_POLICY;
  }

  /** Reloads what changed on disk since the last request. */
  private async refresh(): Promise<void> {
    const live = await liveStateDir(this.dir);
    const lm = await mtime(join(live, LEDGER_FILE));
    if (lm !== this.ledgerMtime) {
      const state = await loadInventoryState(this.dir);
      this.ledger = state.ledger;
      this.watermarkMs = state.watermarkMs;
      this.ledgerMtime = lm;
    }
    const am = await mtime(join(this.dir, ALERT_LOG_FILE));
    if (am !== this.alertMtime) {
      this.alertLog = await readAlertLog(this.dir);
      this.alertById = new Map(this.alertLog.map((l) => [l.alert.event.id, l]));
      this.alertMtime = am;
    }
  }

  private async baselineStore(): Promise<BaselineStore | undefined> {
    const dir = join(await liveStateDir(this.dir), 'baselines');
    let bm = -1;
    for (const name of BASELINE_FILES) bm = Math.max(bm, await mtime(join(dir, name)));
    if (bm < 0) return undefined;
    if (bm !== this.baselineMtime) {
      this.baselines = await loadStore(dir);
      this.baselineMtime = bm;
    }
    return this.baselines;
  }

  private view(l: LoggedAlert, sups: readonly Suppression[]): AlertView {
    return alertView(l.alert, l.recorded_at, this.triage.get(l.alert.event.id), sups);
  }

  async tokens(
    filter: Parameters<ConsoleStore['tokens']>[0],
    page: { offset: number; limit: number },
  ): Promise<TokenPage> {
    await this.refresh();
    const asOf = this.asOfMs();
    const rows = inventoryRows(this.ledger, asOf, this.policy(), this.registry, filter);
    return {
      items: rows.slice(page.offset, page.offset + page.limit),
      total: rows.length,
      as_of: new Date(asOf).toISOString(),
    };
  }

  async token(id: string): Promise<TokenDetail | undefined> {
    await this.refresh();
    const r = this.ledger.tokens.get(id);
    if (!r) return undefined;
    const row = inventoryRow(r, this.asOfMs(), this.policy(), this.ledger.offboardingFor(r), this.registry);
    const entity = (await this.baselineStore())?.get('token', id);
    const sups = this.triage.suppressions();
    const alerts = this.alertLog
      .filter((l) => l.alert.tokenwatch.token.id === id)
      .map((l) => this.view(l, sups))
      .sort(byNewest);
    return {
      token: row,
      baseline: entity ? baselineSummary(entity) : null,
      recent: recentActivity(r.recent),
      alerts,
    };
  }

  async alerts(q: AlertQuery): Promise<AlertPage> {
    await this.refresh();
    const sups = this.triage.suppressions();
    const all = this.alertLog
      .map((l) => this.view(l, sups))
      .filter((v) => matchesAlertQuery(v, q))
      .sort(byNewest)
      .filter((v) => afterCursor(v, q.cursor));
    const items = all.slice(0, q.limit);
    const last = items.at(-1);
    return {
      items,
      ...(all.length > q.limit && last ? { next_cursor: encodeCursor(last.timestamp, last.id) } : {}),
    };
  }

  async alert(id: string): Promise<{ view: AlertView; document: Alert } | undefined> {
    await this.refresh();
    const l = this.alertById.get(id);
    return l ? { view: this.view(l, this.triage.suppressions()), document: l.alert } : undefined;
  }

  async setAlertStatus(id: string, triage: TriageRecord): Promise<AlertView | undefined> {
    await this.refresh();
    const l = this.alertById.get(id);
    if (!l) return undefined;
    await this.triage.set(id, triage);
    return this.view(l, this.triage.suppressions());
  }

  async suppressions(): Promise<Suppression[]> {
    return this.triage.suppressions();
  }

  async addSuppression(s: Omit<Suppression, 'id' | 'created_at'>): Promise<Suppression> {
    const full: Suppression = { ...s, id: randomUUID(), created_at: this.now().toISOString() };
    await this.triage.addSuppression(full);
    return full;
  }

  async deleteSuppression(id: string): Promise<boolean> {
    return this.triage.deleteSuppression(id);
  }

  async apps() {
    return this.registry.list();
  }

  async approveApp(input: Parameters<ConsoleStore['approveApp']>[0]) {
    return this.registry.approve(input, this.now());
  }

  async revokeApp(source: string, clientId: string, by: string) {
    return this.registry.revoke(source, clientId, by, this.now());
  }

  async ready(): Promise<boolean> {
    return existsSync(this.dir);
  }
}
