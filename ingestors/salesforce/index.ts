import type { FramedItem, Ingestor, NormalizeResult, RawRecord, RecordLocation } from '../types.js';
import { frameSalesforce } from './frame.js';
import { normalizeSalesforce } from './normalize.js';

/**
 * The Salesforce Event Monitoring ingestor: EventLogFile CSV and Real-Time Event Monitoring JSON
 * (SOQL pages, streaming messages, NDJSON, bare objects) to token activity.
 */
export const salesforceIngestor: Ingestor = {
  source: 'salesforce',
  frame(text: string, location: RecordLocation): Iterable<FramedItem> {
    return frameSalesforce(text, location);
  },
  normalize(record: RawRecord): NormalizeResult {
    return normalizeSalesforce(record);
  },
};

export { buildActivity } from './activity.js';
export { SalesforceIdError, SalesforceIngestError, SalesforceTimestampError } from './errors.js';
export type { SalesforceFrameOptions } from './frame.js';
export { frameSalesforce } from './frame.js';
export { canonicalId18, to18 } from './ids.js';
export { normalizeSalesforce } from './normalize.js';
export { parseElfTimestamp, parseSalesforceIso } from './time.js';
