/**
 * `npm run new:detector -- <id>`: scaffolds `detectors/<id with . and _ as ->/` from
 * detectors/_template.ts (detector.ts, detector.test.ts, cases/), registers it in
 * detectors/registry.ts and regenerates the catalogue. Then: fill in the metadata and `evaluate`,
 * replace the example tests and cases, `npm run docs:detectors`, `npx tokenwatch detectors test <id>`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DETECTOR_ID_PATTERN, detectorFolderName } from '../detectors/define-detector.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const id = process.argv[2] ?? '';
if (!DETECTOR_ID_PATTERN.test(id)) {
  process.stderr.write(
    `usage: npm run new:detector -- <id>, a dotted lower-case id like token.geo.new_asn\n`,
  );
  process.exit(2);
}
const folder = join(ROOT, 'detectors', detectorFolderName(id));
if (existsSync(folder)) {
  process.stderr.write(`${folder} already exists\n`);
  process.exit(2);
}
const name = id
  .split(/[._]/)
  .map((part, i) => (i === 0 ? part : part.charAt(0).toUpperCase() + part.slice(1)))
  .join('');

const template = readFileSync(join(ROOT, 'detectors', '_template.ts'), 'utf8');
const body = template.slice(template.search(/^import /m));
const detector = body
  .replaceAll("from './", "from '../")
  .replaceAll('tokenExampleNewThing', name)
  .replaceAll('token.example.new_thing', id)
  .replace(
    /^/,
    `/**\n * ${id}: one paragraph on what it catches and which scenario it serves (scaffolded by\n * \`npm run new:detector\`; see detectors/README.md).\n */\n`,
  );

const test = `import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import { DAY, dailyTimes, HOUR, trainedContext } from '../testing.js';
import { ${name} as detector } from './detector.js';

const START = Date.UTC(2025, 6, 1);
const history = () =>
  dailyTimes({ start: START, days: 30, perDay: 6 }).map((at, i) => activityFixture({ at, event: { id: \`h\${i}\` } }));

describe(detector.id, () => {
  it('fires when ... (replace with the attack it catches)', () => {
    const probe = activityFixture({ at: START + 30 * DAY + 10 * HOUR, user_agent: { original: 'x/1', name: 'x' } });
    const [f] = detector.evaluate(probe, trainedContext(history(), probe));
    expect(f?.reason).toContain('used x for the first time');
    expect(f?.explanation).toMatchObject({ observed: 'x', baseline_entity: 'token' });
  });

  it('stays quiet for the benign look-alike ... (replace)', () => {
    const probe = activityFixture({ at: START + 30 * DAY + 10 * HOUR });
    expect(detector.evaluate(probe, trainedContext(history(), probe))).toEqual([]);
  });
});
`;

mkdirSync(join(folder, 'cases'), { recursive: true });
writeFileSync(join(folder, 'detector.ts'), detector);
writeFileSync(join(folder, 'detector.test.ts'), test);

const registryPath = join(ROOT, 'detectors', 'registry.ts');
let registry = readFileSync(registryPath, 'utf8');
const lastImport = registry.lastIndexOf('\nimport type { Detector');
registry = `${registry.slice(0, lastImport)}\nimport { ${name} } from './${detectorFolderName(id)}/detector.js';${registry.slice(lastImport)}`;
registry = registry.replace(/\n\]\);\n/, `\n  ${name},\n]);\n`);
writeFileSync(registryPath, registry);

process.stdout.write(
  `created detectors/${detectorFolderName(id)}/{detector.ts,detector.test.ts,cases/} and registered ${name}.\n` +
    'Next: fill in metadata and evaluate, write the tests and raw-log cases, then\n' +
    '  npx biome check --write detectors && npm run docs:detectors\n' +
    `  npx tsx src/cli/main.ts detectors test ${id} && npx vitest run detectors/${detectorFolderName(id)}\n`,
);
