import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectors } from '../detectors/registry.js';
import { loadConfig } from './config.js';

/** One folder for this file's config files, removed after its tests. */
const work = mkdtempSync(join(tmpdir(), 'tw-config-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let files = 0;
const withFile = (content: unknown): string => {
  files += 1;
  const file = join(work, `config-${files}.json`);
  writeFileSync(file, JSON.stringify(content));
  return file;
};
const load = (content: unknown) => loadConfig({ env: {}, file: withFile(content) });

describe('config: detector settings derived from detector metadata', () => {
  it('fills every detector with its declared defaults', () => {
    const config = loadConfig({ env: {} });
    expect(Object.keys(config.pipeline.detectors).sort()).toEqual(detectors.map((d) => d.id).sort());
    expect(config.pipeline.detectors['token.lifecycle.dormant_reactivated']).toEqual({ dormantDays: 90 });
    expect(config.pipeline.detectors['token.geo.impossible_travel']).toEqual({
      impossibleTravelKmh: 900,
      impossibleTravelMinKm: 500,
    });
  });

  it('accepts any subset of one detector settings (the others keep their defaults)', () => {
    const config = load({
      pipeline: { detectors: { 'token.geo.impossible_travel': { impossibleTravelKmh: 700 } } },
    });
    expect(config.pipeline.detectors['token.geo.impossible_travel']).toEqual({
      impossibleTravelKmh: 700,
      impossibleTravelMinKm: 500,
    });
    expect(config.pipeline.detectors['token.lifecycle.dormant_reactivated']).toEqual({ dormantDays: 90 });
  });

  it('rejects an unknown detector id and lists the valid ones', () => {
    expect(() => load({ pipeline: { detectors: { 'token.geo.impossible_trave': {} } } })).toThrow(
      /pipeline.detectors: unknown key\(s\) "token.geo.impossible_trave"; valid: .*token.geo.impossible_travel/,
    );
  });

  it('rejects an unknown setting and lists the valid ones', () => {
    expect(() =>
      load({ pipeline: { detectors: { 'token.lifecycle.dormant_reactivated': { dormantDay: 60 } } } }),
    ).toThrow(
      /pipeline.detectors.token.lifecycle.dormant_reactivated: unknown key\(s\) "dormantDay"; valid: dormantDays/,
    );
  });

  it('rejects a value out of its declared bounds', () => {
    expect(() =>
      load({ pipeline: { detectors: { 'token.lifecycle.dormant_reactivated': { dormantDays: 0 } } } }),
    ).toThrow(/dormantDays: Too small/);
  });

  it('rejects a misspelled id in disabledDetectors, listing the valid ids', () => {
    expect(() => load({ pipeline: { disabledDetectors: ['token.geo.impossibletravel'] } })).toThrow(
      /pipeline.disabledDetectors.0: Invalid option: expected one of .*"token.geo.impossible_travel"/,
    );
    expect(
      load({ pipeline: { disabledDetectors: ['token.geo.impossible_travel'] } }).pipeline.disabledDetectors,
    ).toEqual(['token.geo.impossible_travel']);
  });

  it('lists valid keys for an unknown top-level key too', () => {
    expect(() => load({ pipelin: {} })).toThrow(
      /\(root\): unknown key\(s\) "pipelin"; valid: logLevel, stateDir, pipeline/,
    );
  });
});

describe('tokenwatch config check', () => {
  it('prints the effective config with the file values over the defaults, secrets masked', async () => {
    const { checkConfig } = await import('./cli/config-command.js');
    const out = JSON.parse(
      checkConfig(
        withFile({
          pipeline: { detectors: { 'token.lifecycle.dormant_reactivated': { dormantDays: 60 } } },
          elasticsearch: { auth: { apiKey: 'c2VjcmV0' } },
        }),
        {},
      ),
    );
    expect(out.pipeline.detectors['token.lifecycle.dormant_reactivated']).toEqual({ dormantDays: 60 });
    expect(out.pipeline.detectors['token.geo.impossible_travel'].impossibleTravelKmh).toBe(900);
    expect(out.elasticsearch.auth).toEqual({ apiKey: '***' });
  });
});
