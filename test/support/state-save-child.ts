/**
 * Child process for the kill -9 state test (src/pipeline/state.test.ts): `tokenwatch run` over
 * the given input with `--state`, the way the CLI does it. With TOKENWATCH_STATE_SAVE_PAUSE set
 * the save stops between two files of the set and waits to be killed.
 */
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { runFiles } from '../../src/run/run-files.js';

const [input, stateDir] = process.argv.slice(2);
if (!input || !stateDir) throw new Error('usage: state-save-child.ts <input> <stateDir>');
const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
await runFiles({ inputs: [input], source: 'github', stateDir, config, logger: createLogger('silent') });
