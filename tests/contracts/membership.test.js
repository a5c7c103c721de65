// SwarmCoordinator: configuration, registration, admission, leaving and leadership opt-out.
const { expect } = require("chai");
const { ethers } = require("hardhat");
const {
  PHASE,
  MEMBER,
  defaultConfig,
  deploy,
  newWallets,
  publicKeyOf,
  multiaddrOf,
  register,
  swarmWith,
  commitAll,
  eventsOf,
  expectRevert,
  runRound,
  defaultRules,
} = require("./helpers");
const { peerIdFromPublicKey, ringIdOf } = require("./clusters-reference");

describe("SwarmCoordinator: configuration", function () {
  it("keeps the configuration and creator fixed at creation, and round 1 waits for members", async function () {
    const [account0] = await ethers.getSigners();
    const cfg = defaultConfig({ minPeers: 3, targetClusterSize: 5, allowlistOnly: true, aggregation: 4 });
    const contract = await deploy(cfg);
    const stored = await contract.config();
    expect(stored.minPeers).to.equal(3n);
    expect(stored.commitWindow).to.equal(BigInt(cfg.commitWindow));
    expect(stored.mergeTimeout).to.equal(BigInt(cfg.mergeTimeout));
    expect(stored.targetClusterSize).to.equal(5n);
    expect(stored.allowlistOnly).to.equal(true);
    expect(stored.modelSpecHash).to.equal(cfg.modelSpecHash);
    expect(stored.genesisModel).to.equal(cfg.genesisModel);
    expect(stored.aggregation).to.equal(4n);
    expect(await contract.creator()).to.equal(account0.address);
    expect(await contract.currentRound()).to.equal(1n);
    expect(await contract.phase()).to.equal(BigInt(PHASE.Waiting));
    expect(await contract.members()).to.deep.equal([]);
    expect(await contract.clusterCount()).to.equal(0n);

    const receipt = await contract.deploymentTransaction().wait();
    const [created] = eventsOf(contract, receipt, "SwarmCreated");
    expect(created.args.creator).to.equal(account0.address);
    expect(created.args.config.genesisModel).to.equal(cfg.genesisModel);
    expect(eventsOf(contract, receipt, "RoundWaiting")[0].args.round).to.equal(1n);
  });

  it("rejects configurations it could not run", async function () {
    const factory = await ethers.getContractFactory("SwarmCoordinator");
    const cases = [
      [{ targetClusterSize: 0 }, "targetClusterSize must be at least 1"],
      [{ commitWindow: 0 }, "commitWindow must be positive"],
      [{ commitWindow: 10 * 365 * 86400 + 1 }, "commitWindow too long"],
      [{ mergeTimeout: 0 }, "mergeTimeout must be positive"],
      [{ mergeTimeout: 2n ** 64n - 1n }, "mergeTimeout too long"],
      [{ genesisModel: ethers.ZeroHash }, "genesisModel must be set"],
      [{ aggregation: 6 }, "unknown aggregation strategy"],
      [{ minPeers: 129 }, "minPeers above MAX_PENDING_CHANGES (128): round 1 could never open"],
    ];
    for (const [overrides, reason] of cases) {
      await expectRevert(factory.deploy(defaultConfig(overrides), defaultRules()), factory, "InvalidConfig", [reason]);
    }
  });
});

describe("SwarmCoordinator: registration", function () {
  it("derives the PeerId and ring id from the registered public key", async function () {
    const contract = await deploy({ minPeers: 2 });
    const [wallet] = await newWallets(1);
    const receipt = await register(contract, wallet);

    const expectedPeerId = peerIdFromPublicKey(wallet.signingKey.publicKey);
    const [event] = eventsOf(contract, receipt, "MemberRegistered");
    expect(event.args.member).to.equal(wallet.address);
    expect(event.args.peerId).to.equal(expectedPeerId);
    expect(event.args.multiaddr).to.equal(multiaddrOf(wallet));
    expect(BigInt(event.args.ringId)).to.equal(ringIdOf(expectedPeerId));
    expect(event.args.effectiveRound).to.equal(1n);

    const info = await contract.memberInfo(wallet.address);
    expect(info.peerId).to.equal(expectedPeerId);
    expect(info.multiaddr).to.equal(multiaddrOf(wallet));
    expect(info.ringId).to.equal(event.args.ringId);
    expect(info.optedOut).to.equal(false);
    expect(info.active).to.equal(false); // round 1 has not opened yet (minPeers 2)
    expect(await contract.memberStatus(wallet.address)).to.equal(BigInt(MEMBER.Joining));
    expect(await contract.isMember(wallet.address)).to.equal(false);
    expect(await contract.phase()).to.equal(BigInt(PHASE.Waiting));
  });

  it("refuses a public key that is not the sender's, or of the wrong length", async function () {
    const contract = await deploy();
    const [alice, bob] = await newWallets(2);
    await expectRevert(contract.connect(alice).register(publicKeyOf(bob), "/ip4/1.2.3.4/tcp/1"), contract, "PublicKeyMismatch");
    await expectRevert(
      contract.connect(alice).register(alice.signingKey.publicKey, "/ip4/1.2.3.4/tcp/1"), // 65 bytes with 0x04
      contract,
      "InvalidPublicKeyLength",
      [65n],
    );
    await expectRevert(contract.connect(alice).register(alice.signingKey.compressedPublicKey, "x"), contract, "InvalidPublicKeyLength", [33n]);
  });

  it("refuses a second registration and an oversized multiaddr", async function () {
    const contract = await deploy({ minPeers: 5 });
    const [alice, bob] = await newWallets(2);
    await register(contract, alice);
    await expectRevert(contract.connect(alice).register(publicKeyOf(alice), "/ip4/1.2.3.4/tcp/1"), contract, "AlreadyRegistered", [alice.address]);
    await expectRevert(contract.connect(bob).register(publicKeyOf(bob), "/".repeat(513)), contract, "MultiaddrTooLong", [513n, 512n]);
  });

  it("opens round 1 in the registration that reaches minPeers, with the members in ring order", async function () {
    const contract = await deploy({ minPeers: 3, targetClusterSize: 2 });
    const wallets = await newWallets(3);
    await register(contract, wallets[0]);
    await register(contract, wallets[1]);
    expect(await contract.phase()).to.equal(BigInt(PHASE.Waiting));
    const receipt = await register(contract, wallets[2]);
    const [opened] = eventsOf(contract, receipt, "RoundOpened");
    expect(opened.args.round).to.equal(1n);
    expect(opened.args.memberCount).to.equal(3n);
    expect(opened.args.clusterCount).to.equal(2n); // 3 members / target 2 = 1.5, rounded half up
    const block = await ethers.provider.getBlock(receipt.blockNumber);
    expect(opened.args.deadline).to.equal(BigInt(block.timestamp + 600));

    const sorted = [...wallets].sort((a, b) => {
      const ra = ringIdOf(peerIdFromPublicKey(a.signingKey.publicKey));
      const rb = ringIdOf(peerIdFromPublicKey(b.signingKey.publicKey));
      return ra < rb ? -1 : 1;
    });
    expect(await contract.members()).to.deep.equal(sorted.map((w) => w.address));
    for (const w of wallets) {
      expect(await contract.isMember(w.address)).to.equal(true);
      expect(await contract.memberStatus(w.address)).to.equal(BigInt(MEMBER.Active));
    }
    const info = await contract.roundInfo(1);
    expect(info.memberCount).to.equal(3n);
    expect(info.roundPhase).to.equal(BigInt(PHASE.Commit));
    expect(info.openedAt).to.equal(BigInt(block.timestamp));
  });

  it("admits only allowlisted accounts when the swarm is allowlist-only", async function () {
    const [, stranger] = await ethers.getSigners();
    const contract = await deploy({ allowlistOnly: true, minPeers: 1 });
    const [alice, bob] = await newWallets(2);
    await expectRevert(contract.connect(alice).register(publicKeyOf(alice), multiaddrOf(alice)), contract, "NotAllowed", [alice.address]);
    expect(await contract.isAllowed(alice.address)).to.equal(false);
    await expectRevert(contract.connect(stranger).allow([alice.address]), contract, "NotCreator");

    const receipt = await (await contract.allow([alice.address, bob.address])).wait();
    const changes = eventsOf(contract, receipt, "AllowlistChanged").map((e) => [e.args.account, e.args.allowed]);
    expect(changes).to.deep.equal([
      [alice.address, true],
      [bob.address, true],
    ]);
    await register(contract, alice);
    expect(await contract.isMember(alice.address)).to.equal(true);

    await expectRevert(contract.connect(stranger).disallow([bob.address]), contract, "NotCreator");
    await (await contract.disallow([bob.address])).wait();
    expect(await contract.isAllowed(bob.address)).to.equal(false);
    await expectRevert(contract.connect(bob).register(publicKeyOf(bob), multiaddrOf(bob)), contract, "NotAllowed", [bob.address]);
  });

  it("lets anyone register in an open swarm", async function () {
    const contract = await deploy({ allowlistOnly: false, minPeers: 1 });
    const [alice] = await newWallets(1);
    expect(await contract.isAllowed(alice.address)).to.equal(true);
    await register(contract, alice);
    expect(await contract.isMember(alice.address)).to.equal(true);
  });
});

describe("SwarmCoordinator: membership changes apply when the next round opens", function () {
  it("a registration during a round makes a member from the next round on", async function () {
    const { contract, wallets } = await swarmWith(2, { minPeers: 2 });
    const [late] = await newWallets(1);
    const receipt = await register(contract, late);
    expect(eventsOf(contract, receipt, "MemberRegistered")[0].args.effectiveRound).to.equal(2n);
    expect(await contract.isMember(late.address)).to.equal(false);
    expect(await contract.memberStatus(late.address)).to.equal(BigInt(MEMBER.Joining));
    await expectRevert(contract.connect(late).commit(1, 0, ethers.id("x"), 1, 1), contract, "NotMember", [late.address]);
    expect((await contract.members()).length).to.equal(2);

    await runRound(contract, wallets);
    expect(await contract.currentRound()).to.equal(2n);
    expect(await contract.isMember(late.address)).to.equal(true);
    expect([...(await contract.members())]).to.include(late.address);
    expect((await contract.roundInfo(2)).memberCount).to.equal(3n);
    await commitAll(contract, [late]);
  });

  it("a member that leaves still commits in the current round and is gone from the next", async function () {
    const { contract, wallets } = await swarmWith(3);
    const [leaver, ...stayers] = wallets;
    const receipt = await (await contract.connect(leaver).leave()).wait();
    expect(eventsOf(contract, receipt, "MemberLeft")[0].args.effectiveRound).to.equal(2n);
    expect(await contract.memberStatus(leaver.address)).to.equal(BigInt(MEMBER.Leaving));
    expect(await contract.isMember(leaver.address)).to.equal(true);
    await expectRevert(contract.connect(leaver).leave(), contract, "AlreadyLeft", [leaver.address]);
    await expectRevert(contract.connect(leaver).register(publicKeyOf(leaver), "/x"), contract, "AlreadyRegistered", [leaver.address]);
    expect(await contract.registeredCount()).to.equal(2n);

    await runRound(contract, wallets); // the leaver commits too
    expect(await contract.currentRound()).to.equal(2n);
    expect(await contract.isMember(leaver.address)).to.equal(false);
    expect(await contract.memberStatus(leaver.address)).to.equal(BigInt(MEMBER.None));
    expect([...(await contract.members())]).to.not.include(leaver.address);
    expect((await contract.members()).length).to.equal(2);
    await expectRevert(contract.memberInfo(leaver.address), contract, "NotMember", [leaver.address]);
    await expectRevert(contract.clusterOf(leaver.address), contract, "NotMember", [leaver.address]);
    await expectRevert(contract.connect(leaver).commit(2, 0, ethers.id("x"), 1, 1), contract, "NotMember", [leaver.address]);

    // it may come back later, again from the next round on
    const back = await register(contract, leaver);
    expect(eventsOf(contract, back, "MemberRegistered")[0].args.effectiveRound).to.equal(3n);
    await runRound(contract, stayers);
    expect(await contract.isMember(leaver.address)).to.equal(true);
  });

  it("leaving before the first round withdraws the registration", async function () {
    const contract = await deploy({ minPeers: 2 });
    const [alice, bob, carol] = await newWallets(3);
    await register(contract, alice);
    const receipt = await (await contract.connect(alice).leave()).wait();
    expect(eventsOf(contract, receipt, "MemberLeft")[0].args.effectiveRound).to.equal(1n);
    expect(await contract.memberStatus(alice.address)).to.equal(BigInt(MEMBER.None));
    expect(await contract.registeredCount()).to.equal(0n);
    await register(contract, bob);
    expect(await contract.phase()).to.equal(BigInt(PHASE.Waiting));
    // alice re-registers: her withdrawn queue entry must not add her twice
    await register(contract, alice);
    expect(await contract.phase()).to.equal(BigInt(PHASE.Commit));
    expect((await contract.members()).length).to.equal(2);
    expect([...(await contract.members())]).to.have.members([alice.address, bob.address]);
    await expectRevert(contract.connect(carol).leave(), contract, "NotMember", [carol.address]);
  });

  it("when every member has left, the next round waits until enough members register", async function () {
    const { contract, wallets } = await swarmWith(2, { minPeers: 2 });
    for (const w of wallets) await (await contract.connect(w).leave()).wait();
    const last = await runRound(contract, wallets);
    expect(eventsOf(contract, last, "RoundWaiting")[0].args.round).to.equal(2n);
    expect(await contract.currentRound()).to.equal(2n);
    expect(await contract.phase()).to.equal(BigInt(PHASE.Waiting));
    expect(await contract.members()).to.deep.equal([]);
    await expectRevert(contract.connect(wallets[0]).commit(2, 0, ethers.id("x"), 1, 1), contract, "WrongPhase", [0n, 3n]);

    const [a, b] = await newWallets(2);
    const first = await register(contract, a);
    expect(eventsOf(contract, first, "MemberRegistered")[0].args.effectiveRound).to.equal(2n);
    expect(eventsOf(contract, first, "RoundOpened")).to.have.length(0);
    const second = await register(contract, b);
    const [opened] = eventsOf(contract, second, "RoundOpened");
    expect(opened.args.round).to.equal(2n);
    expect(opened.args.memberCount).to.equal(2n);
  });

  it("records leadership opt-out for registered members only", async function () {
    const { contract, wallets } = await swarmWith(2);
    const receipt = await (await contract.connect(wallets[0]).setLeadershipOptOut(true)).wait();
    const [event] = eventsOf(contract, receipt, "LeadershipOptOut");
    expect(event.args.member).to.equal(wallets[0].address);
    expect(event.args.optedOut).to.equal(true);
    expect((await contract.memberInfo(wallets[0].address)).optedOut).to.equal(true);
    await (await contract.connect(wallets[0]).setLeadershipOptOut(false)).wait();
    expect((await contract.memberInfo(wallets[0].address)).optedOut).to.equal(false);
    const [outsider] = await newWallets(1);
    await expectRevert(contract.connect(outsider).setLeadershipOptOut(true), contract, "NotMember", [outsider.address]);
  });

  it("withdrawing a registration made during a round keeps the account out of the next round", async function () {
    const { contract, wallets } = await swarmWith(2);
    const [late] = await newWallets(1);
    await register(contract, late);
    const receipt = await (await contract.connect(late).leave()).wait();
    expect(eventsOf(contract, receipt, "MemberLeft")[0].args.effectiveRound).to.equal(2n);
    await runRound(contract, wallets);
    expect(await contract.isMember(late.address)).to.equal(false);
    expect([...(await contract.members())]).to.have.members(wallets.map((w) => w.address));
  });

  it("caps the joins and leaves queued for one round", async function () {
    const contract = await deploy({ minPeers: 1 });
    const max = Number(await contract.MAX_PENDING_CHANGES());
    const wallets = await newWallets(max + 2);
    await register(contract, wallets[0]); // opens round 1
    for (const w of wallets.slice(1, max + 1)) await register(contract, w);
    const extra = wallets[max + 1];
    await expectRevert(contract.connect(extra).register(publicKeyOf(extra), multiaddrOf(extra)), contract, "TooManyPendingChanges", [BigInt(max)]);
    await expectRevert(contract.connect(wallets[0]).leave(), contract, "TooManyPendingChanges", [BigInt(max)]);
    expect(await contract.registeredCount()).to.equal(BigInt(max + 1));
  });

  it("refuses registrations beyond MAX_MEMBERS", async function () {
    // Registering 1024 members would take minutes, so the counter is set directly in storage. Slot 3 holds
    // _registeredCount (low 32 bits) after _round, _progress and _randomness; the test first checks that assumption.
    const hre = require("hardhat");
    const contract = await deploy({ minPeers: 1 });
    const [alice, bob] = await newWallets(2);
    await register(contract, alice);
    const address = await contract.getAddress();
    const slot = await ethers.provider.getStorage(address, 3);
    expect(BigInt(slot) & 0xffffffffn).to.equal(await contract.registeredCount());
    const max = await contract.MAX_MEMBERS();
    const patched = (BigInt(slot) & ~0xffffffffn) | max;
    await hre.network.provider.send("hardhat_setStorageAt", [address, "0x3", ethers.toBeHex(patched, 32)]);
    expect(await contract.registeredCount()).to.equal(max);
    await expectRevert(contract.connect(bob).register(publicKeyOf(bob), multiaddrOf(bob)), contract, "SwarmFull", [max]);
  });
});
