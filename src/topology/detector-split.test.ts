import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectors } from '../../detectors/registry.js';
import { isOrgStageDetector, ORG_STAGE_DETECTOR_IDS, splitDetectors } from './detector-split.js';

/** Source text of every detector module (flat files and folder layouts). */
function detectorSources(): string[] {
  const dir = 'detectors';
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      const file = join(path, 'detector.ts');
      try {
        out.push(readFileSync(file, 'utf8'));
      } catch {
        // a folder without a detector (cases)
      }
    } else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(readFileSync(path, 'utf8'));
  }
  return out;
}

describe('splitDetectors', () => {
  it('puts every registered detector in exactly one stage', () => {
    const { detect, org } = splitDetectors();
    expect(detect.length + org.length).toBe(detectors.length);
    expect(new Set([...detect, ...org].map((d) => d.id)).size).toBe(detectors.length);
    for (const id of ORG_STAGE_DETECTOR_IDS) expect(org.map((d) => d.id)).toContain(id);
  });

  it('runs every detector with org- or identity-keyed declared state in the org stage', () => {
    for (const d of detectors) {
      const keys = Object.values(d.state).map((decl) => decl.key);
      if (keys.some((k) => k === 'org' || k === 'identity' || k === 'source_ip' || k === 'source_as'))
        expect(isOrgStageDetector(d), d.id).toBe(true);
    }
    expect(detectors.filter(isOrgStageDetector).length).toBeGreaterThan(ORG_STAGE_DETECTOR_IDS.size - 1);
    // routed by their declared state alone (not listed in ORG_STAGE_DETECTOR_IDS)
    const org = splitDetectors().org.map((d) => d.id);
    for (const id of ['app.consent_wave', 'token.lifecycle.used_after_owner_offboarded']) {
      expect(ORG_STAGE_DETECTOR_IDS.has(id), id).toBe(false);
      expect(org, id).toContain(id);
    }
  });

  it('runs every detector whose module reads ctx.org, org egress or peer models in the org stage', () => {
    const crossEntity = /ctx\.org|isOrgEgress|orgPeopleOn|ctx\.peer/;
    for (const src of detectorSources()) {
      const id = /\bid: '([^']+)'/.exec(src)?.[1];
      if (!id || !detectors.some((d) => d.id === id)) continue;
      if (crossEntity.test(src)) expect(ORG_STAGE_DETECTOR_IDS.has(id), id).toBe(true);
    }
  });
});
