import { formatSettingValue, settingFields } from './settings.js';
import type { Detector } from './types.js';

/**
 * The detector catalogue of `detectors/README.md`, generated from detector metadata
 * (`npm run docs:detectors`); `catalogue.test.ts` fails when the README drifts from it.
 */

/** Marks the start of the generated section in the README. */
export const CATALOGUE_START =
  '<!-- catalogue:start: generated from detector metadata by `npm run docs:detectors`; do not edit -->';
/** Marks its end. */
export const CATALOGUE_END = '<!-- catalogue:end -->';

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ').trim();

/** Settings as `key = default (min..max)`, or a dash. */
function settingsCell(d: Detector): string {
  const fields = settingFields(d.settings);
  if (fields.length === 0) return '-';
  return fields
    .map((f) => {
      const bounds =
        f.min !== undefined || f.max !== undefined
          ? ` (${f.min !== undefined ? formatSettingValue(f.key, f.min) : ''}..${f.max !== undefined ? formatSettingValue(f.key, f.max) : ''})`
          : '';
      return `\`${f.key}\` = ${formatSettingValue(f.key, f.default)}${bounds}: ${f.description}`;
    })
    .join('<br>');
}

/** The catalogue table (markdown), one row per detector in registry order. */
export function renderCatalogue(list: readonly Detector[]): string {
  const lines = [
    '| id | severity | MITRE | what it catches | settings (default, bounds) | known gaps |',
    '|---|---|---|---|---|---|',
  ];
  for (const d of list) {
    const mitre = [...new Set(d.mitre.map((m) => m.id))].join(', ');
    lines.push(
      `| \`${d.id}\` | ${d.severity} | ${mitre} | ${cell(d.summary)} | ${cell(settingsCell(d))} | ${cell(d.knownGaps)} |`,
    );
  }
  return lines.join('\n');
}

/**
 * `readme` with the text between {@link CATALOGUE_START} and {@link CATALOGUE_END} replaced by
 * `table`.
 * @throws Error when the markers are missing.
 */
export function replaceCatalogue(readme: string, table: string): string {
  const start = readme.indexOf(CATALOGUE_START);
  const end = readme.indexOf(CATALOGUE_END);
  if (start < 0 || end < start) throw new Error('detectors/README.md lacks the catalogue markers');
  return `${readme.slice(0, start + CATALOGUE_START.length)}\n${table}\n${readme.slice(end)}`;
}
