/**
 * Google Workspace incidents: S4 (infostealer session cookie replayed; also hits the victim's
 * GitHub web session and Salesforce session), S6 (admin session replay -> domain-wide delegation
 * for a never-seen client -> impersonation fan-out) and S7 (password spray on a dormant test
 * account -> dormant legacy app re-granted mail scope -> low-and-slow mailbox reads).
 */

import { type AttackInput, type AttackOutput, dayIndex, scaled } from './attack-types.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './calendar.js';
import type { Emitted } from './emitted.js';
import { GEO_CITIES } from './geo-table.js';
import { hostileAddress, type NetAddress, residentialAddress } from './geography.js';
import { ids } from './ids-helpers.js';
import { addCredential } from './population.js';
import type { Person } from './population-types.js';
import { githubEmit } from './records-github.js';
import { type GwsCall, googleEmit, pBool, pInt, pMulti, pValue } from './records-google.js';
import { salesforceEmit, sfSession } from './records-salesforce.js';
import { ATTACK_UA } from './user-agents.js';

const G = 'https://www.googleapis.com/auth/';

function gws(inp: AttackInput, c: Omit<GwsCall, 'tenant' | 'rng' | 'lag'>): Emitted {
  return googleEmit({ ...c, tenant: inp.tenant, rng: inp.rng, lag: inp.rng.int(20, 600) * 1000 });
}

function dwdActivity(
  inp: AttackInput,
  t: number,
  clientId: string,
  appName: string,
  mailbox: Person | { email: string; profileId: string },
  addr: NetAddress,
  api: { api: string; method: string; bucket: string },
): Emitted {
  return gws(inp, {
    t,
    app: 'token',
    actor: { email: mailbox.email, profileId: mailbox.profileId },
    applicationInfo: { oauthClientId: clientId, applicationName: appName, impersonation: true },
    addr,
    events: [
      {
        type: 'auth',
        name: 'activity',
        parameters: [
          pValue('api_name', api.api),
          pValue('method_name', api.method),
          pValue('client_id', clientId),
          pInt('num_response_bytes', Math.round(inp.rng.logNormal(90_000, 1))),
          pMulti('product_bucket', [api.bucket]),
          pValue('app_name', appName),
          pValue('client_type', 'TYPE_UNSPECIFIED'),
        ],
      },
    ],
  });
}

const MAIL_APIS = [
  { api: 'gmail', method: 'gmail.users.messages.list', bucket: 'GMAIL' },
  { api: 'gmail', method: 'gmail.users.messages.get', bucket: 'GMAIL' },
  { api: 'drive', method: 'drive.files.list', bucket: 'DRIVE' },
  { api: 'drive', method: 'drive.files.export', bucket: 'DRIVE' },
];

/** Leadership-first ordering of a tenant's people (admins and early hires first). */
function executivesFirst(inp: AttackInput): Person[] {
  return inp.tenant.people
    .map((i) => inp.pop.people[i]!)
    .filter((p) => !p.testAccount)
    .sort((a, b) => Number(b.gwsAdmin) - Number(a.gwsAdmin) || a.idx - b.idx);
}

/** S4: a stolen, MFA-satisfied session replayed from a new network and browser. */
export function attackS4(inp: AttackInput, victim: Person): AttackOutput {
  const { rng, tenant, pop } = inp;
  const addr = rng.chance(0.5)
    ? hostileAddress('vps', rng.int(0, 1000), [victim.home.country])
    : residentialAddress(
        rng.pick(GEO_CITIES.filter((c) => c.country !== victim.home.country)),
        rng.int(0, 1e6),
      );
  const ua = rng.pick([ATTACK_UA.firefoxLinux, ATTACK_UA.chromeWindowsOld]);
  const actor = { email: victim.email, profileId: victim.profileId };
  const events: Emitted[] = [];
  let t = inp.start;
  const downloads = scaled(18, inp.scale, 4);
  for (let i = 0; i < downloads; i++) {
    events.push(
      gws(inp, {
        t,
        app: 'drive',
        actor,
        addr,
        events: [
          {
            type: 'access',
            name: i % 4 === 0 ? 'view' : 'download',
            parameters: [
              pValue('primary_event', 'true'),
              pValue('doc_id', rng.base62(33)),
              pValue('doc_type', rng.pick(['document', 'spreadsheet', 'pdf'])),
              pValue(
                'doc_title',
                rng.pick([
                  'prod-credentials',
                  'AWS root account',
                  'Incident runbook',
                  'VPN config',
                  'Oncall secrets',
                  'Board deck',
                ]),
              ),
              pValue('visibility', 'shared_internally'),
              pValue('owner', `it@${tenant.domain}`),
            ],
          },
        ],
      }),
    );
    t += rng.int(20, 240) * 1000 * inp.scale.spread;
  }
  const ghSession = victim.creds.map((c) => pop.creds[c]!).find((c) => c.kind === 'gh_session');
  if (ghSession) {
    const gactor = { login: victim.login, id: victim.githubId };
    const prod = tenant.github.repos.filter((r) => !r.isPublic).slice(0, 40);
    const push = (action: string, extra?: Record<string, unknown>, repo = rng.pick(prod)) => {
      t += rng.int(30, 300) * 1000;
      events.push(
        githubEmit(
          {
            t,
            tenant,
            action,
            actor: gactor,
            addr,
            ua,
            repo,
            operationType: action.endsWith('create') ? 'create' : 'access',
            ...(extra ? { extra } : {}),
            rng,
          },
          inp.seed,
        ),
      );
    };
    push('public_key.create', { title: 'deploy-laptop', fingerprint: `SHA256:${rng.base62(43)}` });
    for (let i = 0; i < scaled(5, inp.scale, 2); i++) push('repo.download_zip');
    push('org.update_actions_secret', { secret_name: 'AWS_ACCESS_KEY_ID' });
  }
  const sfCred = victim.creds.map((c) => pop.creds[c]!).find((c) => c.kind === 'sf_session');
  if (sfCred?.sfUser) {
    const day = dayIndex(pop, inp.start);
    const session = sfSession(inp.seed, sfCred.idx, `ui:${day}`);
    for (let i = 0; i < scaled(3, inp.scale, 1); i++) {
      t += rng.int(60, 600) * 1000;
      events.push(
        ...salesforceEmit({
          t,
          tenant,
          kind: 'report_export',
          user: sfCred.sfUser,
          app: null,
          session,
          addr,
          ua,
          entity: rng.pick(['All Accounts with Contacts', 'Customer Contracts', 'Open Opportunities']),
          rows: rng.int(2000, 40_000),
          rng,
        }),
      );
    }
  }
  return {
    source: 'google_workspace',
    title: `Session of ${victim.email} replayed from ${addr.network} (${addr.country}) with a new browser, no fresh login`,
    entity: `google_workspace:session:${victim.email}`,
    events,
  };
}

/** S6: admin session replay -> DWD grant for a never-seen client -> impersonation fan-out. */
export function attackS6(inp: AttackInput, admin: Person): AttackOutput {
  const { rng, tenant } = inp;
  const addr = hostileAddress('vps', rng.int(0, 1000), [admin.home.country]);
  const clientId = ids.serviceClientId(rng);
  const appName = 'Workspace Sync Service';
  const actor = { email: admin.email, profileId: admin.profileId };
  const events: Emitted[] = [];
  let t = inp.start;
  events.push(
    gws(inp, {
      t,
      app: 'admin',
      actor,
      addr,
      events: [
        {
          type: 'SECURITY_SETTINGS',
          name: 'ALLOW_SERVICE_FOR_OAUTH2_ACCESS',
          parameters: [pValue('OAUTH2_SERVICE_NAME', 'Gmail')],
        },
      ],
    }),
  );
  t += rng.int(3, 7) * MINUTE_MS;
  const scopes = ['https://mail.google.com/', `${G}drive`, `${G}admin.directory.user.readonly`];
  events.push(
    gws(inp, {
      t,
      app: 'admin',
      actor,
      addr,
      events: [
        {
          type: 'DOMAIN_SETTINGS',
          name: 'AUTHORIZE_API_CLIENT_ACCESS',
          parameters: [pValue('API_CLIENT_NAME', clientId), pMulti('API_SCOPES', scopes)],
        },
      ],
    }),
  );
  addCredential(inp.pop, {
    kind: 'gws_dwd',
    source: 'google_workspace',
    tenant: tenant.idx,
    owner: null,
    label: `attacker DWD client ${clientId}`,
    tokenId: `google_workspace:dwd:${clientId}`,
    validFrom: t,
    validTo: null,
    createdBy: 'attack',
    scopes,
  });
  const targets = executivesFirst(inp);
  const n = Math.min(targets.length, Math.max(20, scaled(120, inp.scale, 10)));
  t += rng.int(5, 15) * MINUTE_MS;
  const api = cloudOrVps(inp, addr);
  for (const victim of targets.slice(0, n)) {
    const calls = rng.int(1, 3);
    for (let k = 0; k < calls; k++) {
      t += rng.int(3, 40) * 1000 * inp.scale.spread;
      events.push(dwdActivity(inp, t, clientId, appName, victim, api, rng.pick(MAIL_APIS)));
    }
  }
  return {
    source: 'google_workspace',
    title: `Admin session of ${admin.email} replayed; DWD granted to unknown client ${clientId}; ${n} mailboxes impersonated`,
    entity: `google_workspace:dwd:${clientId}`,
    events,
  };
}

function cloudOrVps(inp: AttackInput, fallback: NetAddress): NetAddress {
  return inp.rng.chance(0.5)
    ? hostileAddress('vps', inp.rng.int(0, 1000), [inp.tenant.hq.country])
    : fallback;
}

/** S7: spray -> test account login -> legacy app escalated -> stealthy mailbox reads. */
export function attackS7(inp: AttackInput, testAccount: Person): AttackOutput {
  const { rng, tenant, pop } = inp;
  const legacy = pop.creds[tenant.svc.legacyApp]!;
  const client = legacy.client!;
  const events: Emitted[] = [];
  const proxy = (k: number): NetAddress =>
    residentialAddress(GEO_CITIES[(k * 7 + 3) % GEO_CITIES.length]!, rng.int(0, 1_000_000));
  // weeks before: low-and-slow spray on the test account and a few others
  const sprayDays = Math.min(14, Math.max(1, dayIndex(pop, inp.start)));
  const sprayTargets = [testAccount, ...executivesFirst(inp).slice(0, 4)];
  for (let d = sprayDays; d >= 1; d--) {
    const attempts = scaled(6, inp.scale, 2);
    for (let a = 0; a < attempts; a++) {
      const t = inp.start - d * DAY_MS + rng.int(0, 23 * 60) * MINUTE_MS;
      const who = rng.pick(sprayTargets);
      events.push(
        gws(inp, {
          t,
          app: 'login',
          actor: { email: who.email, profileId: who.profileId },
          addr: proxy(a + d * 31),
          events: [
            {
              type: 'login',
              name: 'login_failure',
              parameters: [
                pValue('login_type', 'google_password'),
                pValue('login_failure_type', 'login_failure_invalid_password'),
                pBool('is_suspicious', false),
              ],
            },
          ],
        }),
      );
    }
  }
  let t = inp.start;
  const home = proxy(999);
  const actor = { email: testAccount.email, profileId: testAccount.profileId };
  events.push(
    gws(inp, {
      t,
      app: 'login',
      actor,
      addr: home,
      events: [
        {
          type: 'login',
          name: 'login_success',
          parameters: [
            pValue('login_type', 'google_password'),
            pMulti('login_challenge_method', ['password']),
            pBool('is_suspicious', false),
            pInt('login_timestamp', t * 1000),
          ],
        },
      ],
    }),
  );
  t += rng.int(10, 25) * MINUTE_MS;
  const newUser = `svc-mailsync@${tenant.domain}`;
  events.push(
    gws(inp, {
      t,
      app: 'admin',
      actor,
      addr: home,
      events: [{ type: 'USER_SETTINGS', name: 'CREATE_USER', parameters: [pValue('USER_EMAIL', newUser)] }],
    }),
  );
  t += rng.int(5, 20) * MINUTE_MS;
  const consentClient = ids.webClientId(rng);
  const consentScopes = ['https://mail.google.com/', `${G}userinfo.email`];
  events.push(
    gws(inp, {
      t,
      app: 'token',
      actor: { email: newUser, profileId: `1${rng.digits(20)}` },
      addr: home,
      events: [
        {
          type: 'auth',
          name: 'authorize',
          parameters: [
            pValue('client_id', consentClient),
            pValue('app_name', 'Mail Archiver Pro'),
            pValue('client_type', 'WEB'),
            pMulti('scope', consentScopes),
          ],
        },
      ],
    }),
  );
  addCredential(pop, {
    kind: 'gws_grant',
    source: 'google_workspace',
    tenant: tenant.idx,
    owner: null,
    label: `attacker consent grant of ${newUser}`,
    tokenId: `google_workspace:grant:${newUser}:${consentClient}`,
    validFrom: t,
    validTo: null,
    createdBy: 'attack',
    scopes: consentScopes,
  });
  // day +1: escalate the dormant legacy app to org-wide mail access
  t = inp.start + DAY_MS + rng.int(0, 3) * HOUR_MS;
  events.push(
    gws(inp, {
      t,
      app: 'admin',
      actor,
      addr: proxy(77),
      events: [
        {
          type: 'DOMAIN_SETTINGS',
          name: 'AUTHORIZE_API_CLIENT_ACCESS',
          parameters: [
            pValue('API_CLIENT_NAME', client.clientId),
            pMulti('API_SCOPES', ['https://mail.google.com/', `${G}userinfo.email`]),
          ],
        },
      ],
    }),
  );
  // days +1..: tens of leadership mailboxes, a handful of reads a day
  const targets = executivesFirst(inp).slice(0, Math.max(3, scaled(15, inp.scale, 3)));
  const readDays = Math.max(2, Math.min(10, Math.round(5 * inp.scale.spread)));
  for (let d = 1; d <= readDays; d++) {
    const reads = scaled(8, inp.scale, 2);
    for (let k = 0; k < reads; k++) {
      const rt = inp.start + d * DAY_MS + rng.int(2 * 60, 22 * 60) * MINUTE_MS;
      if (rt >= pop.end) continue;
      events.push(
        dwdActivity(
          inp,
          rt,
          client.clientId,
          client.name,
          rng.pick(targets),
          proxy(k + d * 5),
          rng.pick(MAIL_APIS.slice(0, 2)),
        ),
      );
    }
  }
  return {
    source: 'google_workspace',
    title: `Dormant legacy app ${client.name} re-granted mail scope via sprayed test account ${testAccount.email}`,
    entity: legacy.tokenId,
    events: events.filter((e) => e.t >= pop.start && e.t < pop.end),
    notes: 'The app has no activity inside the span (dormant for longer than the history).',
  };
}
