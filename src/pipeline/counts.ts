import type { Source } from '../../schemas/token-activity.js';

/** One source's share of the accounting: `records = normalized + deadLettered + skipped`. */
export interface SourceAccounting {
  records: number;
  normalized: number;
  deadLettered: number;
  skipped: number;
}

/**
 * Pipeline counters. Invariant after a run: `records = normalized + deadLettered + skipped`
 * (every record is accounted for exactly once).
 */
export interface PipelineCounts {
  records: number;
  normalized: number;
  deadLettered: number;
  skipped: number;
  /** of the skipped, re-deliveries dropped: same event.id and same content as a record seen before */
  duplicates: number;
  /**
   * of the normalized, records whose event.id was already seen with other content: kept under
   * `<id>~<hex16 content hash>` (ingestors/IDS.md)
   */
  idCollisions: number;
  /** normalized activities per source */
  bySource: Record<Source, number>;
  /** the accounting per source (`unknown`: inputs whose source was not recognized) */
  accounting: Record<Source | 'unknown', SourceAccounting>;
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
    idCollisions: 0,
    bySource: { github: 0, google_workspace: 0, salesforce: 0 },
    accounting: {
      github: emptyAccounting(),
      google_workspace: emptyAccounting(),
      salesforce: emptyAccounting(),
      unknown: emptyAccounting(),
    },
    findings: 0,
    alerts: 0,
    secretsRedacted: 0,
    detectorErrors: 0,
  };
}

function emptyAccounting(): SourceAccounting {
  return { records: 0, normalized: 0, deadLettered: 0, skipped: 0 };
}
