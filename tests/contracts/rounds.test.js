// SwarmCoordinator: the round state machine — commit, close, election, merge, replacement, semi-global, next round.
const { expect } = require("chai");
const { ethers } = require("hardhat");
const {
  PHASE,
  CLUSTER,
  newWallets,
  register,
  swarmWith,
  increaseTime,
  modelId,
  commitAll,
  eventsOf,
  expectRevert,
  runRound,
  closeAndDraw,
} = require("./helpers");
const { closeRandomness, leaderIndex } = require("./clusters-reference");

async function now() {
  return (await ethers.provider.getBlock("latest")).timestamp;
}

async function clusterWallets(contract, byAddress, cluster) {
  return [...(await contract.clusterMembers(cluster))].map((a) => byAddress.get(a));
}

/** Commits for all, closes, and returns { round, leaders: Map cluster -> wallet } */
async function commitAndClose(contract, wallets, byAddress) {
  const round = await commitAll(contract, wallets);
  const receipt = await closeAndDraw(contract, round);
  const leaders = new Map();
  for (const e of eventsOf(contract, receipt, "LeaderElected")) leaders.set(Number(e.args.cluster), byAddress.get(e.args.leader));
  return { round, receipt, leaders };
}

describe("SwarmCoordinator: commit", function () {
  it("accepts one commit per member per round, in the member's cluster, and records it in an event", async function () {
    const { contract, wallets } = await swarmWith(8, { targetClusterSize: 4 });
    const [alice, bob] = wallets;
    const cluster = await contract.clusterOf(alice.address);
    const id = modelId("alice-1");
    const receipt = await (await contract.connect(alice).commit(1, cluster, id, 1234, 987654)).wait();
    const [event] = eventsOf(contract, receipt, "ModelCommitted");
    expect(event.args.round).to.equal(1n);
    expect(event.args.cluster).to.equal(cluster);
    expect(event.args.member).to.equal(alice.address);
    expect(event.args.modelId).to.equal(id);
    expect(event.args.samples).to.equal(1234n);
    expect(event.args.metric).to.equal(987654n);
    expect((await contract.roundInfo(1)).commits).to.equal(1n);

    await expectRevert(contract.connect(alice).commit(1, cluster, id, 1, 1), contract, "AlreadyCommitted", [1n, alice.address]);
    const bobCluster = await contract.clusterOf(bob.address);
    const otherCluster = (bobCluster + 1n) % 2n;
    await expectRevert(contract.connect(bob).commit(1, otherCluster, id, 1, 1), contract, "WrongCluster", [bobCluster, otherCluster]);
    await expectRevert(contract.connect(bob).commit(2, bobCluster, id, 1, 1), contract, "WrongRound", [1n, 2n]);
    await expectRevert(contract.connect(bob).commit(1, bobCluster, id, 0, 1), contract, "ZeroSamples");
    await expectRevert(contract.connect(bob).commit(1, bobCluster, ethers.ZeroHash, 5, 1), contract, "ZeroModel");
    const [outsider] = await newWallets(1);
    await expectRevert(contract.connect(outsider).commit(1, 0, id, 1, 1), contract, "NotMember", [outsider.address]);
    expect((await contract.roundInfo(1)).commits).to.equal(1n);
  });

  it("accepts commits after the deadline until the round closes, none after", async function () {
    const { contract, wallets } = await swarmWith(3, { minPeers: 3 });
    await commitAll(contract, wallets.slice(0, 1));
    await increaseTime(601);
    await commitAll(contract, wallets.slice(1, 2)); // late, but the round is still open
    await increaseTime(600); // grace window: closes below quorum
    await closeAndDraw(contract, 1);
    const late = wallets[2];
    await expectRevert(contract.connect(late).commit(1, await contract.clusterOf(late.address), modelId("x"), 1, 1), contract, "WrongPhase", [0n, 1n]);
  });
});

describe("SwarmCoordinator: close", function () {
  it("refuses to close before the deadline unless everyone committed, and below quorum after it", async function () {
    const { contract, wallets } = await swarmWith(4, { minPeers: 3, commitWindow: 600 });
    const { deadline } = await contract.roundInfo(1);
    await commitAll(contract, wallets.slice(0, 2));
    await expectRevert(contract.close(1), contract, "CloseTooEarly", [deadline, 2n, 3n]);
    await increaseTime(600);
    await expectRevert(contract.close(1), contract, "CloseTooEarly", [deadline, 2n, 3n]); // deadline passed, quorum not
    await commitAll(contract, wallets.slice(2, 3));
    await expectRevert(contract.close(2), contract, "WrongRound", [1n, 2n]);
    const receipt = await closeAndDraw(contract, 1); // quorum and deadline
    const [closed] = eventsOf(contract, receipt, "RoundClosed");
    expect(closed.args.round).to.equal(1n);
    expect(closed.args.commits).to.equal(3n);
    expect(closed.args.electionBlock).to.equal(BigInt(receipt.close.blockNumber + 1));
    const [drawn] = eventsOf(contract, receipt, "LeadersDrawn");
    expect(drawn.args.randomness).to.not.equal(ethers.ZeroHash);
    const info = await contract.roundInfo(1);
    expect(info.randomness).to.equal(drawn.args.randomness);
    expect(info.roundPhase).to.equal(BigInt(PHASE.Merge));
    await expectRevert(contract.close(1), contract, "WrongPhase", [0n, 1n]);
  });

  it("closes before the deadline once every member has committed", async function () {
    const { contract, wallets } = await swarmWith(3, { minPeers: 3 });
    await commitAll(contract, wallets.slice(0, 2));
    await expectRevert(contract.close(1), contract, "CloseTooEarly");
    await commitAll(contract, wallets.slice(2));
    const { deadline } = await contract.roundInfo(1);
    expect(await now()).to.be.lessThan(Number(deadline));
    await closeAndDraw(contract, 1);
    expect(await contract.phase()).to.equal(BigInt(PHASE.Merge));
  });

  it("closes without quorum after a second commit window, so dead members cannot stall the swarm", async function () {
    const { contract, wallets } = await swarmWith(4, { minPeers: 4, commitWindow: 100 });
    await commitAll(contract, wallets.slice(0, 1));
    await increaseTime(150);
    await expectRevert(contract.close(1), contract, "CloseTooEarly");
    await increaseTime(60);
    const receipt = await closeAndDraw(contract, 1);
    expect(eventsOf(contract, receipt, "LeaderElected")).to.have.length(1);
    expect(eventsOf(contract, receipt, "LeaderElected")[0].args.leader).to.equal(wallets[0].address);
  });

  it("with no commit at all the round ends after the grace period and the next one opens on the same base", async function () {
    const { contract } = await swarmWith(2, { minPeers: 2, commitWindow: 100 });
    await increaseTime(200);
    const receipt = await closeAndDraw(contract, 1);
    expect(eventsOf(contract, receipt, "ClusterSkipped")).to.have.length(1);
    expect(eventsOf(contract, receipt, "RoundOpened")[0].args.round).to.equal(2n);
    expect(await contract.baseModel(0)).to.equal((await contract.config()).genesisModel);
  });
});

describe("SwarmCoordinator: leader election", function () {
  it("elects one leader per cluster among that cluster's committers", async function () {
    const { contract, wallets, byAddress } = await swarmWith(16, { targetClusterSize: 4 });
    expect(await contract.clusterCount()).to.equal(4n);
    const { round, receipt, leaders } = await commitAndClose(contract, wallets, byAddress);
    expect(leaders.size).to.equal(4);
    for (let c = 0; c < 4; c++) {
      const members = [...(await contract.clusterMembers(c))];
      expect(members).to.have.length(4);
      expect(members).to.include(leaders.get(c).address);
      const [leader, electedAt, attempt] = await contract.clusterState(round, c);
      expect(leader).to.equal(leaders.get(c).address);
      expect(attempt).to.equal(0n);
      expect(electedAt).to.equal(BigInt((await ethers.provider.getBlock(receipt.blockNumber)).timestamp));
    }
  });

  it("elects only committers, and skips a cluster without committers", async function () {
    const { contract, wallets, byAddress } = await swarmWith(8, { targetClusterSize: 4, commitWindow: 100 });
    const cluster0 = await clusterWallets(contract, byAddress, 0);
    const cluster1 = await clusterWallets(contract, byAddress, 1);
    await commitAll(contract, cluster0.slice(0, 1));
    await increaseTime(200); // below quorum: closes after the grace window
    const receipt = await closeAndDraw(contract, 1);
    const elected = eventsOf(contract, receipt, "LeaderElected");
    expect(elected).to.have.length(1);
    expect(elected[0].args.cluster).to.equal(0n);
    expect(elected[0].args.leader).to.equal(cluster0[0].address);
    const [skipped] = eventsOf(contract, receipt, "ClusterSkipped");
    expect(skipped.args.cluster).to.equal(1n);
    expect(skipped.args.committers).to.equal(0n);
    const state = await contract.clusterState(1, 1);
    expect(state.status).to.equal(BigInt(CLUSTER.Skipped));
    expect(state.leader).to.equal(ethers.ZeroAddress);
    await expectRevert(contract.connect(cluster1[0]).publishMerge(1, 1, modelId("m"), [modelId("i")]), contract, "NotLeader", [ethers.ZeroAddress]);
    expect(wallets).to.have.length(8);
  });

  it("never elects a member that opted out of leadership, and skips a cluster where every committer did", async function () {
    const { contract, byAddress, wallets } = await swarmWith(8, { targetClusterSize: 4 });
    const cluster0 = await clusterWallets(contract, byAddress, 0);
    const cluster1 = await clusterWallets(contract, byAddress, 1);
    for (const w of cluster0.slice(1)) await (await contract.connect(w).setLeadershipOptOut(true)).wait();
    for (const w of cluster1) await (await contract.connect(w).setLeadershipOptOut(true)).wait();
    for (let round = 1; round <= 3; round++) {
      const { receipt, leaders } = await commitAndClose(contract, wallets, byAddress);
      expect(leaders.get(0).address).to.equal(cluster0[0].address);
      expect(leaders.has(1)).to.equal(false);
      const [skipped] = eventsOf(contract, receipt, "ClusterSkipped");
      expect(skipped.args.cluster).to.equal(1n);
      expect(skipped.args.committers).to.equal(4n);
      // finish the round through cluster 0 alone
      await (await contract.connect(cluster0[0]).publishMerge(round, 0, modelId(`m${round}`), [modelId("i")])).wait();
      await (await contract.connect(cluster0[0]).publishSemiGlobal(round, 0, modelId(`s${round}`))).wait();
      expect(await contract.currentRound()).to.equal(BigInt(round + 1));
    }
  });

  it("draws the randomness and the leaders exactly as documented, so an audit can recompute them", async function () {
    const { contract, wallets, byAddress } = await swarmWith(12, { targetClusterSize: 4, commitWindow: 100 });
    const ring = [...(await contract.members())];
    // some members stay silent, some opt out
    const silent = new Set([ring[0], ring[5], ring[6]]);
    const optedOut = new Set([ring[1], ring[9]]);
    for (const a of optedOut) await (await contract.connect(byAddress.get(a)).setLeadershipOptOut(true)).wait();
    const committers = wallets.filter((w) => !silent.has(w.address));
    await commitAll(contract, committers);
    await increaseTime(200);
    const receipt = await closeAndDraw(contract, 1);
    // the election block is the one after the close's; its hash comes from the chain, not from the contract
    const electionBlock = receipt.close.blockNumber + 1;
    expect(eventsOf(contract, receipt, "RoundClosed")[0].args.electionBlock).to.equal(BigInt(electionBlock));
    const block = await ethers.provider.getBlock(electionBlock);
    const expectedRandomness = closeRandomness({
      electionBlockHash: block.hash,
      contract: await contract.getAddress(),
      round: 1,
      commits: committers.length,
    });
    const [drawn] = eventsOf(contract, receipt, "LeadersDrawn");
    expect(drawn.args.randomness).to.equal(expectedRandomness);
    expect(drawn.args.electionBlock).to.equal(BigInt(electionBlock));
    const elected = new Map(eventsOf(contract, receipt, "LeaderElected").map((e) => [Number(e.args.cluster), e.args.leader]));
    for (let c = 0; c < 3; c++) {
      const eligible = [...(await contract.clusterMembers(c))].filter((a) => !silent.has(a) && !optedOut.has(a));
      expect(elected.get(c)).to.equal(eligible[leaderIndex(expectedRandomness, c, eligible.length)]);
    }
  });

  it("draws different leaders in different rounds (randomness from the election block)", async function () {
    const { contract, wallets, byAddress } = await swarmWith(4, { targetClusterSize: 4 });
    const seen = new Set();
    const randomness = new Set();
    for (let i = 0; i < 12; i++) {
      const round = await contract.currentRound();
      const { receipt, leaders } = await commitAndClose(contract, wallets, byAddress);
      seen.add(leaders.get(0).address);
      randomness.add(eventsOf(contract, receipt, "LeadersDrawn")[0].args.randomness);
      const leader = leaders.get(0);
      await (await contract.connect(leader).publishMerge(round, 0, modelId(`m${i}`), [modelId("i")])).wait();
      await (await contract.connect(leader).publishSemiGlobal(round, 0, modelId(`s${i}`))).wait();
    }
    expect(randomness.size).to.equal(12);
    expect(seen.size).to.be.greaterThan(1); // 12 draws from 4 members: all equal has probability 4^-11
  });
});

describe("SwarmCoordinator: merge publication", function () {
  it("accepts a merge only from the cluster's leader, once, in the Merge phase", async function () {
    const { contract, wallets, byAddress } = await swarmWith(8, { targetClusterSize: 4 });
    const c0 = await clusterWallets(contract, byAddress, 0);
    await expectRevert(contract.connect(c0[0]).publishMerge(1, 0, modelId("m"), [modelId("i")]), contract, "WrongPhase", [1n, 0n]);
    const { round, leaders } = await commitAndClose(contract, wallets, byAddress);
    const leader = leaders.get(0);
    const other = c0.find((w) => w.address !== leader.address);
    await expectRevert(contract.connect(other).publishMerge(round, 0, modelId("m"), [modelId("i")]), contract, "NotLeader", [leader.address]);
    await expectRevert(contract.connect(leaders.get(1)).publishMerge(round, 0, modelId("m"), [modelId("i")]), contract, "NotLeader", [leader.address]);
    await expectRevert(contract.connect(leader).publishMerge(round, 0, modelId("m"), []), contract, "EmptyList");
    await expectRevert(contract.connect(leader).publishMerge(round, 0, ethers.ZeroHash, [modelId("i")]), contract, "ZeroModel");
    await expectRevert(contract.connect(leader).publishMerge(round, 2, modelId("m"), [modelId("i")]), contract, "NoSuchCluster", [2n, 2n]);
    await expectRevert(contract.connect(leader).publishMerge(round + 1n, 0, modelId("m"), [modelId("i")]), contract, "WrongRound", [round, round + 1n]);

    const inputs = [modelId("a"), modelId("b"), modelId("c")];
    const receipt = await (await contract.connect(leader).publishMerge(round, 0, modelId("m0"), inputs)).wait();
    const [event] = eventsOf(contract, receipt, "MergePublished");
    expect(event.args.round).to.equal(round);
    expect(event.args.cluster).to.equal(0n);
    expect(event.args.leader).to.equal(leader.address);
    expect(event.args.modelId).to.equal(modelId("m0"));
    expect([...event.args.inputs]).to.deep.equal(inputs);
    expect((await contract.clusterState(round, 0)).status).to.equal(BigInt(CLUSTER.Merged));
    await expectRevert(contract.connect(leader).publishMerge(round, 0, modelId("m0"), inputs), contract, "AlreadyPublished", [0n]);
    expect(await contract.phase()).to.equal(BigInt(PHASE.Merge)); // cluster 1 has not published yet
  });
});

describe("SwarmCoordinator: leader replacement", function () {
  it("refuses replacement before the merge timeout, then elects the next candidate and records the failed leader", async function () {
    const { contract, wallets, byAddress } = await swarmWith(8, { targetClusterSize: 4, mergeTimeout: 300 });
    await expectRevert(contract.replaceLeader(1, 0), contract, "WrongPhase", [1n, 0n]);
    const { round, leaders } = await commitAndClose(contract, wallets, byAddress);
    const failed = leaders.get(0);
    const [, electedAt] = await contract.clusterState(round, 0);
    await expectRevert(contract.replaceLeader(round, 0), contract, "TimeoutNotReached", [electedAt + 300n]);
    await increaseTime(200);
    await expectRevert(contract.replaceLeader(round, 0), contract, "TimeoutNotReached", [electedAt + 300n]);
    await increaseTime(100);

    const [, bystander] = await ethers.getSigners(); // anyone may call it
    const receipt = await (await contract.connect(bystander).replaceLeader(round, 0)).wait();
    const [replaced] = eventsOf(contract, receipt, "LeaderReplaced");
    expect(replaced.args.round).to.equal(round);
    expect(replaced.args.cluster).to.equal(0n);
    expect(replaced.args.failedLeader).to.equal(failed.address);
    expect(replaced.args.attempt).to.equal(1n);
    const next = byAddress.get(replaced.args.nextLeader);
    expect(next).to.not.equal(undefined);
    expect(next.address).to.not.equal(failed.address);
    expect([...(await contract.clusterMembers(0))]).to.include(next.address);
    const [elected] = eventsOf(contract, receipt, "LeaderElected");
    expect(elected.args.leader).to.equal(next.address);
    expect(elected.args.attempt).to.equal(1n);
    const [leaderNow, , attempt] = await contract.clusterState(round, 0);
    expect(leaderNow).to.equal(next.address);
    expect(attempt).to.equal(1n);
    expect(await contract.leaderFailures(failed.address)).to.equal(1n);

    // the timeout restarts for the new leader
    await expectRevert(contract.replaceLeader(round, 0), contract, "TimeoutNotReached");
    await expectRevert(contract.connect(failed).publishMerge(round, 0, modelId("late"), [modelId("i")]), contract, "NotLeader", [next.address]);
    await (await contract.connect(next).publishMerge(round, 0, modelId("m0"), [modelId("i")])).wait();
    await increaseTime(300);
    await expectRevert(contract.replaceLeader(round, 0), contract, "NothingToReplace", [0n, BigInt(CLUSTER.Merged)]);
    await expectRevert(contract.replaceLeader(round, 5), contract, "NoSuchCluster", [5n, 2n]);
  });

  it("walks the candidates in ring order, skipping opted-out members, and skips the cluster when none is left", async function () {
    const { contract, wallets, byAddress } = await swarmWith(4, { targetClusterSize: 4, mergeTimeout: 60 });
    const ring = [...(await contract.members())];
    const { round, leaders } = await commitAndClose(contract, wallets, byAddress);
    const first = ring.indexOf(leaders.get(0).address);
    // the member right after the leader opts out after the close: it is passed over
    const optedOut = ring[(first + 1) % 4];
    await (await contract.connect(byAddress.get(optedOut)).setLeadershipOptOut(true)).wait();

    const order = [];
    for (let attempt = 1; attempt <= 2; attempt++) {
      await increaseTime(60);
      const receipt = await (await contract.replaceLeader(round, 0)).wait();
      order.push(eventsOf(contract, receipt, "LeaderReplaced")[0].args.nextLeader);
    }
    expect(order).to.deep.equal([ring[(first + 2) % 4], ring[(first + 3) % 4]]);

    await increaseTime(60);
    const receipt = await (await contract.replaceLeader(round, 0)).wait();
    const [last] = eventsOf(contract, receipt, "LeaderReplaced");
    expect(last.args.nextLeader).to.equal(ethers.ZeroAddress);
    expect(last.args.attempt).to.equal(3n);
    expect(eventsOf(contract, receipt, "ClusterSkipped")[0].args.cluster).to.equal(0n);
    // the only cluster gave up: the round ends and round 2 opens on the unchanged base model
    expect(eventsOf(contract, receipt, "RoundOpened")[0].args.round).to.equal(2n);
    expect(await contract.baseModel(0)).to.equal((await contract.config()).genesisModel);
    for (const a of [ring[first], ring[(first + 2) % 4], ring[(first + 3) % 4]]) {
      expect(await contract.leaderFailures(a)).to.equal(1n);
    }
    expect(await contract.leaderFailures(optedOut)).to.equal(0n);
  });

  it("replaces a leader that merged but misses the semi-global publication", async function () {
    const { contract, wallets, byAddress } = await swarmWith(8, { targetClusterSize: 4, mergeTimeout: 100 });
    const { round, leaders } = await commitAndClose(contract, wallets, byAddress);
    await (await contract.connect(leaders.get(1)).publishMerge(round, 1, modelId("m1"), [modelId("i")])).wait();
    await increaseTime(90);
    await (await contract.connect(leaders.get(0)).publishMerge(round, 0, modelId("m0"), [modelId("i")])).wait();
    expect(await contract.phase()).to.equal(BigInt(PHASE.SemiGlobal));
    // the semi-global timeout runs from the start of the SemiGlobal phase, not from the election
    await increaseTime(20);
    await expectRevert(contract.replaceLeader(round, 1), contract, "TimeoutNotReached");
    await increaseTime(90);
    const receipt = await (await contract.replaceLeader(round, 1)).wait();
    const next = byAddress.get(eventsOf(contract, receipt, "LeaderReplaced")[0].args.nextLeader);
    // cluster 1 is the second arc of the ring: the next candidate is the next member of that arc, wrapping inside it
    const arc = [...(await contract.clusterMembers(1))];
    expect(next.address).to.equal(arc[(arc.indexOf(leaders.get(1).address) + 1) % arc.length]);
    expect((await contract.clusterState(round, 1)).status).to.equal(BigInt(CLUSTER.Merged));
    const models = [modelId("m0"), modelId("m1")];
    await expectRevert(contract.connect(leaders.get(1)).publishSemiGlobal(round, 1, modelId("s1")), contract, "NotLeader", [next.address]);
    await (await contract.connect(next).publishSemiGlobal(round, 1, modelId("s1"))).wait();
    await (await contract.connect(leaders.get(0)).publishSemiGlobal(round, 0, modelId("s0"))).wait();
    expect(await contract.currentRound()).to.equal(round + 1n);
    expect(await contract.baseModel(1)).to.equal(modelId("s1"));
    expect(await contract.baseModel(0)).to.equal(modelId("s0"));
  });
});

describe("SwarmCoordinator: semi-global phase and the next round", function () {
  it("opens the SemiGlobal phase when every led cluster merged, and the next round when every one published", async function () {
    const { contract, wallets, byAddress } = await swarmWith(12, { targetClusterSize: 4 });
    expect(await contract.clusterCount()).to.equal(3n);
    const { round, leaders } = await commitAndClose(contract, wallets, byAddress);
    const merges = [0, 1, 2].map((c) => modelId(`merge-${c}`));
    await expectRevert(contract.connect(leaders.get(0)).publishSemiGlobal(round, 0, modelId("s")), contract, "WrongPhase", [2n, 1n]);

    await (await contract.connect(leaders.get(0)).publishMerge(round, 0, merges[0], [modelId("i")])).wait();
    await (await contract.connect(leaders.get(1)).publishMerge(round, 1, merges[1], [modelId("i")])).wait();
    await expectRevert(contract.connect(leaders.get(0)).publishSemiGlobal(round, 0, modelId("s")), contract, "WrongPhase", [2n, 1n]);
    const last = await (await contract.connect(leaders.get(2)).publishMerge(round, 2, merges[2], [modelId("i")])).wait();
    const [started] = eventsOf(contract, last, "SemiGlobalStarted");
    expect(started.args.round).to.equal(round);
    expect(started.args.clusters).to.equal(3n);
    expect(await contract.phase()).to.equal(BigInt(PHASE.SemiGlobal));
    await expectRevert(contract.connect(leaders.get(0)).publishMerge(round, 0, merges[0], [modelId("i")]), contract, "WrongPhase", [1n, 2n]);
    await expectRevert(contract.close(round), contract, "WrongPhase", [0n, 2n]);

    const genesis = (await contract.config()).genesisModel;
    const semi = [0, 1, 2].map((c) => modelId(`semi-${c}`));
    const nonLeader = (await clusterWallets(contract, byAddress, 0)).find((w) => w.address !== leaders.get(0).address);
    await expectRevert(contract.connect(nonLeader).publishSemiGlobal(round, 0, semi[0]), contract, "NotLeader", [leaders.get(0).address]);
    await expectRevert(contract.connect(leaders.get(0)).publishSemiGlobal(round, 0, ethers.ZeroHash), contract, "ZeroModel");
    const r0 = await (await contract.connect(leaders.get(0)).publishSemiGlobal(round, 0, semi[0])).wait();
    const [published] = eventsOf(contract, r0, "SemiGlobalPublished");
    expect(published.args.leader).to.equal(leaders.get(0).address);
    expect(published.args.modelId).to.equal(semi[0]);
    expect(published.args.length).to.equal(4); // round, cluster, leader, model: the standing merges are not listed again
    await expectRevert(contract.connect(leaders.get(0)).publishSemiGlobal(round, 0, semi[0]), contract, "AlreadyPublished", [0n]);
    expect(await contract.baseModel(1)).to.equal(genesis); // cluster 1 has not published yet
    await (await contract.connect(leaders.get(1)).publishSemiGlobal(round, 1, semi[1])).wait();
    expect(await contract.currentRound()).to.equal(round);

    const opening = await (await contract.connect(leaders.get(2)).publishSemiGlobal(round, 2, semi[2])).wait();
    const [opened] = eventsOf(contract, opening, "RoundOpened");
    expect(opened.args.round).to.equal(round + 1n);
    expect(opened.args.memberCount).to.equal(12n);
    expect(opened.args.clusterCount).to.equal(3n);
    const block = await ethers.provider.getBlock(opening.blockNumber);
    expect(opened.args.deadline).to.equal(BigInt(block.timestamp + 600));
    expect(await contract.currentRound()).to.equal(round + 1n);
    expect(await contract.phase()).to.equal(BigInt(PHASE.Commit));
    for (let c = 0; c < 3; c++) expect(await contract.baseModel(c)).to.equal(semi[c]);
    const info = await contract.roundInfo(round + 1n);
    expect(info.commits).to.equal(0n);
    expect(info.randomness).to.equal(ethers.ZeroHash);
    expect((await contract.clusterState(round + 1n, 0)).leader).to.equal(ethers.ZeroAddress);
    await expectRevert(contract.roundInfo(round), contract, "WrongRound", [round + 1n, round]);
    await expectRevert(contract.baseModel(3), contract, "NoSuchCluster", [3n, 3n]);

    // everyone commits again in the new round
    await commitAll(contract, wallets, "second");
    expect((await contract.roundInfo(round + 1n)).commits).to.equal(12n);
  });

  it("a cluster skipped in a round keeps its base model while the others move on", async function () {
    const { contract, byAddress } = await swarmWith(8, { targetClusterSize: 4 });
    const c0 = await clusterWallets(contract, byAddress, 0);
    const c1 = await clusterWallets(contract, byAddress, 1);
    await runRound(contract, [...c0, ...c1], "one");
    const base1 = await contract.baseModel(1);
    expect(await contract.baseModel(0)).to.not.equal((await contract.config()).genesisModel);
    await runRound(contract, c0, "two"); // cluster 1 silent
    expect(await contract.currentRound()).to.equal(3n);
    expect(await contract.baseModel(1)).to.equal(base1);
    expect(await contract.baseModel(0)).to.equal(modelId("two-semi-2-0"));
  });

  it("maps base models onto the new clusters when the cluster count changes", async function () {
    const { contract, wallets } = await swarmWith(4, { targetClusterSize: 2 });
    expect(await contract.clusterCount()).to.equal(2n);
    const extra = await newWallets(4);
    for (const w of extra) await register(contract, w); // members from round 2
    await runRound(contract, wallets, "a");
    expect(await contract.clusterCount()).to.equal(4n);
    const bases = async (k) => Promise.all([...Array(k).keys()].map((c) => contract.baseModel(c)));
    // new cluster c of 4 starts from old cluster c·2/4
    const a = [0, 1].map((c) => modelId(`a-semi-1-${c}`));
    expect(await bases(4)).to.deep.equal([a[0], a[0], a[1], a[1]]);

    for (const w of extra) await (await contract.connect(w).leave()).wait(); // gone from round 3
    await runRound(contract, [...wallets, ...extra], "b");
    expect(await contract.clusterCount()).to.equal(2n);
    const b = [0, 1, 2, 3].map((c) => modelId(`b-semi-2-${c}`));
    expect(await bases(2)).to.deep.equal([b[0], b[2]]); // c·4/2
  });
});
