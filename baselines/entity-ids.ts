import type { TokenActivity } from '../schemas/token-activity.js';

/** Token entity id: `token.id` (ingestors/IDS.md). */
export const tokenEntityId = (a: TokenActivity): string => a.token.id;

/** App entity id `app:<event.module>:<token.client.id>`, or undefined without a client id. */
export const appEntityId = (a: TokenActivity): string | undefined => {
  const client = a.token.client?.id;
  return client ? `app:${a.event.module}:${client}` : undefined;
};

/** Owner entity id `owner:<event.module>:<user.email || user.name || user.id>`, or undefined without any. */
export const ownerEntityId = (a: TokenActivity): string | undefined => {
  const u = a.user.email || a.user.name || a.user.id;
  return u ? `owner:${a.event.module}:${u}` : undefined;
};
