/**
 * Benign behaviour of machines, one hour at a time: CI bots (24x7 on a schedule from a few cloud
 * runners; N1 migrates them), GitHub App installations (Jira sync; Renovate with its weekly clone
 * sweep, N4), the deploy service token, Salesforce integrations (Drift-like chat app 24x7, nightly
 * ETL over SOAP, Fivetran syncs with a quarterly Bulk backfill, N5) and a DWD client.
 */
import { DAY_MS, HOUR_MS, localMidnight, MINUTE_MS, weekdayUtc } from './calendar.js';
import { CONNECTED_APPS, SF_ALL_OBJECTS, SF_COMMON_OBJECTS, SF_ETL_OBJECTS } from './catalog.js';
import { type GenContext, githubLag, gwsLag, poissonTimes } from './context.js';
import { cloudAddress } from './geography.js';
import type { Credential, Tenant } from './population-types.js';
import { type Rng, rngFor } from './prng.js';
import { apiExtra, gitExtra, githubEmit } from './records-github.js';
import { googleEmit, pInt, pMulti, pValue } from './records-google.js';
import { salesforceEmit, sfSession } from './records-salesforce.js';
import { MACHINE_UA } from './user-agents.js';

/** Generates one hour of a tenant's machine traffic. */
export function servicesHour(ctx: GenContext, tenant: Tenant, hourStart: number): void {
  const hourIdx = Math.floor(hourStart / HOUR_MS);
  const rng = rngFor(ctx.seed, 'svc', tenant.idx, hourIdx);
  ciBots(ctx, rng, tenant, hourStart);
  jiraApp(ctx, rng, tenant, hourStart);
  renovate(ctx, rng, tenant, hourStart);
  deployToken(ctx, rng, tenant, hourStart);
  drift(ctx, rng, tenant, hourStart);
  etl(ctx, rng, tenant, hourStart);
  fivetran(ctx, rng, tenant, hourStart);
  sigsync(ctx, rng, tenant, hourStart);
}

function cred(ctx: GenContext, idx: number): Credential {
  const c = ctx.pop.creds[idx];
  if (!c) throw new Error(`no credential ${idx}`);
  return c;
}

function dayOf(ctx: GenContext, t: number): number {
  return Math.floor((t - ctx.pop.start) / DAY_MS);
}

/** Run times of a fixed schedule inside an hour. */
function scheduleTimes(hourStart: number, periodMin: number, phaseMin: number): number[] {
  const out: number[] = [];
  const period = periodMin * MINUTE_MS;
  let t = Math.ceil((hourStart - phaseMin * MINUTE_MS) / period) * period + phaseMin * MINUTE_MS;
  for (; t < hourStart + HOUR_MS; t += period) if (t >= hourStart) out.push(t);
  return out;
}

function ciBots(ctx: GenContext, rng: Rng, tenant: Tenant, hourStart: number): void {
  for (const bot of tenant.svc.ciBots) {
    const c = cred(ctx, bot.cred);
    const period = Math.max(5, Math.round(bot.periodMin / ctx.machineVolume));
    for (const run of scheduleTimes(hourStart, period, bot.phase)) {
      const t = run + rng.int(2, 50) * 1000;
      const migrated = bot.migrateDay !== null && dayOf(ctx, t) >= bot.migrateDay;
      const addr = cloudAddress(
        bot.provider,
        migrated ? bot.newRegion : bot.region,
        rng.int(0, 1) + (migrated ? 10 : 0),
      );
      const repo =
        tenant.github.repos[bot.repos[Math.floor(run / (period * MINUTE_MS)) % bot.repos.length] ?? 0]!;
      const actor = { login: bot.login, id: bot.userId };
      ctx.sink.push(
        githubEmit(
          {
            t,
            tenant,
            action: 'git.fetch',
            actor,
            cred: c,
            addr,
            ua: MACHINE_UA.ciGit,
            repo,
            operationType: 'access',
            extra: gitExtra(),
            rng,
            lag: githubLag(ctx, rng),
          },
          ctx.seed,
        ),
      );
      ctx.sink.push(
        githubEmit(
          {
            t: t + rng.int(30, 240) * 1000,
            tenant,
            action: 'api.request',
            actor,
            cred: c,
            addr,
            ua: MACHINE_UA.ciApi,
            repo,
            operationType: 'create',
            extra: apiExtra(rng, 'POST', '/repos/{owner}/{repo}/statuses/{sha}', 201),
            rng,
          },
          ctx.seed,
        ),
      );
    }
  }
}

function jiraApp(ctx: GenContext, rng: Rng, tenant: Tenant, hourStart: number): void {
  const c = cred(ctx, tenant.svc.jira);
  const app = c.app!;
  for (const t of poissonTimes(rng, 4 * ctx.machineVolume, hourStart, hourStart + HOUR_MS)) {
    const repo = rng.pick(tenant.github.repos);
    ctx.sink.push(
      githubEmit(
        {
          t,
          tenant,
          action: 'api.request',
          actor: { login: `${app.slug}[bot]`, id: c.actorId ?? 0, isBot: true },
          cred: c,
          addr: repo.isPublic ? null : cloudAddress(app.egress.provider, app.egress.region, rng.int(0, 2)),
          ua: app.userAgent,
          repo,
          operationType: 'access',
          extra: apiExtra(
            rng,
            'GET',
            rng.pick([
              '/repos/{owner}/{repo}/commits',
              '/repos/{owner}/{repo}/pulls',
              '/repos/{owner}/{repo}/branches',
            ]),
          ),
          rng,
        },
        ctx.seed,
      ),
    );
  }
}

/** Start of Renovate's weekly clone sweep for the week containing `t` (Monday 03:00 UTC). */
export function renovateSweepStart(t: number): number {
  const dayStart = Math.floor(t / DAY_MS) * DAY_MS;
  const back = (weekdayUtc(dayStart) + 6) % 7;
  return dayStart - back * DAY_MS + 3 * HOUR_MS;
}

function renovate(ctx: GenContext, rng: Rng, tenant: Tenant, hourStart: number): void {
  const c = cred(ctx, tenant.svc.renovate);
  const app = c.app!;
  const actor = { login: `${app.slug}[bot]`, id: c.actorId ?? 0, isBot: true };
  for (const t of poissonTimes(rng, 1.5 * ctx.machineVolume, hourStart, hourStart + HOUR_MS)) {
    const repo = rng.pick(tenant.github.repos);
    const [method, route] = rng.pick([
      ['GET', '/repos/{owner}/{repo}/contents/{path}'],
      ['POST', '/repos/{owner}/{repo}/pulls'],
      ['GET', '/repos/{owner}/{repo}/pulls'],
    ] as const);
    ctx.sink.push(
      githubEmit(
        {
          t,
          tenant,
          action: 'api.request',
          actor,
          cred: c,
          addr: repo.isPublic ? null : cloudAddress(app.egress.provider, app.egress.region, rng.int(0, 2)),
          ua: app.userAgent,
          repo,
          operationType: method === 'GET' ? 'access' : 'create',
          extra: apiExtra(rng, method, route, method === 'GET' ? 200 : 201),
          rng,
        },
        ctx.seed,
      ),
    );
  }
  // N4: the weekly sweep clones every repo within about an hour
  const sweep = renovateSweepStart(hourStart);
  if (hourStart <= sweep + 2 * HOUR_MS && hourStart + HOUR_MS > sweep) {
    const repos = tenant.github.repos;
    const span = 55 * MINUTE_MS;
    repos.forEach((repo, k) => {
      const t = sweep + Math.floor((k / repos.length) * span) + ((k * 7919) % 20_000);
      if (t < hourStart || t >= hourStart + HOUR_MS) return;
      ctx.sink.push(
        githubEmit(
          {
            t,
            tenant,
            action: 'git.clone',
            actor,
            cred: c,
            addr: repo.isPublic ? null : cloudAddress(app.egress.provider, app.egress.region, k % 3),
            ua: 'git/2.45.2',
            repo,
            operationType: 'access',
            extra: gitExtra(),
            rng,
          },
          ctx.seed,
        ),
      );
    });
  }
}

function deployToken(ctx: GenContext, rng: Rng, tenant: Tenant, hourStart: number): void {
  const d = tenant.svc.deploy;
  if (d.dormantFrom !== null && hourStart >= d.dormantFrom) return;
  const c = cred(ctx, d.cred);
  const actor = { login: d.login, id: d.userId };
  const infra = tenant.github.repos.filter((r) => r.infra);
  const repos = infra.length > 0 ? infra.slice(0, 2) : tenant.github.repos.slice(0, 2);
  const period = Math.max(10, Math.round(30 / ctx.machineVolume));
  for (const run of scheduleTimes(hourStart, period, 7)) {
    const t = run + rng.int(1, 20) * 1000;
    if (d.dormantFrom !== null && t >= d.dormantFrom) continue;
    const repo = repos[Math.floor(run / (period * MINUTE_MS)) % repos.length]!;
    const addr = cloudAddress('aws', 'us-east-1', 20 + (Math.floor(run / HOUR_MS) % 2));
    ctx.sink.push(
      githubEmit(
        {
          t,
          tenant,
          action: 'git.fetch',
          actor,
          cred: c,
          addr,
          ua: MACHINE_UA.ciGit,
          repo,
          operationType: 'access',
          extra: gitExtra(),
          rng,
        },
        ctx.seed,
      ),
    );
    if (rng.chance(0.3)) {
      ctx.sink.push(
        githubEmit(
          {
            t: t + 45_000,
            tenant,
            action: 'api.request',
            actor,
            cred: c,
            addr,
            ua: MACHINE_UA.deployCurl,
            repo,
            operationType: 'create',
            extra: apiExtra(rng, 'POST', '/repos/{owner}/{repo}/deployments', 201),
            rng,
          },
          ctx.seed,
        ),
      );
    }
  }
}

function appRef(tenant: Tenant, key: string): { id: string; name: string } {
  const app = CONNECTED_APPS.find((a) => a.key === key);
  return { id: tenant.svc.connectedAppIds[key] ?? '', name: app?.name ?? key };
}

function drift(ctx: GenContext, rng: Rng, tenant: Tenant, hourStart: number): void {
  const c = cred(ctx, tenant.svc.drift.cred);
  const user = tenant.svc.drift.user;
  const app = CONNECTED_APPS.find((a) => a.key === 'drift')!;
  const ref = appRef(tenant, 'drift');
  const refreshH = Math.min(12, Math.max(2, Math.round(2 / ctx.machineVolume)));
  const slot = Math.floor(hourStart / (refreshH * HOUR_MS));
  const session = sfSession(ctx.seed, c.idx, slot);
  const localH = (hourStart - localMidnight(tenant.hq.tz, Math.floor(hourStart / DAY_MS) * DAY_MS)) / HOUR_MS;
  const business =
    localH >= 8 && localH < 19 && weekdayUtc(Math.floor(hourStart / DAY_MS) * DAY_MS) % 6 !== 0;
  const perHour = ((300 * ctx.machineVolume) / 24) * (business ? 1.7 : 0.45);
  const addrFor = (k: number) => cloudAddress('aws', 'us-east-1', 40 + (k % 3));
  if (hourStart % (refreshH * HOUR_MS) === 0) {
    for (const e of salesforceEmit({
      t: hourStart + rng.int(1, 30) * 1000,
      tenant,
      kind: 'login',
      user,
      app: ref,
      session,
      addr: addrFor(slot),
      ua: app.userAgent,
      loginType: 'Remote Access 2.0',
      rng,
    }))
      ctx.sink.push(e);
  }
  for (const t of poissonTimes(rng, perHour, hourStart + 60_000, hourStart + HOUR_MS)) {
    const entity = rng.weighted(SF_COMMON_OBJECTS, [0.45, 0.35, 0.2]);
    for (const e of salesforceEmit({
      t,
      tenant,
      kind: 'rest',
      user,
      app: ref,
      session,
      addr: addrFor(slot),
      ua: app.userAgent,
      entity,
      rows: Math.min(50, Math.max(1, Math.round(rng.logNormal(4, 0.9)))),
      query: `SELECT Id, Email, OwnerId FROM ${entity} WHERE Email = '…'`,
      rng,
      omitAppIdOnApiEvent: rng.chance(0.03),
    }))
      ctx.sink.push(e);
  }
}

/** Stable nightly row counts of the ETL job per object. */
function etlBaseRows(seed: number, tenant: Tenant, entity: string): number {
  return rngFor(seed, 'etl-rows', tenant.idx, entity).int(600, 9000);
}

function etl(ctx: GenContext, rng: Rng, tenant: Tenant, hourStart: number): void {
  const dayStart = Math.floor(hourStart / DAY_MS) * DAY_MS;
  const midnight = localMidnight(tenant.hq.tz, dayStart);
  const runStart =
    midnight + HOUR_MS + rngFor(ctx.seed, 'etl-start', tenant.idx, dayStart).int(0, 10) * MINUTE_MS;
  // the local 01:00 run may fall in the previous or next UTC day
  for (const start of [runStart, runStart + DAY_MS, runStart - DAY_MS]) {
    if (start < hourStart || start >= hourStart + HOUR_MS) continue;
    const c = cred(ctx, tenant.svc.etl.cred);
    const user = tenant.svc.etl.user;
    const addr = tenant.svc.etl.ips[Math.floor(start / DAY_MS) % 2]!;
    const session = sfSession(ctx.seed, c.idx, `etl:${Math.floor(start / DAY_MS)}`);
    for (const e of salesforceEmit({
      t: start,
      tenant,
      kind: 'login',
      user,
      app: null,
      session,
      addr,
      ua: MACHINE_UA.etlSoap,
      loginType: 'Partner Product',
      clientName: 'Informatica',
      rng,
    }))
      ctx.sink.push(e);
    const n = rng.int(5, Math.min(20, 5 + Math.round(10 * ctx.machineVolume)));
    let t = start + 20_000;
    for (let i = 0; i < n; i++) {
      const entity = SF_ETL_OBJECTS[i % SF_ETL_OBJECTS.length]!;
      const rows = Math.round(etlBaseRows(ctx.seed, tenant, entity) * rng.float(0.8, 1.2));
      t += rng.int(40, 300) * 1000;
      for (const e of salesforceEmit({
        t,
        tenant,
        kind: 'soap',
        user,
        app: null,
        session,
        addr,
        ua: MACHINE_UA.etlSoap,
        clientName: 'Informatica',
        method: i >= SF_ETL_OBJECTS.length ? 'queryMore' : 'query',
        entity,
        rows,
        query: `SELECT Id, Name, LastModifiedDate FROM ${entity} WHERE SystemModstamp > YESTERDAY`,
        rng,
      }))
        ctx.sink.push(e);
    }
  }
}

/** Start of the quarterly backfill of the quarter containing `t`: first Saturday, 02:00 HQ time. */
export function backfillStart(tenant: Tenant, t: number): number {
  const d = new Date(t);
  const qMonth = Math.floor(d.getUTCMonth() / 3) * 3;
  let day = Date.UTC(d.getUTCFullYear(), qMonth, 1);
  while (weekdayUtc(day) !== 6) day += DAY_MS;
  return localMidnight(tenant.hq.tz, day) + 2 * HOUR_MS;
}

/** Objects and row counts of a backfill (about 10^7 rows in total). */
export function backfillPlan(
  seed: number,
  tenant: Tenant,
  start: number,
): Array<{ entity: string; rows: number; t: number }> {
  const rng = rngFor(seed, 'backfill', tenant.idx, start);
  const objects = SF_ALL_OBJECTS.slice(0, 16);
  let t = start + 60_000;
  return objects.map((entity) => {
    const rows = Math.round(rng.logNormal(450_000, 0.9));
    t += rng.int(5, 18) * MINUTE_MS;
    return { entity, rows, t };
  });
}

function fivetran(ctx: GenContext, rng: Rng, tenant: Tenant, hourStart: number): void {
  const c = cred(ctx, tenant.svc.fivetran.cred);
  const user = tenant.svc.fivetran.user;
  const app = CONNECTED_APPS.find((a) => a.key === 'fivetran')!;
  const ref = appRef(tenant, 'fivetran');
  const addr = cloudAddress('gcp', 'us-east1', Math.floor(hourStart / DAY_MS) % 3);
  // incremental sync every 6 hours
  const every = Math.min(24, Math.max(6, Math.round(6 / ctx.machineVolume / 6) * 6));
  if (Math.floor(hourStart / HOUR_MS) % every === 3) {
    const session = sfSession(ctx.seed, c.idx, `sync:${Math.floor(hourStart / HOUR_MS)}`);
    let t = hourStart + rng.int(1, 9) * MINUTE_MS;
    for (const e of salesforceEmit({
      t,
      tenant,
      kind: 'login',
      user,
      app: ref,
      session,
      addr,
      ua: app.userAgent,
      loginType: 'Remote Access 2.0',
      rng,
    }))
      ctx.sink.push(e);
    const objects = SF_ALL_OBJECTS.slice(0, Math.max(3, Math.round(10 * Math.min(1, ctx.machineVolume))));
    for (const entity of objects) {
      t += rng.int(5, 60) * 1000;
      for (const e of salesforceEmit({
        t,
        tenant,
        kind: 'rest',
        user,
        app: ref,
        session,
        addr,
        ua: app.userAgent,
        entity,
        rows: Math.round(rng.logNormal(150, 1.2)),
        query: `SELECT FIELDS(STANDARD) FROM ${entity} WHERE SystemModstamp > ${new Date(hourStart - 6 * HOUR_MS).toISOString()}`,
        rng,
      }))
        ctx.sink.push(e);
    }
  }
  // N5: quarterly backfill over all objects
  const start = backfillStart(tenant, hourStart);
  if (hourStart + HOUR_MS <= start || hourStart > start + 6 * HOUR_MS) return;
  const session = sfSession(ctx.seed, c.idx, `backfill:${start}`);
  if (start >= hourStart && start < hourStart + HOUR_MS) {
    for (const e of salesforceEmit({
      t: start,
      tenant,
      kind: 'login',
      user,
      app: ref,
      session,
      addr,
      ua: app.userAgent,
      loginType: 'Remote Access 2.0',
      rng,
    }))
      ctx.sink.push(e);
  }
  for (const job of backfillPlan(ctx.seed, tenant, start)) {
    if (job.t < hourStart || job.t >= hourStart + HOUR_MS) continue;
    for (const e of salesforceEmit({
      t: job.t,
      tenant,
      kind: 'bulk',
      user,
      app: ref,
      session,
      addr,
      ua: app.userAgent,
      entity: job.entity,
      rows: job.rows,
      query: `SELECT FIELDS(STANDARD) FROM ${job.entity}`,
      rng,
    }))
      ctx.sink.push(e);
  }
}

function sigsync(ctx: GenContext, rng: Rng, tenant: Tenant, hourStart: number): void {
  const c = cred(ctx, tenant.svc.sigsync);
  const client = c.client!;
  for (const t of poissonTimes(
    rng,
    (client.dailyCalls * ctx.machineVolume) / 24,
    hourStart,
    hourStart + HOUR_MS,
  )) {
    const mailbox = rng.pick(tenant.svc.serviceMailboxes);
    const api = client.apis[0]!;
    ctx.sink.push(
      googleEmit({
        t,
        tenant,
        app: 'token',
        actor: { email: mailbox, profileId: `1${rngFor(ctx.seed, 'mbx', mailbox).digits(20)}` },
        applicationInfo: {
          oauthClientId: client.clientId,
          applicationName: client.name,
          impersonation: true,
        },
        addr: cloudAddress('gcp', 'us-central1', rng.int(0, 1)),
        events: [
          {
            type: 'auth',
            name: 'activity',
            parameters: [
              pValue('api_name', api.api),
              pValue('method_name', api.method),
              pValue('client_id', client.clientId),
              pInt('num_response_bytes', rng.int(300, 2500)),
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
}
