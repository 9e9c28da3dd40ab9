import type { Alert } from '../../schemas/alert.js';
import type { TokenActivity } from '../../schemas/token-activity.js';

/** Most distinct ids remembered per kind (bounds memory on very large runs). */
const MAX_NAMES = 200_000;

/**
 * Display names learned from the logs themselves during a run: user ids (a Salesforce `USER_ID`,
 * a Google profile id) to the user name or email the same records carry, and OAuth client ids (a
 * Salesforce connected-app id, a Google client id) to the app name. Only for the terminal: the
 * alert documents are not changed. When a log never carries a name, the raw id stays.
 */
export class NameBook {
  private readonly users = new Map<string, string>();
  private readonly clients = new Map<string, string>();

  /** Learns the names one activity carries (first name seen for an id wins). */
  learn(a: TokenActivity): void {
    remember(this.users, a.user.id, a.user.name ?? a.user.email);
    const owner = a.token.owner;
    remember(this.users, owner.id, owner.name ?? owner.email);
    remember(this.clients, a.token.client?.id, a.token.client?.name);
  }

  /** The user's name or email, when a record named it. */
  user(id: string | undefined): string | undefined {
    return id === undefined ? undefined : this.users.get(id);
  }

  /** The OAuth app's name, when a record named it. */
  client(id: string | undefined): string | undefined {
    return id === undefined ? undefined : this.clients.get(id);
  }

  /** The alert's owner as a person would read it: a name or email, else the raw id. */
  ownerOf(a: Alert): string | undefined {
    const raw = a.tokenwatch.token.owner ?? a.user.name ?? a.user.id;
    return this.user(raw) ?? this.user(a.user.id) ?? raw;
  }

  /** The alert's OAuth app: its name, else the raw client id. */
  appOf(a: Alert): string | undefined {
    const c = a.tokenwatch.token.client;
    return c?.name ?? this.client(c?.id) ?? c?.id;
  }

  /**
   * The alert's message with the raw user and client ids it mentions replaced by their names
   * (only whole ids, not ids inside a token id such as `salesforce:grant:<user>:<client>`).
   */
  message(a: Alert): string {
    let text = a.message;
    const ids = [a.tokenwatch.token.owner, a.user.id, a.user.name, a.tokenwatch.token.client?.id];
    for (const id of new Set(ids)) {
      if (!id) continue;
      const name = this.user(id) ?? this.client(id);
      if (!name || name === id) continue;
      text = text.replace(new RegExp(`(?<![\\w:.@-])${escapeRegExp(id)}(?![\\w:@-])`, 'g'), name);
    }
    return text;
  }
}

function remember(map: Map<string, string>, id: string | undefined, name: string | undefined): void {
  if (!id || !name || name === id || map.has(id) || map.size >= MAX_NAMES) return;
  map.set(id, name);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
