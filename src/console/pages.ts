import type { AlertPage, AlertView, TokenDetail, TokenPage } from '../api/types.js';
import { ALERT_STATUSES, TRIAGE_STATUSES } from '../api/types.js';
import { HYGIENE_FLAGS, type InventoryFilter } from '../inventory/hygiene.js';
import { html, query, type Safe } from './html.js';

const SOURCES = ['github', 'google_workspace', 'salesforce'];
const STATES = ['live', 'revoked', 'expired', 'owner_offboarded'];
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Link to a token's detail page. */
export const tokenHref = (id: string): string => `/console/tokens/${encodeURIComponent(id)}`;
const day = (iso: string | undefined): string => (iso ? iso.slice(0, 10) : '');
const minute = (iso: string | undefined): string => (iso ? `${iso.slice(0, 16).replace('T', ' ')}Z` : '');

/** The page frame: header navigation, title, body. */
export function layout(
  title: string,
  current: 'tokens' | 'alerts' | 'login',
  who: string,
  body: Safe,
): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · tokenwatch</title><link rel="stylesheet" href="/console/assets/console.css"></head>
<body><header><span class="brand">tokenwatch</span>
<a href="/console/tokens" class="${current === 'tokens' ? 'current' : ''}">Inventory</a>
<a href="/console/alerts" class="${current === 'alerts' ? 'current' : ''}">Alerts</a>
<span class="who">${who ? `signed in as ${who}` : ''}</span></header>
<main>${body}</main></body></html>`.html;
}

const select = (name: string, label: string, options: readonly string[], value: string | undefined): Safe =>
  html`<label>${label}<select name="${name}" id="f-${name}"><option value="">any</option>${options.map(
    (o) => html`<option value="${o}"${o === value ? html` selected` : ''}>${o}</option>`,
  )}</select></label>`;

/** The inventory page: filter form, flag chips with counts, token table. */
export function inventoryPage(
  page: TokenPage,
  filter: InventoryFilter,
  flagCounts: Record<string, number>,
): Safe {
  const chip = (flag: string) =>
    html`<a class="chip${filter.flag === flag ? ' on' : ''}" href="/console/tokens${query({ ...filter, flag: filter.flag === flag ? undefined : flag })}">${flag} ${flagCounts[flag] ?? 0}</a>`;
  return html`<h1>Token inventory</h1>
<form class="filters" method="get" action="/console/tokens">
${select('flag', 'hygiene flag', HYGIENE_FLAGS, filter.flag)}
${select('source', 'source', SOURCES, filter.source)}
${select('state', 'state', STATES, filter.state)}
<label>owner<input type="text" name="owner" id="f-owner" value="${filter.owner ?? ''}"></label>
<label>app<input type="text" name="app" id="f-app" value="${filter.app ?? ''}"></label>
<button type="submit" id="f-apply">Filter</button> <a href="/console/tokens">reset</a>
</form>
<div class="chips">${HYGIENE_FLAGS.map(chip)}</div>
<p class="muted" id="count">${page.total} credentials${page.total > page.items.length ? ` (first ${page.items.length} shown)` : ''} · idle days as of ${minute(page.as_of)}</p>
<table id="inventory"><thead><tr><th>owner</th><th>source</th><th>type</th><th>app</th><th>created</th><th>last used</th><th>idle d</th><th>last from</th><th>scopes granted / used 90 d</th><th>state</th><th>flags</th></tr></thead><tbody>
${page.items.map(
  (r) => html`<tr class="token-row" data-id="${r.id}">
<td><a href="${tokenHref(r.id)}">${r.owner || '(unknown)'}</a><div class="muted">${r.principal}</div></td>
<td>${r.source}</td><td>${r.type}</td><td>${r.app ?? ''}</td>
<td>${day(r.created ?? r.first_seen)}${r.created ? '' : html`<div class="muted">first seen</div>`}</td>
<td>${day(r.last_used)}</td><td class="num">${r.idle_days}</td>
<td>${[r.last_ip, r.last_country].filter(Boolean).join(' ')}<div class="muted">${r.last_user_agent ?? ''}</div></td>
<td class="mono">${r.scopes_granted.join(' ')}<div class="muted">${r.scopes_used_90d.join(' ')}</div></td>
<td><span class="state ${r.state}">${r.state}</span></td>
<td>${r.flags.map((f) => html`<span class="flag ${f}" title="${r.reasons[f] ?? ''}">${f}</span>`)}</td></tr>`,
)}
</tbody></table>`;
}

const heatClass = (share: number, max: number): string =>
  `h${max <= 0 ? 0 : Math.min(9, Math.ceil((share / max) * 9))}`;

/** Alert rows with a triage form each (`back` is where the form returns to). */
function alertTable(alerts: readonly AlertView[], back: string): Safe {
  return html`<table class="alerts"><thead><tr><th>time</th><th>severity</th><th>detector</th><th>what</th><th>status</th><th>triage</th></tr></thead><tbody>
${alerts.map(
  (a) => html`<tr class="alert-row" data-id="${a.id}">
<td>${minute(a.timestamp)}</td><td><span class="sev ${a.severity}">${a.severity}</span></td><td class="mono">${a.detector}</td>
<td class="msg">${a.message}<div class="muted"><a href="${tokenHref(a.token_id)}">${a.token_id}</a></div></td>
<td><span class="status ${a.status}" data-status="${a.status}">${a.status}</span>${
    a.triage ? html`<div class="muted">${a.triage.by}: ${a.triage.note}</div>` : ''
  }</td>
<td><form class="triage" method="post" action="/console/alerts/${encodeURIComponent(a.id)}/status">
<input type="hidden" name="back" value="${back}">
<select name="status">${TRIAGE_STATUSES.map((s) => html`<option value="${s}"${a.status === s ? html` selected` : ''}>${s}</option>`)}</select>
<input type="text" name="note" placeholder="note" maxlength="4000" value="">
<button type="submit">Save</button></form></td></tr>`,
)}
</tbody></table>`;
}

/** Token detail: facts, hygiene reasons, timeline, hour-of-week profile, networks and countries, alerts. */
export function tokenPage(d: TokenDetail): Safe {
  const r = d.token;
  const b = d.baseline;
  const week = b?.hour_of_week ?? [];
  const max = Math.max(0, ...week);
  return html`<h1>${r.owner || '(unknown)'} · ${r.type}${r.app ? ` · ${r.app}` : ''}</h1>
<div class="grid2"><div><dl class="facts" id="facts">
<dt>token</dt><dd class="mono">${r.id}</dd>
<dt>source</dt><dd>${r.source} (${r.key_kind})</dd>
<dt>owner</dt><dd>${r.owner} · ${r.principal}</dd>
<dt>app</dt><dd>${r.app ?? '-'}${r.app_vetting ? ` (${r.app_vetting})` : ''}</dd>
<dt>state</dt><dd><span class="state ${r.state}">${r.state}</span></dd>
<dt>created</dt><dd>${minute(r.created) || '(not seen)'}</dd>
<dt>first / last seen</dt><dd>${minute(r.first_seen)} / ${minute(r.last_seen)}</dd>
<dt>last used</dt><dd>${minute(r.last_used)} from ${[r.last_ip, r.last_city, r.last_country].filter(Boolean).join(', ') || '-'}${r.last_user_agent ? ` with ${r.last_user_agent}` : ''}</dd>
<dt>idle / age</dt><dd>${r.idle_days} d / ${r.age_days} d</dd>
<dt>scopes granted</dt><dd class="mono">${r.scopes_granted.join(' ') || '-'}</dd>
<dt>used 30 d / 90 d</dt><dd class="mono">${r.scopes_used_30d.join(' ') || '-'} / ${r.scopes_used_90d.join(' ') || '-'}</dd>
${r.offboarding ? html`<dt>offboarding</dt><dd>${r.offboarding.action} (${r.offboarding.source}) ${minute(r.offboarding.at)}${r.offboarding.by ? ` by ${r.offboarding.by}` : ''}${r.offboarding.used_after ? ' · USED AFTER' : ''}</dd>` : ''}
</dl>
<h2>Hygiene</h2>
<ul id="reasons">${r.flags.length === 0 ? html`<li class="muted">no flags</li>` : r.flags.map((f) => html`<li><span class="flag ${f}">${f}</span> ${r.reasons[f] ?? ''}</li>`)}</ul>
</div><div>
<h2>Hour-of-week profile (UTC)</h2>
${
  b
    ? html`<table class="heat" id="heat"><thead><tr><th></th>${Array.from({ length: 24 }, (_, h) => html`<th>${h % 6 === 0 ? h : ''}</th>`)}</tr></thead><tbody>
${DAYS.map(
  (dn, di) =>
    html`<tr><th>${dn}</th>${Array.from({ length: 24 }, (_, h) => {
      const share = week[di * 24 + h] ?? 0;
      return html`<td class="${heatClass(share, max)}" title="${dn} ${h}:00 ${(share * 100).toFixed(1)}%"></td>`;
    })}</tr>`,
)}</tbody></table>
<p class="muted">${b.maturity}, ${b.events} events over ${b.history_days} days; median ${b.hourly_events_median} events per active hour (p99 ${b.hourly_events_p99})</p>
<h2>Known networks</h2><p class="mono" id="networks">${b.networks.join(', ') || '-'}</p>
<h2>Countries</h2><p id="countries">${b.countries.join(', ') || '-'}</p>
<h2>Clients</h2><p>${b.user_agents.join(', ') || '-'}</p>`
    : html`<p class="muted">no baseline kept for this token</p>`
}
</div></div>
<h2>Timeline (latest events)</h2>
<table id="timeline"><thead><tr><th>time</th><th>action</th><th>outcome</th><th>from</th><th>client</th><th>resource</th></tr></thead><tbody>
${d.recent.map((e) => html`<tr><td>${minute(e.timestamp)}</td><td class="mono">${e.action}</td><td>${e.outcome}</td><td>${[e.ip, e.country].filter(Boolean).join(' ')}</td><td>${e.user_agent ?? ''}</td><td class="mono">${e.resource ?? ''}</td></tr>`)}
</tbody></table>
<h2>Alerts (${d.alerts.length})</h2>
${d.alerts.length > 0 ? alertTable(d.alerts, tokenHref(r.id)) : html`<p class="muted">none</p>`}`;
}

/** Alert list with filters, triage forms and a next-page link. */
export function alertsPage(
  page: AlertPage,
  q: { status?: string; severity?: string; detector?: string; cursor?: string },
): Safe {
  const back = `/console/alerts${query({ status: q.status, severity: q.severity, detector: q.detector, cursor: q.cursor })}`;
  return html`<h1>Alerts</h1>
<form class="filters" method="get" action="/console/alerts">
${select('status', 'status', ALERT_STATUSES, q.status)}
${select('severity', 'severity', ['critical', 'high', 'medium', 'low'], q.severity)}
<label>detector<input type="text" name="detector" id="f-detector" value="${q.detector ?? ''}"></label>
<button type="submit" id="f-apply">Filter</button> <a href="/console/alerts">reset</a>
</form>
${page.items.length === 0 ? html`<p class="muted" id="empty">no alerts match</p>` : alertTable(page.items, back)}
${page.next_cursor ? html`<nav class="pages"><a id="next" href="/console/alerts${query({ status: q.status, severity: q.severity, detector: q.detector, cursor: page.next_cursor })}">next page →</a></nav>` : ''}`;
}

/** Login form (API key). */
export function loginPage(error: string | undefined): Safe {
  return html`<form class="login" method="post" action="/console/login"><h1>tokenwatch console</h1>
<p class="muted">Sign in with an API key (TOKENWATCH_API_KEYS).</p>${error ? html`<p class="sev high">${error}</p>` : ''}
<input type="password" name="key" autocomplete="current-password" placeholder="API key" required>
<button type="submit">Sign in</button></form>`;
}
