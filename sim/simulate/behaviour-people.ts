/**
 * Benign behaviour of people, one hour at a time: git and gh CLI use through PATs and OAuth
 * apps, web sessions, Workspace logins, Drive and OAuth clients, Salesforce UI sessions, report
 * exports and per-user connected apps. Rates are per working day, scaled by `volume`.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS } from './calendar.js';
import { SF_COMMON_OBJECTS } from './catalog.js';
import { type GenContext, githubLag, gwsLag, poissonTimes } from './context.js';
import { cloudAddress, type NetAddress } from './geography.js';
import { gwsAddr, noiseOn, phoneAddrAt, sfSessionChurn } from './noise.js';
import { type PersonDay, personDay } from './person-day.js';
import type { Credential, Person, Tenant } from './population-types.js';
import { type Rng, rngFor } from './prng.js';
import { apiExtra, gitExtra, githubEmit } from './records-github.js';
import { googleEmit, pInt, pMulti, pValue } from './records-google.js';
import { salesforceEmit, sfSession } from './records-salesforce.js';
import { browserUa, ghUa, gitUa } from './user-agents.js';

/** Is the credential usable at t? */
export function validAt(c: Credential, t: number): boolean {
  return c.validFrom <= t && (c.validTo === null || t < c.validTo);
}

/** Milliseconds of [a, b) inside [from, to). */
function overlap(a: number, b: number, from: number, to: number): [number, number] | null {
  const s = Math.max(a, from);
  const e = Math.min(b, to);
  return e > s ? [s, e] : null;
}

/** Generates one hour of a person's benign activity. */
export function personHour(ctx: GenContext, p: Person, hourStart: number): void {
  if (p.testAccount) return;
  const pop = ctx.pop;
  const day = Math.floor((hourStart - pop.start) / DAY_MS);
  const pd = personDay(pop, p, day);
  const tenant = pop.tenants[p.tenant] as Tenant;
  const hourEnd = hourStart + HOUR_MS;
  const win = pd.works ? overlap(pd.startT, pd.endT, hourStart, hourEnd) : null;
  // the previous day's window can spill past midnight UTC
  const prev = day > 0 ? personDay(pop, p, day - 1) : null;
  const winPrev = prev?.works ? overlap(prev.startT, prev.endT, hourStart, hourEnd) : null;
  const rng = rngFor(ctx.seed, 'ph', p.idx, Math.floor(hourStart / HOUR_MS));
  for (const ci of p.creds) {
    const cred = pop.creds[ci];
    // A credential an attacker created in the victim's name (S2's connected-app grant, S10's
    // minted PAT) is the attacker's: the victim never uses it (as in lifecycle.ts, lookalikes.ts).
    if (!cred || cred.createdBy === 'attack') continue;
    if (win) credHour(ctx, rng, tenant, p, pd, cred, win, hourStart);
    if (winPrev && prev) credHour(ctx, rng, tenant, p, prev, cred, winPrev, hourStart);
    if (cred.client?.pattern === 'always' && cred.kind === 'gws_grant' && day >= p.hireDay) {
      alwaysOnGrant(ctx, rng, tenant, p, pd, cred, hourStart, hourEnd);
    }
  }
}

function workHours(pd: PersonDay): number {
  return Math.max(1, (pd.endT - pd.startT) / HOUR_MS);
}

function credHour(
  ctx: GenContext,
  rng: Rng,
  tenant: Tenant,
  p: Person,
  pd: PersonDay,
  cred: Credential,
  win: [number, number],
  hourStart: number,
): void {
  const frac = (win[1] - win[0]) / HOUR_MS / workHours(pd);
  const per = (daily: number): number => daily * ctx.volume * frac;
  switch (cred.kind) {
    case 'gh_session':
      ghWeb(ctx, rng, tenant, p, pd, cred, poissonTimes(rng, per(4), win[0], win[1]));
      return;
    case 'gh_pat_classic':
    case 'gh_pat_fine':
      ghGit(ctx, rng, tenant, p, pd, cred, poissonTimes(rng, per(14), win[0], win[1]));
      return;
    case 'gh_oauth':
      ghOAuth(ctx, rng, tenant, p, pd, cred, win, per);
      return;
    case 'gws_session':
      gwsSession(ctx, rng, tenant, p, pd, cred, win, per, hourStart);
      return;
    case 'gws_grant':
      if (cred.client?.pattern === 'workday') {
        const times = poissonTimes(rng, per(cred.client.dailyCalls), win[0], win[1]);
        for (const t of times) if (validAt(cred, t)) gwsTokenActivity(ctx, rng, tenant, p, pd, cred, t);
      }
      return;
    case 'sf_session':
      sfUi(ctx, rng, tenant, p, pd, cred, win, per);
      return;
    case 'sf_grant':
      sfUserApp(ctx, rng, tenant, p, pd, cred, win, per);
      return;
    default:
      return;
  }
}

function pickRepo(rng: Rng, tenant: Tenant, p: Person) {
  const repos = tenant.github.repos;
  const idx = p.repos.length > 0 && rng.chance(0.93) ? rng.pick(p.repos) : rng.int(0, repos.length - 1);
  return repos[idx] ?? repos[0]!;
}

function ghWeb(
  ctx: GenContext,
  rng: Rng,
  tenant: Tenant,
  p: Person,
  pd: PersonDay,
  cred: Credential,
  times: number[],
): void {
  for (const t of times) {
    if (!validAt(cred, t)) continue;
    const repo = pickRepo(rng, tenant, p);
    const action = rng.weighted(
      [
        'pull_request.create',
        'pull_request.merge',
        'pull_request_review.submit',
        'repo.download_zip',
        'issue_comment.update',
      ],
      [0.3, 0.18, 0.35, 0.04, 0.13],
    );
    ctx.sink.push(
      githubEmit(
        {
          t,
          tenant,
          action,
          actor: { login: p.login, id: p.githubId },
          addr: repo.isPublic ? null : pd.addr,
          ua: browserUa(pd.device, pd.day),
          repo,
          operationType:
            action === 'pull_request.create'
              ? 'create'
              : action === 'repo.download_zip'
                ? 'access'
                : 'modify',
          rng,
          lag: githubLag(ctx, rng),
        },
        ctx.seed,
      ),
    );
  }
}

function ghGit(
  ctx: GenContext,
  rng: Rng,
  tenant: Tenant,
  p: Person,
  pd: PersonDay,
  cred: Credential,
  times: number[],
): void {
  for (const t of times) {
    if (!validAt(cred, t)) continue;
    const repo = pickRepo(rng, tenant, p);
    const action = rng.weighted(
      ['git.fetch', 'git.push', 'git.clone', 'api.request'],
      [0.52, 0.3, 0.1, 0.08],
    );
    const isGit = action !== 'api.request';
    ctx.sink.push(
      githubEmit(
        {
          t,
          tenant,
          action,
          actor: { login: p.login, id: p.githubId },
          cred,
          addr: repo.isPublic ? null : pd.addr,
          ua: isGit ? gitUa(pd.device, pd.day) : ghUa(pd.device, pd.day),
          repo,
          operationType: action === 'git.push' ? 'modify' : 'access',
          extra: isGit ? gitExtra() : apiExtra(rng, 'GET', '/repos/{owner}/{repo}/pulls'),
          rng,
          lag: githubLag(ctx, rng),
        },
        ctx.seed,
      ),
    );
  }
}

const CLI_ROUTES: ReadonlyArray<[string, string, boolean]> = [
  ['GET', '/repos/{owner}/{repo}/pulls', true],
  ['POST', '/repos/{owner}/{repo}/pulls', true],
  ['GET', '/repos/{owner}/{repo}/actions/runs', true],
  ['GET', '/user', false],
  ['GET', '/notifications', false],
];

function ghOAuth(
  ctx: GenContext,
  rng: Rng,
  tenant: Tenant,
  p: Person,
  pd: PersonDay,
  cred: Credential,
  win: [number, number],
  per: (daily: number) => number,
): void {
  const app = cred.oauthApp;
  if (!app) return;
  const actor = { login: p.login, id: p.githubId };
  if (app.key === 'gh_cli' || app.key === 'legacy_ide') {
    for (const t of poissonTimes(rng, per(app.key === 'gh_cli' ? 6 : 2), win[0], win[1])) {
      if (!validAt(cred, t)) continue;
      const [method, route, hasRepo] = rng.pick(CLI_ROUTES);
      const repo = hasRepo ? pickRepo(rng, tenant, p) : undefined;
      ctx.sink.push(
        githubEmit(
          {
            t,
            tenant,
            action: 'api.request',
            actor,
            cred,
            addr: repo && !repo.isPublic ? pd.addr : null,
            ua: app.key === 'gh_cli' ? ghUa(pd.device, pd.day) : app.userAgent,
            ...(repo ? { repo } : {}),
            operationType: method === 'GET' ? 'access' : 'create',
            extra: apiExtra(rng, method, route),
            rng,
          },
          ctx.seed,
        ),
      );
    }
    return;
  }
  if (app.egress === 'user') return;
  const egress = app.egress;
  if (app.key === 'travis') {
    // CI builds triggered by pushes: clone the same 1-5 repos from the CI provider's cloud
    const mine = p.repos.slice(0, Math.max(1, Math.min(4, p.repos.length)));
    const end = Math.min(win[1] + 2 * HOUR_MS, win[1] + HOUR_MS);
    for (const t of poissonTimes(rng, per(12), win[0], end)) {
      if (!validAt(cred, t)) continue;
      const repo = ctx.pop.tenants[p.tenant]!.github.repos[rng.pick(mine)]!;
      ctx.sink.push(
        githubEmit(
          {
            t,
            tenant,
            action: 'git.clone',
            actor,
            cred,
            addr: cloudAddress(egress.provider, egress.region, rng.int(0, 5)),
            ua: app.userAgent,
            repo,
            operationType: 'access',
            extra: gitExtra(),
            rng,
          },
          ctx.seed,
        ),
      );
    }
    return;
  }
  for (const t of poissonTimes(rng, per(1.2), win[0], win[1])) {
    if (!validAt(cred, t)) continue;
    const repo = ctx.pop.tenants[p.tenant]!.github.repos[rng.pick(p.repos.length > 0 ? p.repos : [0])]!;
    ctx.sink.push(
      githubEmit(
        {
          t,
          tenant,
          action: 'repo.download_zip',
          actor,
          cred,
          addr: cloudAddress(egress.provider, egress.region, rng.int(0, 3)),
          ua: app.userAgent,
          repo,
          operationType: 'access',
          rng,
        },
        ctx.seed,
      ),
    );
  }
}

const DRIVE_ACTIONS = ['view', 'edit', 'download', 'create'] as const;
const DOC_TYPES = ['document', 'spreadsheet', 'presentation', 'pdf'] as const;
const ADMIN_ACTIONS: ReadonlyArray<[string, string]> = [
  ['GROUP_SETTINGS', 'ADD_GROUP_MEMBER'],
  ['GROUP_SETTINGS', 'REMOVE_GROUP_MEMBER'],
  ['USER_SETTINGS', 'CHANGE_USER_ORGANIZATION'],
  ['USER_SETTINGS', 'RESET_SIGNIN_COOKIES'],
];

function gwsSession(
  ctx: GenContext,
  rng: Rng,
  tenant: Tenant,
  p: Person,
  pd: PersonDay,
  cred: Credential,
  win: [number, number],
  per: (daily: number) => number,
  _hourStart: number,
): void {
  const actor = { email: p.email, profileId: p.profileId };
  // login at the start of the working window (SAML SSO), sometimes again later on another device
  const loginT = pd.startT + rng.int(0, 4) * MINUTE_MS;
  const logins = [loginT];
  if (loginT < win[0] || loginT >= win[1]) logins.pop();
  if (rng.chance(0.06 * ctx.volume)) logins.push(win[0] + rng.next() * (win[1] - win[0]));
  for (const t of logins) {
    ctx.sink.push(
      googleEmit({
        t,
        tenant,
        app: 'login',
        actor,
        addr: gwsAddr(pd, rng),
        events: [
          {
            type: 'login',
            name: 'login_success',
            parameters: [
              pValue('login_type', 'saml'),
              pMulti('login_challenge_method', ['none']),
              { name: 'is_suspicious', boolValue: false },
              pInt('login_timestamp', t * 1000),
            ],
          },
        ],
        rng,
        lag: gwsLag(ctx, rng),
      }),
    );
  }
  for (const t of poissonTimes(rng, per(10), win[0], win[1])) {
    const action = rng.weighted(DRIVE_ACTIONS, [0.5, 0.3, 0.15, 0.05]);
    const docType = rng.pick(DOC_TYPES);
    ctx.sink.push(
      googleEmit({
        t,
        tenant,
        app: 'drive',
        actor,
        addr: gwsAddr(pd, rng),
        events: [
          {
            type: 'access',
            name: action,
            parameters: [
              pValue('primary_event', 'true'),
              pValue('doc_id', rng.base62(33)),
              pValue('doc_type', docType),
              pValue(
                'doc_title',
                `${rng.pick(['Q3 plan', 'Roadmap', 'Notes', 'Budget', 'Design review', 'Offsite'])} ${rng.int(1, 40)}`,
              ),
              pValue(
                'visibility',
                rng.pick(['private', 'shared_internally', 'people_within_domain_with_link']),
              ),
              pValue('owner', rng.chance(0.6) ? p.email : `team@${tenant.domain}`),
            ],
          },
        ],
        rng,
        lag: gwsLag(ctx, rng),
      }),
    );
  }
  if (p.gwsAdmin) {
    for (const t of poissonTimes(rng, per(1.5), win[0], win[1])) {
      const [type, name] = rng.pick(ADMIN_ACTIONS);
      ctx.sink.push(
        googleEmit({
          t,
          tenant,
          app: 'admin',
          actor,
          addr: gwsAddr(pd, rng),
          events: [
            {
              type,
              name,
              parameters: [
                pValue(
                  'USER_EMAIL',
                  `${rng.pick(['ava', 'liam', 'noah', 'mia'])}.${rng.int(1, 99)}@${tenant.domain}`,
                ),
              ],
            },
          ],
          rng,
          lag: gwsLag(ctx, rng),
        }),
      );
    }
  }
  void cred;
}

/** One token `activity` of a per-user grant. */
export function gwsTokenActivity(
  ctx: GenContext,
  rng: Rng,
  tenant: Tenant,
  p: Person,
  pd: PersonDay,
  cred: Credential,
  t: number,
  addrOverride?: NetAddress,
): void {
  const client = cred.client;
  if (!client) return;
  const api = rng.pick(client.apis);
  const addr =
    addrOverride ??
    (client.egress === 'user'
      ? gwsAddr(pd, rng)
      : client.egress === 'mobile'
        ? noiseOn(ctx.pop)
          ? phoneAddrAt(p, pd, t, rng)
          : pd.phoneAddr
        : cloudAddress(client.egress.provider, client.egress.region, rng.int(0, 3)));
  ctx.sink.push(
    googleEmit({
      t,
      tenant,
      app: 'token',
      actor: { email: p.email, profileId: p.profileId },
      addr,
      events: [
        {
          type: 'auth',
          name: 'activity',
          parameters: [
            pValue('api_name', api.api),
            pValue('method_name', api.method),
            pValue('client_id', client.clientId),
            pInt('num_response_bytes', Math.round(rng.logNormal(6000, 1.1))),
            pMulti('product_bucket', [api.bucket]),
            pValue('app_name', client.name),
            pValue('client_type', client.clientType),
          ],
        },
      ],
      rng,
      lag: gwsLag(ctx, rng),
    }),
  );
}

function alwaysOnGrant(
  ctx: GenContext,
  rng: Rng,
  tenant: Tenant,
  p: Person,
  pd: PersonDay,
  cred: Credential,
  hourStart: number,
  hourEnd: number,
): void {
  const client = cred.client;
  if (!client) return;
  for (const t of poissonTimes(rng, (client.dailyCalls * ctx.volume) / 24, hourStart, hourEnd)) {
    if (validAt(cred, t)) gwsTokenActivity(ctx, rng, tenant, p, pd, cred, t);
  }
}

function sfUi(
  ctx: GenContext,
  rng: Rng,
  tenant: Tenant,
  _p: Person,
  pd: PersonDay,
  cred: Credential,
  win: [number, number],
  per: (daily: number) => number,
): void {
  const user = cred.sfUser;
  if (!user) return;
  const session = sfSession(ctx.seed, cred.idx, `ui:${pd.day}`);
  const loginT = pd.startT + rng.int(5, 40) * MINUTE_MS;
  const ua = browserUa(pd.device, pd.day);
  if (loginT >= win[0] && loginT < win[1] && validAt(cred, loginT)) {
    for (const e of salesforceEmit({
      t: loginT,
      tenant,
      kind: 'login',
      user,
      app: null,
      session,
      addr: pd.addr,
      ua,
      loginType: 'SAML Sfdc Initiated SSO',
      rng,
    }))
      ctx.sink.push(e);
  }
  if (noiseOn(ctx.pop) && validAt(cred, loginT))
    sfSessionChurn(ctx, tenant, pd, cred, win, session, ua, loginT);
  for (const t of poissonTimes(rng, per(0.3), Math.max(win[0], loginT), win[1])) {
    for (const e of salesforceEmit({
      t,
      tenant,
      kind: 'report_export',
      user,
      app: null,
      session,
      addr: pd.addr,
      ua,
      entity: rng.pick([
        'Pipeline by Owner',
        'Open Cases by Priority',
        'Closed Won This Quarter',
        'My Accounts',
      ]),
      rows: rng.int(20, 2000),
      rng,
    }))
      ctx.sink.push(e);
  }
}

function sfUserApp(
  ctx: GenContext,
  rng: Rng,
  tenant: Tenant,
  p: Person,
  pd: PersonDay,
  cred: Credential,
  win: [number, number],
  per: (daily: number) => number,
): void {
  const user = cred.sfUser;
  const app = cred.connectedApp;
  if (!user || !app || !cred.connectedAppId) return;
  const session = sfSession(ctx.seed, cred.idx, `app:${pd.day}`);
  const appRef = { id: cred.connectedAppId, name: app.name };
  const addr = app.egress === 'office' ? (tenant.office[0] as NetAddress) : pd.addr;
  const loginT = pd.startT + rng.int(10, 60) * MINUTE_MS;
  const daily = app.key === 'outlook' ? 15 : app.key === 'sfcli' ? 3 : 0;
  const times = poissonTimes(rng, per(daily), Math.max(win[0], loginT), win[1]);
  const bulkDay =
    app.key === 'dataloader' && [2, 4].includes(new Date(pd.startT).getUTCDay()) && rng.chance(0.5);
  const bulkT = pd.startT + 2 * HOUR_MS + rng.int(0, 120) * MINUTE_MS;
  const bulkNow = bulkDay && bulkT >= win[0] && bulkT < win[1] && validAt(cred, bulkT);
  const needLogin = (loginT >= win[0] && loginT < win[1] && daily > 0) || bulkNow;
  if (needLogin && validAt(cred, loginT)) {
    for (const e of salesforceEmit({
      t: bulkNow ? bulkT - 30_000 : loginT,
      tenant,
      kind: 'login',
      user,
      app: appRef,
      session,
      addr,
      ua: app.userAgent,
      loginType: 'Remote Access 2.0',
      rng,
    }))
      ctx.sink.push(e);
  }
  for (const t of times) {
    if (!validAt(cred, t)) continue;
    const entity =
      app.key === 'sfcli'
        ? rng.pick(['ApexClass', 'CustomObject', 'Flow'])
        : rng.pick([...SF_COMMON_OBJECTS, 'Opportunity']);
    for (const e of salesforceEmit({
      t,
      tenant,
      kind: 'rest',
      user,
      app: appRef,
      session,
      addr,
      ua: app.userAgent,
      entity,
      rows: rng.int(1, app.key === 'sfcli' ? 60 : 20),
      rng,
      omitAppIdOnApiEvent: rng.chance(0.03),
    }))
      ctx.sink.push(e);
  }
  if (bulkNow) {
    const entity = rng.pick(['Account', 'Contact', 'Lead']);
    for (const e of salesforceEmit({
      t: bulkT,
      tenant,
      kind: 'bulk',
      user,
      app: appRef,
      session,
      addr,
      ua: app.userAgent,
      entity,
      rows: Math.round(rng.logNormal(20_000, 0.8)),
      query: `SELECT Id, Name, OwnerId, LastModifiedDate FROM ${entity}`,
      rng,
    }))
      ctx.sink.push(e);
  }
  void p;
}
