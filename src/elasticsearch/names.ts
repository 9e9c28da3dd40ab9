/**
 * Index and data stream names, following Elastic's `logs-<dataset>-<namespace>` data stream
 * naming scheme (so Kibana's `logs-*` views and promotion rules find the alerts).
 */

/** Data stream of alert documents: `logs-tokenwatch.alert-<namespace>`. */
export const alertDataStream = (namespace: string): string => `logs-tokenwatch.alert-${namespace}`;

/** Data stream of normalized activity: `logs-tokenwatch.activity-<namespace>`. */
export const activityDataStream = (namespace: string): string => `logs-tokenwatch.activity-${namespace}`;

/** Plain index of the token inventory (one document per `token.id`): `tokenwatch-tokens-<namespace>`. */
export const tokenInventoryIndex = (namespace: string): string => `tokenwatch-tokens-${namespace}`;

/**
 * Plain index of identity facts serve derives from the logs (offboarding events, login-to-email
 * links), read by the console to flag an offboarded owner's tokens: `tokenwatch-identities-<namespace>`.
 */
export const identitiesIndex = (namespace: string): string => `tokenwatch-identities-${namespace}`;

/** Index template names (one per kind; they match every namespace). */
export const TEMPLATE_NAMES = {
  alert: 'tokenwatch-alert',
  activity: 'tokenwatch-activity',
  tokens: 'tokenwatch-tokens',
  identities: 'tokenwatch-identities',
} as const;

/** Dataset names (`event.dataset`, `data_stream.dataset`). */
export const DATASETS = { alert: 'tokenwatch.alert', activity: 'tokenwatch.activity' } as const;
