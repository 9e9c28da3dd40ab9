/** The console stylesheet (served at /console/assets/console.css; no inline styles, so CSP can forbid them). */
export const CONSOLE_CSS = `
:root { --bg:#f6f7f9; --fg:#1d2430; --muted:#5b6575; --line:#d9dee6; --accent:#1f5fbf; --bad:#b42318; --warn:#b54708; --ok:#027a48; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
header { display:flex; gap:24px; align-items:center; padding:10px 20px; background:#17202e; color:#fff; }
header a { color:#cfe0ff; text-decoration:none; font-weight:600; }
header a.current { color:#fff; border-bottom:2px solid #fff; }
header .brand { font-weight:700; font-size:16px; color:#fff; margin-right:12px; }
header .who { margin-left:auto; color:#aab6c8; font-size:12px; }
main { padding:16px 20px 40px; }
h1 { font-size:20px; margin:4px 0 12px; }
h2 { font-size:16px; margin:20px 0 8px; }
table { border-collapse:collapse; width:100%; background:#fff; border:1px solid var(--line); }
th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#eef1f5; font-weight:600; font-size:12px; text-transform:uppercase; letter-spacing:.03em; color:var(--muted); }
td.date, th { white-space:nowrap; }
td.num { text-align:right; font-variant-numeric:tabular-nums; }
td.mono, .mono { font-family:ui-monospace,SFMono-Regular,Menlo,monospace; font-size:12px; word-break:break-all; }
a { color:var(--accent); }
form.filters { display:flex; flex-wrap:wrap; gap:10px; align-items:end; margin:0 0 12px; padding:10px; background:#fff; border:1px solid var(--line); }
form.filters label { display:flex; flex-direction:column; font-size:12px; color:var(--muted); gap:2px; }
input, select, button { font:inherit; padding:4px 6px; border:1px solid #b8c1cf; border-radius:4px; background:#fff; }
button { background:var(--accent); color:#fff; border-color:var(--accent); cursor:pointer; }
.chips { display:flex; flex-wrap:wrap; gap:6px; margin:0 0 12px; }
.chip { display:inline-block; padding:2px 8px; border-radius:12px; background:#e6ecf5; color:#24324a; text-decoration:none; font-size:12px; }
.chip.on { background:var(--accent); color:#fff; }
.flag { display:inline-block; margin:1px 2px; padding:0 6px; border-radius:10px; font-size:11px; background:#fff4e5; color:var(--warn); border:1px solid #f7c99b; white-space:nowrap; }
.flag.owner_offboarded, .flag.broad_scopes { background:#fdecea; color:var(--bad); border-color:#f5b5ae; }
.state { font-size:12px; font-weight:600; }
.state.live { color:var(--ok); } .state.revoked, .state.expired { color:var(--muted); } .state.owner_offboarded { color:var(--bad); }
.sev { font-weight:700; font-size:12px; text-transform:uppercase; }
.sev.critical, .sev.high { color:var(--bad); } .sev.medium { color:var(--warn); } .sev.low { color:var(--muted); }
.status { font-size:12px; padding:1px 6px; border-radius:8px; background:#eef1f5; }
.status.open { background:#fff4e5; } .status.closed_true_positive { background:#fdecea; } .status.closed_false_positive, .status.suppressed { background:#ecfdf3; }
dl.facts { display:grid; grid-template-columns:max-content 1fr; gap:4px 16px; background:#fff; border:1px solid var(--line); padding:10px 14px; margin:0; }
dl.facts dt { color:var(--muted); } dl.facts dd { margin:0; }
.grid2 { display:grid; grid-template-columns:1fr 1fr; gap:20px; }
table.heat { width:auto; } table.heat td, table.heat th { padding:0; width:18px; height:16px; border:1px solid #fff; text-align:center; font-size:10px; }
table.heat th { background:none; text-transform:none; }
.h0{background:#f0f2f5}.h1{background:#dbe8fb}.h2{background:#b9d3f6}.h3{background:#94bbf0}.h4{background:#6fa2ea}.h5{background:#4a89e3}.h6{background:#2f72d3}.h7{background:#1f5fbf}.h8{background:#17489a}.h9{background:#0f3270}
form.triage { display:flex; gap:4px; flex-wrap:wrap; }
form.triage input[type=text] { width:160px; }
.muted { color:var(--muted); }
.msg { max-width:640px; }
.login { max-width:360px; margin:60px auto; background:#fff; padding:20px; border:1px solid var(--line); }
.login input { width:100%; margin:8px 0; }
nav.pages { margin:10px 0; }
`;
