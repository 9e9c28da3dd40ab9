import type { Ingestor } from '../types.js';
import { frameGithub } from './frame.js';
import { normalizeGithub } from './normalize.js';

/** The GitHub audit-log ingestor (framing + normalization). */
export const githubIngestor: Ingestor = {
  source: 'github',
  frame: frameGithub,
  normalize: normalizeGithub,
};
