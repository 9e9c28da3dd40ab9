import { z } from 'zod';
import type { TokenActivity } from '../../schemas/token-activity.js';

/** What a Salesforce session (`tokenwatch.session_id`, hashed LOGIN_KEY / SESSION_KEY) belongs to. */
interface SessionOwner {
  /** `app`: an OAuth session of a connected app; `browser`: a user's interactive (UI) login. */
  kind: 'app' | 'browser';
  /** 18-char connected app id, once a record of the session carried it. */
  id?: string;
  /** Connected app name (`LoginEvent.Application`, `CONNECTED_APP_NAME`). */
  name?: string;
}

/** Serialized join: `[session id, kind, app id | null, app name | null]`, least recently learned first. */
export const sessionJoinStateSchema = z.array(
  z.tuple([z.string(), z.enum(['app', 'browser']), z.string().nullable(), z.string().nullable()]),
);
export type SessionJoinState = z.infer<typeof sessionJoinStateSchema>;

/** True for the login record of a session (ELF `Login`, RTEM `LoginEvent`). */
const isLogin = (a: TokenActivity): boolean => /^login(event)?$/i.test(a.event.action);

/**
 * Joins Salesforce sessions to what opened them, so every record of a session lands on one entity:
 *
 * - Salesforce attributes a connected app only on some records (`ApiEvent.ConnectedAppId` is null
 *   when the caller already holds a valid token), so later calls of the same session carry only
 *   the session (`LOGIN_KEY`). The join learns session -> app from the first record that shows it:
 *   the session's `LoginEvent` / `Login` row (an OAuth login: `LoginType` `Remote Access 2.0`, or
 *   `Application` naming the connected app; documented for LoginEvent: `Application`, `LoginKey`,
 *   `SessionKey`), or any record with `ConnectedAppId`; and rewrites the session's records without
 *   an app id to the grant entity `salesforce:grant:<user>:<app id>` (ingestors/IDS.md). When the
 *   login named the app but no record has shown its id yet, the records go to
 *   `salesforce:grant:<user>:name:<Application>` instead: never to the user's browser entity.
 * - A browser (UI) login marks its session as the user's: its records stay on
 *   `salesforce:user:<id>`, so a rep's browser and an integration's OAuth session never share an
 *   entity (a shared one "travels" between the rep's office and the integration's cloud).
 *
 * The join is part of the pipeline state (saved with the baselines, see state.ts): a session that
 * began before a restart keeps its app. Bounded: the oldest sessions are forgotten beyond
 * `maxSessions`.
 */
export class SessionJoin {
  private readonly sessions = new Map<string, SessionOwner>();

  constructor(private readonly maxSessions = 100_000) {}

  private remember(session: string, owner: SessionOwner): void {
    this.sessions.delete(session);
    if (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    this.sessions.set(session, owner);
  }

  /** Returns the activity, with its token attributed to the session's app when known. */
  apply(activity: TokenActivity): TokenActivity {
    const session = activity.tokenwatch.session_id;
    if (activity.event.module !== 'salesforce' || !session) return activity;
    const clientId = activity.token.client?.id;
    const known = this.sessions.get(session);
    if (clientId) {
      if (known?.id !== clientId) {
        const name = activity.token.client?.name ?? known?.name;
        this.remember(session, { kind: 'app', id: clientId, ...(name ? { name } : {}) });
      }
      return activity;
    }
    if (known === undefined && isLogin(activity)) {
      if (activity.token.type === 'oauth_access_token') {
        const name = activity.token.client?.name;
        this.remember(session, { kind: 'app', ...(name ? { name } : {}) });
      } else if (activity.token.type === 'session') {
        this.remember(session, { kind: 'browser' });
        return activity;
      }
    }
    const owner = known ?? this.sessions.get(session);
    const userId = activity.user.id;
    if (owner?.kind !== 'app' || !userId || activity.token.key_kind !== 'session') return activity;
    const appKey = owner.id ?? (owner.name ? `name:${owner.name}` : undefined);
    if (appKey === undefined) return activity;
    const client = {
      ...(owner.id ? { id: owner.id } : { id: appKey }),
      ...(owner.name ? { name: owner.name } : {}),
    };
    return {
      ...activity,
      token: {
        ...activity.token,
        id: `salesforce:grant:${userId}:${appKey}`,
        key_kind: 'oauth_grant',
        type: 'oauth_access_token',
        client,
      },
    };
  }

  get size(): number {
    return this.sessions.size;
  }

  /** The join as saved with the pipeline state ({@link sessionJoinStateSchema}). */
  toJSON(): SessionJoinState {
    return [...this.sessions].map(([s, o]) => [s, o.kind, o.id ?? null, o.name ?? null]);
  }

  /** Replaces the join with a saved one (validate untrusted input with {@link sessionJoinStateSchema}). */
  restore(state: SessionJoinState): void {
    this.sessions.clear();
    for (const [s, kind, id, name] of state) {
      this.remember(s, { kind, ...(id !== null ? { id } : {}), ...(name !== null ? { name } : {}) });
    }
  }
}
