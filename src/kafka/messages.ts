import type { Message } from 'kafkajs';
import type { DeadLetterCode } from '../../ingestors/types.js';
import type { TokenActivity } from '../../schemas/token-activity.js';

/** Where a consumed message came from. */
export interface MessageOrigin {
  topic: string;
  partition: number;
  /** Kafka offset (a decimal string, as kafkajs gives it). */
  offset: string;
}

/**
 * Dead-letter codes on the DLQ topic: the ingestors' codes, plus `empty_message` (a message
 * with no value) and `sink_rejected` (Elasticsearch refused a document for good, e.g. a mapping
 * conflict; the value is then the document).
 */
export type DlqCode = DeadLetterCode | 'empty_message' | 'sink_rejected';

/** One record bound for the DLQ topic. */
export interface DlqRecord {
  code: DlqCode;
  reason: string;
  source: string;
  /** Redacted raw record (or the rejected document), at most 64 KiB. */
  raw: string;
  /** `topic/partition@offset[:line]` or `elasticsearch/<index>/<id>`. */
  location: string;
  /** The raw message it came from, if any. */
  origin?: MessageOrigin;
}

/** DLQ header names (values are UTF-8 strings). */
export const DLQ_HEADERS = {
  code: 'tokenwatch.dlq.code',
  reason: 'tokenwatch.dlq.reason',
  source: 'tokenwatch.dlq.source',
  location: 'tokenwatch.dlq.location',
  topic: 'tokenwatch.dlq.topic',
  partition: 'tokenwatch.dlq.partition',
  offset: 'tokenwatch.dlq.offset',
} as const;

/** Header values are kept short; the full reason rarely exceeds this. */
const MAX_REASON_BYTES = 2048;

/**
 * The DLQ message for a dead letter: value = the redacted raw record, headers = code, reason,
 * source, location and (when known) the source topic/partition/offset; key = the source
 * `topic/partition@offset` so all dead letters of one message land in one DLQ partition.
 */
export function deadLetterMessage(record: DlqRecord): Message {
  const headers: Record<string, string> = {
    [DLQ_HEADERS.code]: record.code,
    [DLQ_HEADERS.reason]: record.reason.slice(0, MAX_REASON_BYTES),
    [DLQ_HEADERS.source]: record.source,
    [DLQ_HEADERS.location]: record.location,
  };
  if (record.origin) {
    headers[DLQ_HEADERS.topic] = record.origin.topic;
    headers[DLQ_HEADERS.partition] = String(record.origin.partition);
    headers[DLQ_HEADERS.offset] = record.origin.offset;
  }
  const key = record.origin
    ? `${record.origin.topic}/${record.origin.partition}@${record.origin.offset}`
    : record.location;
  return { key, value: record.raw, headers };
}

/** The activity-topic message: key = `token.id` (per-token ordering), value = the activity JSON. */
export function activityMessage(activity: TokenActivity): Message {
  return {
    key: activity.token.id,
    value: JSON.stringify(activity),
    headers: { 'tokenwatch.event.id': activity.event.id },
  };
}

/** Decodes kafkajs header values (Buffer, string or arrays of them) into strings. */
export function decodeHeaders(headers: Message['headers'] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = first.toString();
  }
  return out;
}
