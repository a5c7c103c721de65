// Gas report of SwarmCoordinator: every operation's gasUsed from real receipts on the Hardhat network, and a member's
// whole per-round cost at 16 members (target cluster size 4) against the 100 000 gas goal.
//
//   npx hardhat run tests/contracts/gas-report.js
//
// Writes tests/contracts/GAS.md. (Mocha also loads this file when it collects tests/contracts; it only runs when
// started as a script.)
const fs = require("fs");
const path = require("path");
const hre = require("hardhat");
const { ethers } = hre;
const { defaultConfig, defaultRules, publicKeyOf, multiaddrOf, increaseTime, eventsOf, PHASE, completeOpening, endorsements } = require("./helpers");
const mineBlock = () => hre.network.provider.send("evm_mine", []);

const MEMBERS = 16;
const TARGET = 4;
const STEADY_ROUNDS = 4;
const GOAL = 100000;

const samples = new Map(); // operation -> [gasUsed]
function record(op, receipt) {
  if (!samples.has(op)) samples.set(op, []);
  samples.get(op).push(Number(receipt.gasUsed));
  return receipt;
}
async function send(op, txPromise) {
  return record(op, await (await txPromise).wait());
}
const stats = (xs) => ({ n: xs.length, min: Math.min(...xs), max: Math.max(...xs), mean: Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) });
// Fixed keys and model ids, so the ring order (and with it every figure) is the same on every run.
let modelCounter = 0;
const randomModel = () => ethers.sha256(ethers.toUtf8Bytes(`model-${modelCounter++}`));

async function fixedWallets(count) {
  const [funder] = await ethers.getSigners();
  const wallets = [];
  for (let i = 0; i < count; i++) {
    const w = new ethers.Wallet(ethers.keccak256(ethers.toUtf8Bytes(`swarmfl gas report member ${i}`)), ethers.provider);
    await (await funder.sendTransaction({ to: w.address, value: ethers.parseEther("10") })).wait();
    wallets.push(w);
  }
  return wallets;
}

/**
 * Runs one whole round with every member committing; returns the gas of each step of that round. With `forge`, the
 * leader of cluster 0 publishes a merge that a majority of its cluster objects to ("majority"), or that one member
 * objects to while the others stay silent, voided once the objection window has passed ("minority"); the next candidate
 * redoes it. With "lie", one member objects to cluster 0's honest merge and another supports it: the merge stands.
 * With `endorse`, every other committer endorses each honest merge and its leader hands the endorsements in (what
 * nodes do by default: the round then need not wait out the objection window).
 */
async function fullRound(contract, wallets, byAddress, tag, forge = false, endorse = false) {
  const round = await contract.currentRound();
  const gas = { commits: [], close: 0, merges: [], endorsements: [], semis: [], objections: [] };
  for (const w of wallets) {
    const cluster = await contract.clusterOf(w.address);
    const r = await send(`commit${tag}`, contract.connect(w).commit(round, cluster, randomModel(), 3750, 912345));
    gas.commits.push(Number(r.gasUsed));
  }
  const closed = await send(`close (everyone committed; fixes the election block)${tag}`, contract.close(round));
  await mineBlock(); // the election block (on a live chain, any transaction or an empty block)
  // a large swarm's draw takes several calls (DRAW_BATCH_CLUSTERS clusters each)
  const draws = [];
  do draws.push(await send(`drawLeaders${tag}`, contract.drawLeaders(round)));
  while (Number(await contract.phase()) === PHASE.Election);
  gas.closeOnly = Number(closed.gasUsed);
  gas.draws = draws.map((d) => Number(d.gasUsed));
  gas.close = gas.closeOnly + gas.draws.reduce((a, b) => a + b, 0);
  const leaders = draws.flatMap((d) => eventsOf(contract, d, "LeaderElected")).map((e) => [Number(e.args.cluster), byAddress.get(e.args.leader)]);
  for (const entry of leaders) {
    const [c] = entry;
    const members = await contract.clusterMembers(c);
    const inputs = members.map(() => randomModel()); // the cluster's committed ids
    if (forge === "lie" && c === 0) {
      const leader = entry[1];
      const id = randomModel();
      gas.merges.push(Number((await send(`publishMerge (${inputs.length} inputs)${tag}`, contract.connect(leader).publishMerge(round, c, id, inputs))).gasUsed));
      const [liar, backer] = [...members].filter((a) => a !== leader.address).map((a) => byAddress.get(a));
      gas.objections.push(Number((await send(`objectToMerge (contests it)${tag}`, contract.connect(liar).objectToMerge(round, c, leader.address))).gasUsed));
      gas.objections.push(Number((await send(`supportMerge (answers the objection)${tag}`, contract.connect(backer).supportMerge(round, c, leader.address))).gasUsed));
      continue;
    }
    if (forge === "minority" && c === 0) {
      const forger = entry[1];
      gas.merges.push(Number((await send(`publishMerge (${inputs.length} inputs), forged${tag}`, contract.connect(forger).publishMerge(round, c, randomModel(), inputs))).gasUsed));
      const [objector] = [...members].filter((a) => a !== forger.address).map((a) => byAddress.get(a));
      gas.objections.push(Number((await send(`objectToMerge (contests it)${tag}`, contract.connect(objector).objectToMerge(round, c, forger.address))).gasUsed));
      continue; // settled once every cluster has merged and the window has passed, below
    }
    if (forge && c === 0) {
      const forger = entry[1];
      const f = await send(`publishMerge (${inputs.length} inputs), forged${tag}`, contract.connect(forger).publishMerge(round, c, randomModel(), inputs));
      gas.merges.push(Number(f.gasUsed));
      const objectors = [...members].filter((a) => a !== forger.address).map((a) => byAddress.get(a));
      for (const o of objectors) {
        const r = await send(`objectToMerge${tag}`, contract.connect(o).objectToMerge(round, c, forger.address));
        gas.objections.push(Number(r.gasUsed));
        const [voided] = eventsOf(contract, r, "MergeVoided");
        if (voided) {
          entry[1] = byAddress.get(voided.args.nextLeader);
          break;
        }
      }
    }
    const leader = entry[1];
    const id = randomModel();
    const r = await send(`publishMerge (${inputs.length} inputs)${tag}`, contract.connect(leader).publishMerge(round, c, id, inputs));
    gas.merges.push(Number(r.gasUsed));
    if (!endorse) continue;
    // Every other committer recomputed the honest merge and endorsed it; the leader hands the endorsements in.
    const endorsers = [...members].filter((a) => a !== leader.address).map((a) => byAddress.get(a));
    const signatures = await endorsements(contract, round, c, leader.address, endorsers);
    const e = await send(`endorseMerge (${endorsers.length} endorsements)${tag}`, contract.connect(leader).endorseMerge(round, c, leader.address, signatures));
    gas.endorsements.push(Number(e.gasUsed));
  }
  if (forge === "minority") {
    await increaseTime(Number((await contract.aggregationRules()).objectionWindow));
    const settled = await send(`settleContestedMerge (voids it after the window)${tag}`, contract.settleContestedMerge(round, 0));
    gas.objections.push(Number(settled.gasUsed));
    const [voided] = eventsOf(contract, settled, "MergeVoided");
    leaders[0][1] = byAddress.get(voided.args.nextLeader);
    const id = randomModel();
    const members = await contract.clusterMembers(0);
    const redone = await send(`publishMerge (${members.length} inputs)${tag}`, contract.connect(leaders[0][1]).publishMerge(round, 0, id, members.map(() => randomModel())));
    gas.merges.push(Number(redone.gasUsed));
  }
  if (forge === "minority" || forge === "lie") await increaseTime(Number((await contract.aggregationRules()).objectionWindow));
  for (let i = 0; i < leaders.length; i++) {
    const [c, leader] = leaders[i];
    const last = i === leaders.length - 1;
    const op = last
      ? `publishSemiGlobal, last (opens the next round)${tag}`
      : `publishSemiGlobal${tag}`;
    const r = await send(op, contract.connect(leader).publishSemiGlobal(round, c, randomModel()));
    gas.semis.push(Number(r.gasUsed));
  }
  gas.openings = await continueOpenings(contract, tag);
  return gas;
}

/** Sends continueOpening while the next round opens over several transactions; the gas of each. */
async function continueOpenings(contract, tag = "") {
  const { openings } = await completeOpening(contract);
  return openings.map((r) => Number(record(`continueOpening${tag}`, r).gasUsed));
}

function perMember(gas) {
  const commit = gas.commits.reduce((a, b) => a + b, 0) / gas.commits.length;
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  const shared = gas.close + sum(gas.merges) + sum(gas.endorsements) + sum(gas.semis) + sum(gas.objections);
  return { commit, shared, share: shared / MEMBERS, total: commit + shared / MEMBERS };
}

async function main() {
  const config = defaultConfig({ minPeers: MEMBERS, targetClusterSize: TARGET });
  const factory = await ethers.getContractFactory("SwarmCoordinator");
  const contract = await factory.deploy(config, defaultRules());
  record("deploy", await contract.deploymentTransaction().wait());

  const wallets = await fixedWallets(MEMBERS + 2);
  const members = wallets.slice(0, MEMBERS);
  const [late, spare] = wallets.slice(MEMBERS);
  const byAddress = new Map(wallets.map((w) => [w.address, w]));
  for (let i = 0; i < MEMBERS; i++) {
    const w = members[i];
    const op = i === MEMBERS - 1 ? `register, the one that opens round 1 (sorts and applies ${MEMBERS} members)` : "register (before round 1 opens)";
    await send(op, contract.connect(w).register(publicKeyOf(w), multiaddrOf(w)));
  }

  // round 1: first writes of the per-cluster slots
  const first = await fullRound(contract, members, byAddress, " [round 1]");
  // steady state
  const steady = [];
  for (let i = 0; i < STEADY_ROUNDS; i++) steady.push(await fullRound(contract, members, byAddress, ""));
  // steady state with every merge endorsed (the first endorsed round writes each cluster's vote slot for the first time)
  const firstEndorsed = await fullRound(contract, members, byAddress, " [first endorsed round]", false, true);
  const endorsed = [];
  for (let i = 0; i < STEADY_ROUNDS; i++) endorsed.push(await fullRound(contract, members, byAddress, " [endorsed]", false, true));

  // membership operations, and a round whose opening applies them
  await send("setLeadershipOptOut", contract.connect(members[0]).setLeadershipOptOut(true));
  await send("register (during a round, member from the next)", contract.connect(late).register(publicKeyOf(late), multiaddrOf(late)));
  await send("leave (member until the round ends)", contract.connect(members[1]).leave());
  const changed = await fullRound(contract, members, byAddress, " [opening applies 1 join + 1 leave]");
  const after = [...members.filter((w) => w !== members[1]), late];
  // a round in which cluster 0's merge is forged, objected to by a majority of its cluster, voided and redone
  const forged = await fullRound(contract, after, byAddress, " [a forged merge voided]", true);
  // the same, objected to by one member only while the others stay silent: voided when the window has passed
  const minority = await fullRound(contract, after, byAddress, " [a forged merge voided after the window]", "minority");
  // a lying objection to an honest merge, answered by one support: the merge stands
  const lie = await fullRound(contract, after, byAddress, " [a lying objection answered]", "lie");

  // leader replacement after the merge timeout
  const round = await contract.currentRound();
  for (const w of after) await (await contract.connect(w).commit(round, await contract.clusterOf(w.address), randomModel(), 1, 1)).wait();
  await (await contract.close(round)).wait();
  await mineBlock();
  await (await contract.drawLeaders(round)).wait();
  await increaseTime(Number(config.mergeTimeout));
  await send("replaceLeader (after the merge timeout)", contract.replaceLeader(round, 0));

  // allowlist administration
  const allowDeploy = await factory.deploy(defaultConfig({ allowlistOnly: true }), defaultRules());
  await allowDeploy.waitForDeployment();
  await send("allow (1 account)", allowDeploy.allow([spare.address]));

  write({ first, steady, firstEndorsed, endorsed, changed, forged, minority, lie });
}

function write({ first, steady, firstEndorsed, endorsed, changed, forged, minority, lie }) {
  const rows = [...samples.entries()].map(([op, xs]) => {
    const s = stats(xs);
    return `| ${op} | ${s.n} | ${s.min.toLocaleString("en-US")} | ${s.mean.toLocaleString("en-US")} | ${s.max.toLocaleString("en-US")} |`;
  });
  const meanOf = (rounds) => {
    const costs = rounds.map(perMember);
    const mean = (f) => costs.reduce((a, c) => a + f(c), 0) / costs.length;
    return { commit: mean((c) => c.commit), shared: mean((c) => c.shared), share: mean((c) => c.share), total: mean((c) => c.total) };
  };
  const s = meanOf(steady);
  const en = meanOf(endorsed);
  const fe = perMember(firstEndorsed);
  const f = perMember(first);
  const ch = perMember(changed);
  const fo = perMember(forged);
  const mi = perMember(minority);
  const li = perMember(lie);
  const fmt = (x) => Math.round(x).toLocaleString("en-US");
  const verdict = (x) => (x < GOAL ? "under" : "OVER");
  const { version } = require("hardhat/package.json");
  const text = `# SwarmCoordinator gas

Produced by \`npx hardhat run tests/contracts/gas-report.js\` (Hardhat ${version} network, solc ${require("solc/package.json").version},
optimizer on, ${hre.config.solidity.compilers[0].settings.optimizer.runs} runs). Every figure is \`gasUsed\` from a real transaction receipt (the 21 000 intrinsic gas and calldata included).
Setting: ${MEMBERS} members, target cluster size ${TARGET} (so ${MEMBERS / TARGET} clusters of ${TARGET}), every member commits every round.

## Per member per round (goal: under ${GOAL.toLocaleString("en-US")} gas)

A member's cost = its commit + 1/${MEMBERS} of everything shared: the close (which fixes the election block), the
drawLeaders that elects every cluster's leader from that block's hash, the ${MEMBERS / TARGET} merge publications and the
${MEMBERS / TARGET} semi-global publications (the last of which opens the next round). Objections cost nothing in a round
without a forged merge or an objection; the last three rows are rounds with a forged or a contested merge. Nodes
also hand in endorsements by default (endorseMerge, one per cluster, with every other committer's signature): that lets
the round go on without waiting out the objection window, and costs what the two "endorsed" rows add to the steady state.

| round | commit (mean) | shared per round | share per member | **total per member** | goal |
| --- | ---: | ---: | ---: | ---: | --- |
| steady state (mean of ${STEADY_ROUNDS} rounds) | ${fmt(s.commit)} | ${fmt(s.shared)} | ${fmt(s.share)} | **${fmt(s.total)}** | ${verdict(s.total)} |
| steady state with every merge endorsed (mean of ${STEADY_ROUNDS} rounds) | ${fmt(en.commit)} | ${fmt(en.shared)} | ${fmt(en.share)} | **${fmt(en.total)}** | ${verdict(en.total)} |
| the first endorsed round (first writes of the clusters' vote slots) | ${fmt(fe.commit)} | ${fmt(fe.shared)} | ${fmt(fe.share)} | **${fmt(fe.total)}** | ${verdict(fe.total)} |
| round 1 (first writes of per-cluster slots) | ${fmt(f.commit)} | ${fmt(f.shared)} | ${fmt(f.share)} | **${fmt(f.total)}** | ${verdict(f.total)} |
| a round whose opening applies 1 join + 1 leave | ${fmt(ch.commit)} | ${fmt(ch.shared)} | ${fmt(ch.share)} | **${fmt(ch.total)}** | ${verdict(ch.total)} |
| a round with a forged merge: ${forged.objections.length} objections void it, the next candidate redoes it | ${fmt(fo.commit)} | ${fmt(fo.shared)} | ${fmt(fo.share)} | **${fmt(fo.total)}** | ${verdict(fo.total)} |
| a round with a forged merge that 1 member objects to and the rest ignore: settled (voided) after the window, redone | ${fmt(mi.commit)} | ${fmt(mi.shared)} | ${fmt(mi.share)} | **${fmt(mi.total)}** | ${verdict(mi.total)} |
| a round with a lying objection to an honest merge, answered by 1 support: it stands | ${fmt(li.commit)} | ${fmt(li.shared)} | ${fmt(li.share)} | **${fmt(li.total)}** | ${verdict(li.total)} |

## Every operation

| operation | samples | min | mean | max |
| --- | ---: | ---: | ---: | ---: |
${rows.join("\n")}

Notes: registration stores the member's key, ring id and multiaddr once (most of its cost); the registration or
semi-global publication that opens a round with membership changes also rewrites the sorted ring (O(members), only
when membership changed). Round history is in events, so steady-state rounds only overwrite slots reused from the
previous round.
`;
  const out = path.join(__dirname, "GAS.md");
  fs.writeFileSync(out, text);
  console.log(text);
  console.log(`written to ${path.relative(process.cwd(), out)}`);
}

module.exports = { fullRound, continueOpenings, record, send, randomModel, samples };

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
