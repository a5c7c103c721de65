// SwarmCoordinator against a leader that forges its merge, and against a closer that would steer the election:
// objections by the cluster's committers void a forged merge (its leader fails and sits out, the next candidate
// redoes it), and the leaders are drawn from the hash of a block that did not exist when the round was closed.
const { expect } = require("chai");
const hre = require("hardhat");
const { ethers } = hre;
const { swarmWith, commitAll, eventsOf, expectRevert, increaseTime, modelId, closeAndDraw, runRound, PHASE, CLUSTER } = require("./helpers");
const { closeRandomness, leaderIndex } = require("./clusters-reference");

const WINDOW = 120;

/** One cluster of `size` committers, closed and drawn: returns the leader and the others, in ring order. */
async function drawnCluster(size, overrides = {}) {
  const swarm = await swarmWith(size, { targetClusterSize: size, objectionWindow: WINDOW, ...overrides });
  const round = await commitAll(swarm.contract, swarm.wallets);
  const receipt = await closeAndDraw(swarm.contract, round);
  const [elected] = eventsOf(swarm.contract, receipt, "LeaderElected");
  const leader = swarm.byAddress.get(elected.args.leader);
  const others = [...(await swarm.contract.clusterMembers(0))].map((a) => swarm.byAddress.get(a)).filter((w) => w !== leader);
  return { ...swarm, round, leader, others };
}

describe("SwarmCoordinator: objections void a forged merge", function () {
  it("voids the merge when more than half of the other committers object, fails its leader and lets the next candidate redo it", async function () {
    const { contract, round, leader, others } = await drawnCluster(5); // 4 others: 3 objections are needed
    await (await contract.connect(leader).publishMerge(round, 0, modelId("forged"), [modelId("i")])).wait();
    expect(await contract.phase()).to.equal(BigInt(PHASE.SemiGlobal));

    await expectRevert(contract.connect(leader).objectToMerge(round, 0, leader.address), contract, "NotObjector", [leader.address]);
    await expectRevert(contract.connect(others[0]).objectToMerge(round, 0, others[1].address), contract, "NothingToObject", [0n, BigInt(CLUSTER.Merged)]);
    const first = await (await contract.connect(others[0]).objectToMerge(round, 0, leader.address)).wait();
    const [objected] = eventsOf(contract, first, "MergeObjected");
    expect(objected.args.member).to.equal(others[0].address);
    expect(objected.args.leader).to.equal(leader.address);
    expect(objected.args.objections).to.equal(1n);
    expect(objected.args.needed).to.equal(3n);
    await expectRevert(contract.connect(others[0]).objectToMerge(round, 0, leader.address), contract, "AlreadyObjected", [others[0].address]);
    await (await contract.connect(others[1]).objectToMerge(round, 0, leader.address)).wait();
    expect((await contract.clusterState(round, 0)).status).to.equal(BigInt(CLUSTER.Merged)); // two of four: not yet

    const voiding = await (await contract.connect(others[2]).objectToMerge(round, 0, leader.address)).wait();
    const [voided] = eventsOf(contract, voiding, "MergeVoided");
    expect(voided.args.round).to.equal(round);
    expect(voided.args.leader).to.equal(leader.address);
    expect(voided.args.attempt).to.equal(1n);
    const next = others.find((w) => w.address === voided.args.nextLeader);
    expect(next).to.not.equal(undefined);
    const [elected] = eventsOf(contract, voiding, "LeaderElected");
    expect(elected.args.leader).to.equal(next.address);
    expect(await contract.phase()).to.equal(BigInt(PHASE.Merge)); // back to merging: no semi-global was published
    const state = await contract.clusterState(round, 0);
    expect(state.status).to.equal(BigInt(CLUSTER.AwaitingMerge));
    expect(state.leader).to.equal(next.address);
    expect(await contract.leaderFailures(leader.address)).to.equal(1n);

    // the void cannot be objected to again, the failed leader cannot publish, and the redone merge goes on as usual
    await expectRevert(contract.connect(others[3]).objectToMerge(round, 0, leader.address), contract, "NothingToObject");
    await expectRevert(contract.connect(leader).publishMerge(round, 0, modelId("again"), [modelId("i")]), contract, "NotLeader", [next.address]);
    const redone = await (await contract.connect(next).publishMerge(round, 0, modelId("honest"), [modelId("i")])).wait();
    expect(eventsOf(contract, redone, "SemiGlobalStarted")).to.have.length(1);
    // an objection sent for the voided merge does not count against the redone one
    await expectRevert(contract.connect(others[3]).objectToMerge(round, 0, leader.address), contract, "NothingToObject");
    await increaseTime(WINDOW);
    const end = await (await contract.connect(next).publishSemiGlobal(round, 0, modelId("semi"))).wait();
    expect(eventsOf(contract, end, "RoundOpened")[0].args.round).to.equal(round + 1n);
  });

  it("holds the semi-global phase for the objection window, and takes no vote after it", async function () {
    const { contract, round, leader, others } = await drawnCluster(3); // 2 others: 2 objections are needed
    await (await contract.connect(leader).publishMerge(round, 0, modelId("m"), [modelId("i")])).wait();
    const started = (await ethers.provider.getBlock("latest")).timestamp;
    await expectRevert(contract.connect(leader).publishSemiGlobal(round, 0, modelId("s")), contract, "ObjectionWindowOpen", [BigInt(started + WINDOW)]);
    await (await contract.connect(others[0]).objectToMerge(round, 0, leader.address)).wait();
    await (await contract.connect(others[1]).supportMerge(round, 0, leader.address)).wait();
    await increaseTime(WINDOW);
    await expectRevert(contract.connect(others[1]).objectToMerge(round, 0, leader.address), contract, "ObjectionWindowClosed", [BigInt(started + WINDOW)]);
    await expectRevert(contract.settleContestedMerge(round, 0), contract, "NotContested", [0n, 1n, 1n]);
    await (await contract.connect(leader).publishSemiGlobal(round, 0, modelId("s"))).wait();
    expect(await contract.currentRound()).to.equal(round + 1n);
    expect(await contract.leaderFailures(leader.address)).to.equal(0n); // one objection, one support: the merge stood
  });

  it("voids at the window's end a merge that more committers objected to than supported, though short of a majority", async function () {
    // The leader forges; two honest members object; three members whose inputs were garbage never vote. Two of five
    // is no majority, but silence is not a vote: at the window's end two objections against no support void it.
    const { contract, round, leader, others } = await drawnCluster(6);
    await (await contract.connect(leader).publishMerge(round, 0, modelId("forged"), [modelId("i")])).wait();
    const started = (await ethers.provider.getBlock("latest")).timestamp;
    for (const honest of others.slice(0, 2)) await (await contract.connect(honest).objectToMerge(round, 0, leader.address)).wait();
    expect([...(await contract.mergeVotes(round, 0))]).to.deep.equal([2n, 0n, 3n, 1n]);
    await expectRevert(contract.connect(others[0]).supportMerge(round, 0, leader.address), contract, "AlreadyObjected", [others[0].address]);
    await expectRevert(contract.connect(leader).supportMerge(round, 0, leader.address), contract, "NotObjector", [leader.address]);
    await expectRevert(contract.settleContestedMerge(round, 0), contract, "ObjectionWindowOpen", [BigInt(started + WINDOW)]);
    await increaseTime(WINDOW);
    await expectRevert(contract.connect(leader).publishSemiGlobal(round, 0, modelId("s")), contract, "MergesContested", [1n]);
    const settled = await (await contract.connect(others[4]).settleContestedMerge(round, 0)).wait(); // anyone may settle
    const [voided] = eventsOf(contract, settled, "MergeVoided");
    expect(voided.args.leader).to.equal(leader.address);
    expect(await contract.phase()).to.equal(BigInt(PHASE.Merge));
    expect(await contract.leaderFailures(leader.address)).to.equal(1n);
    expect([...(await contract.mergeVotes(round, 0))]).to.deep.equal([0n, 0n, 0n, 0n]);
    // the redone merge starts with no votes, and passes its own window
    const next = others.find((w) => w.address === voided.args.nextLeader);
    await (await contract.connect(next).publishMerge(round, 0, modelId("honest"), [modelId("i")])).wait();
    await increaseTime(WINDOW);
    await (await contract.connect(next).publishSemiGlobal(round, 0, modelId("semi"))).wait();
    expect(await contract.currentRound()).to.equal(round + 1n);
  });

  it("lets an honest merge stand when its supporters match a minority's objections", async function () {
    const { contract, round, leader, others } = await drawnCluster(5); // 4 others: 3 objections are needed
    await (await contract.connect(leader).publishMerge(round, 0, modelId("honest"), [modelId("i")])).wait();
    await (await contract.connect(others[0]).objectToMerge(round, 0, leader.address)).wait();
    await (await contract.connect(others[1]).objectToMerge(round, 0, leader.address)).wait();
    expect((await contract.mergeVotes(round, 0)).contested).to.equal(1n);
    const backing = await (await contract.connect(others[2]).supportMerge(round, 0, leader.address)).wait();
    const [supported] = eventsOf(contract, backing, "MergeSupported");
    expect([supported.args.member, supported.args.objections, supported.args.supporters]).to.deep.equal([others[2].address, 2n, 1n]);
    expect((await contract.mergeVotes(round, 0)).contested).to.equal(1n); // 2 against 1: still contested
    await (await contract.connect(others[3]).supportMerge(round, 0, leader.address)).wait();
    expect([...(await contract.mergeVotes(round, 0))]).to.deep.equal([2n, 2n, 3n, 0n]);
    await increaseTime(WINDOW);
    await expectRevert(contract.settleContestedMerge(round, 0), contract, "NotContested", [0n, 2n, 2n]);
    await (await contract.connect(leader).publishSemiGlobal(round, 0, modelId("s"))).wait();
    expect(await contract.leaderFailures(leader.address)).to.equal(0n);
  });

  it("keeps the votes on a standing merge when its semi-global leader is replaced", async function () {
    const { contract, round, leader, others } = await drawnCluster(4, { mergeTimeout: 60 });
    await (await contract.connect(leader).publishMerge(round, 0, modelId("m"), [modelId("i")])).wait();
    await (await contract.connect(others[0]).objectToMerge(round, 0, leader.address)).wait();
    await (await contract.connect(others[1]).supportMerge(round, 0, leader.address)).wait();
    await increaseTime(WINDOW + 60);
    await (await contract.replaceLeader(round, 0)).wait();
    const votes = await contract.mergeVotes(round, 0);
    expect([votes.objections, votes.supporters, votes.contested]).to.deep.equal([1n, 1n, 0n]);
  });

  it("takes objections only from the cluster's committers of the round, and only against a published merge", async function () {
    const swarm = await swarmWith(8, { targetClusterSize: 4, objectionWindow: WINDOW });
    const { contract, wallets, byAddress } = swarm;
    const silent = [...(await contract.clusterMembers(0))][0];
    const committers = wallets.filter((w) => w.address !== silent);
    await commitAll(contract, committers);
    await increaseTime(1200);
    const receipt = await closeAndDraw(contract, 1n);
    const leaders = new Map(eventsOf(contract, receipt, "LeaderElected").map((e) => [Number(e.args.cluster), byAddress.get(e.args.leader)]));
    const other = [...(await contract.clusterMembers(1))].map((a) => byAddress.get(a)).find((w) => w !== leaders.get(1));
    await expectRevert(contract.connect(other).objectToMerge(1, 0, leaders.get(0).address), contract, "NothingToObject", [0n, BigInt(CLUSTER.AwaitingMerge)]);
    await (await contract.connect(leaders.get(0)).publishMerge(1, 0, modelId("m0"), [modelId("i")])).wait();
    await expectRevert(contract.connect(other).objectToMerge(1, 0, leaders.get(0).address), contract, "NotObjector", [other.address]); // another cluster
    await expectRevert(contract.connect(byAddress.get(silent)).objectToMerge(1, 0, leaders.get(0).address), contract, "NotObjector", [silent]); // did not commit
    await expectRevert(contract.connect(other).objectToMerge(2, 0, leaders.get(0).address), contract, "WrongRound", [1n, 2n]);
    await expectRevert(contract.connect(other).objectToMerge(1, 5, leaders.get(0).address), contract, "NoSuchCluster", [5n, 2n]);
  });

  it("skips the cluster when the void leaves no candidate, and the round goes on without it", async function () {
    const { contract, wallets } = await swarmWith(2, { targetClusterSize: 2, objectionWindow: WINDOW });
    const [optedOut, leader] = wallets;
    await (await contract.connect(optedOut).setLeadershipOptOut(true)).wait(); // still commits and objects, never leads
    const round = await commitAll(contract, wallets);
    const drawn = await closeAndDraw(contract, round);
    expect(eventsOf(contract, drawn, "LeaderElected")[0].args.leader).to.equal(leader.address);
    await (await contract.connect(leader).publishMerge(round, 0, modelId("forged"), [modelId("i")])).wait();
    const receipt = await (await contract.connect(optedOut).objectToMerge(round, 0, leader.address)).wait(); // 1 of 1 other
    expect(eventsOf(contract, receipt, "MergeVoided")[0].args.nextLeader).to.equal(ethers.ZeroAddress);
    expect(eventsOf(contract, receipt, "ClusterSkipped")).to.have.length(1);
    expect(eventsOf(contract, receipt, "RoundOpened")[0].args.round).to.equal(round + 1n); // no cluster merged: next round
    expect(await contract.baseModel(0)).to.equal((await contract.config()).genesisModel); // the forged model never became a base
  });

  it("a voided leader sits out leaderCooldown rounds", async function () {
    const { contract, wallets, round, leader, others } = await drawnCluster(3, { leaderCooldown: 2 });
    await (await contract.connect(leader).publishMerge(round, 0, modelId("forged"), [modelId("i")])).wait();
    await (await contract.connect(others[0]).objectToMerge(round, 0, leader.address)).wait();
    await (await contract.connect(others[1]).objectToMerge(round, 0, leader.address)).wait();
    const state = await contract.clusterState(round, 0);
    const next = wallets.find((w) => w.address === state.leader);
    await (await contract.connect(next).publishMerge(round, 0, modelId("honest"), [modelId("i")])).wait();
    await increaseTime(WINDOW);
    await (await contract.connect(next).publishSemiGlobal(round, 0, modelId("semi"))).wait();
    for (let r = 2n; r <= 3n; r++) {
      await increaseTime(WINDOW);
      const receipt = await runRound(contract, wallets, `cool${r}`);
      expect(receipt).to.not.equal(undefined);
    }
    // rounds 2 and 3 are f+1 and f+2: the voided leader was never drawn (checked through the events of those rounds)
    const elected = await contract.queryFilter(contract.filters.LeaderElected());
    for (const e of elected.filter((x) => x.args.round >= 2n && x.args.round <= 3n)) expect(e.args.leader).to.not.equal(leader.address);
  });
});

describe("SwarmCoordinator: the closer cannot steer the election", function () {
  it("draws from the hash of the block after the close: a drawLeaders in that block does nothing, the next one elects", async function () {
    const { contract, wallets, byAddress } = await swarmWith(4, { targetClusterSize: 4 });
    const round = await commitAll(contract, wallets);
    const close = await (await contract.close(round)).wait();
    expect(await contract.phase()).to.equal(BigInt(PHASE.Election));
    expect(await contract.electionBlock()).to.equal(BigInt(close.blockNumber + 1));
    expect((await contract.roundInfo(round)).randomness).to.equal(ethers.ZeroHash);
    expect((await contract.clusterState(round, 0)).status).to.equal(BigInt(CLUSTER.None));
    await expectRevert(contract.connect(wallets[0]).publishMerge(round, 0, modelId("m"), [modelId("i")]), contract, "WrongPhase", [1n, 4n]);

    // on an automining chain this call is what mines the election block: nothing is drawn yet
    const early = await (await contract.drawLeaders(round)).wait();
    expect(early.blockNumber).to.equal(close.blockNumber + 1);
    expect(early.logs).to.have.length(0);
    expect(await contract.phase()).to.equal(BigInt(PHASE.Election));

    const [, bystander] = await ethers.getSigners(); // anyone may draw
    const draw = await (await contract.connect(bystander).drawLeaders(round)).wait();
    const electionHash = (await ethers.provider.getBlock(close.blockNumber + 1)).hash;
    const randomness = closeRandomness({ electionBlockHash: electionHash, contract: await contract.getAddress(), round, commits: 4 });
    expect(eventsOf(contract, draw, "LeadersDrawn")[0].args.randomness).to.equal(randomness);
    const ring = [...(await contract.clusterMembers(0))];
    expect(eventsOf(contract, draw, "LeaderElected")[0].args.leader).to.equal(ring[leaderIndex(randomness, 0, 4)]);
    expect(await contract.phase()).to.equal(BigInt(PHASE.Merge));
    expect(await contract.electionBlock()).to.equal(0n);
    await expectRevert(contract.drawLeaders(round), contract, "WrongPhase", [4n, 1n]);
    expect(byAddress.size).to.equal(4);
  });

  it("a closer that sends commit and close together cannot know the draw: the same close in another block gives another one", async function () {
    // The old draw mixed prevrandao and the parent hash, known before the close. Now the close only fixes a block:
    // two swarms closed in the same state draw from two different block hashes.
    const draws = new Set();
    for (let i = 0; i < 3; i++) {
      const { contract, wallets } = await swarmWith(4, { targetClusterSize: 4 });
      const round = await commitAll(contract, wallets);
      const receipt = await closeAndDraw(contract, round);
      draws.add(eventsOf(contract, receipt, "LeadersDrawn")[0].args.randomness);
    }
    expect(draws.size).to.equal(3);
  });

  it("draws a large swarm's leaders in batches that each stay small, with the randomness of the first", async function () {
    // 65 clusters of one member: one more than a batch draws (DRAW_BATCH_CLUSTERS)
    const { contract, wallets } = await swarmWith(65, { targetClusterSize: 1 });
    const batch = Number(await contract.DRAW_BATCH_CLUSTERS());
    expect(batch).to.equal(64);
    expect(await contract.clusterCount()).to.equal(65n);
    const round = await commitAll(contract, wallets);
    await (await contract.close(round)).wait();
    await hre.network.provider.send("evm_mine", []);

    const first = await (await contract.drawLeaders(round)).wait();
    const [drawn] = eventsOf(contract, first, "LeadersDrawn");
    expect(eventsOf(contract, first, "LeaderElected").map((e) => Number(e.args.cluster))).to.deep.equal([...Array(batch).keys()]);
    expect(await contract.phase()).to.equal(BigInt(PHASE.Election)); // not every cluster has its leader yet
    expect((await contract.clusterState(round, 0)).status).to.equal(BigInt(CLUSTER.None));
    expect(Number(first.gasUsed)).to.be.below(5_000_000);

    // the election block's hash goes out of reach: the draw goes on from the randomness it already has
    await hre.network.provider.send("hardhat_mine", ["0x110"]);
    const second = await (await contract.drawLeaders(round)).wait();
    expect(eventsOf(contract, second, "LeadersDrawn")).to.have.length(0);
    expect(eventsOf(contract, second, "ElectionDeferred")).to.have.length(0);
    const [last] = eventsOf(contract, second, "LeaderElected");
    expect(last.args.cluster).to.equal(64n);
    expect(last.args.leader).to.equal((await contract.clusterMembers(64))[0]);
    expect(await contract.phase()).to.equal(BigInt(PHASE.Merge));
    expect((await contract.roundInfo(round)).randomness).to.equal(drawn.args.randomness);
    for (const c of [0, 63, 64]) expect((await contract.clusterState(round, c)).status).to.equal(BigInt(CLUSTER.AwaitingMerge));
    await expectRevert(contract.drawLeaders(round), contract, "WrongPhase", [4n, 1n]);
  });

  it("fixes a new election block when the old one's hash is out of reach (over 256 blocks)", async function () {
    const { contract, wallets } = await swarmWith(4, { targetClusterSize: 4 });
    const round = await commitAll(contract, wallets);
    await (await contract.close(round)).wait();
    const first = await contract.electionBlock();
    await hre.network.provider.send("hardhat_mine", ["0x110"]); // 272 blocks
    const deferred = await (await contract.drawLeaders(round)).wait();
    const [event] = eventsOf(contract, deferred, "ElectionDeferred");
    expect(event.args.electionBlock).to.equal(BigInt(deferred.blockNumber + 1));
    expect(await contract.electionBlock()).to.equal(BigInt(deferred.blockNumber + 1));
    expect(await contract.electionBlock()).to.not.equal(first);
    expect(await contract.phase()).to.equal(BigInt(PHASE.Election));
    await hre.network.provider.send("evm_mine", []);
    const draw = await (await contract.drawLeaders(round)).wait();
    expect(eventsOf(contract, draw, "LeaderElected")).to.have.length(1);
  });
});
