// Compares a devnet run (its rounds.json) with a `swarmfl simulate` transcript; prints a Markdown report.
// Usage: node compare.mjs RUN/rounds.json SIMULATE.out [SIMULATE.out…]   (several simulation transcripts: their mean)
//
// What a "round" is on each side:
//  - swarm: for each node, the wall time from the moment it sees round r open on chain to the moment it sees round r+1
//    open (the semi-global of round r published); the figure is the mean over the nodes. A node's first round starts at
//    its process start, so round 1 includes start-up (process, JIT, data loading, registration, waiting for the quorum);
//    "startup" is the part of it before the node saw round 1 open.
//  - simulation: the time `swarmfl simulate` reports per round: every client trains from the global model one after
//    another, the updates are averaged and the result is scored on the MNIST test set. Its start-up (process, data
//    loading) is the process wall time minus the rounds.
import { readFileSync } from 'node:fs';

const [roundsPath, ...simPaths] = process.argv.slice(2);
const run = JSON.parse(readFileSync(roundsPath, 'utf8'));
const transcripts = simPaths.map(path => {
  const rounds = [];
  let wall = NaN;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^round (\d+): accuracy ([\d.]+), .*?, ([\d.]+) s,/.exec(line);
    if (m) rounds.push({ round: Number(m[1]), accuracy: Number(m[2]), seconds: Number(m[3]) });
    const w = /^process wall ([\d.]+) ([\d.]+)/.exec(line);
    if (w) wall = Number(w[2]) - Number(w[1]);
  }
  return { rounds, wall };
});
const sim = transcripts[0].rounds.map(r => ({
  round: r.round, accuracy: r.accuracy,
  runs: transcripts.map(t => t.rounds.find(x => x.round === r.round)?.seconds).filter(x => x !== undefined),
})).map(r => ({ ...r, seconds: r.runs.reduce((a, b) => a + b, 0) / r.runs.length }));
const simWall = transcripts.reduce((a, t) => a + t.wall, 0) / transcripts.length;
const f = (x, d = 2) => (x === undefined || x === null || Number.isNaN(x) ? '–' : x.toFixed(d));
const mean = xs => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const sum = xs => xs.reduce((a, b) => a + b, 0);

const rows = run.rounds.map(r => {
  const s = r.meanSeconds ?? {};
  const simRound = sim.find(x => x.round === r.round);
  return {
    round: r.round, swarm: s.round, startup: s.startup ?? 0, train: s.train ?? 0, evaluate: s.evaluate ?? 0,
    transfer: s.transfer ?? 0, chain: s.chain ?? 0, aggregate: s.aggregate ?? 0,
    merged: r.mergedTestAccuracy, validation: r.swarmValidation, sim: simRound?.seconds, simRuns: simRound?.runs ?? [], simAcc: simRound?.accuracy,
  };
}).filter(r => r.sim !== undefined && r.swarm !== undefined);

console.log('| round | swarm s | simulation s | ratio | train s | evaluate s | transfer s | chain s | aggregate s | other s | swarm merged test acc | swarm validation acc | simulation test acc |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  const busy = r.train + r.evaluate + r.transfer + r.chain + r.aggregate + r.startup;
  console.log(`| ${r.round} | ${f(r.swarm)}${r.startup ? ` (start-up ${f(r.startup)})` : ''} | ${f(r.sim)}${r.simRuns.length > 1 ? ` (${r.simRuns.map(x => f(x, 1)).join(' / ')})` : ''} | ${f(r.swarm / r.sim)} | ${f(r.train)} | ${f(r.evaluate)} | ${f(r.transfer)} | ${f(r.chain)} | ${f(r.aggregate)} | ${f(r.swarm - busy)} | ${f(r.merged, 4)} | ${r.validation ? `${f(r.validation.accuracy, 4)} (${r.validation.source})` : '–'} | ${f(r.simAcc, 4)} |`);
}
const simStartup = simWall - sum(sim.map(x => x.seconds));
const ratio = (sel) => sum(sel.map(r => r.swarm)) / sum(sel.map(r => r.sim));
const later = rows.filter(r => r.round > 1);
const first = rows.find(r => r.round === 1);
console.log('');
console.log(`- mean wall time per round, all ${rows.length} rounds: swarm ${f(mean(rows.map(r => r.swarm)))} s, simulation ${f(mean(rows.map(r => r.sim)))} s → **ratio ${f(ratio(rows))}** (round 1 includes the swarm's start-up, not the simulation's)`);
if (first) {
  const withoutStartup = [{ ...first, swarm: first.swarm - first.startup }, ...later];
  console.log(`- round 1 without the swarm's start-up (${f(first.startup)} s): ratio ${f(ratio(withoutStartup))}; with the simulation's start-up (${f(simStartup)} s) added to its round 1 as well: ratio ${f(sum(rows.map(r => r.swarm)) / (sum(rows.map(r => r.sim)) + simStartup))}`);
}
if (later.length) console.log(`- rounds 2–${rows.at(-1).round} only: swarm ${f(mean(later.map(r => r.swarm)))} s, simulation ${f(mean(later.map(r => r.sim)))} s → **ratio ${f(ratio(later))}** (goal ≤ 1.15)`);
const last = rows.at(-1);
if (last && last.merged !== undefined && last.simAcc !== undefined)
  console.log(`- final accuracy (round ${last.round}, MNIST test set): swarm ${f(last.merged, 4)}, simulation ${f(last.simAcc, 4)}: ${f(Math.abs(last.merged - last.simAcc) * 100)} points apart (goal ≤ 0.5)`);
console.log(`- simulation process wall time ${f(simWall, 1)} s (mean of ${transcripts.length} runs), of which ${f(simStartup, 1)} s outside its rounds`);
const sameAccuracy = transcripts.every(t => t.rounds.every(r => r.accuracy === sim.find(x => x.round === r.round)?.accuracy));
if (!sameAccuracy) console.log('- warning: the simulation runs disagree on accuracy (they should be deterministic)');
