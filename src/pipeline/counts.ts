import type { Source } from '../../schemas/token-activity.js';

/**
 * Pipeline counters. Invariant after a run: `records = normalized + deadLettered + skipped`
 * (every record is accounted for exactly once).
 */
export interface PipelineCounts {
  records: number;
  normalized: number;
  deadLettered: number;
  skipped: number;
  /** of the skipped, records dropped as duplicates of an already seen event.id */
  duplicates: number;
  bySource: Record<Source, number>;
  findings: number;
  alerts: number;
  secretsRedacted: number;
  detectorErrors: number;
}

/** Zeroed counters. */
export function emptyCounts(): PipelineCounts {
  return {
    records: 0,
    normalized: 0,
    deadLettered: 0,
    skipped: 0,
    duplicates: 0,
    bySource: { github: 0, google_workspace: 0, salesforce: 0 },
    findings: 0,
    alerts: 0,
    secretsRedacted: 0,
    detectorErrors: 0,
  };
}
