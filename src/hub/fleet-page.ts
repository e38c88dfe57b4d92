// The fleet page (GET /): every machine, its live state and latest figures, each a link to its
// daily charts (/machines/{id}/). Plain HTML, CSS and a small script, kept here as strings so the
// hub needs no bundler step; the script only uses the hub's JSON API and its live feed, builds
// the DOM with textContent (machine names are data, never markup), and runs under the strict
// Content-Security-Policy (no inline code: the script and style are files of their own).

export const FLEET_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vigil hub</title>
<link rel="stylesheet" href="/fleet.css">
<script src="/fleet.js" defer></script>
</head>
<body>
<header>
  <h1>Vigil hub</h1>
  <p id="summary" aria-live="polite">Loading…</p>
  <nav><a href="/docs/">API docs</a></nav>
</header>
<form id="login" hidden>
  <label for="token">This hub needs its access token</label>
  <input id="token" type="password" autocomplete="current-password" required>
  <label><input id="remember" type="checkbox"> remember in this browser</label>
  <button type="submit">Open</button>
  <p id="login-error" role="alert"></p>
</form>
<main>
  <table id="fleet" hidden>
    <thead>
      <tr><th scope="col">Machine</th><th scope="col">State</th><th scope="col">Last seen</th><th scope="col">CPU</th><th scope="col">Memory</th><th scope="col">Network (rx / tx)</th><th scope="col">Version</th></tr>
    </thead>
    <tbody></tbody>
  </table>
</main>
</body>
</html>
`;

export const FLEET_CSS = `
:root { color-scheme: light dark; --up: #1a7f37; --stale: #cf222e; --sleeping: #6e7781; --new: #9a6700; font: 14px/1.4 system-ui, sans-serif; }
body { margin: 0 auto; max-width: 1200px; padding: 1rem 1.5rem; }
header { display: flex; align-items: baseline; gap: 1.5rem; flex-wrap: wrap; }
h1 { font-size: 1.4rem; margin: 0; }
nav { margin-left: auto; }
table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid color-mix(in srgb, currentColor 15%, transparent); white-space: nowrap; }
td.num { font-variant-numeric: tabular-nums; }
.badge { display: inline-block; min-width: 5.5em; text-align: center; border-radius: 1em; padding: .05rem .6rem; color: #fff; font-weight: 600; font-size: .85em; }
.badge.up { background: var(--up); } .badge.stale { background: var(--stale); } .badge.sleeping { background: var(--sleeping); } .badge.new { background: var(--new); }
.self { font-size: .8em; opacity: .7; margin-left: .4em; }
form { margin-top: 1rem; display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
[hidden] { display: none !important; }
#login-error { color: var(--stale); width: 100%; margin: 0; }
`;

export const FLEET_JS = `'use strict';
(() => {
  // The chart page's key (src/renderer/token.ts): a token given here also opens the machine pages.
  const TOKEN_KEY = 'vigil.token';
  const rows = new Map();
  let machines = [];
  let clockSkew = 0;
  let liveAbort = null;

  const token = () => sessionStorage.getItem(TOKEN_KEY) || localStorage.getItem(TOKEN_KEY);
  const headers = () => (token() ? { authorization: 'Bearer ' + token(), accept: 'application/json' } : { accept: 'application/json' });

  async function api(path) {
    const response = await fetch(path, { headers: headers() });
    if (response.status === 401) throw Object.assign(new Error('unauthorized'), { status: 401 });
    if (!response.ok) throw new Error(path + ': HTTP ' + response.status);
    return response.json();
  }

  function showLogin(message) {
    const form = document.getElementById('login');
    form.hidden = false;
    document.getElementById('login-error').textContent = message || '';
    document.getElementById('summary').textContent = '';
  }

  document.getElementById('login').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = document.getElementById('token').value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    if (document.getElementById('remember').checked) localStorage.setItem(TOKEN_KEY, value);
    document.getElementById('login').hidden = true;
    start();
  });

  const units = (value, base, names) => {
    if (value == null || !isFinite(value)) return '–';
    let i = 0;
    while (Math.abs(value) >= base && i < names.length - 1) { value /= base; i++; }
    return (value >= 100 || i === 0 ? Math.round(value) : value.toFixed(1)) + ' ' + names[i];
  };
  const bits = (v) => units(v, 1000, ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s']);
  const bytes = (v) => units(v, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB']);
  function ago(ts) {
    if (ts == null) return 'never';
    const s = Math.max(0, Math.round((Date.now() + clockSkew - ts) / 1000));
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.floor(s / 60) + ' min ago';
    if (s < 172800) return Math.floor(s / 3600) + ' h ago';
    return Math.floor(s / 86400) + ' d ago';
  }

  function cell(row, text, numeric) {
    const td = document.createElement('td');
    if (numeric) td.className = 'num';
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function render() {
    const body = document.querySelector('#fleet tbody');
    body.textContent = '';
    rows.clear();
    for (const m of machines) {
      const tr = document.createElement('tr');
      const name = document.createElement('td');
      const link = document.createElement('a');
      link.href = '/machines/' + encodeURIComponent(m.id) + '/';
      link.textContent = m.name;
      name.appendChild(link);
      if (m.self) {
        const tag = document.createElement('span');
        tag.className = 'self';
        tag.textContent = '(this hub)';
        name.appendChild(tag);
      }
      tr.appendChild(name);
      const stateCell = document.createElement('td');
      const badge = document.createElement('span');
      stateCell.appendChild(badge);
      tr.appendChild(stateCell);
      const seen = cell(tr, '', false);
      const cpu = cell(tr, '–', true);
      const mem = cell(tr, '–', true);
      const net = cell(tr, '–', true);
      cell(tr, m.version || '', false);
      tr.dataset.id = m.id;
      body.appendChild(tr);
      rows.set(m.id, { machine: m, badge, seen, cpu, mem, net });
      setState(m.id, m.state, m.lastSeen);
    }
    document.getElementById('fleet').hidden = false;
    summarize();
  }

  function setState(id, state, lastSeen) {
    const row = rows.get(id);
    if (!row) return;
    row.machine.state = state;
    if (lastSeen !== undefined) row.machine.lastSeen = lastSeen;
    row.badge.className = 'badge ' + state;
    row.badge.textContent = state;
    row.seen.textContent = ago(row.machine.lastSeen);
    summarize();
  }

  function showSample(id, sample) {
    const row = rows.get(id);
    if (!row || !sample) return;
    row.machine.lastSeen = Date.now() + clockSkew;
    row.cpu.textContent = sample.cpu.total.toFixed(1) + ' %';
    row.mem.textContent = bytes(sample.memory.used) + ' / ' + bytes(sample.memory.total);
    let rx = 0, tx = 0;
    for (const n of sample.net) if (!n.loopback && !n.virtual) { rx += n.rxBitsPerSecond || 0; tx += n.txBitsPerSecond || 0; }
    row.net.textContent = bits(rx) + ' / ' + bits(tx);
  }

  function summarize() {
    const counts = { up: 0, stale: 0, sleeping: 0, new: 0 };
    for (const { machine } of rows.values()) counts[machine.state] = (counts[machine.state] || 0) + 1;
    document.getElementById('summary').textContent =
      rows.size + ' machine' + (rows.size === 1 ? '' : 's') + ': ' + counts.up + ' up, ' + counts.stale + ' stale, ' + counts.sleeping + ' sleeping' + (counts.new ? ', ' + counts.new + ' never reported' : '');
  }

  async function load() {
    const list = await api('/api/machines');
    clockSkew = list.time - Date.now();
    machines = list.machines;
    render();
    for (const m of machines) {
      api('/api/machines/' + encodeURIComponent(m.id) + '/latest').then((r) => showSample(m.id, r.sample), () => {});
    }
  }

  // The live feed through fetch (EventSource cannot send the Authorization header).
  async function live() {
    if (liveAbort) liveAbort.abort();
    liveAbort = new AbortController();
    try {
      const response = await fetch('/api/live', { headers: headers(), signal: liveAbort.signal });
      if (!response.ok || !response.body) throw new Error('HTTP ' + response.status);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\\n\\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\\n');
          if (!data) continue;
          const event = JSON.parse(data);
          if (event.type === 'sample') showSample(event.machineId, event.sample);
          else if (event.type === 'state') setState(event.machineId, event.state, event.lastSeen);
          if (!rows.has(event.machineId)) load().catch(() => {});
        }
      }
    } catch (error) {
      if (error && error.name === 'AbortError') return;
    }
    setTimeout(live, 3000);
  }

  async function start() {
    try {
      await load();
      live();
    } catch (error) {
      if (error.status === 401) showLogin(token() ? 'That token was not accepted.' : '');
      else document.getElementById('summary').textContent = 'Cannot reach the hub: ' + error.message;
    }
  }

  setInterval(() => { for (const row of rows.values()) row.seen.textContent = ago(row.machine.lastSeen); }, 1000);
  setInterval(() => { if (document.getElementById('login').hidden) load().catch(() => {}); }, 30000);
  start();
})();
`;
