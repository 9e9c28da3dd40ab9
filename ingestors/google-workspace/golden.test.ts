import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';
import { goldenTests } from '../common/golden.js';
import { googleWorkspaceIngestor } from './index.js';

describe('google workspace golden files', () => {
  goldenTests(googleWorkspaceIngestor, fileURLToPath(new URL('./fixtures/', import.meta.url)));
});
