import { frameJson } from '../common/framing.js';
import type { FramedItem, RecordLocation } from '../types.js';

/**
 * Frames GitHub audit-log input: NDJSON (streaming to S3/Blob/GCS, exports), a JSON array (REST
 * `GET /enterprises/{enterprise}/audit-log`, UI export), or concatenated / one-per-line objects.
 * Records are not unwrapped from any envelope (GitHub events have no `items`). Never throws.
 */
export function frameGithub(text: string, location: RecordLocation): Iterable<FramedItem> {
  return frameJson(text, location, { source: 'github', envelopes: [] });
}
