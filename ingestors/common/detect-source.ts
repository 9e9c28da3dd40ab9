import type { Source } from '../../schemas/token-activity.js';

/**
 * Guesses which vendor an input comes from, from its first bytes (and file name): used when the
 * CLI is given files without `--source`. Checks, in order:
 * - Salesforce: a `.csv` file, a CSV header with `EVENT_TYPE`, or JSON with `EventIdentifier`,
 *   `"attributes":{"type":…}` (SOQL), an RTEM object name (`ApiEvent`, `LoginEvent`, …) or a
 *   streaming channel (`/event/…Stream`);
 * - Google Workspace: `"applicationName"` (the activity `id`) or `admin#reports#` (API kinds);
 * - GitHub: an `"action"` field together with `"actor"`, `"hashed_token"` or `"@timestamp"`.
 * Returns undefined when nothing matches. Only the first 64 KiB are looked at.
 */
export function detectSource(text: string, filename?: string): Source | undefined {
  if (filename?.toLowerCase().endsWith('.csv')) return 'salesforce';
  const head = (text.length > 65_536 ? text.slice(0, 65_536) : text).replace(/^\ufeff/, '').trimStart();
  if (head === '') return undefined;
  const firstLine = head.slice(0, Math.max(0, head.indexOf('\n'))) || head;
  if (/^"?EVENT_TYPE"?\s*,/.test(firstLine) || /(?:^|,)"?EVENT_TYPE"?(?:,|\r?$)/.test(firstLine))
    return 'salesforce';
  if (
    /"EventIdentifier"\s*:/.test(head) ||
    /"attributes"\s*:\s*\{\s*"type"\s*:/.test(head) ||
    /"EVENT_TYPE"\s*:/.test(head) ||
    /"(?:ApiEvent|LoginEvent|LogoutEvent|UriEvent|ReportEvent|ListViewEvent|BulkApiResultEvent|LoginAsEvent|ApiAnomalyEventStore|SessionHijackingEventStore|CredentialStuffingEventStore)"/.test(
      head,
    ) ||
    /"\/event\/\w+"/.test(head)
  ) {
    return 'salesforce';
  }
  if (/"applicationName"\s*:/.test(head) || /admin#reports#/.test(head)) return 'google_workspace';
  if (/"action"\s*:\s*"/.test(head) && /"(?:actor|hashed_token|@timestamp)"\s*:/.test(head)) return 'github';
  return undefined;
}
