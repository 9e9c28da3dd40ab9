import type { BaselineView, EntityKind } from '../baselines/types.js';
import type { Explanation } from '../schemas/alert.js';
import type { TokenActivity, TokenType } from '../schemas/token-activity.js';
import type { ReferenceBaseline } from './types.js';

/**
 * Helpers for the two things every finding carries: the structured {@link Explanation} (observed
 * value, what the baseline expected, which baseline and how much history) and a plain sentence an
 * analyst understands at a glance ("Classic PAT github:hash:q8Xz1fAb… of alice was used from
 * 185.220.101.0/24 (DE) for the first time; in 41 days this token was only used from 3 networks").
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

// The last timestamp parsed: every detector asks for the time of the same event.
let lastStamp: string | undefined;
let lastMs = Number.NaN;

/** Event time of an activity, epoch ms (never the wall clock; `Date.parse` of `@timestamp`, remembered for the next ask). */
export const eventTimeMs = (activity: TokenActivity): number => {
  const stamp = activity['@timestamp'];
  if (stamp !== lastStamp) {
    lastMs = Date.parse(stamp);
    lastStamp = stamp;
  }
  return lastMs;
};

/** Start of the UTC hour holding `ms`. */
export const hourStartOf = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;

/** The explanation fields that say which baseline was used and how much it knows. */
export type BaselineFacts = Pick<
  Explanation,
  'baseline_entity' | 'history_days' | 'history_events' | 'maturity'
>;

/** {@link BaselineFacts} of a view (or of no baseline at all: entity `none`, empty history). */
export function baselineFacts(view: BaselineView | undefined, entity: EntityKind | 'none'): BaselineFacts {
  if (view === undefined || entity === 'none') {
    return { baseline_entity: 'none', history_days: 0, history_events: 0, maturity: 'learning' };
  }
  return {
    baseline_entity: entity,
    history_days: round(Math.max(0, view.historyDays), 1),
    history_events: view.eventCount,
    maturity: view.maturity,
  };
}

/** {@link BaselineFacts} of the context's reference baseline. */
export const referenceFacts = (ref: ReferenceBaseline | undefined): BaselineFacts =>
  baselineFacts(ref?.view, ref?.entity ?? 'none');

const TOKEN_TYPE_LABELS: Record<TokenType, string> = {
  oauth_access_token: 'OAuth token',
  pat_classic: 'Classic PAT',
  pat_fine_grained: 'Fine-grained PAT',
  github_app_installation: 'GitHub App installation',
  github_app_user: 'GitHub App user token',
  api_key: 'API key',
  session: 'Session',
  ssh_key: 'SSH key',
  deploy_key: 'Deploy key',
  service_account: 'Service account',
  unknown: 'Credential',
};

/** A token id short enough to read: long trailing segments (hashes, client ids) cut to 8 characters. */
export function shortTokenId(id: string): string {
  const cut = id.lastIndexOf(':') + 1;
  return id.length - cut > 16 ? `${id.slice(0, cut + 8)}…` : id;
}

/** Owner of the token as shown to analysts (email, else name, else id). */
export const ownerLabel = (activity: TokenActivity): string | undefined =>
  activity.token.owner.email ??
  activity.token.owner.name ??
  activity.user.email ??
  activity.user.name ??
  activity.token.owner.id;

/** OAuth app / client as shown to analysts (name, else id). */
export const clientLabel = (activity: TokenActivity): string | undefined =>
  activity.token.client?.name ?? activity.token.client?.id;

/** `Classic PAT github:hash:q8Xz1fAb… of alice@example.com` (`, app "Drift"` for OAuth grants). */
export function tokenLabel(activity: TokenActivity): string {
  const { token } = activity;
  const owner = ownerLabel(activity);
  const client = clientLabel(activity);
  const app = client !== undefined && token.key_kind === 'oauth_grant' ? ` (app "${client}")` : '';
  return `${TOKEN_TYPE_LABELS[token.type]} ${shortTokenId(token.id)}${app}${owner ? ` of ${owner}` : ''}`;
}

/** How the reference baseline is named in a sentence: `this token`, `its owner`, `its OAuth app`. */
export function baselineName(entity: EntityKind | 'none'): string {
  switch (entity) {
    case 'token':
      return 'this token';
    case 'owner':
      return "its owner's tokens";
    case 'app':
      return "its OAuth app's tokens";
    case 'none':
      return 'no baseline';
  }
}

/** The verb agreeing with {@link baselineName}: `was` for this token, `were` for tokens. */
export const baselineWas = (entity: EntityKind | 'none'): string => (entity === 'token' ? 'was' : 'were');

/** `1 network`, `3 networks`. */
export const countOf = (n: number, noun: string): string => `${fmtNumber(n, 0)} ${noun}${plural(n)}`;

/** `in 41 days` / `in 5 hours` for a view's history span. */
export function historySpan(view: BaselineView): string {
  if (view.historyDays >= 1) return `in ${fmtNumber(view.historyDays, 0)} day${plural(view.historyDays)}`;
  const hours = Math.max(1, Math.round(view.historyDays * 24));
  return `in ${hours} hour${plural(hours)}`;
}

/** Thousands separators, at most `digits` decimals (deterministic, no locale). */
export function fmtNumber(n: number, digits = 1): string {
  if (!Number.isFinite(n)) return n > 0 ? '∞' : String(n);
  const fixed = round(n, Math.abs(n) >= 100 ? 0 : digits);
  const [int = '0', frac] = String(Math.abs(fixed)).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${fixed < 0 ? '-' : ''}${grouped}${frac ? `.${frac}` : ''}`;
}

/** `45 s`, `12 min`, `3 h 12 min`, `41 days`. */
export function fmtDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 60_000) return `${Math.round(abs / 1000)} s`;
  if (abs < HOUR_MS) return `${Math.round(abs / 60_000)} min`;
  if (abs < 2 * DAY_MS) {
    const h = Math.floor(abs / HOUR_MS);
    const m = Math.round((abs - h * HOUR_MS) / 60_000);
    return m === 0 ? `${h} h` : `${h} h ${m} min`;
  }
  return `${fmtNumber(abs / DAY_MS, 0)} days`;
}

/** `a, b, c and 4 more` (or `none`). */
export function fmtList(values: readonly string[], max = 3, total = values.length): string {
  if (values.length === 0) return 'none';
  const shown = values.slice(0, max);
  const more = Math.max(total, values.length) - shown.length;
  if (more > 0) return `${shown.join(', ')} and ${more} more`;
  if (shown.length === 1) return shown[0] ?? '';
  return `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
}

/** Top values of a dimension with the total distinct count, as `a, b and 3 more`. */
export const fmtTop = (view: BaselineView, dim: Parameters<BaselineView['top']>[0], max = 3): string =>
  fmtList(view.top(dim, max), max, view.distinct(dim));

export const plural = (n: number): string => (Math.round(n) === 1 ? '' : 's');

export const round = (n: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};
