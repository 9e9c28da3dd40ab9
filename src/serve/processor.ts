import type { DeadLetter } from '../../ingestors/types.js';
import type { Alert } from '../../schemas/alert.js';
import type { Source, TokenActivity } from '../../schemas/token-activity.js';
import { decodeMessageValue } from '../kafka/message-value.js';
import type { DlqRecord, MessageOrigin } from '../kafka/messages.js';
import { compareEventOrder, eventOrderKey } from '../pipeline/event-order.js';
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
  /** Activities after stage 2 (session join applied), in stage-2 order. */
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

/** An activity from stage 1 with the message it was read from. */
export interface Stage1Activity {
  activity: TokenActivity;
  origin: MessageOrigin;
}

/** What stage 1 made of a batch: the rest of a {@link ProcessedBatch}, activities not detected yet. */
export interface Stage1Batch extends Omit<ProcessedBatch, 'activities' | 'alerts'> {
  /** In offset order (per message, in framing order). */
  pending: Stage1Activity[];
}

/** An empty {@link ProcessedBatch}. */
export function emptyBatch(): ProcessedBatch {
  return {
    activities: [],
    alerts: [],
    deadLetters: [],
    records: 0,
    skipped: 0,
    duplicates: [],
    bySource: {},
  };
}

function tally(out: Pick<ProcessedBatch, 'bySource'>, src: string) {
  let t = out.bySource[src];
  if (!t) {
    t = { normalized: 0, dead: 0, skipped: 0 };
    out.bySource[src] = t;
  }
  return t;
}

/**
 * Stage 1 over one batch of raw messages from one topic-partition, per message value
 * (`location` = `topic/partition@offset`; a gzip value decompressed first, see
 * kafka/message-value.ts): dead letters and skips are final; activities are returned for stage 2
 * ({@link detectActivities}), in offset order. Mutates the pipeline (counts, dedup memory).
 */
export function normalizeMessages(
  pipeline: PipelineStages,
  source: Source,
  messages: readonly ConsumedMessage[],
): Stage1Batch {
  const out: Stage1Batch = {
    pending: [],
    deadLetters: [],
    records: 0,
    skipped: 0,
    duplicates: [],
    bySource: {},
  };
  for (const m of messages) {
    const origin: MessageOrigin = { topic: m.topic, partition: m.partition, offset: m.offset };
    const location = `${m.topic}/${m.partition}@${m.offset}`;
    if (m.value === null || m.value.length === 0) {
      // a tombstone or empty message holds no record: one record, counted as skipped
      out.records += 1;
      out.skipped += 1;
      tally(out, source).skipped += 1;
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
        tally(out, source).normalized += 1;
        out.pending.push({ activity: item.activity, origin });
      } else if (item.kind === 'dead') {
        tally(out, source).dead += 1;
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
        tally(out, source).skipped += 1;
        out.skipped += 1;
        if (item.duplicateOf) out.duplicates.push({ location: item.location, duplicateOf: item.duplicateOf });
      }
    }
  }
  return out;
}

/**
 * Stage 2 over activities already in stage-2 order (pipeline/event-order.ts), appended to `out`:
 * detection (an activity whose stage 2 throws becomes a dead letter, moved from normalized to
 * dead in `out.bySource`), then `closeGroups(latenessMs)` so alerts are not held until shutdown.
 * Mutates the pipeline's baselines and open groups.
 */
export function detectActivities(
  pipeline: PipelineStages,
  activities: Iterable<Stage1Activity>,
  latenessMs: number,
  out: ProcessedBatch,
): ProcessedBatch {
  for (const p of activities) {
    const { activity, alerts, dead } = pipeline.detect(p.activity);
    out.alerts.push(...alerts);
    if (dead) {
      const t = tally(out, p.activity.event.module);
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

/**
 * Runs both pipeline stages over one batch of raw messages from one topic-partition on its own
 * ({@link normalizeMessages}, the batch's activities sorted in stage-2 order, then
 * {@link detectActivities}); serve itself puts its event-time release buffer (reorder.ts) between the two stages
 * (batch-loop.ts). Mutates the pipeline's baselines and open groups.
 */
export function processMessages(
  pipeline: PipelineStages,
  source: Source,
  messages: readonly ConsumedMessage[],
  latenessMs: number,
): ProcessedBatch {
  const { pending, ...rest } = normalizeMessages(pipeline, source, messages);
  const ordered = pending
    .map((p) => ({ ...eventOrderKey(p.activity), origin: p.origin }))
    .sort(compareEventOrder);
  return detectActivities(pipeline, ordered, latenessMs, { ...rest, activities: [], alerts: [] });
}
