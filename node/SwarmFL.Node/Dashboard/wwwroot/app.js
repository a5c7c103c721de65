// SwarmFL dashboard: renders GET /api/swarm, then applies GET /api/events (Server-Sent Events) as they arrive.
// It uses nothing but that API (docs/dashboard.md) and changes nothing.
'use strict';

const COLORS = ['#4c9be8', '#e8884c', '#8bd17c', '#c78be8', '#e8d34c', '#4ce8d3', '#e84c7d', '#a0a0a0'];
const state = { snapshot: null, nodes: new Map(), rounds: new Map(), events: [], chart: null };

const $ = (id) => document.getElementById(id);
const text = (value) => (value === null || value === undefined ? '' : String(value));
const pct = (value) => (typeof value === 'number' ? (value * 100).toFixed(2) + '%' : '–');
const bytes = (n) => (n >= 1e9 ? (n / 1e9).toFixed(2) + ' GB' : n >= 1e6 ? (n / 1e6).toFixed(2) + ' MB' : n >= 1e3 ? (n / 1e3).toFixed(1) + ' kB' : n + ' B');
const shortHash = (h) => (h ? h.slice(0, 10) + '…' : '');
const shortModel = (m) => (m ? '…' + m.slice(-8) : '');

function cell(row, value, className) {
  const td = document.createElement('td');
  td.textContent = text(value);
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function renderHeader() {
  const s = state.snapshot;
  $('mode').textContent = { devnet: 'devnet run', node: 'one node', run: 'finished run' }[s.mode] || s.mode;
  $('live').textContent = s.live ? 'live' : 'read from files';
  $('live').className = 'badge' + (s.live ? ' live' : '');
  const sw = s.swarm || {};
  const round = sw.currentRound ? ` · round ${sw.currentRound}` : '';
  $('swarm-info').textContent = sw.contract ? `contract ${sw.contract} · cluster size ${text(sw.targetClusterSize)} · ${text(sw.aggregation)}${round}` : '';
  $('metric-name').textContent = `(${s.metric})`;
}

function renderNodes() {
  const body = $('nodes').tBodies[0];
  body.replaceChildren();
  for (const n of state.nodes.values()) {
    const tr = document.createElement('tr');
    tr.dataset.node = n.name;
    cell(tr, n.name);
    cell(tr, n.shortPeerId).title = text(n.peerId);
    cell(tr, n.address ? n.address.slice(0, 10) + '…' : '').title = text(n.address);
    cell(tr, n.cluster);
    cell(tr, n.role, 'role-' + text(n.role));
    cell(tr, n.round);
    cell(tr, n.phase);
    cell(tr, n.activity);
    const progress = cell(tr, '');
    if (typeof n.progress === 'number') {
      progress.innerHTML = '<span class="bar"><i></i></span> ';
      progress.querySelector('i').style.width = (n.progress * 100).toFixed(0) + '%';
      progress.append(pct(n.progress).replace(/\.\d+%/, '%'));
    }
    cell(tr, pct(n.localMetric));
    cell(tr, pct(n.baseMetric));
    cell(tr, pct(n.swarmMetric));
    cell(tr, `${bytes(n.bytesIn)} / ${bytes(n.bytesOut)}`);
    cell(tr, n.state, 'state-' + n.state).title = text(n.error);
    body.appendChild(tr);
  }
}

function svg(tag, attrs) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

// Position p in [0, 1) clockwise from the top of the circle.
function point(p, r) {
  const a = 2 * Math.PI * p - Math.PI / 2;
  return [r * Math.cos(a), r * Math.sin(a)];
}

function renderRing() {
  const ring = state.snapshot.ring;
  const el = $('ring');
  el.replaceChildren();
  el.appendChild(svg('circle', { cx: 0, cy: 0, r: 120, fill: 'none', stroke: '#2a3440', 'stroke-width': 2 }));
  for (const arc of ring.arcs) {
    const R = 132;
    const span = Math.min(arc.end - arc.start, 0.9999);
    const [x1, y1] = point(arc.start, R);
    const [x2, y2] = point(arc.start + span, R);
    el.appendChild(svg('path', {
      class: 'arc', 'data-cluster': arc.cluster, d: `M ${x1} ${y1} A ${R} ${R} 0 ${span > 0.5 ? 1 : 0} 1 ${x2} ${y2}`,
      fill: 'none', stroke: COLORS[arc.cluster % COLORS.length], 'stroke-width': 8, 'stroke-opacity': 0.7,
    }));
  }
  for (const m of ring.members) {
    const [x, y] = point(m.position, 120);
    const g = svg('g', { class: 'member' + (m.leader ? ' leader' : ''), 'data-peer': m.peerId, 'data-leader': m.leader ? 'true' : 'false' });
    if (m.leader) g.appendChild(svg('circle', { cx: x, cy: y, r: 11, fill: 'none', stroke: '#f2c94c', 'stroke-width': 3 }));
    g.appendChild(svg('circle', { cx: x, cy: y, r: 7, fill: COLORS[m.cluster % COLORS.length] }));
    const [lx, ly] = point(m.position, 95);
    const label = svg('text', { x: lx, y: ly, fill: '#d8dee6', 'font-size': 10, 'text-anchor': 'middle', 'dominant-baseline': 'middle' });
    label.textContent = (m.node || m.shortPeerId) + (m.leader ? ' ★' : '');
    g.appendChild(label);
    const title = svg('title', {});
    title.textContent = `${m.peerId}\ncluster ${m.cluster} · position ${m.position.toFixed(4)}${m.leader ? ' · leader' : ''}`;
    g.appendChild(title);
    el.appendChild(g);
  }
  $('ring-caption').textContent = ring.leadersRound ? `★ leaders of round ${ring.leadersRound}` : '';
  $('ring-legend').innerHTML = '';
  for (const arc of ring.arcs) {
    const span = document.createElement('span');
    span.innerHTML = `<i style="background:${COLORS[arc.cluster % COLORS.length]}"></i>`;
    span.append(`cluster ${arc.cluster} (${arc.members})`);
    $('ring-legend').appendChild(span);
  }
}

function sortedRounds() {
  return [...state.rounds.values()].sort((a, b) => a.round - b.round);
}

function renderChart() {
  const rounds = sortedRounds();
  const labels = rounds.map((r) => r.round);
  const datasets = [
    { label: 'merged model (test set)', data: rounds.map((r) => r.mergedTestMetric ?? null), borderColor: '#f2c94c', borderWidth: 3 },
    { label: 'swarm validation', data: rounds.map((r) => r.swarmMetric ?? null), borderColor: '#4caf7a', borderWidth: 3 },
  ];
  const nodeNames = [...new Set(rounds.flatMap((r) => r.nodes.map((n) => n.node)))].sort();
  nodeNames.forEach((name, i) => datasets.push({
    label: `${name} local`, borderColor: COLORS[i % COLORS.length], borderWidth: 1, borderDash: [4, 3], pointRadius: 2,
    data: rounds.map((r) => r.nodes.find((n) => n.node === name)?.localMetric ?? null),
  }));
  for (const b of state.snapshot.baselines || []) datasets.push({
    label: `baseline part ${b.part} (alone)`, borderColor: '#8a96a3', borderWidth: 1, borderDash: [2, 2], pointRadius: 0,
    data: rounds.map(() => b.metric),
  });
  if (!state.chart) {
    state.chart = new Chart($('metric-chart'), {
      type: 'line',
      data: { labels, datasets },
      options: {
        animation: false, maintainAspectRatio: false, spanGaps: true,
        scales: { x: { title: { display: true, text: 'round', color: '#8a96a3' }, ticks: { color: '#8a96a3' }, grid: { color: '#26303b' } },
                  y: { ticks: { color: '#8a96a3' }, grid: { color: '#26303b' } } },
        plugins: { legend: { labels: { color: '#d8dee6', boxWidth: 12 } } },
      },
    });
  } else {
    state.chart.data.labels = labels;
    state.chart.data.datasets = datasets;
    state.chart.update('none');
  }
  // For tools and tests: how many rounds have a swarm-level point.
  $('metric-chart').dataset.points = String(rounds.filter((r) => r.swarmMetric != null || r.mergedTestMetric != null).length);
}

function renderRounds() {
  const body = $('rounds').tBodies[0];
  body.replaceChildren();
  for (const r of sortedRounds()) {
    const tr = document.createElement('tr');
    tr.dataset.round = r.round;
    cell(tr, r.round);
    // data-metric holds the figure as summary.md prints it (4 decimals), for tools and tests.
    const fixed = (v) => (typeof v === 'number' ? v.toFixed(4) : '-');
    const merged = cell(tr, pct(r.mergedTestMetric), 'merged');
    merged.dataset.metric = fixed(r.mergedTestMetric);
    const swarm = cell(tr, pct(r.swarmMetric), 'swarm');
    swarm.dataset.metric = fixed(r.swarmMetric);
    swarm.title = text(r.swarmMetricSource);
    cell(tr, r.clusters.map((c) => `c${c.cluster}: ${c.leader || '?'}`).join(', '), 'leaders');
    cell(tr, typeof r.seconds === 'number' ? r.seconds.toFixed(1) : '');
    body.appendChild(tr);
  }
}

function eventItem(e) {
  const li = document.createElement('li');
  li.dataset.kind = e.kind;
  if (e.round != null) li.dataset.round = e.round;
  const kind = document.createElement('span');
  kind.className = 'kind';
  kind.textContent = e.kind;
  const where = document.createElement('span');
  where.className = 'where';
  where.textContent = `#${e.block} ${shortHash(e.tx)} `;
  where.title = e.tx;
  li.append(kind, where);
  const parts = [];
  if (e.round != null) parts.push(`round ${e.round}`);
  if (e.cluster != null) parts.push(`cluster ${e.cluster}`);
  if (e.actor) parts.push(e.actorNode || e.actor.slice(0, 10) + '…');
  if (e.model) parts.push(`model ${shortModel(e.model)}`);
  if (e.detail) parts.push(e.detail);
  li.append(parts.join(' · '));
  return li;
}

function appendEvent(e) {
  state.events.push(e);
  $('events').prepend(eventItem(e));
  $('events-count').textContent = `(${state.events.length})`;
}

function renderEvents() {
  $('events').replaceChildren();
  const events = state.events;
  state.events = [];
  events.forEach(appendEvent);
}

function renderTraffic() {
  const body = $('traffic').tBodies[0];
  body.replaceChildren();
  for (const t of state.snapshot.traffic) {
    const tr = document.createElement('tr');
    tr.dataset.round = t.round;
    tr.dataset.protocol = t.protocol;
    [t.round, t.protocol, bytes(t.bytesIn), bytes(t.bytesOut), t.messagesIn, t.messagesOut].forEach((v) => cell(tr, v));
    body.appendChild(tr);
  }
  const csv = ['round,protocol,bytes_in,bytes_out,messages_in,messages_out']
    .concat(state.snapshot.traffic.map((t) => [t.round, t.protocol, t.bytesIn, t.bytesOut, t.messagesIn, t.messagesOut].join(',')));
  const link = $('traffic-csv');
  if (link.dataset.url) URL.revokeObjectURL(link.dataset.url);
  link.dataset.url = URL.createObjectURL(new Blob([csv.join('\n') + '\n'], { type: 'text/csv' }));
  link.href = link.dataset.url;
}

function renderAudit() {
  const audit = state.snapshot.audit;
  const badge = $('audit-badge');
  if (!audit) { badge.hidden = true; $('audit').textContent = 'not run yet'; return; }
  badge.hidden = false;
  badge.textContent = audit.passed ? 'audit passed' : `audit FAILED (exit ${text(audit.exitCode)})`;
  badge.className = 'badge ' + (audit.passed ? 'ok' : 'bad');
  $('audit').textContent = audit.summary;
}

function renderAll() {
  renderHeader(); renderNodes(); renderRing(); renderChart(); renderRounds(); renderEvents(); renderTraffic(); renderAudit();
}

const handlers = {
  node: (n) => { state.nodes.set(n.name, n); renderNodes(); },
  round: (r) => { state.rounds.set(r.round, r); renderChart(); renderRounds(); },
  chain: (e) => appendEvent(e),
  ring: (ring) => { state.snapshot.ring = ring; renderRing(); },
  traffic: (traffic) => { state.snapshot.traffic = traffic; renderTraffic(); },
  baselines: (b) => { state.snapshot.baselines = b; renderChart(); },
  audit: (a) => { state.snapshot.audit = a; renderAudit(); },
  swarm: (s) => { state.snapshot.swarm = s; renderHeader(); },
  live: (l) => { state.snapshot.live = l.live; renderHeader(); },
};

async function start() {
  const response = await fetch('/api/swarm', { cache: 'no-store' });
  const snapshot = await response.json();
  state.snapshot = snapshot;
  for (const n of snapshot.nodes) state.nodes.set(n.name, n);
  for (const r of snapshot.rounds) state.rounds.set(r.round, r);
  state.events = snapshot.events.slice();
  renderAll();
  document.body.dataset.sequence = String(snapshot.sequence);
  const source = new EventSource(`/api/events?after=${snapshot.sequence}`);
  for (const [kind, apply] of Object.entries(handlers)) {
    source.addEventListener(kind, (message) => {
      apply(JSON.parse(message.data));
      document.body.dataset.sequence = message.lastEventId;
    });
  }
  source.onopen = () => { document.body.dataset.connected = 'true'; };
}

start().catch((error) => {
  document.body.dataset.error = String(error);
  $('mode').textContent = 'could not read /api/swarm: ' + error;
});
