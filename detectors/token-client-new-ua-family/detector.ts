import { defineDetector } from '../define-detector.js';
import { baselineName, fmtTop, historySpan, referenceFacts, tokenLabel } from '../explain.js';
import { isEndOfLife, seenByAny } from '../lookup.js';

/**
 * Scripting and HTTP-library client families (npm/yarn/pip style, requests, axios, curl...). A
 * human token switching browsers is noise; a human token suddenly driven by one of these is how
 * worms and infostealer follow-ups look (S9 Shai-Hulud, S8 DBeaver/python).
 */
export const SCRIPTING_UA =
  /^(node|node-fetch|axios|undici|got|npm|yarn|pnpm|bun|deno|python|python-requests|python-urllib|aiohttp|httpx|pip|go-http-client|go|curl|wget|okhttp|java|apache-httpclient|libwww-perl|ruby|faraday|powershell|postmanruntime|insomnia|httpie|dbeaver|rclone|salesforce-cli|sfdx|simple-salesforce)\b/i;

/**
 * `token.client.new_ua_family`: a machine token (integration, service account, bot) is used by a
 * client family (`user_agent.name`, version ignored: `git/2.43` and `git/2.44` are both `git`) that
 * neither it nor its reference baseline ever used. S1's python-requests / aiohttp replay of a Drift
 * token is the model case.
 *
 * Human tokens fire only when the new family is a scripting / HTTP library ({@link SCRIPTING_UA}),
 * since browsers and CLIs change with every update (S9: a developer PAT suddenly used by
 * node-fetch from the developer's own IP). Needs a mature reference with at least one known family.
 *
 * Known gaps: an attacker copying the integration's exact user agent; clients that send no UA.
 */
export const tokenClientNewUaFamily = defineDetector({
  id: 'token.client.new_ua_family',
  name: 'Machine token used by a never-seen client family',
  description:
    'A non-human token (or a human token, by a scripting library) was used with a user-agent family it never used before.',
  version: 1,
  severity: 'medium',
  riskScore: 50,
  category: 'api',
  mitre: ['TA0005:T1550.001', 'TA0001:T1199'],
  sources: ['github', 'google_workspace', 'salesforce'],
  requiredFields: ['user_agent.name', 'token.principal', 'user_agent.original'],
  summary:
    'A machine token used by a never-seen `user_agent.name` family (versions ignored, S1). Human tokens only for scripting/HTTP-library families (node-fetch, python-requests…, S9).',
  knownGaps: 'Attacker copying the exact UA; clients without a UA.',
  falsePositives: [
    'Integration vendor switching HTTP library or SDK',
    'Developer starting to script against the API with their own token',
  ],
  goodlog: { unlabeled: 1 },
  runbook: [
    'Compare the new user agent with the integration’s documented client; ask the vendor or owner.',
    'Check the network of the events with the new client: same egress as usual, or new?',
    'If the client is not recognised, revoke the token and review what the new client accessed.',
  ],
  groupWindowMs: 6 * 3_600_000,

  evaluate(activity, ctx) {
    const ua = activity.user_agent?.name;
    const ref = ctx.reference;
    if (ua === undefined || ua === '' || ref === undefined || isEndOfLife(activity)) return [];
    if (ref.view.distinct('ua_family') === 0) return [];
    if (seenByAny([ctx.token, ref.view], 'ua_family', ua)) return [];
    const machine = activity.token.principal === 'machine';
    const scripting = SCRIPTING_UA.test(ua);
    if (!machine && !scripting) return [];

    const seen = fmtTop(ref.view, 'ua_family');
    const reason =
      `${tokenLabel(activity)} was used by client family "${ua}" (${activity.user_agent?.original ?? ua}) for the first time; ` +
      `${historySpan(ref.view)} ${baselineName(ref.entity)} only used ${seen}.` +
      (machine ? '' : ` A ${ua} client on a person's token usually means a script or malware holds it.`);
    return [
      {
        reason,
        explanation: {
          feature: 'user_agent.name',
          observed: ua,
          expected: `client families seen: ${seen}`,
          ...referenceFacts(ref),
        },
      },
    ];
  },
});
