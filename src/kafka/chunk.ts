import type { Message } from 'kafkajs';

/**
 * Bytes per produce request we aim for. Brokers refuse a record batch larger than
 * `message.max.bytes` (default 1 MiB) and kafkajs sends one batch per partition per request, so
 * requests are cut well below it.
 */
export const MAX_REQUEST_BYTES = 512 * 1024;

/** Approximate size of a message on the wire: key + value + headers, bytes. */
export function messageBytes(m: Message): number {
  const size = (v: unknown): number =>
    v === null || v === undefined
      ? 0
      : typeof v === 'string'
        ? Buffer.byteLength(v)
        : Buffer.isBuffer(v)
          ? v.length
          : 0;
  let n = 64 + size(m.key) + size(m.value);
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    n += Buffer.byteLength(k) + (Array.isArray(v) ? v.reduce((s: number, x) => s + size(x), 0) : size(v));
  }
  return n;
}

/**
 * Splits messages into consecutive groups of at most `maxBytes` (and `maxCount`) each, keeping
 * order; a single message larger than `maxBytes` gets a group of its own.
 */
export function chunkMessages(
  messages: readonly Message[],
  maxBytes = MAX_REQUEST_BYTES,
  maxCount = 10_000,
): Message[][] {
  const out: Message[][] = [];
  let cur: Message[] = [];
  let bytes = 0;
  for (const m of messages) {
    const b = messageBytes(m);
    if (cur.length > 0 && (bytes + b > maxBytes || cur.length >= maxCount)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(m);
    bytes += b;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}
