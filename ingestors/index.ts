import type { Source } from '../schemas/token-activity.js';
import { githubIngestor } from './github/index.js';
import { googleWorkspaceIngestor } from './google-workspace/index.js';
import { salesforceIngestor } from './salesforce/index.js';
import type { Ingestor } from './types.js';

/** Every source's ingestor, by `event.module` value. */
export const ingestors: Record<Source, Ingestor> = {
  github: githubIngestor,
  google_workspace: googleWorkspaceIngestor,
  salesforce: salesforceIngestor,
};

export { detectSource } from './common/detect-source.js';
export { githubIngestor, googleWorkspaceIngestor, salesforceIngestor };
