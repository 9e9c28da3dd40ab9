/**
 * User-agent cleanup for `USER_AGENT` (RestApi, AuraRequest ELF), `BROWSER_TYPE` (Login, Logout
 * ELF) and `UserAgent` (RTEM). Values can be URL-encoded (`rv%3A50.0`) and some event types log a
 * numeric client code instead of a user agent (AuraRequest `13047000`, Logout `13050000` =
 * "Chrome Desktop 50"); those codes are not user agents and are dropped.
 */

const PLACEHOLDERS = new Set(['', 'n/a', 'na', 'unknown', 'null', '-']);

/** Decodes `%XX` escapes when the value has any; keeps the raw value if decoding fails. */
function percentDecode(value: string): string {
  if (!/%[0-9A-Fa-f]{2}/.test(value)) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The user-agent string to put in `user_agent.original`, or undefined when the value is empty, a
 * placeholder (`Unknown`, `N/A`) or a purely numeric client code.
 */
export function cleanUserAgent(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const decoded = percentDecode(value.trim()).trim();
  if (PLACEHOLDERS.has(decoded.toLowerCase())) return undefined;
  if (/^\d+(\.\d+)?$/.test(decoded)) return undefined;
  return decoded;
}

/** True when the user agent is a web browser (`Mozilla/...` or `Opera/...`). */
export function isBrowserUserAgent(ua: string | undefined): boolean {
  return ua !== undefined && /^(Mozilla|Opera)\//.test(ua);
}
