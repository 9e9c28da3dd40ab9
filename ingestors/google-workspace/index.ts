import type { Ingestor } from '../types.js';
import { frameGoogleWorkspace } from './frame.js';
import { normalizeGoogleWorkspace } from './normalize.js';

/** The Google Workspace Reports API ingestor (framing + normalization). */
export const googleWorkspaceIngestor: Ingestor = {
  source: 'google_workspace',
  frame: frameGoogleWorkspace,
  normalize: normalizeGoogleWorkspace,
};
