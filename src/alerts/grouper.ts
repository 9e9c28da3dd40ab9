import type { Detector, Finding } from '../../detectors/types.js';
import type { Alert, Severity } from '../../schemas/alert.js';
import { SEVERITY_SCORE } from '../../schemas/alert.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { buildAlert } from './build-alert.js';

interface OpenGroup {
  detectorId: string;
  first: { finding: Finding; activity: TokenActivity };
  startMs: number;
  endMs: number;
  count: number;
  eventIds: string[];
  severity: Severity;
  riskScore: number;
}

/** Serializable grouper state, saved with the baselines so a restart keeps open groups. */
export interface GrouperSnapshot {
  version: 1;
  groups: OpenGroup[];
}

/**
 * Groups findings of the same detector about the same entity: the first finding opens a group
 * that lasts `detector.groupWindowMs` of event time; later findings within it are folded in (count,
 * time span, evidence ids, highest severity). A group becomes one alert when it closes: when a
 * finding arrives after its window, when the event-time watermark passes its end
 * ({@link closeBefore}), or at {@link flush}. The alert id is derived from detector + entity +
 * group start, so replaying the same input gives the same alerts.
 */
export class AlertGrouper {
  private readonly groups = new Map<string, OpenGroup>();

  constructor(
    private readonly detectors: ReadonlyMap<string, Detector>,
    private readonly maxEvidence = 50,
  ) {}

  /** Number of open groups. */
  get size(): number {
    return this.groups.size;
  }

  /**
   * Adds a finding caused by `activity` (event time `atMs`, epoch ms). Returns the alerts of any
   * group this finding closed (at most one).
   * @throws Error when the finding names a detector that is not registered.
   */
  add(finding: Finding, activity: TokenActivity, atMs: number): Alert[] {
    const detector = this.detectorOf(finding.detectorId);
    const key = `${finding.detectorId}|${finding.entity}`;
    const open = this.groups.get(key);
    const severity = finding.severity ?? detector.severity;
    const riskScore = finding.riskScore ?? detector.riskScore;
    if (
      open &&
      atMs >= open.startMs - detector.groupWindowMs &&
      atMs < open.startMs + detector.groupWindowMs
    ) {
      open.count += 1;
      open.startMs = Math.min(open.startMs, atMs);
      open.endMs = Math.max(open.endMs, atMs);
      if (open.eventIds.length < this.maxEvidence) open.eventIds.push(activity.event.id);
      if (SEVERITY_SCORE[severity] > SEVERITY_SCORE[open.severity]) open.severity = severity;
      open.riskScore = Math.max(open.riskScore, riskScore);
      return [];
    }
    const closed = open ? [this.toAlert(open)] : [];
    this.groups.set(key, {
      detectorId: finding.detectorId,
      first: { finding, activity },
      startMs: atMs,
      endMs: atMs,
      count: 1,
      eventIds: [activity.event.id],
      severity,
      riskScore,
    });
    return closed;
  }

  /** Closes and returns the groups whose window ended at or before `watermarkMs` (event time). */
  closeBefore(watermarkMs: number): Alert[] {
    const out: Alert[] = [];
    for (const [key, g] of this.groups) {
      if (g.startMs + this.detectorOf(g.detectorId).groupWindowMs <= watermarkMs) {
        out.push(this.toAlert(g));
        this.groups.delete(key);
      }
    }
    return out;
  }

  /** Closes every open group, oldest first. */
  flush(): Alert[] {
    const all = [...this.groups.values()].sort((a, b) => a.startMs - b.startMs);
    this.groups.clear();
    return all.map((g) => this.toAlert(g));
  }

  /** Open groups as plain data (see {@link GrouperSnapshot}). */
  snapshot(): GrouperSnapshot {
    return { version: 1, groups: structuredClone([...this.groups.values()]) };
  }

  /** Replaces the open groups with a snapshot's. Groups of unknown detectors are dropped. */
  restore(snapshot: GrouperSnapshot): void {
    this.groups.clear();
    for (const g of snapshot.groups) {
      if (!this.detectors.has(g.detectorId)) continue;
      this.groups.set(`${g.detectorId}|${g.first.finding.entity}`, g);
    }
  }

  private detectorOf(id: string): Detector {
    const d = this.detectors.get(id);
    if (!d) throw new Error(`finding from unregistered detector "${id}"`);
    return d;
  }

  private toAlert(g: OpenGroup): Alert {
    return buildAlert(this.detectorOf(g.detectorId), g.first, {
      startMs: g.startMs,
      endMs: g.endMs,
      count: g.count,
      eventIds: g.eventIds,
      severity: g.severity,
      riskScore: g.riskScore,
    });
  }
}
