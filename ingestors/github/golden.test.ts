import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';
import { goldenTests } from '../common/golden.js';
import { githubIngestor } from './index.js';

describe('github golden files', () => {
  goldenTests(githubIngestor, fileURLToPath(new URL('./fixtures/', import.meta.url)));
});
