import { describe, expect, it } from 'vitest';
import { trainStore } from '../../baselines/testing.js';
import { DAY, dailyTimes, dwdActivity, HOUR, trainedContext } from '../testing.js';
import { appImpersonationFanout as detector } from './detector.js';

const START = Date.UTC(2025, 6, 1);
const AT = START + 30 * DAY + 10 * HOUR;
const SERVICE = ['archive@acme.com', 'billing@acme.com', 'support@acme.com'];

/** A mail archiver with DWD reading three service mailboxes for 30 days. */
const history = () =>
  dailyTimes({ start: START, days: 30, perDay: 9 }).map((at, i) =>
    dwdActivity(SERVICE[i % 3] ?? 'archive@acme.com', { at, event: { id: `h${i}` } }),
  );
/** The client reading `n` executives' mailboxes it never read, one a minute. */
const fanout = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    dwdActivity(`exec${i}@acme.com`, { at: AT + i * 60_000, event: { id: `x${i}` } }),
  );

describe(detector.id, () => {
  it('fires high on the 10th never-impersonated user within an hour (S6), about the app', () => {
    const probe = dwdActivity('ceo@acme.com', { at: AT + 9 * 60_000 + 1000 });
    const [f] = detector.evaluate(probe, trainedContext([...history(), ...fanout(9)], probe));
    expect(detector.severity).toBe('high');
    expect(f?.entity).toBe('app:google_workspace:1234567890');
    expect(f?.reason).toBe(
      'Domain-wide delegation client "Mail archiver" impersonated 10 users it never impersonated before within 1 h (latest: ceo@acme.com); in 30 days it impersonated 3 users (support@acme.com, billing@acme.com and archive@acme.com).',
    );
    expect(f?.explanation).toMatchObject({
      feature: 'new_impersonated_users_per_window',
      observed: 10,
      window: '1 h',
      baseline_entity: 'token',
      maturity: 'mature',
    });
    expect(f?.explanation.expected).toContain('fewer than 10 new impersonated users per 1 h');
  });

  it('fires for a never-seen DWD client with no baseline at all', () => {
    const probe = dwdActivity('ceo@acme.com', { at: AT + 9 * 60_000 + 1000 });
    const [f] = detector.evaluate(probe, trainedContext(fanout(9), probe));
    expect(f?.explanation.baseline_entity).toBe('token');
    expect(f?.explanation.maturity).toBe('learning');
  });

  it('stays quiet below the threshold, past it, and for users it already impersonates', () => {
    const below = dwdActivity('ceo@acme.com', { at: AT + 8 * 60_000 + 1000 });
    expect(detector.evaluate(below, trainedContext([...history(), ...fanout(8)], below))).toEqual([]);
    const past = dwdActivity('ceo@acme.com', { at: AT + 10 * 60_000 + 1000 });
    expect(detector.evaluate(past, trainedContext([...history(), ...fanout(10)], past))).toEqual([]);
    const known = dwdActivity('billing@acme.com', { at: AT + 12 * 60_000 });
    expect(detector.evaluate(known, trainedContext([...history(), ...fanout(12)], known))).toEqual([]);
  });

  it('counts impersonated users when the ingestor records API methods, not mailboxes (Workspace, S6)', () => {
    const method = (user: string, at: number, id: string) =>
      dwdActivity(user, {
        at,
        event: { id },
        tokenwatch: { resource: { type: 'api_method', name: 'gmail.users.messages.list' } },
      });
    const hist = dailyTimes({ start: START, days: 30, perDay: 9 }).map((at, i) =>
      method(SERVICE[i % 3] ?? 'archive@acme.com', at, `h${i}`),
    );
    const burst = Array.from({ length: 9 }, (_, i) => method(`exec${i}@acme.com`, AT + i * 60_000, `x${i}`));
    const probe = method('ceo@acme.com', AT + 9 * 60_000 + 1000, 'probe');
    const [f] = detector.evaluate(probe, trainedContext([...hist, ...burst], probe));
    expect(f?.reason).toBe(
      'Domain-wide delegation client "Mail archiver" impersonated 10 users it never impersonated before within 1 h (latest: ceo@acme.com); in 30 days it impersonated 3 users (support@acme.com, billing@acme.com and archive@acme.com).',
    );
    // One more known user than 5 doubles the bar: 6 known users need 12 new ones.
    const six = [...SERVICE, 'a@acme.com', 'b@acme.com', 'c@acme.com'];
    const wider = dailyTimes({ start: START, days: 30, perDay: 12 }).map((at, i) =>
      method(six[i % 6] ?? 'a@acme.com', at, `w${i}`),
    );
    expect(detector.evaluate(probe, trainedContext([...wider, ...burst], probe))).toEqual([]);
  });

  it('fires exactly once for a burst delivered out of event-time order (Workspace lag)', () => {
    const store = trainStore(history());
    const shuffled = fanout(12).sort(
      (x, y) => (x.event.id.charCodeAt(1) % 3) - (y.event.id.charCodeAt(1) % 3),
    );
    const findings = shuffled.flatMap((a) => {
      const f = detector.evaluate(a, store.contextFor(a));
      store.update(a);
      return f;
    });
    expect(findings).toHaveLength(1);
  });

  it('ignores activity that is not impersonation', () => {
    const probe = dwdActivity('ceo@acme.com', {
      at: AT + 9 * 60_000 + 1000,
      tokenwatch: { impersonated_user: undefined },
    });
    expect(detector.evaluate(probe, trainedContext([...history(), ...fanout(9)], probe))).toEqual([]);
  });
});
