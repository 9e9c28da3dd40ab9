import { int64Quoter } from '../../ingestors/common/framing.js';
import { scanValueEnd, skipWs } from '../../ingestors/common/json-scan.js';
import { scanRecords } from '../../ingestors/salesforce/csv-scan.js';
import { elfTypeFromLocation } from '../../ingestors/salesforce/family.js';

/**
 * How `replayFiles` turns one input file into Kafka message values, one raw record (or as close
 * to one as the format allows) per message, so offsets, dead letters and batch sizes are
 * per record and no message comes near Kafka's 1 MiB default limit:
 *
 * - NDJSON / JSON lines: one message per non-blank line. A line that is an API page (an object
 *   with an `items` or `records` array: Google Reports API page, Salesforce SOQL result) is split
 *   into one message per element. Lines that do not parse are sent as they are (they end in the
 *   DLQ, as they would from a real producer).
 * - A JSON document (array, page object, pretty-printed object): one message per array/page
 *   element, else the whole document as one message.
 * - CSV (Salesforce EventLogFile): one message per row, with the header line re-attached, so every
 *   message is a self-contained CSV. Rows keep their original bytes (quoted newlines included).
 *   When the file has no EVENT_TYPE column but its name names an ELF type (`..._RestApi.csv`),
 *   an EVENT_TYPE column is added, because on Kafka the consumer only sees
 *   `topic/partition@offset`, not the file name it used to infer the type from.
 */
export function splitRecords(text: string, fileName: string): string[] {
  const body = text.replace(/^\uFEFF/, '');
  const start = skipWs(body, 0);
  if (start >= body.length) return [];
  const first = body[start];
  if (first !== '{' && first !== '[') return splitCsv(body, fileName);
  const nl = body.indexOf('\n', start);
  const firstLine = body.slice(start, nl < 0 ? body.length : nl).trim();
  return first === '{' && tryParse(firstLine) !== undefined ? splitLines(body) : splitStream(body, start);
}

/** NDJSON: each non-blank line; pages split per element; junk lines as they are. */
function splitLines(body: string): string[] {
  return body.split(/\r?\n/).flatMap((line) => {
    const trimmed = line.trim();
    if (trimmed === '') return [];
    const v = tryParse(trimmed);
    return v === undefined ? [trimmed] : splitValue(v, trimmed);
  });
}

/** A JSON document or pretty-printed values one after another; junk up to the line end. */
function splitStream(body: string, from: number): string[] {
  const out: string[] = [];
  let pos = from;
  while (pos < body.length) {
    const c = body[pos];
    const end = c === '{' || c === '[' ? scanValueEnd(body, pos) : -1;
    const piece = end > 0 ? body.slice(pos, end) : undefined;
    const v = piece === undefined ? undefined : tryParse(piece);
    if (piece !== undefined && v !== undefined) {
      out.push(...splitValue(v, piece));
      pos = skipWs(body, end);
      continue;
    }
    const nl = body.indexOf('\n', pos);
    const lineEnd = nl < 0 ? body.length : nl;
    const junk = body.slice(pos, lineEnd).trim();
    if (junk) out.push(junk);
    pos = skipWs(body, lineEnd);
  }
  return out;
}

/** Google `id.uniqueQualifier` is an int64: parsed as its digits so re-serializing keeps it exact. */
const quoteInt64 = int64Quoter(['uniqueQualifier']);

function tryParse(text: string): unknown {
  try {
    return JSON.parse(quoteInt64(text)) as unknown;
  } catch {
    return undefined;
  }
}

const ENVELOPES = ['items', 'records'] as const;

function isPage(v: unknown): boolean {
  return (
    !!v &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    ENVELOPES.some((k) => Array.isArray((v as Record<string, unknown>)[k]))
  );
}

/** One message per element of an array or API page; the value's own text otherwise. */
function splitValue(v: unknown, original: string): string[] {
  if (Array.isArray(v)) return v.map((x) => JSON.stringify(x));
  if (isPage(v)) {
    const page = v as Record<string, unknown>;
    for (const k of ENVELOPES) {
      const items = page[k];
      if (Array.isArray(items)) return items.map((x) => JSON.stringify(x));
    }
  }
  return [original];
}

function splitCsv(text: string, fileName: string): string[] {
  const records = [...scanRecords(text)];
  const header = records[0];
  if (!header) return [];
  let headerText = text.slice(header.start, header.end);
  const hasEventType = /(^|,)"?EVENT_TYPE"?(,|$)/.test(headerText);
  const inferred = hasEventType ? undefined : elfTypeFromLocation(fileName);
  if (inferred) headerText = `"EVENT_TYPE",${headerText}`;
  return records.slice(1).map((r) => {
    const row = text.slice(r.start, r.end);
    return `${headerText}\n${inferred ? `"${inferred}",` : ''}${row}\n`;
  });
}
