import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (pure code, tests beside it) and `integration` (test/, real Kafka and
 * Elasticsearch provided by test/global-setup.ts: env vars from scripts/test.sh, or testcontainers).
 */
export const config = defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{schemas,ingestors,baselines,detectors,src}/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});

// vitest reads the config's default export; this is the one exception to "no default exports".
export default config;
