import type { TokenActivity } from '../../schemas/token-activity.js';
import type { FindingDraft } from '../define-detector.js';
import { defineDetector } from '../define-detector.js';
import {
  baselineFacts,
  DAY_MS,
  eventTimeMs,
  fmtList,
  ownerLabel,
  referenceFacts,
  tokenLabel,
} from '../explain.js';
import type { DetectorContext } from '../types.js';

/** Admin / full-access scopes (GitHub, Google, Salesforce). */
export const BROAD_SCOPE_PATTERNS: readonly RegExp[] = [
  /^(admin:org|admin:enterprise|delete_repo|admin:org_hook|site_admin|admin:repo_hook|admin:public_key|admin:gpg_key)$/,
  /^https:\/\/mail\.google\.com\/?$/,
  /^https:\/\/www\.googleapis\.com\/auth\/(admin\.directory\.|admin\.datatransfer|ediscovery|cloud-platform$|drive$|gmail\.settings\.sharing$)/,
  /^full$/,
];

/** Actions that grant domain-wide delegation to an OAuth client (Google Workspace admin). */
export const DWD_GRANT_ACTIONS = new Set(['AUTHORIZE_API_CLIENT_ACCESS']);

const GRANT_LIFECYCLES = new Set(['created', 'authorized', 'scope_changed']);

export const isBroadScope = (scope: string): boolean => BROAD_SCOPE_PATTERNS.some((p) => p.test(scope));

/**
 * Full access to a user's own data (all mail, all Drive): what end-user apps ask for (a mail
 * client, a Drive sync app). Broad for a new app or a PAT; the normal scope of an app the
 * organization already uses.
 */
const USER_DATA_SCOPES: readonly RegExp[] = [
  /^https:\/\/mail\.google\.com\/?$/,
  /^https:\/\/www\.googleapis\.com\/auth\/drive$/,
];
const isUserDataScope = (scope: string): boolean => USER_DATA_SCOPES.some((p) => p.test(scope));

/** Salesforce `api` + `refresh_token`/`offline_access` on a connected app never seen before. */
const salesforceNewAppWithRefresh = (activity: TokenActivity, ctx: DetectorContext): boolean =>
  activity.event.module === 'salesforce' &&
  activity.token.scopes.includes('api') &&
  activity.token.scopes.some((s) => s === 'refresh_token' || s === 'offline_access') &&
  (ctx.app === undefined || ctx.app.eventCount === 0);

/** Days without use after which a re-consent of a grant is a reactivation, not routine. */
export const RECONSENT_IDLE_DAYS = 30;

/** Full mailbox access: `https://mail.google.com/` and the Gmail modify/readonly scopes. */
const MAIL_WIDE = /^https:\/\/(mail\.google\.com\/?|www\.googleapis\.com\/auth\/gmail\.(modify|readonly))$/;

/**
 * A consent (`authorized`) with mail-wide scopes for a grant or app with history that was idle for
 * at least {@link RECONSENT_IDLE_DAYS} (S7: a dormant legacy app brought back with mailbox access,
 * reported on its own, hours before any travel or volume signal). Idle = the latest use of the
 * token, else of its app across tokens.
 */
function reconsentAfterIdle(
  activity: TokenActivity,
  ctx: DetectorContext,
  atMs: number,
): FindingDraft | undefined {
  const mail = activity.token.scopes.filter((s) => MAIL_WIDE.test(s));
  if (mail.length === 0) return undefined;
  const view =
    ctx.token.eventCount > 0
      ? ctx.token
      : ctx.app !== undefined && ctx.app.eventCount > 0
        ? ctx.app
        : undefined;
  if (view === undefined) return undefined;
  const idleMs = atMs - view.lastSeen;
  if (idleMs < RECONSENT_IDLE_DAYS * DAY_MS) return undefined;
  const whose = view === ctx.token ? 'this grant was' : "the app's grants were";
  return {
    reason:
      `${tokenLabel(activity)} was ${activity.token.lifecycle} again with mail-wide scopes ${fmtList(mail, 3)} after ` +
      `${Math.floor(idleMs / DAY_MS)} days in which ${whose} not used: a dormant app brought back with mailbox access.`,
    explanation: {
      feature: 'reconsent_after_idle_days',
      observed: Math.floor(idleMs / DAY_MS),
      expected: `a re-consent of an app in use (idle under ${RECONSENT_IDLE_DAYS} days)`,
      ...baselineFacts(view, view === ctx.token ? 'token' : 'app'),
    },
    severity: 'high',
    riskScore: 80,
  };
}

/**
 * Scopes held before by the token and its peers of the same kind: the app's other grants for an
 * OAuth app (each app asks for its own scopes, so a person's grants of other apps say nothing),
 * the owner's other tokens for a credential without an app (a PAT, S10).
 */
const knownScopes = (ctx: DetectorContext, appGrant: boolean): Set<string> =>
  new Set([...ctx.token.scopes, ...((appGrant ? ctx.app?.scopes : ctx.owner?.scopes) ?? [])]);

/**
 * `token.scope.broad_or_escalated`: a token is created, authorized or re-scoped with admin /
 * full-access scopes ({@link BROAD_SCOPE_PATTERNS}; Salesforce `api`+`refresh_token` for a connected
 * app never seen), or with scopes wider than the token, its owner's and its app's tokens ever held
 * (escalation, S10's `admin:org` on a PAT of a `repo`-only owner; S7's mail scope on a legacy app).
 * A Google Workspace domain-wide delegation grant (`AUTHORIZE_API_CLIENT_ACCESS`, S6) always fires
 * high. On use events it fires only for scope drift: an existing token showing scopes it never had.
 *
 * "Held before" compares like with like: an OAuth app's grant with the app's other grants (each
 * app asks for its own scopes), a credential without an app (PAT) with the owner's other tokens.
 * Full access to a user's own data (all mail, all Drive) is the normal scope of an app the
 * organization already uses (mature app baseline) when its grants never showed scopes: a new
 * hire authorizing Drive for desktop, Zoom and Calendly (N7) is not an escalation; admin scopes
 * still count.
 *
 * Severity: broad and never held before, or a DWD grant: high; broad with no history to compare:
 * medium; a non-broad escalation: low. A re-authorization with scopes already held (broad ones
 * included) is silent.
 *
 * Known gaps: Salesforce logs no scopes in Event Monitoring (only if the ingestor has them);
 * fine-grained PAT permissions are not scopes; "held before" is a union over time, so a scope held
 * once years ago is not an escalation.
 */
export const tokenScopeBroadOrEscalated = defineDetector({
  id: 'token.scope.broad_or_escalated',
  name: 'Token granted broad or escalated scopes',
  description:
    "A token was created or authorized with admin/full-access scopes, with scopes wider than its owner's or app's previous tokens, or an OAuth client was granted domain-wide delegation.",
  version: 2,
  severity: 'high',
  riskScore: 80,
  category: 'iam',
  mitre: ['TA0003:T1098.001', 'TA0004:T1098.003', 'TA0006:T1528'],
  sources: ['github', 'google_workspace', 'salesforce'],
  requiredFields: [
    'token.scopes',
    'token.lifecycle',
    'event.action',
    'tokenwatch.resource.name',
    'tokenwatch.resource.type',
  ],
  summary:
    "Created/authorized/re-scoped with admin/full-access scopes, or scopes never held by the token and its peers of the same kind (an app's other grants for an OAuth app, the owner's other tokens for a PAT); GWS domain-wide delegation grant (S6, 85–90); Salesforce `api`+`refresh_token` on a never-seen connected app (S2); scope drift on use. Full mail/Drive access is normal for an app the org already uses (N7 new hire); a re-authorization with scopes already held is silent, and so is a re-consent of a grant used within 30 days. A consent with mail-wide scopes for a grant (or its app) idle 30+ days is high on its own (S7's dormant app).",
  knownGaps:
    'Salesforce logs no scopes; fine-grained PAT permissions are not scopes; Workspace logs scopes on authorization only.',
  falsePositives: [
    'Administrators minting an admin token for a planned change',
    'Approved integrations requesting broad scopes at install (check the allowlist)',
  ],
  goodlog: { unlabeled: 1 },
  runbook: [
    'Confirm with the owner (or the admin who granted it) why these scopes are needed.',
    'Check where the grant came from (network, client) and whether the token was used right after.',
    'Reduce the scopes or revoke the token / delegation if not justified.',
  ],
  groupWindowMs: 3_600_000,

  evaluate(activity, ctx) {
    const scopes = activity.token.scopes;

    if (DWD_GRANT_ACTIONS.has(activity.event.action)) {
      const resource = activity.tokenwatch.resource;
      const client =
        resource && /client|app/i.test(resource.type)
          ? resource.name
          : (activity.token.client?.id ?? 'an OAuth client');
      const broad = scopes.filter(isBroadScope);
      return [
        {
          reason:
            `${ownerLabel(activity) ?? tokenLabel(activity)} granted domain-wide delegation to ${client}` +
            `${scopes.length > 0 ? ` with scopes ${fmtList(scopes, 4)}` : ''}: the client can now act as any user in the domain` +
            `${broad.length > 0 ? `, including full access (${fmtList(broad, 3)})` : ''}.`,
          explanation: {
            feature: 'domain_wide_delegation_grant',
            observed: scopes.length > 0 ? scopes.join(' ') : client,
            expected: 'no new domain-wide delegation grants (rare, planned admin changes only)',
            ...referenceFacts(ctx.reference),
          },
          severity: 'high',
          riskScore: broad.length > 0 ? 90 : 85,
        },
      ];
    }

    const grant = GRANT_LIFECYCLES.has(activity.token.lifecycle);
    if (
      scopes.length === 0 ||
      (!grant && activity.token.lifecycle !== 'used' && activity.token.lifecycle !== 'refreshed')
    ) {
      return [];
    }
    // A use shows drift only against the token's own scopes: none kept, or all of them held
    // already (they are among the known ones below), is nothing to report.
    const ownScopes = ctx.token.scopes;
    if (!grant && (ownScopes.length === 0 || scopes.every((s) => ownScopes.includes(s)))) return [];
    const appGrant = activity.token.client?.id !== undefined && ctx.app !== undefined;
    const atMs = eventTimeMs(activity);
    if (grant && activity.token.lifecycle === 'authorized') {
      const idle = reconsentAfterIdle(activity, ctx, atMs);
      if (idle !== undefined) return [idle];
    }
    const known = knownScopes(ctx, appGrant);
    const ownHistory = ctx.token.scopes.length > 0;
    const hasHistory = known.size > 0;
    const added = hasHistory ? scopes.filter((s) => !known.has(s)) : [];
    // An app the organization already uses whose grants never showed scopes (Workspace logs them
    // on authorization only): its user-data scopes are its normal ones; admin scopes still count.
    // Likewise a re-consent of a grant in use (used within RECONSENT_IDLE_DAYS): the person
    // clicked through the consent screen again for the app they use every day.
    const activeGrant =
      grant && ctx.token.eventCount > 0 && atMs - ctx.token.lastSeen < RECONSENT_IDLE_DAYS * DAY_MS;
    const establishedApp = ((appGrant && ctx.app?.maturity === 'mature') || activeGrant) && !hasHistory;
    const broad = scopes.filter((s) => isBroadScope(s) && !(establishedApp && isUserDataScope(s)));
    const sfNewApp = grant && salesforceNewAppWithRefresh(activity, ctx);
    const broadAdded = broad.filter((s) => added.includes(s));
    if (!grant) {
      // Use events: only scope drift of a token that had scopes.
      if (!ownHistory || added.length === 0) return [];
    } else if (added.length === 0 && !sfNewApp && (broad.length === 0 || hasHistory)) {
      // Nothing new: a re-authorization with scopes already held (broad ones included).
      return [];
    }

    const before = fmtList([...known].slice(0, 6), 6, known.size);
    const verb = grant
      ? `was ${activity.token.lifecycle === 'scope_changed' ? 're-scoped' : activity.token.lifecycle}`
      : 'was used';
    const parts: string[] = [];
    if (broad.length > 0) parts.push(`broad scopes ${fmtList(broad, 4)}`);
    const plainAdded = added.filter((s) => !broad.includes(s));
    if (plainAdded.length > 0)
      parts.push(`${broad.length > 0 ? 'new' : 'scopes'} ${fmtList(plainAdded, 4)} never held before`);
    if (sfNewApp) parts.push('API access with a refresh token for a connected app never seen before');
    const holders = ['this token', appGrant ? "its app's tokens" : ctx.owner ? "its owner's tokens" : ''];
    const history = hasHistory
      ? `; until now ${fmtList(holders.filter((x) => x !== ''))} held only ${before}`
      : '; there is no scope history to compare with';
    const reason = `${tokenLabel(activity)} ${verb} with ${parts.join(' and ')}${history}.`;

    const severity =
      broadAdded.length > 0 || (sfNewApp && hasHistory)
        ? ({ severity: 'high', riskScore: 80 } as const)
        : broad.length > 0 || sfNewApp
          ? hasHistory
            ? ({ severity: 'low', riskScore: 40 } as const)
            : ({ severity: 'medium', riskScore: 60 } as const)
          : ({ severity: 'low', riskScore: 30 } as const);
    const facts = ownHistory && !grant ? baselineFacts(ctx.token, 'token') : referenceFacts(ctx.reference);
    return [
      {
        reason,
        explanation: {
          feature: 'token.scopes',
          observed: scopes.join(' '),
          expected: hasHistory ? `scopes held before: ${before}` : 'no admin or full-access scopes',
          ...facts,
        },
        ...severity,
      },
    ];
  },
});
