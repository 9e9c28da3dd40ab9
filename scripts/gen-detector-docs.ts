/**
 * `npm run docs:detectors`: regenerates the catalogue section of detectors/README.md from the
 * registered detectors' metadata. `--check` exits 1 when the file would change (CI drift check;
 * detectors/catalogue.test.ts does the same in the unit tests).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCatalogue, replaceCatalogue } from '../detectors/catalogue.js';
import { detectors } from '../detectors/registry.js';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'detectors', 'README.md');
const before = readFileSync(file, 'utf8');
const after = replaceCatalogue(before, renderCatalogue(detectors));
if (process.argv.includes('--check')) {
  if (after !== before) {
    process.stderr.write('detectors/README.md is out of date: run npm run docs:detectors\n');
    process.exitCode = 1;
  }
} else if (after !== before) {
  writeFileSync(file, after);
  process.stdout.write(`updated ${file} (${detectors.length} detectors)\n`);
} else {
  process.stdout.write(`${file} is up to date\n`);
}
