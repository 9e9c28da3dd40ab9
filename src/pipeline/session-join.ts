import type { TokenActivity } from '../../schemas/token-activity.js';

interface AppRef {
  id: string;
  name: string | undefined;
}

/**
 * Salesforce attributes a connected app only on the call that started an OAuth flow
 * (`ApiEvent.ConnectedAppId` is null when the caller already holds a valid token), so later
 * calls of the same session carry only the session (`LOGIN_KEY`). This join remembers
 * session -> connected app from records that have both, and rewrites later records of the same
 * session to the grant entity `salesforce:grant:<user>:<app>` (ingestors/IDS.md). Bounded: the
 * oldest sessions are forgotten beyond `maxSessions`.
 */
export class SessionJoin {
  private readonly apps = new Map<string, AppRef>();

  constructor(private readonly maxSessions = 100_000) {}

  /** Returns the activity, with its token attributed to the session's app when known. */
  apply(activity: TokenActivity): TokenActivity {
    const session = activity.tokenwatch.session_id;
    if (activity.event.module !== 'salesforce' || !session) return activity;
    const clientId = activity.token.client?.id;
    if (clientId) {
      if (!this.apps.has(session)) {
        if (this.apps.size >= this.maxSessions) {
          const oldest = this.apps.keys().next().value;
          if (oldest !== undefined) this.apps.delete(oldest);
        }
        this.apps.set(session, { id: clientId, name: activity.token.client?.name });
      }
      return activity;
    }
    const app = this.apps.get(session);
    const userId = activity.user.id;
    if (!app || !userId || activity.token.key_kind !== 'session') return activity;
    return {
      ...activity,
      token: {
        ...activity.token,
        id: `salesforce:grant:${userId}:${app.id}`,
        key_kind: 'oauth_grant',
        type: 'oauth_access_token',
        client: { id: app.id, ...(app.name ? { name: app.name } : {}) },
      },
    };
  }

  get size(): number {
    return this.apps.size;
  }
}
