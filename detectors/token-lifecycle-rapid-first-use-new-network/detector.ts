import { z } from 'zod';
import type { BaselineView } from '../../baselines/types.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { defineDetector } from '../define-detector.js';
import { baselineFacts, eventTimeMs, fmtDuration, tokenLabel } from '../explain.js';
import { isUse } from '../lookup.js';

/**
 * `token.lifecycle.rapid_first_use_new_network`: within `settings.rapidFirstUseMs` (default 1 h)
 * of a token's creation/authorization, it is used from a network (prefix, else IP) or country other
 * than the one it was created from, for the first time (S10: a PAT minted from a hijacked session
 * and used minutes later from attacker infrastructure). Compares the token's birth context
 * (`created`) with this use; fires once per new network.
 *
 * A network the owner already uses (their CI runner, office) is low: creating a token in the
 * browser and pasting it into CI minutes later is normal. So is a named cloud provider's address
 * in an autonomous system the owner already ran workloads in before the token was created (a CI
 * runner pool draws a new address, often a new /24, per job). An unknown network is high.
 *
 * Only for credentials a person holds and deploys themselves ({@link isPersonalCredential}: PATs,
 * API keys, SSH/deploy keys, hashed tokens without an OAuth client). OAuth app grants, GitHub App
 * installations and domain-wide delegation are excluded: the user or admin authorizes in the
 * browser and the app's servers use the token from elsewhere by design
 * (`token.network.first_seen_prefix` judges those against the app's baseline).
 *
 * Known gaps: the creation event must be seen (GitHub `oauth_access.create` / fine-grained
 * `personal_access_token.*`); an attacker using the token from the victim's network is not
 * caught here.
 */
const PERSONAL_TYPES: ReadonlySet<TokenActivity['token']['type']> = new Set([
  'pat_classic',
  'pat_fine_grained',
  'api_key',
  'ssh_key',
  'deploy_key',
]);

/** A credential its owner creates and deploys themselves (not an app's grant or installation). */
export const isPersonalCredential = (activity: TokenActivity): boolean =>
  activity.tokenwatch.impersonated_user === undefined &&
  activity.token.key_kind !== 'app_installation' &&
  (PERSONAL_TYPES.has(activity.token.type) ||
    ((activity.token.key_kind === 'token_hash' || activity.token.key_kind === 'token_id') &&
      activity.token.client?.id === undefined));

/**
 * The cloud this use comes from, as `<provider> AS<number> (<organization>)`, when it is a named
 * cloud provider's address (`tokenwatch.network.class` `cloud`) in an autonomous system
 * (`source.as.number`) the owner used before `beforeMs` (the token's creation, epoch ms): a CI
 * runner pool or autoscaling group draws a fresh address, often in a new /24, from the same
 * provider's AS for every job, so the owner's earlier use of that AS is the known network, not
 * the /24. Rented hosting (`hosting`: a VPS at Hetzner, DigitalOcean...) never counts.
 * Undefined otherwise.
 */
function ownerCloudBefore(
  activity: TokenActivity,
  owner: BaselineView | undefined,
  beforeMs: number,
): string | undefined {
  const net = activity.tokenwatch.network;
  const as = activity.source?.as;
  if (owner === undefined || net?.class !== 'cloud' || as?.number === undefined) return undefined;
  const seen = owner.seen('asn', String(as.number));
  if (seen === undefined || seen.firstSeen >= beforeMs) return undefined;
  const provider = net.cloud_provider ?? 'a cloud';
  return `${provider} AS${as.number}${as.organization?.name ? ` (${as.organization.name})` : ''}`;
}

export const tokenLifecycleRapidFirstUseNewNetwork = defineDetector({
  id: 'token.lifecycle.rapid_first_use_new_network',
  name: 'New token used within minutes from a different network',
  description:
    'A token created or authorized less than the rapid-first-use window ago is used from a different network or country than the one it was created from.',
  version: 2,
  severity: 'high',
  riskScore: 78,
  category: 'iam',
  mitre: ['TA0003:T1098.001', 'TA0005:T1550.001'],
  sources: ['github', 'google_workspace', 'salesforce'],
  requiredFields: [
    'tokenwatch.network.ip_prefix',
    'source.ip',
    'source.geo.country_iso_code',
    'token.lifecycle',
    'tokenwatch.network.class',
    'tokenwatch.network.cloud_provider',
    'source.as.number',
    'source.as.organization.name',
  ],
  summary:
    "Within `rapidFirstUseMs` (default 1 h) of creation, first use of a personal credential (PAT, API/SSH/deploy key, hashed token without OAuth client) from a network/country other than the creation's (S10). Low when the owner already uses that network (token pasted into CI), or when it is a cloud provider's address in an AS the owner ran workloads in before the token was created (a CI runner pool's fresh address). OAuth grants, App installations and DWD are excluded (their servers use the token elsewhere by design).",
  knownGaps:
    "Needs the creation event; attacker on the creator's network; attacker renting in the same cloud provider AS the owner's CI already uses (reported low, not high).",
  falsePositives: [
    'Owner creating a token in the browser and configuring it in a CI system or server right away',
    'Owner switching between office network and VPN while setting up a token',
  ],
  runbook: [
    'Ask the owner whether they created the token and where they deployed it.',
    'Check the creation session: was it from a new network, without a fresh login (session replay)?',
    'If not recognised, revoke the token, end the owner’s sessions, and review what the token did.',
  ],
  settings: z.object({
    rapidFirstUseMs: z
      .number()
      .int()
      .min(60_000)
      .max(7 * 86_400_000)
      .default(3_600_000)
      .describe('A first use from another network this soon after creation is rapid, ms'),
  }),
  groupWindowMs: 3_600_000,

  evaluate(activity, ctx, { settings }) {
    const created = ctx.token.created;
    if (created === undefined || !isUse(activity) || !isPersonalCredential(activity)) return [];
    const atMs = eventTimeMs(activity);
    const sinceCreation = atMs - created.at;
    const window = settings.rapidFirstUseMs;
    if (sinceCreation < 0 || sinceCreation > window) return [];

    const prefix = activity.tokenwatch.network?.ip_prefix;
    const ip = activity.source?.ip;
    const country = activity.source?.geo?.country_iso_code;
    const newPrefix =
      prefix !== undefined && created.ipPrefix !== undefined
        ? prefix !== created.ipPrefix
        : ip !== undefined && created.ip !== undefined && ip !== created.ip;
    const newCountry = country !== undefined && created.country !== undefined && country !== created.country;
    if (!newPrefix && !newCountry) return [];
    // Once per network: later uses from it are in the token's own baseline.
    if (
      prefix !== undefined
        ? ctx.token.seen('ip_prefix', prefix)
        : country && ctx.token.seen('country', country)
    ) {
      return [];
    }

    const ownerNetwork = prefix !== undefined && ctx.owner?.seen('ip_prefix', prefix) !== undefined;
    const ownerCloud = ownerNetwork ? undefined : ownerCloudBefore(activity, ctx.owner, created.at);
    const here = `${prefix ?? ip ?? 'unknown network'}${country ? ` (${country})` : ''}`;
    const birth = `${created.ipPrefix ?? created.ip ?? 'unknown network'}${created.country ? ` (${created.country})` : ''}`;
    const reason =
      `${tokenLabel(activity)} was first used from ${here} ${fmtDuration(sinceCreation)} after it was created from ${birth}` +
      (ownerNetwork
        ? '; the owner already uses that network, so it is likely being deployed.'
        : ownerCloud !== undefined
          ? `; the owner already ran workloads in ${ownerCloud} from other addresses before the token was created, so it is likely being deployed to a runner pool there.`
          : '; neither the token nor its owner ever used that network.');
    return [
      {
        reason,
        explanation: {
          feature: 'first_use_network_vs_creation',
          observed: here,
          expected: `use from the creation network ${birth}, or later than ${fmtDuration(window)} after creation`,
          window: fmtDuration(sinceCreation),
          ...baselineFacts(ctx.token, 'token'),
        },
        ...(ownerNetwork || ownerCloud !== undefined ? { severity: 'low' as const, riskScore: 35 } : {}),
      },
    ];
  },
});
