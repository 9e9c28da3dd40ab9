import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import { DAY, dailyTimes, HOUR, salesforceActivity, trainedContext } from '../testing.js';
import { tokenClientNewUaFamily as detector } from './detector.js';

const START = Date.UTC(2025, 6, 1);
const AT = START + 30 * DAY + 10 * HOUR;
const EVERY_HOUR = Array.from({ length: 24 }, (_, h) => h);

const drift = () =>
  dailyTimes({ start: START, days: 30, perDay: 24, hours: EVERY_HOUR }).map((at, i) =>
    salesforceActivity({ at, event: { id: `h${i}` } }),
  );
const developer = () =>
  dailyTimes({ start: START, days: 30, perDay: 6 }).map((at, i) =>
    activityFixture({ at, event: { id: `h${i}` } }),
  );

describe(detector.id, () => {
  it('fires for an integration token replayed with python-requests (S1)', () => {
    const probe = salesforceActivity({
      at: AT,
      user_agent: { original: 'python-requests/2.32.4', name: 'python-requests', version: '2.32.4' },
    });
    const [f] = detector.evaluate(probe, trainedContext(drift(), probe));
    expect(f?.reason).toContain(
      'was used by client family "python-requests" (python-requests/2.32.4) for the first time',
    );
    expect(f?.reason).toContain('in 30 days this token only used Java.');
    expect(f?.explanation).toMatchObject({
      feature: 'user_agent.name',
      observed: 'python-requests',
      expected: 'client families seen: Java',
      baseline_entity: 'token',
      maturity: 'mature',
    });
  });

  it("fires for a developer's PAT suddenly driven by node-fetch from the usual IP (S9)", () => {
    const probe = activityFixture({
      at: AT,
      user_agent: { original: 'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)', name: 'node-fetch' },
    });
    const [f] = detector.evaluate(probe, trainedContext(developer(), probe));
    expect(f?.reason).toContain(
      "A node-fetch client on a person's token usually means a script or malware holds it.",
    );
  });

  it('stays quiet for a version bump, a human switching browsers, and without a mature baseline', () => {
    const bump = salesforceActivity({
      at: AT,
      user_agent: { original: 'Drift-Java/1.1', name: 'Java', version: '1.1' },
    });
    expect(detector.evaluate(bump, trainedContext(drift(), bump))).toEqual([]);

    const browser = activityFixture({
      at: AT,
      user_agent: { original: 'Mozilla/5.0 Chrome/126.0', name: 'Chrome' },
    });
    expect(detector.evaluate(browser, trainedContext(developer(), browser))).toEqual([]);

    const fresh = salesforceActivity({
      at: AT,
      user_agent: { original: 'python-requests/2.32.4', name: 'python-requests' },
    });
    expect(detector.evaluate(fresh, trainedContext(drift().slice(0, 20), fresh))).toEqual([]);
  });
});
