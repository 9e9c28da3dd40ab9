import { ownerEntityId } from '../../baselines/entity-ids.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { defineDetector, type FindingDraft } from '../define-detector.js';
import { baselineFacts, DAY_MS, eventTimeMs, fmtDuration, fmtList } from '../explain.js';
import { familiarViews, isFailure, providerBlock, seenByAny } from '../lookup.js';
import { slidingWindow } from '../state.js';
import type { DetectorContext } from '../types.js';

/** Failed attempts within {@link SPRAY_WINDOW_MS} that make a spray, at least. */
export const SPRAY_MIN_ATTEMPTS = 5;
/** From at least this many distinct provider blocks (/16, IPv6 /32) the account never used. */
export const SPRAY_MIN_NETWORKS = 4;
/** Window of the count: a low-and-slow spray sends a few attempts per day per account. */
export const SPRAY_WINDOW_MS = 7 * DAY_MS;
/** How long failed attempts on an account are kept (ms): 14 days of event time. */
export const FAILED_ATTEMPT_WINDOW_MS = 14 * DAY_MS;
/** Failed attempts kept per account (oldest dropped). */
export const FAILED_ATTEMPT_CAP = 64;
/** Accounts with failed attempts remembered (least recently failed dropped). */
export const FAILED_ACCOUNT_CAP = 16_384;

/** One failed attempt on an account. */
interface FailedAttempt {
  at: number;
  ip?: string;
  prefix?: string;
  country?: string;
}

/**
 * Org-wide spray (one slow campaign against several accounts, each seeing only a few attempts a
 * day): within {@link ORG_SPRAY_WINDOW_MS}, at least {@link ORG_SPRAY_MIN_ATTEMPTS} failures from
 * networks nobody in the organization uses (the current one: the account never used), on
 * {@link ORG_SPRAY_MIN_ACCOUNTS}+ accounts, from {@link ORG_SPRAY_MIN_NETWORKS}+ provider blocks.
 * A person's typo comes from their own network (used, not counted); a traveller's from one account.
 */
export const ORG_SPRAY_MIN_ATTEMPTS = 4;
export const ORG_SPRAY_MIN_ACCOUNTS = 3;
export const ORG_SPRAY_MIN_NETWORKS = 3;
export const ORG_SPRAY_WINDOW_MS = DAY_MS;

/** Sign-in-like actions a success of which ends a spray (the attacker got in). */
const SIGN_IN = /login|logon|sign_?in|authenticat|^auth/i;

/**
 * The spray attempts on the account: failed attempts within the window before `atMs` from
 * provider blocks the account's credentials never used successfully (the entity baselines learn
 * nothing from failures, so any block they know is one the owner really uses).
 */
function sprayAttempts(
  attempts: readonly FailedAttempt[],
  atMs: number,
  known: (prefix: string) => boolean,
): FailedAttempt[] {
  return attempts.filter(
    (f) => f.at > atMs - SPRAY_WINDOW_MS && f.at <= atMs && f.prefix !== undefined && !known(f.prefix),
  );
}

const blockOf = (f: FailedAttempt): string | undefined =>
  f.prefix === undefined ? undefined : (providerBlock(f.prefix) ?? f.prefix);

/**
 * `account.password_spray`: many failed sign-ins on one account from many networks it never used
 * (T1110.003, the first weeks of S7: residential proxies worldwide, a few attempts a day). Fires on
 * the attempt that brings the last {@link SPRAY_WINDOW_MS} to {@link SPRAY_MIN_ATTEMPTS} failures
 * from {@link SPRAY_MIN_NETWORKS} distinct provider blocks (/16, IPv6 /32) the account's
 * credentials never used successfully (medium), and again, high, when a sign-in then succeeds from
 * one of those blocks (the spray worked). The finding is about the account (owner entity).
 *
 * Thresholds: a person mistyping a password fails from the one or two places they work from
 * (known blocks, not counted); a spray rotates proxies, a new block for nearly every attempt.
 * Failed attempts are kept per account in the detector's declared state (`failures`, a 14-day
 * sliding window); they never teach the entity baselines a network, a country or a last location, so the
 * spray neither makes the attacker's network familiar nor trips impossible travel.
 *
 * Known gaps: a spray spread thinner than 5 attempts a week per account (org-wide counting across
 * accounts would see it); attempts from one proxy block; a success from a block the spray did not
 * use; sources that do not log failed sign-ins.
 */
export const accountPasswordSpray = defineDetector({
  id: 'account.password_spray',
  name: 'Password spray against an account, and a sign-in from the spraying networks',
  description:
    'An account received failed sign-ins from many networks it never used within a week (password spray), or a sign-in succeeded from one of those networks.',
  version: 1,
  severity: 'medium',
  riskScore: 60,
  category: 'authentication',
  mitre: ['TA0006:T1110.003', 'TA0001:T1078.004'],
  sources: ['github', 'google_workspace', 'salesforce'],
  requiredFields: [
    'event.outcome',
    'event.action',
    'tokenwatch.network.ip_prefix',
    'source.geo.country_iso_code',
    'source.ip',
  ],
  summary:
    "≥ 5 failed sign-ins on one account within 7 days from ≥ 4 provider blocks (/16) its credentials never used (S7's low-and-slow spray from residential proxies); high when a sign-in then succeeds from one of those blocks. Finding on the account (owner entity). Org-wide, a slow spray spread across accounts fires within hours: ≥ 4 failures on ≥ 3 accounts from ≥ 3 blocks nobody in the org uses within 24 h (medium, on each account hit). Failed attempts live in its declared state (a 14-day sliding window per account); the entity baselines learn nothing from failures.",
  knownGaps:
    'A spray against one or two accounts thinner than 5 a week; proxies inside networks colleagues use; a success from a block the spray did not use.',
  falsePositives: [
    'A person travelling through several countries mistyping a password on each network',
    'A misconfigured client retrying an old password from changing cloud or mobile addresses',
  ],
  runbook: [
    'List the failed sign-ins on the account in the window: networks, countries, timing.',
    'Check whether any sign-in succeeded from those networks, and what the session did next.',
    'Enforce MFA on the account (test and service accounts included), reset its password, and block the source networks if the attempts continue.',
  ],
  groupWindowMs: 24 * 3_600_000,
  state: {
    /** failed attempts per account (owner): time, IP, prefix, country; the baselines learn nothing from failures */
    failures: slidingWindow({
      key: 'owner',
      windowMs: FAILED_ATTEMPT_WINDOW_MS,
      cap: FAILED_ATTEMPT_CAP,
      maxKeys: FAILED_ACCOUNT_CAP,
    }),
    /** failed attempts across the organization (owner, prefix), for the org-wide count */
    orgFailures: slidingWindow({ key: 'org', windowMs: ORG_SPRAY_WINDOW_MS, cap: 1_024, maxKeys: 1 }),
  },

  observe(activity, { state }) {
    if (!isFailure(activity)) return;
    const data: Record<string, string> = {};
    if (activity.source?.ip !== undefined) data.ip = activity.source.ip;
    const prefix = activity.tokenwatch.network?.ip_prefix;
    if (prefix !== undefined) data.prefix = prefix;
    const country = activity.source?.geo?.country_iso_code;
    if (country !== undefined) data.country = country;
    state.failures.add(eventTimeMs(activity), data);
    const owner = ownerEntityId(activity);
    if (owner !== undefined && prefix !== undefined)
      state.orgFailures.add(eventTimeMs(activity), { owner, prefix });
  },

  evaluate(activity, ctx, { state }) {
    const owner = ctx.owner;
    if (owner === undefined) return [];
    const failed = isFailure(activity);
    if (!failed && !SIGN_IN.test(activity.event.action)) return [];
    const attempts: FailedAttempt[] = state.failures.entries().map((e) => ({ at: e.at, ...e.data }));
    // Too few attempts on this account for its own rule; a failure may still complete an org-wide spray.
    if (!failed && attempts.length < SPRAY_MIN_ATTEMPTS) return [];
    const atMs = eventTimeMs(activity);
    const familiar = familiarViews(ctx);
    const known = (prefix: string) =>
      seenByAny(familiar, 'ip_prefix', prefix) ||
      familiar.some((v) =>
        v.top('ip_prefix', 256).some((p) => (providerBlock(p) ?? p) === (providerBlock(prefix) ?? prefix)),
      );
    const earlier = sprayAttempts(attempts, atMs, known);
    const blocks = (list: readonly FailedAttempt[]) =>
      new Set(list.map(blockOf).filter((b): b is string => b !== undefined));
    const countries = (list: readonly FailedAttempt[]) =>
      [...new Set(list.map((f) => f.country).filter((c): c is string => c !== undefined))].sort();
    const account = activity.user.email ?? activity.user.name ?? owner.entity;
    const prefix = activity.tokenwatch.network?.ip_prefix;

    if (failed) {
      if (prefix === undefined || known(prefix)) return [];
      const current: FailedAttempt = { at: atMs, prefix };
      const country = activity.source?.geo?.country_iso_code;
      if (country !== undefined) current.country = country;
      const all = [...earlier, current];
      const isSpray = (list: readonly FailedAttempt[]) =>
        list.length >= SPRAY_MIN_ATTEMPTS && blocks(list).size >= SPRAY_MIN_NETWORKS;
      if (isSpray(earlier)) return [];
      if (!isSpray(all)) {
        const org = state.orgFailures
          .entries(atMs - ORG_SPRAY_WINDOW_MS)
          .map((e) => ({ at: e.at, ...e.data }));
        return orgSpray(activity, ctx, owner.entity, account, atMs, prefix, org);
      }
      const first = all[0]?.at ?? atMs;
      return [
        {
          entity: owner.entity,
          reason:
            `Account ${account} had ${all.length} failed sign-ins from ${blocks(all).size} networks it never used ` +
            `(${fmtList(countries(all), 6)}) within ${fmtDuration(atMs - first)}; ` +
            `its credentials were used from ${fmtList(owner.top('country', 3))} only.`,
          explanation: {
            feature: 'failed_signins_from_unknown_networks',
            observed: all.length,
            expected: `fewer than ${SPRAY_MIN_ATTEMPTS} failures from ${SPRAY_MIN_NETWORKS}+ unknown networks per ${fmtDuration(SPRAY_WINDOW_MS)}`,
            window: fmtDuration(SPRAY_WINDOW_MS),
            ...baselineFacts(owner, 'owner'),
          },
        },
      ];
    }

    // A sign-in that succeeds from a network the spray came from.
    if (prefix === undefined) return [];
    if (earlier.length < SPRAY_MIN_ATTEMPTS || blocks(earlier).size < SPRAY_MIN_NETWORKS) return [];
    const block = providerBlock(prefix) ?? prefix;
    const from = earlier.filter((f) => blockOf(f) === block);
    if (from.length === 0) return [];
    return [
      {
        entity: owner.entity,
        severity: 'high',
        riskScore: 85,
        reason:
          `Account ${account} signed in from ${activity.source?.ip ?? prefix} (${activity.source?.geo?.country_iso_code ?? 'unknown country'}), ` +
          `a network that had ${from.length} failed sign-in${from.length === 1 ? '' : 's'} on it during a spray of ` +
          `${earlier.length} failures from ${blocks(earlier).size} networks within ${fmtDuration(SPRAY_WINDOW_MS)}.`,
        explanation: {
          feature: 'signin_from_spraying_network',
          observed: prefix,
          expected: `no sign-in from the ${blocks(earlier).size} networks that failed to sign in (${fmtList([...blocks(earlier)], 5)})`,
          window: fmtDuration(SPRAY_WINDOW_MS),
          ...baselineFacts(owner, 'owner'),
        },
      },
    ];
  },
});

/**
 * The org-wide rule: the current failure (from a network the account never used) completes a
 * spray across accounts within {@link ORG_SPRAY_WINDOW_MS} (earlier failures count when nobody in
 * the organization used their provider block within 30 days); reported on this account, medium,
 * so a slow spray is flagged within hours of its start rather than days.
 */
function orgSpray(
  activity: TokenActivity,
  ctx: DetectorContext,
  owner: string,
  account: string,
  atMs: number,
  prefix: string,
  earlier: readonly { at: number; owner?: string; prefix?: string }[],
): FindingDraft[] {
  const org = ctx.org;
  const strange = earlier.filter(
    (f) =>
      f.at <= atMs &&
      f.owner !== undefined &&
      f.prefix !== undefined &&
      (org === undefined || org.sharedBlockPrincipals(f.prefix, atMs) === 0),
  );
  const all = [...strange, { at: atMs, owner, prefix }];
  const accounts = new Set(all.map((f) => f.owner));
  const networks = new Set(
    all.map((f) => (f.prefix === undefined ? f.prefix : (providerBlock(f.prefix) ?? f.prefix))),
  );
  if (
    all.length < ORG_SPRAY_MIN_ATTEMPTS ||
    accounts.size < ORG_SPRAY_MIN_ACCOUNTS ||
    networks.size < ORG_SPRAY_MIN_NETWORKS
  )
    return [];
  const mine = all.filter((f) => f.owner === owner).length;
  return [
    {
      entity: owner,
      reason:
        `Account ${account} is one of ${accounts.size} accounts with ${all.length} failed sign-ins from ${networks.size} networks ` +
        `nobody here uses within ${fmtDuration(ORG_SPRAY_WINDOW_MS)} (${mine} on this account, ` +
        `${activity.source?.ip ?? prefix} now): a password spray spread across accounts.`,
      explanation: {
        feature: 'org_failed_signins_from_unknown_networks',
        observed: all.length,
        expected: `fewer than ${ORG_SPRAY_MIN_ATTEMPTS} failures from unknown networks on ${ORG_SPRAY_MIN_ACCOUNTS}+ accounts per ${fmtDuration(ORG_SPRAY_WINDOW_MS)}`,
        window: fmtDuration(ORG_SPRAY_WINDOW_MS),
        ...baselineFacts(ctx.owner, 'owner'),
      },
    },
  ];
}
