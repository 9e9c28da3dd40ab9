import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import { runDetectorCases } from '../../src/cases/index.js';
import { HOUR, replay } from '../testing.js';
import { appConsentWave as detector } from './detector.js';

const T0 = Date.UTC(2025, 5, 24, 9);
const consent = (i: number, at: number, client = 'pdfmagic') =>
  activityFixture({
    at,
    event: { id: `c${client}${i}`, module: 'google_workspace', action: 'authorize' },
    user: { email: `u${i}@acme.example`, name: `u${i}@acme.example` },
    token: {
      id: `google_workspace:grant:u${i}@acme.example:${client}`,
      lifecycle: 'authorized',
      client: { id: client, name: 'PDF Magic' },
      owner: { email: `u${i}@acme.example`, name: `u${i}@acme.example` },
      scopes: ['https://mail.google.com/'],
    },
  });
const wave = (n: number, spacingMs: number) =>
  Array.from({ length: n }, (_, i) => consent(i, T0 + i * spacingMs));
const mine = (fs: ReturnType<typeof replay>) => fs.filter((f) => f.detectorId === detector.id);

describe(detector.id, () => {
  it('fires once, on the 10th distinct consent within the hour', () => {
    const found = mine(replay([], wave(15, 60_000)));
    expect(found).toHaveLength(1);
    expect(found[0]?.reason).toContain('10 people authorized OAuth app "PDF Magic" within 1 h');
    expect(found[0]?.entity).toBe('app:google_workspace:pdfmagic');
  });

  it('stays quiet when the consents are spread over more than the window', () => {
    expect(mine(replay([], wave(15, 2 * HOUR)))).toEqual([]);
  });

  it("needs more when the org's base rate of consents to new apps is high", () => {
    // 2,000 consents to 40 other new apps over the last 30 days: 2.8 per hour, x5 = 14 needed
    const busy = Array.from({ length: 2000 }, (_, i) =>
      consent(i, T0 - 30 * 86_400_000 + i * 1_290_000, `tool${Math.floor(i / 50)}`),
    );
    expect(mine(replay([], wave(12, 60_000)))).toHaveLength(1);
    expect(mine(replay(busy, wave(12, 60_000)))).toEqual([]);
  });

  it("does not count the app's own earlier consents in the base rate, only other new apps'", () => {
    // 3,000 consents over the 13 days before the wave (about 4.2 per hour, x5 = 21 needed if counted)
    const earlier = (client: (i: number) => string) =>
      Array.from({ length: 3000 }, (_, i) =>
        consent(10_000 + i, T0 - 13 * 86_400_000 + i * 370_000, client(i)),
      );
    const own = mine(replay([], [...earlier(() => 'pdfmagic'), ...wave(12, 60_000)]));
    // the earlier consents of pdfmagic came 10 per hour (waves of their own, before T0); the one
    // under test is the 10th user within the hour of T0
    expect(own.at(-1)?.reason).toContain('10 people authorized OAuth app "PDF Magic" within 1 h');
    expect(own.at(-1)?.reason).toContain('usually sees 0 consents to new apps per 1 h');
    const others = mine(
      replay(
        earlier((i) => `tool${Math.floor(i / 100)}`),
        wave(25, 60_000),
      ),
    );
    expect(others).toHaveLength(1);
    expect(others[0]?.reason).toContain('21 people authorized OAuth app "PDF Magic" within 1 h');
    expect(others[0]?.explanation).toMatchObject({ observed: 21, history_events: 3000 });
  });

  it('raw-log cases', () => {
    for (const r of runDetectorCases([detector.id])) expect(r.problems, r.name).toEqual([]);
  });
});
