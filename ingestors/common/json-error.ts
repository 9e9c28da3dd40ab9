/**
 * The message of a `JSON.parse` SyntaxError without the `" (line L column C)"` suffix that V8 in
 * Node 22+ appends (Node 20: `Unterminated string in JSON at position 61`; Node 22/24: the same
 * followed by ` (line 1 column 62)`). Dead-letter reasons and golden files then read the same on
 * every supported Node version; the position still locates the error inside the record.
 */
export function jsonErrorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/ \(line \d+ column \d+\)$/, '');
}
