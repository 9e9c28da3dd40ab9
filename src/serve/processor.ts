import type { DeadLetter } from '../../ingestors/types.js';
import type { Alert } from '../../schemas/alert.js';
import type { Source, TokenActivity } from '../../schemas/token-activity.js';
import { decodeMessageValue } from '../kafka/message-value.js';
import type { DlqRecord, MessageOrigin } from '../kafka/messages.js';
import type { InputOptions, Normalized } from '../pipeline/pipeline.js';

/** The part of the Pipeline that serve drives (structurally `Pipeline`). */
export interface PipelineStages {
  normalize(text: string, options: InputOptions): Iterable<Normalized>;
  detect(activity: TokenActivity): { activity: TokenActivity; alerts: Alert[]; dead?: DeadLetter };
  closeGroups(latenessMs: number): Alert[];
  inputError(source: Source | 'unknown', location: string, reason: string, partial: string): Normalized;
}

/** One consumed Kafka message. */
export interface ConsumedMessage extends MessageOrigin {
  value: Buffer | null;
}

/** What one batch of messages produced, ready for the sinks. */
export interface ProcessedBatch {
  /** Activities after stage 2 (session join applied), in event-time order. */
  activities: TokenActivity[];
  /** Alerts closed by this batch: by detection, and by `closeGroups` after it. */
  alerts: Alert[];
  deadLetters: DlqRecord[];
  /** Records framed from the messages (= activities + dead letters + skipped). */
  records: number;
  skipped: number;
  /** The skipped re-deliveries (same event id and content): where each was read, the event it repeats. */
  duplicates: { location: string; duplicateOf: { id: string; location?: string } }[];
  /** Per source: records normalized / dead-lettered / skipped. */
  bySource: Record<string, { normalized: number; dead: number; skipped: number }>;
}

/**
 * Runs both pipeline stages over one batch of raw messages from one topic-partition:
 * stage 1 per message value (`location` = `topic/partition@offset`; a gzip value decompressed
 * first, see kafka/message-value.ts), then the batch's activities
 * sorted by event time (stable: ties keep offset order) through stage 2, then
 * `closeGroups(latenessMs)` so alerts are not held until shutdown. Mutates the pipeline's
 * baselines and open groups: call it only when the result will be delivered or the process
 * will not checkpoint again (see serve.ts).
 */
export function processMessages(
  pipeline: PipelineStages,
  source: Source,
  messages: readonly ConsumedMessage[],
  latenessMs: number,
): ProcessedBatch {
  const out: ProcessedBatch = {
    activities: [],
    alerts: [],
    deadLetters: [],
    records: 0,
    skipped: 0,
    duplicates: [],
    bySource: {},
  };
  const tally = (src: string) => {
    let t = out.bySource[src];
    if (!t) {
      t = { normalized: 0, dead: 0, skipped: 0 };
      out.bySource[src] = t;
    }
    return t;
  };
  const pending: { activity: TokenActivity; ts: number; seq: number; origin: MessageOrigin }[] = [];
  for (const m of messages) {
    const origin: MessageOrigin = { topic: m.topic, partition: m.partition, offset: m.offset };
    const location = `${m.topic}/${m.partition}@${m.offset}`;
    if (m.value === null || m.value.length === 0) {
      // a tombstone or empty message holds no record: one record, counted as skipped
      out.records += 1;
      out.skipped += 1;
      tally(source).skipped += 1;
      continue;
    }
    // a gzip-compressed value is decompressed first (message-value.ts); a corrupt one is one dead letter
    const decoded = decodeMessageValue(m.value);
    const items =
      decoded.kind === 'text'
        ? pipeline.normalize(decoded.text, { source, location })
        : [pipeline.inputError(source, location, decoded.reason, decoded.partial)];
    for (const item of items) {
      out.records += 1;
      if (item.kind === 'activity') {
        tally(source).normalized += 1;
        pending.push({
          activity: item.activity,
          ts: Date.parse(item.activity['@timestamp']),
          seq: pending.length,
          origin,
        });
      } else if (item.kind === 'dead') {
        tally(source).dead += 1;
        const d = item.dead;
        out.deadLetters.push({
          code: d.code,
          reason: d.reason,
          source: d.source,
          raw: d.raw,
          location: d.location,
          origin,
        });
      } else {
        tally(source).skipped += 1;
        out.skipped += 1;
        if (item.duplicateOf) out.duplicates.push({ location: item.location, duplicateOf: item.duplicateOf });
      }
    }
  }
  pending.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
  for (const p of pending) {
    const { activity, alerts, dead } = pipeline.detect(p.activity);
    out.alerts.push(...alerts);
    if (dead) {
      const t = tally(source);
      t.normalized -= 1;
      t.dead += 1;
      out.deadLetters.push({ ...dead, origin: p.origin });
      continue;
    }
    out.activities.push(activity);
  }
  out.alerts.push(...pipeline.closeGroups(latenessMs));
  return out;
}
