// Reads the runs of scale.sh (one directory per swarm size) and prints the Markdown table: per size, the start-up, the
// round time (mean over rounds 2..R of the slowest node's round, and round 1), the chain time per node per round,
// chain RPC requests and calls per node per round (from each node's rounds.jsonl), peak memory per node, and the load.
// Usage: node scale-table.mjs OUT_DIR ROUNDS CLUSTER
import fs from 'node:fs';
import path from 'node:path';

const [outDir, rounds, cluster] = process.argv.slice(2);
const sizes = fs.readdirSync(outDir).filter(d => /^n\d+$/.test(d)).map(d => Number(d.slice(1))).sort((a, b) => a - b);
const mean = xs => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '—');

const rows = [];
for (const n of sizes) {
  const dir = path.join(outDir, `n${n}`);
  const [status] = fs.readFileSync(path.join(dir, 'exit.txt'), 'utf8').trim().split(' ');
  const load = fs.readFileSync(path.join(dir, 'load.txt'), 'utf8').trim().split('\n').map(l => l.split(': ')[1]);
  const runsDir = path.join(dir, 'runs');
  const run = fs.existsSync(runsDir) ? fs.readdirSync(runsDir).map(d => path.join(runsDir, d)).find(d => fs.statSync(d).isDirectory()) : null;
  const nodesDir = run ? path.join(run, 'nodes') : null;
  const perNode = [];
  for (const node of nodesDir && fs.existsSync(nodesDir) ? fs.readdirSync(nodesDir) : []) {
    const file = path.join(nodesDir, node, 'data', 'rounds.jsonl');
    if (!fs.existsSync(file)) continue;
    const records = fs.readFileSync(file, 'utf8').split('\n').filter(l => l.trim()).flatMap(l => { try { return [JSON.parse(l)]; } catch { return []; } });
    perNode.push(records.filter(r => !r.resumed));
  }
  const byRound = new Map();
  for (const records of perNode) for (const r of records) (byRound.get(r.round) ?? byRound.set(r.round, []).get(r.round)).push(r);
  const slowest = round => Math.max(...(byRound.get(round) ?? []).map(r => r.seconds?.round ?? NaN));
  const later = [...byRound.keys()].filter(r => r >= 2);
  const all = perNode.flat();
  const startup = Math.max(...perNode.map(records => records.find(r => r.round === 1)?.seconds?.startup ?? NaN));
  const memory = new Map();
  const memFile = path.join(dir, 'memory.txt');
  if (fs.existsSync(memFile))
    for (const line of fs.readFileSync(memFile, 'utf8').split('\n').filter(Boolean)) {
      const [pid, kib] = line.split(' ').map(Number);
      memory.set(pid, Math.max(memory.get(pid) ?? 0, kib));
    }
  const peaks = [...memory.values()].map(k => k / 1024);
  rows.push({
    n, status, roundsDone: byRound.size,
    startup,
    round1: slowest(1),
    roundLater: mean(later.map(slowest)),
    chain: mean(all.map(r => r.seconds?.chain).filter(Number.isFinite)),
    requests: mean(all.map(r => r.chainRpc?.requests).filter(Number.isFinite)),
    calls: mean(all.map(r => r.chainRpc?.calls).filter(Number.isFinite)),
    memMean: mean(peaks), memMax: Math.max(...peaks),
    load,
  });
}

console.log(`Cluster size ${cluster}, ${rounds} rounds, same total data (MNIST train split iid over the nodes).`);
console.log('Round time = the slowest node\'s round (mean over rounds 2+; round 1 includes start-up); chain time and RPC');
console.log('figures are means per node per round; peak memory is each node process\'s VmHWM, sampled every 2 s.');
console.log();
console.log('| nodes | exit | rounds | start-up s | round 1 s | round 2+ s | ratio to 4 nodes | chain s/node/round | RPC requests/node/round | RPC calls/node/round | peak MiB/node (mean / max) | load before → after |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
const base = rows.find(r => r.n === 4)?.roundLater;
for (const r of rows)
  console.log(`| ${r.n} | ${r.status} | ${r.roundsDone} | ${fmt(r.startup)} | ${fmt(r.round1)} | ${fmt(r.roundLater)} | ${base ? fmt(r.roundLater / base, 2) : '—'} | ${fmt(r.chain, 2)} | ${fmt(r.requests)} | ${fmt(r.calls)} | ${fmt(r.memMean, 0)} / ${fmt(r.memMax, 0)} | ${r.load.join(' → ')} |`);
