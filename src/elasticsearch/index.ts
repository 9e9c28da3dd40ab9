export type { BulkAction, BulkRejection, BulkResult, ItemOutcome } from './bulk.js';
export { bulkOnce } from './bulk.js';
export type { ElasticsearchClientOptions } from './client.js';
export { createElasticsearch } from './client.js';
export type { TokenFacts, TokenInventoryDoc } from './inventory.js';
export {
  fetchInventory,
  inventoryActions,
  inventoryDocs,
  MAX_ALERT_IDS,
  mergeInventory,
} from './inventory.js';
export { activityMappings, alertMappings, tokenInventoryMappings } from './mappings.js';
export {
  activityDataStream,
  alertDataStream,
  DATASETS,
  TEMPLATE_NAMES,
  tokenInventoryIndex,
} from './names.js';
export type { IndexTemplate, InstallResult } from './templates.js';
export { buildTemplates, installTemplates, TEMPLATE_PRIORITY, TEMPLATE_VERSION } from './templates.js';
