import type { Logger } from 'pino';
import type { KeyedStateJSON } from '../../baselines/keyed-state.js';
import { PeerModels } from '../../baselines/peer-models.js';
import { BaselineStore, type BaselineStoreConfig } from '../../baselines/store.js';
import type { AppVettingLookup } from '../../detectors/lookups.js';
import { detectors as allDetectors } from '../../detectors/registry.js';
import { DetectorRunner } from '../../detectors/runner.js';
import type { SettingsById } from '../../detectors/settings.js';
import type { Detector, DetectorContext } from '../../detectors/types.js';
import { withAdminFacts } from '../../ingestors/common/admin-facts.js';
import { deadLetter } from '../../ingestors/common/dead-letter.js';
import { enrichInPlace } from '../../ingestors/common/enrich.js';
import { buildNetworkIntel, type NetworkIntel } from '../../ingestors/common/network-intel.js';
import { needsRedaction, redactRecord, redactText } from '../../ingestors/common/redact.js';
import { ingestors } from '../../ingestors/index.js';
import type { DeadLetter, RawRecord } from '../../ingestors/types.js';
import type { Alert } from '../../schemas/alert.js';
import type { SecretExposure, Source, TokenActivity } from '../../schemas/token-activity.js';
import { AlertGrouper, type GrouperSnapshot } from '../alerts/grouper.js';
import type { PipelineConfig } from '../config.js';
import { TokenLedger } from '../inventory/ledger.js';
import { emptyCounts, type PipelineCounts } from './counts.js';
import { EventMemory } from './dedup.js';
import { SessionJoin } from './session-join.js';

/** An input holding no record at all: empty, or only whitespace and byte-order marks. */
const BLANK_RE = /^[\s\ufeff]*$/;

/** Shared empty exposure list (never mutated: exposures are only attached when non-empty). */
const NO_EXPOSURES: SecretExposure[] = [];

/** What normalizing one framed item gave. */
export type Normalized =
  | { kind: 'activity'; activity: TokenActivity }
  | { kind: 'dead'; dead: DeadLetter }
  | {
      kind: 'skipped';
      source: Source;
      reason: string;
      location: string;
      /** For a duplicate: the event it repeats (its id, and where it was first read when remembered). */
      duplicateOf?: { id: string; location?: string };
      /** The raw record (secrets redacted), for writing skipped records out. */
      record?: Readonly<Record<string, unknown>>;
    };

/** Options for one input (a whole file or one Kafka message value). */
export interface InputOptions {
  source: Source;
  /** `file.ndjson` or `topic/partition@offset`; line numbers are appended by framing. */
  location: string;
}

/** Dependencies of {@link Pipeline}; everything has a default but config and logger. */
export interface PipelineDeps {
  config: PipelineConfig;
  logger: Logger;
  detectors?: readonly Detector[];
  store?: BaselineStore;
  /** Stamps `event.ingested` when given (serve mode); omitted for reproducible file runs. */
  now?: () => Date;
}

/**
 * The tokenwatch pipeline, shared by `tokenwatch run` (files) and `tokenwatch serve` (Kafka).
 *
 * Stage 1, {@link normalize}: frame raw input into records, redact raw secrets, validate and
 * normalize to token activity, enrich (GeoIP, IP prefix, cloud egress, UA family). Every record
 * ends as exactly one of activity / dead letter / skipped, and is counted.
 *
 * Stage 2, {@link detect}: join Salesforce sessions to their connected app, compare the activity
 * with the token's (or its app's / owner's) baseline as it was before this activity, run every
 * detector, fold the activity into the baselines, group findings into alerts. Activities should be
 * fed roughly in event-time order (callers merge inputs by time); late events are tolerated.
 */
export class Pipeline {
  store: BaselineStore;
  /** Peer-group isolation-forest models (multivariate detector). */
  peers: PeerModels;
  /** Baseline settings derived from the pipeline config (also used to load saved state). */
  readonly storeConfig: BaselineStoreConfig;
  readonly grouper: AlertGrouper;
  readonly sessions = new SessionJoin();
  /** Token inventory (src/inventory/ledger.ts): every credential seen, its lifecycle, scopes and alerts. */
  inventory = new TokenLedger();
  /** Drops re-delivered records (same event.id and content); saved with the state. */
  memory = new EventMemory();
  readonly counts: PipelineCounts = emptyCounts();
  /** Highest event time seen by stage 2 (epoch ms). */
  watermarkMs = 0;
  private readonly detectors: readonly Detector[];
  /** Effective detector settings by id (config `pipeline.detectors`, defaults filled). */
  private readonly settings: SettingsById;
  private readonly log: Logger;
  /** The app vetting registry detectors read (`ctx.apps`); set from the state directory. */
  apps: AppVettingLookup | undefined;
  /** The detector loop and the detectors' declared state (saved with the pipeline state). */
  runner: DetectorRunner;
  /** Network classification (bundled data loaded once per process, plus configured CIDRs). */
  private readonly network: NetworkIntel;

  constructor(private readonly deps: PipelineDeps) {
    const disabled = new Set(deps.config.disabledDetectors);
    this.detectors = (deps.detectors ?? allDetectors).filter((d) => !disabled.has(d.id));
    this.grouper = new AlertGrouper(new Map(this.detectors.map((d) => [d.id, d])));
    this.settings = deps.config.detectors as SettingsById;
    this.runner = new DetectorRunner(this.detectors, this.settings);
    this.storeConfig = {
      learningDays: deps.config.learningDays,
      learningEvents: deps.config.learningEvents,
      setCap: deps.config.setCap,
      maxEntities: deps.config.maxEntities,
    };
    this.store = deps.store ?? new BaselineStore(this.storeConfig);
    this.peers = new PeerModels();
    this.log = deps.logger.child({ component: 'pipeline' });
    // Loads (and logs) the network data at start: a missing or corrupt file fails here, typed.
    this.network = buildNetworkIntel(
      { corporateCidrs: deps.config.corporateCidrs, extraCloudCidrs: deps.config.extraCloudCidrs },
      { logger: deps.logger },
    );
  }

  /**
   * Stage 1 for one input: yields one {@link Normalized} per record, lazily.
   * Never throws on bad input: it becomes dead letters. An input that is empty or only whitespace
   * (a blank file, a blank Kafka message) is one record, counted as skipped.
   */
  *normalize(text: string, options: InputOptions): Generator<Normalized> {
    const ingestor = ingestors[options.source];
    if (BLANK_RE.test(text)) {
      this.counts.records += 1;
      this.counts.skipped += 1;
      this.counts.accounting[options.source].records += 1;
      this.counts.accounting[options.source].skipped += 1;
      yield {
        kind: 'skipped',
        source: options.source,
        reason: 'empty or whitespace-only input',
        location: options.location,
      };
      return;
    }
    const tally = this.counts.accounting[options.source];
    for (const item of ingestor.frame(text, options.location)) {
      this.counts.records += 1;
      tally.records += 1;
      const out = item.kind === 'dead' ? this.dead(item.dead) : this.normalizeRecord(item.record);
      if (out.kind === 'activity') tally.normalized += 1;
      else if (out.kind === 'dead') tally.deadLettered += 1;
      else tally.skipped += 1;
      yield out;
    }
  }

  /**
   * Stage 1 for an input whose source could not be recognized: one dead letter (`unknown_source`)
   * carrying the first 64 KiB of its text, secrets redacted.
   */
  unrecognizedInput(location: string, chunks: Iterable<{ text: string }>): Normalized {
    let head = '';
    for (const c of chunks) {
      head += c.text.slice(0, 65_536 - head.length);
      if (head.length >= 65_536) break;
    }
    this.counts.records += 1;
    this.counts.accounting.unknown.records += 1;
    this.counts.accounting.unknown.deadLettered += 1;
    return this.dead({
      source: 'unknown',
      code: 'unknown_source',
      reason:
        'input is not recognized as GitHub, Google Workspace or Salesforce audit log (use --source to force one)',
      raw: redactText(head).text,
      location,
    });
  }

  /**
   * Stage 1 for the undecodable rest of an input (a corrupt or truncated gzip stream): one
   * `parse_error` dead letter with the reader's reason and the partial text, secrets redacted.
   */
  inputError(source: Source | 'unknown', location: string, reason: string, partial: string): Normalized {
    this.counts.records += 1;
    return this.dead(deadLetter(source, 'parse_error', reason, partial, location));
  }

  /**
   * Stage 1 for one already framed record (redact, normalize, enrich). Never throws: a record that
   * makes any step throw (a bug, or input no step expected) is dead-lettered as `normalize_error`
   * with the error message and its raw text redacted with the full rule set.
   */
  normalizeRecord(record: RawRecord): Normalized {
    try {
      return this.normalizeUnchecked(record);
    } catch (cause) {
      let raw: string;
      try {
        raw = JSON.stringify(record.value) ?? '';
      } catch {
        raw = '(record could not be serialized)';
      }
      this.log.warn({ location: record.location, err: (cause as Error).message }, 'record failed in stage 1');
      return this.dead(
        deadLetter(
          record.source,
          'normalize_error',
          `stage 1 failed: ${(cause as Error).message}`,
          raw.slice(0, 200_000),
          record.location,
        ),
      );
    }
  }

  private normalizeUnchecked(record: RawRecord): Normalized {
    const ingestor = ingestors[record.source];
    // Redact before anything else sees the record. Framing marks records whose raw text cannot
    // hold a secret; others are scanned first and copied only when something is to be redacted.
    let input = record;
    let exposures: SecretExposure[] = NO_EXPOSURES;
    if (!record.secretFree) {
      if (needsRedaction(record.value)) {
        const redacted = redactRecord(record.value);
        exposures = redacted.exposures;
        input = { ...record, value: redacted.value };
      } else {
        // framing's own record, nothing to redact: marked so the normalizer skips its walk
        record.secretFree = true;
      }
    }
    this.counts.secretsRedacted += exposures.length;
    let result: ReturnType<typeof ingestor.normalize>;
    try {
      result = ingestor.normalize(input);
    } catch (cause) {
      // A normalizer bug must not stop the run: dead-letter the record with the error.
      let raw: string;
      try {
        raw = (JSON.stringify(input.value) ?? '').slice(0, 200_000);
      } catch {
        raw = '(record could not be serialized)';
      }
      return this.dead(
        deadLetter(
          record.source,
          'normalize_error',
          `normalizer failed: ${(cause as Error).message}`,
          raw,
          record.location,
        ),
      );
    }
    if (result.kind === 'dead') {
      const dead =
        exposures.length > 0
          ? { ...result.dead, reason: `${result.dead.reason}; ${exposures.length} raw secret(s) redacted` }
          : result.dead;
      if (exposures.length > 0) {
        this.log.warn(
          { location: record.location, kinds: exposures.map((e) => e.kind) },
          'raw secret in a dead-lettered record',
        );
      }
      return this.dead(dead);
    }
    if (result.kind === 'skipped') {
      this.counts.skipped += 1;
      return {
        kind: 'skipped',
        source: result.skipped.source,
        reason: result.skipped.reason,
        location: record.location,
        record: input.value,
      };
    }
    let activity = result.activity;
    if (exposures.length > 0) {
      activity = { ...activity, tokenwatch: { ...activity.tokenwatch, secret_exposures: exposures } };
    }
    const verdict = this.memory.check(activity.event.id, input.value, record.location);
    if (verdict.kind === 'duplicate') {
      this.counts.skipped += 1;
      this.counts.duplicates += 1;
      const first = verdict.firstLocation;
      return {
        kind: 'skipped',
        source: record.source,
        reason: `duplicate of event ${verdict.id} (same id and content), first read at ${first ?? 'an earlier run or before a restart (saved state)'}`,
        location: record.location,
        duplicateOf: first === undefined ? { id: verdict.id } : { id: verdict.id, location: first },
        record: input.value,
      };
    }
    if (verdict.kind === 'collision') {
      // Same id, other content: a different event the id rules could not tell apart. Kept.
      this.counts.idCollisions += 1;
      activity = { ...activity, event: { ...activity.event, id: verdict.id } };
    }
    // the normalizer's fresh activity (or this method's copy): enriched in place, no copy
    activity = withAdminFacts(enrichInPlace(activity, { network: this.network }));
    if (this.deps.now) activity.event.ingested = this.deps.now().toISOString();
    this.counts.normalized += 1;
    this.counts.bySource[record.source] += 1;
    return { kind: 'activity', activity };
  }

  /**
   * Stage 2 for one activity: evaluate detectors against the baselines as they were before it,
   * then update the baselines. Returns alerts whose groups this activity closed. Never throws: a
   * detector that throws is logged and skipped (`detectorErrors`); any other step that throws turns
   * the activity into a `normalize_error` dead letter (`dead`, moved from normalized to
   * dead-lettered in the counts) so one poisonous record cannot stop a run or serve.
   */
  detect(input: TokenActivity): { activity: TokenActivity; alerts: Alert[]; dead?: DeadLetter } {
    try {
      return this.detectUnchecked(input);
    } catch (cause) {
      this.counts.normalized -= 1;
      this.counts.bySource[input.event.module] -= 1;
      this.counts.accounting[input.event.module].normalized -= 1;
      this.counts.accounting[input.event.module].deadLettered += 1;
      this.counts.deadLettered += 1;
      this.log.error(
        { eventId: input.event.id, err: (cause as Error).message },
        'stage 2 failed for a record',
      );
      let raw: string;
      try {
        raw = JSON.stringify(input) ?? '';
      } catch {
        raw = '(activity could not be serialized)';
      }
      const dead = deadLetter(
        input.event.module,
        'normalize_error',
        `stage 2 failed: ${(cause as Error).message}`,
        raw,
        input.event.id,
      );
      return { activity: input, alerts: [], dead };
    }
  }

  private detectUnchecked(input: TokenActivity): { activity: TokenActivity; alerts: Alert[] } {
    const activity = this.sessions.apply(input);
    const atMs = Date.parse(activity['@timestamp']);
    const base = this.store.contextFor(activity);
    const peer = this.peers.contextFor(activity);
    const ctx: DetectorContext = {
      ...base,
      settings: this.settings,
      state: this.runner.state,
      ...(this.apps ? { apps: this.apps } : {}),
      ...(peer ? { peer } : {}),
    };
    const alerts: Alert[] = [];
    const findings = this.runner.evaluate(activity, ctx, { onError: this.onDetectorError(activity) });
    for (const f of findings) {
      this.counts.findings += 1;
      alerts.push(...this.grouper.add(f, activity, atMs));
    }
    this.runner.observe(activity);
    this.store.update(activity);
    this.peers.update(activity);
    this.inventory.observe(activity);
    if (alerts.length > 0) this.inventory.recordAlerts(alerts);
    if (atMs > this.watermarkMs) this.watermarkMs = atMs;
    this.counts.alerts += alerts.length;
    return { activity, alerts };
  }

  /** Closes alert groups whose window ended before `watermark - latenessMs` (event time). */
  closeGroups(latenessMs: number): Alert[] {
    const alerts = this.grouper.closeBefore(this.watermarkMs - latenessMs);
    this.counts.alerts += alerts.length;
    this.inventory.recordAlerts(alerts);
    return alerts;
  }

  /** Closes every open alert group (end of input, shutdown). */
  flush(): Alert[] {
    const alerts = this.grouper.flush();
    this.counts.alerts += alerts.length;
    this.inventory.recordAlerts(alerts);
    return alerts;
  }

  /** Replaces the learned state with a saved one (see state.ts). */
  restoreState(state: {
    store: BaselineStore;
    grouper: GrouperSnapshot;
    watermarkMs: number;
    peers?: PeerModels;
    inventory?: TokenLedger;
    detectorState?: KeyedStateJSON;
    memory?: EventMemory;
  }): void {
    this.store = state.store;
    if (state.memory) this.memory = state.memory;
    if (state.detectorState) {
      this.runner = new DetectorRunner(this.detectors, this.settings);
      this.runner.state.restore(state.detectorState);
    }
    if (state.peers) this.peers = state.peers;
    if (state.inventory) this.inventory = state.inventory;
    this.grouper.restore(state.grouper);
    this.watermarkMs = state.watermarkMs;
  }

  private onDetectorError(activity: TokenActivity): (detector: string, cause: unknown) => void {
    return (detector, cause) => {
      this.counts.detectorErrors += 1;
      this.log.error({ detector, eventId: activity.event.id, err: cause }, 'detector failed');
    };
  }

  private dead(dead: DeadLetter): Normalized {
    this.counts.deadLettered += 1;
    return { kind: 'dead', dead };
  }
}
