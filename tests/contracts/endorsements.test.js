// SwarmCoordinator's endorsements: when every committer of a cluster other than its leader signs that it recomputed the
// leader's merge to the same model, nobody is left who could object, and once every standing merge of the round is
// endorsed the objection window is over. The digest is computed here with ethers, independently of the contract.
const { expect } = require("chai");
const hre = require("hardhat");
const { ethers } = hre;
const { swarmWith, commitAll, eventsOf, expectRevert, increaseTime, modelId, closeAndDraw, endorsementDigest, endorsements } = require("./helpers");

const WINDOW = 600;

/** A swarm of `clusters` clusters of `size`, closed and drawn: per cluster its leader and the others. */
async function drawnSwarm(clusters, size) {
  const swarm = await swarmWith(clusters * size, { targetClusterSize: size, objectionWindow: WINDOW });
  const round = await commitAll(swarm.contract, swarm.wallets);
  const receipt = await closeAndDraw(swarm.contract, round);
  const leaders = new Map(eventsOf(swarm.contract, receipt, "LeaderElected").map((e) => [Number(e.args.cluster), swarm.byAddress.get(e.args.leader)]));
  const cluster = async (c) => {
    const leader = leaders.get(c);
    const others = [...(await swarm.contract.clusterMembers(c))].map((a) => swarm.byAddress.get(a)).filter((w) => w !== leader);
    return { leader, others };
  };
  return { ...swarm, round, cluster };
}

describe("SwarmCoordinator: endorsements end the objection window early", function () {
  it("computes the digest ethers computes", async function () {
    const { contract, round, cluster } = await drawnSwarm(1, 3);
    const { leader } = await cluster(0);
    expect(await contract.endorsementDigest(round, 0, leader.address)).to.equal(await endorsementDigest(contract, round, 0, leader.address));
    expect(await contract.endorsementDigest(round, 1, leader.address)).to.not.equal(await endorsementDigest(contract, round, 0, leader.address));
  });

  it("lets the semi-global through as soon as every standing merge is endorsed, and takes no vote on an endorsed merge", async function () {
    const { contract, round, cluster } = await drawnSwarm(2, 3);
    const c0 = await cluster(0);
    const c1 = await cluster(1);
    await (await contract.connect(c0.leader).publishMerge(round, 0, modelId("m0"), [modelId("i")])).wait();
    // Endorsed in the Merge phase, before the other cluster published.
    const first = await (await contract.connect(c0.others[0]).endorseMerge(round, 0, c0.leader.address, await endorsements(contract, round, 0, c0.leader.address, c0.others))).wait();
    const [event] = eventsOf(contract, first, "MergeEndorsed");
    expect(event.args.round).to.equal(round);
    expect(event.args.cluster).to.equal(0n);
    expect(event.args.leader).to.equal(c0.leader.address);
    expect(event.args.endorsers).to.equal(2n);
    await expectRevert(contract.connect(c0.others[1]).objectToMerge(round, 0, c0.leader.address), contract, "ObjectionWindowClosed");
    await expectRevert(contract.connect(c0.others[1]).supportMerge(round, 0, c0.leader.address), contract, "ObjectionWindowClosed");

    await (await contract.connect(c1.leader).publishMerge(round, 1, modelId("m1"), [modelId("i")])).wait();
    const started = (await ethers.provider.getBlock("latest")).timestamp;
    expect(await contract.objectionDeadline()).to.equal(BigInt(started + WINDOW)); // one of two endorsed: the window runs
    await expectRevert(contract.connect(c0.leader).publishSemiGlobal(round, 0, modelId("s")), contract, "ObjectionWindowOpen");
    await expectRevert(contract.endorseMerge(round, 0, c0.leader.address, await endorsements(contract, round, 0, c0.leader.address, c0.others)), contract, "NotEndorsable");

    // Anyone may hand the endorsements in, not only the leader.
    await (await contract.endorseMerge(round, 1, c1.leader.address, await endorsements(contract, round, 1, c1.leader.address, c1.others))).wait();
    expect(await contract.objectionDeadline()).to.equal(BigInt(started)); // over since the phase began
    await (await contract.connect(c0.leader).publishSemiGlobal(round, 0, modelId("s"))).wait();
    const end = await (await contract.connect(c1.leader).publishSemiGlobal(round, 1, modelId("s"))).wait();
    expect(eventsOf(contract, end, "RoundOpened")[0].args.round).to.equal(round + 1n);
  });

  it("refuses endorsements that are missing one, repeated, out of order, from the leader, another cluster or another merge", async function () {
    const { contract, round, cluster } = await drawnSwarm(2, 4);
    const { leader, others } = await cluster(0);
    const outsider = (await cluster(1)).others[0];
    await (await contract.connect(leader).publishMerge(round, 0, modelId("m"), [modelId("i")])).wait();
    const sign = (ws, r = round, c = 0, l = leader.address) => endorsements(contract, r, c, l, ws);
    await expectRevert(contract.endorseMerge(round, 0, leader.address, await sign(others.slice(1))), contract, "EndorsementsIncomplete", [2n, 3n]);
    await expectRevert(contract.endorseMerge(round, 0, leader.address, ethers.concat([await sign(others), "0x00"])), contract, "EndorsementsIncomplete");
    const digest = await endorsementDigest(contract, round, 0, leader.address);
    const one = others[0].signingKey.sign(digest).serialized;
    await expectRevert(contract.endorseMerge(round, 0, leader.address, ethers.concat([one, one, one])), contract, "BadEndorsement", [1n, others[0].address]);
    const descending = [...others].sort((a, b) => (BigInt(a.address) > BigInt(b.address) ? -1 : 1));
    await expectRevert(contract.endorseMerge(round, 0, leader.address, ethers.concat(descending.map((w) => w.signingKey.sign(digest).serialized))), contract, "BadEndorsement");
    await expectRevert(contract.endorseMerge(round, 0, leader.address, await sign([leader, ...others.slice(1)])), contract, "BadEndorsement");
    await expectRevert(contract.endorseMerge(round, 0, leader.address, await sign([outsider, ...others.slice(1)])), contract, "BadEndorsement");
    // Signatures over another cluster's, round's or leader's merge recover other addresses.
    await expectRevert(contract.endorseMerge(round, 0, leader.address, await sign(others, round, 1)), contract, "BadEndorsement");
    await expectRevert(contract.endorseMerge(round, 0, leader.address, await sign(others, round + 1n)), contract, "BadEndorsement");
    await expectRevert(contract.endorseMerge(round, 0, leader.address, await sign(others, round, 0, others[0].address)), contract, "BadEndorsement");
    await expectRevert(contract.endorseMerge(round, 0, others[0].address, await sign(others)), contract, "NothingToObject");
    await expectRevert(contract.endorseMerge(round, 1, (await cluster(1)).leader.address, await sign(others)), contract, "NothingToObject");
    const accepted = await (await contract.endorseMerge(round, 0, leader.address, await sign(others))).wait();
    expect(eventsOf(contract, accepted, "MergeEndorsed")[0].args.endorsers).to.equal(3n); // after every refusal, the right set still counts
  });

  it("does not end the window for a merge someone objected to, nor for a committer that stays silent", async function () {
    const { contract, round, cluster } = await drawnSwarm(1, 4);
    const { leader, others } = await cluster(0);
    await (await contract.connect(leader).publishMerge(round, 0, modelId("m"), [modelId("i")])).wait();
    await (await contract.connect(others[0]).objectToMerge(round, 0, leader.address)).wait();
    await expectRevert(contract.endorseMerge(round, 0, leader.address, await endorsements(contract, round, 0, leader.address, others)), contract, "NotEndorsable", [0n, 1n]);
    await expectRevert(contract.connect(leader).publishSemiGlobal(round, 0, modelId("s")), contract, "ObjectionWindowOpen");
    await (await contract.connect(others[1]).supportMerge(round, 0, leader.address)).wait();
    await increaseTime(WINDOW);
    await (await contract.connect(leader).publishSemiGlobal(round, 0, modelId("s"))).wait();
    expect(await contract.currentRound()).to.equal(round + 1n);
  });

  it("ends the window for a cluster whose leader is its only committer", async function () {
    const { contract, round, cluster } = await drawnSwarm(1, 1);
    const { leader, others } = await cluster(0);
    expect(others).to.have.length(0);
    await (await contract.connect(leader).publishMerge(round, 0, modelId("m"), [modelId("i")])).wait();
    await (await contract.endorseMerge(round, 0, leader.address, "0x")).wait();
    await (await contract.connect(leader).publishSemiGlobal(round, 0, modelId("s"))).wait();
    expect(await contract.currentRound()).to.equal(round + 1n);
  });
});
