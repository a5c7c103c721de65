// SwarmCoordinator against members that do not play fair: inflated sample counts, dropped merge inputs on record,
// register→leave cycles that would fill the pending queue, and leaders that failed coming back too soon.
const { expect } = require("chai");
const { ethers } = require("hardhat");
const {
  newWallets,
  register,
  swarmWith,
  deploy,
  increaseTime,
  modelId,
  commitAll,
  eventsOf,
  expectRevert,
  runRound,
  publicKeyOf,
  multiaddrOf,
  closeAndDraw,
} = require("./helpers");

describe("SwarmCoordinator: aggregation rules pinned at creation", function () {
  it("stores the policy, the sample cap and the leader cooldown, and refuses a missing policy or a zero cap", async function () {
    const contract = await deploy({ policy: "median;deviation-limit=3", maxSamples: 60000n, leaderCooldown: 5 });
    const rules = await contract.aggregationRules();
    expect(rules.policy).to.equal("median;deviation-limit=3");
    expect(rules.maxSamples).to.equal(60000n);
    expect(rules.leaderCooldown).to.equal(5n);
    const factory = await ethers.getContractFactory("SwarmCoordinator");
    const { defaultConfig, defaultRules } = require("./helpers");
    await expectRevert(factory.deploy(defaultConfig(), defaultRules({ maxSamples: 0n })), factory, "InvalidConfig", ["maxSamples must be positive"]);
    await expectRevert(factory.deploy(defaultConfig(), defaultRules({ policy: "" })), factory, "InvalidConfig", ["aggregation policy must be set"]);
    await expectRevert(factory.deploy(defaultConfig(), defaultRules({ policy: "x".repeat(257) })), factory, "InvalidConfig", ["aggregation policy too long"]);
  });

  it("refuses a commit above the sample cap: a 10^15 claim cannot even be recorded", async function () {
    const { contract, wallets } = await swarmWith(2, { maxSamples: 60000n });
    const [alice, bob] = wallets;
    const cluster = await contract.clusterOf(alice.address);
    await expectRevert(contract.connect(alice).commit(1, cluster, modelId("a"), 10n ** 15n, 1), contract, "TooManySamples", [10n ** 15n, 60000n]);
    await expectRevert(contract.connect(alice).commit(1, cluster, modelId("a"), 60001n, 1), contract, "TooManySamples", [60001n, 60000n]);
    await (await contract.connect(alice).commit(1, cluster, modelId("a"), 60000n, 1)).wait();
    await (await contract.connect(bob).commit(1, await contract.clusterOf(bob.address), modelId("b"), 1n, 1)).wait();
  });
});

describe("SwarmCoordinator: dropped merge inputs on record", function () {
  it("publishMergeWithDrops emits the drops with their reasons right after the merge, and checks the lists", async function () {
    const { contract, wallets, byAddress } = await swarmWith(3, { targetClusterSize: 4 });
    const round = await commitAll(contract, wallets);
    const receipt0 = await closeAndDraw(contract, round);
    const [elected] = eventsOf(contract, receipt0, "LeaderElected");
    const leader = byAddress.get(elected.args.leader);
    const ids = wallets.map((w) => modelId(`m-${round}-${w.address}`));
    const merged = modelId("merged");
    await expectRevert(contract.connect(leader).publishMergeWithDrops(round, 0, merged, [ids[0]], [ids[1], ids[2]], [3]), contract, "DropListMismatch", [2n, 1n]);
    await expectRevert(contract.connect(leader).publishMergeWithDrops(round, 0, merged, [ids[0]], [ids[1]], [0]), contract, "UnknownDropReason", [0n]);
    await expectRevert(contract.connect(leader).publishMergeWithDrops(round, 0, merged, [ids[0]], [ids[1]], [8]), contract, "UnknownDropReason", [8n]);
    const receipt = await (await contract.connect(leader).publishMergeWithDrops(round, 0, merged, [ids[0]], [ids[1], ids[2]], [3, 6])).wait();
    const names = receipt.logs.map((l) => contract.interface.parseLog(l)?.name);
    expect(names.slice(0, 2)).to.deep.equal(["MergePublished", "InputsDropped"]);
    const [drops] = eventsOf(contract, receipt, "InputsDropped");
    expect(drops.args.round).to.equal(round);
    expect(drops.args.cluster).to.equal(0n);
    expect(drops.args.leader).to.equal(leader.address);
    expect([...drops.args.dropped]).to.deep.equal([ids[1], ids[2]]);
    expect([...drops.args.reasons].map(Number)).to.deep.equal([3, 6]);
  });
});

describe("SwarmCoordinator: the pending-change queue cannot be griefed", function () {
  it("after 300 register→leave cycles by one account others still register and members still leave", async function () {
    const contract = await deploy({ minPeers: 1 });
    const [first, griefer, newcomer] = await newWallets(3);
    await register(contract, first); // opens round 1, so later registrations queue for round 2
    const max = Number(await contract.MAX_PENDING_CHANGES());
    for (let i = 0; i < max + 172; i++) {
      await (await contract.connect(griefer).register(publicKeyOf(griefer), multiaddrOf(griefer))).wait();
      await (await contract.connect(griefer).leave()).wait();
    }
    await (await contract.connect(newcomer).register(publicKeyOf(newcomer), multiaddrOf(newcomer))).wait();
    await (await contract.connect(first).leave()).wait(); // an active member's leave still fits in the queue
    expect(await contract.registeredCount()).to.equal(1n);
    await runRound(contract, [first]);
    expect([...(await contract.members())]).to.deep.equal([newcomer.address]);
    expect(await contract.memberStatus(griefer.address)).to.equal(0n);
  });

  it("a leave while several joins are pending removes exactly its own entry", async function () {
    const contract = await deploy({ minPeers: 1 });
    const [first, a, b, c] = await newWallets(4);
    await register(contract, first);
    for (const w of [a, b, c]) await register(contract, w);
    await (await contract.connect(a).leave()).wait(); // the first queued entry: c's entry moves into its place
    await (await contract.connect(c).leave()).wait(); // then the moved entry itself
    await runRound(contract, [first]);
    expect([...(await contract.members())].sort()).to.deep.equal([first.address, b.address].sort());
  });
});

describe("SwarmCoordinator: a failed leader sits out the configured rounds", function () {
  it("a leader that timed out is not elected in the next leaderCooldown rounds, and is again afterwards", async function () {
    const { contract, wallets, byAddress } = await swarmWith(2, { targetClusterSize: 4, mergeTimeout: 300, leaderCooldown: 2 });
    let round = await commitAll(contract, wallets);
    const [elected] = eventsOf(contract, await closeAndDraw(contract, round), "LeaderElected");
    const failed = byAddress.get(elected.args.leader);
    const other = wallets.find((w) => w !== failed);
    await increaseTime(301);
    await (await contract.replaceLeader(round, 0)).wait();
    await (await contract.connect(other).publishMerge(round, 0, modelId("m1"), [modelId("i")])).wait();
    await (await contract.connect(other).publishSemiGlobal(round, 0, modelId("s1"))).wait();

    // Rounds 2 and 3: only the other member is eligible; with it opted out the cluster has no leader at all.
    for (const r of [2n, 3n]) {
      expect(await contract.currentRound()).to.equal(r);
      await commitAll(contract, wallets, `c${r}`);
      const receipt = await closeAndDraw(contract, r);
      const [leader] = eventsOf(contract, receipt, "LeaderElected");
      expect(leader.args.leader).to.equal(other.address);
      await (await contract.connect(other).publishMerge(r, 0, modelId(`m${r}`), [modelId("i")])).wait();
      if (r === 3n) await (await contract.connect(other).setLeadershipOptOut(true)).wait();
      await (await contract.connect(other).publishSemiGlobal(r, 0, modelId(`s${r}`))).wait();
    }
    // Round 4 is past the cooldown (failed in 1, out for 2 and 3): the failed member leads again.
    await commitAll(contract, wallets, "c4");
    const [leader4] = eventsOf(contract, await closeAndDraw(contract, 4), "LeaderElected");
    expect(leader4.args.leader).to.equal(failed.address);
  });
});
