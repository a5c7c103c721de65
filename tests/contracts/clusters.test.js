// The contract's cluster assignment equals docs/clusters.md as implemented independently in clusters-reference.js,
// for many random memberships, cluster sizes and membership changes.
const { expect } = require("chai");
const { deploy, newWallets, register, runRound, commitAll, completeOpening, expectRevert, modelId, PHASE, MEMBER } = require("./helpers");
const { assignClusters, clusterCountFor, peerIdFromPublicKey } = require("./clusters-reference");

/** Deterministic shuffle (mulberry32), so a failing case can be replayed from its seed. */
function shuffled(items, seed) {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function referenceFor(wallets, target) {
  return assignClusters(
    wallets.map((w) => ({ id: w.address, peerId: peerIdFromPublicKey(w.signingKey.publicKey) })),
    target,
  );
}

async function expectSameAssignment(contract, wallets, target, label) {
  const ref = referenceFor(wallets, target);
  expect(await contract.clusterCount(), `${label}: cluster count`).to.equal(BigInt(ref.clusterCount));
  expect([...(await contract.members())], `${label}: ring order`).to.deep.equal(ref.ring.map((m) => m.id));
  for (let c = 0; c < ref.clusterCount; c++) {
    expect([...(await contract.clusterMembers(c))], `${label}: members of cluster ${c}`).to.deep.equal(ref.clusters[c]);
  }
  for (const m of ref.ring) {
    expect(await contract.clusterOf(m.id), `${label}: cluster of ${m.id}`).to.equal(BigInt(ref.clusterOf.get(m.id)));
    expect(BigInt((await contract.memberInfo(m.id)).ringId), `${label}: ring id of ${m.id}`).to.equal(m.ringId);
  }
}

async function eventLog(contract) {
  const logs = await contract.queryFilter("*", 0, "latest");
  return logs.map((l) => contract.interface.parseLog(l)).filter(Boolean);
}

/** Members of `round` from MemberRegistered / MemberLeft and their effective rounds, replayed in log order. */
function membershipFromEvents(events, round) {
  const members = new Set();
  for (const e of events) {
    if (e.name === "MemberRegistered" && e.args.effectiveRound <= round) members.add(e.args.member);
    if (e.name === "MemberLeft" && e.args.effectiveRound <= round) members.delete(e.args.member);
  }
  return members;
}

describe("Cluster assignment: contract vs. the reference of docs/clusters.md", function () {
  let pool;
  before(async function () {
    pool = await newWallets(33);
  });

  it("the reference itself follows the document's size rules", function () {
    // k = n/t rounded half up (at least 1); sizes differ by at most one; clusters are contiguous in ring order
    expect(clusterCountFor(0, 4)).to.equal(0);
    expect(clusterCountFor(1, 4)).to.equal(1);
    expect(clusterCountFor(6, 4)).to.equal(2); // 1.5 rounds up
    expect(clusterCountFor(5, 4)).to.equal(1); // 1.25 rounds down
    expect(clusterCountFor(16, 4)).to.equal(4);
    expect(clusterCountFor(33, 4)).to.equal(8); // 8.25
    expect(clusterCountFor(7, 2)).to.equal(4); // 3.5 rounds up
    const ref = referenceFor(pool.slice(0, 9), 4);
    expect(ref.clusters.map((c) => c.length)).to.deep.equal([5, 4]);
    expect(ref.clusters.flat()).to.deep.equal(ref.ring.map((m) => m.id));
  });

  const sizes = [1, 2, 3, 4, 5, 7, 9, 16, 33];
  const targets = [1, 2, 3, 4, 5, 7];
  for (const target of targets) {
    it(`agrees for memberships of ${sizes.join(", ")} random members with target cluster size ${target}`, async function () {
      for (const size of sizes) {
        const seed = target * 1000 + size;
        const members = shuffled(pool, seed).slice(0, size);
        const contract = await deploy({ minPeers: size, targetClusterSize: target });
        for (const w of members) await register(contract, w);
        await expectSameAssignment(contract, members, target, `n=${size} t=${target} seed=${seed}`);
      }
    });
  }

  it("agrees again after members join and leave between rounds", async function () {
    const target = 3;
    let members = shuffled(pool, 7).slice(0, 10);
    const contract = await deploy({ minPeers: members.length, targetClusterSize: target });
    for (const w of members) await register(contract, w);
    await expectSameAssignment(contract, members, target, "initial");
    for (let step = 1; step <= 4; step++) {
      const outside = pool.filter((w) => !members.includes(w));
      const leaving = shuffled(members, step).slice(0, step % 3);
      const joining = shuffled(outside, 100 + step).slice(0, step + 1);
      for (const w of leaving) await (await contract.connect(w).leave()).wait();
      for (const w of joining) await register(contract, w);
      await runRound(contract, members, `step${step}`);
      members = [...members.filter((w) => !leaving.includes(w)), ...joining];
      await expectSameAssignment(contract, members, target, `after step ${step}`);
      // the membership of the round also follows from the events alone
      expect([...membershipFromEvents(await eventLog(contract), await contract.currentRound())].sort()).to.deep.equal(
        members.map((w) => w.address).sort(),
      );
    }
  });

  it("agrees when an opening takes several transactions (more changes than OPENING_BATCH), with changes made meanwhile", async function () {
    this.timeout(300000);
    const target = 4;
    const batch = Number(await (await deploy()).OPENING_BATCH());
    const big = await newWallets(170);
    let members = big.slice(0, 110); // 110 sorted, and 110 ring entries to write: more than one batch
    const contract = await deploy({ minPeers: members.length, targetClusterSize: target });
    for (const w of members) await register(contract, w);
    expect(Number(await contract.phase()), "the 110th registration leaves round 1 opening").to.equal(PHASE.Opening);
    expect(members.length * 2).to.be.greaterThan(batch);
    await expectRevert(contract.continueOpening(2), contract, "WrongRound", [1n, 2n]);
    await expectRevert(contract.connect(members[0]).commit(1, 0, modelId("early"), 1, 0), contract, "WrongPhase", [BigInt(PHASE.Commit), BigInt(PHASE.Opening)]);
    await expectRevert(contract.clusterOf(members[0].address), contract, "NotMember");
    // a registration while round 1 opens waits for round 2, and a leave of a member being added takes effect in round 2
    const late = big[110];
    const lateReceipt = await register(contract, late);
    const lateEvent = lateReceipt.logs.map((l) => contract.interface.parseLog(l)).find((e) => e?.name === "MemberRegistered");
    expect(lateEvent.args.effectiveRound).to.equal(2n);
    const quitter = members[5];
    await (await contract.connect(quitter).leave()).wait();
    const { openings } = await completeOpening(contract);
    expect(openings.length, "continueOpening calls").to.be.greaterThan(0);
    await expectRevert(contract.continueOpening(1), contract, "WrongPhase", [BigInt(PHASE.Opening), BigInt(PHASE.Commit)]);
    await expectSameAssignment(contract, members, target, "round 1, opened in batches");
    expect(await contract.memberStatus(quitter.address)).to.equal(BigInt(MEMBER.Leaving));
    expect(await contract.memberStatus(late.address)).to.equal(BigInt(MEMBER.Joining));

    // round 2: the quitter and 29 others leave, 59 more join (with the late one, 60): compaction and insertion, in batches
    const leaving = [quitter, ...shuffled(members.filter((w) => w !== quitter), 3).slice(0, 29)];
    for (const w of leaving.slice(1)) await (await contract.connect(w).leave()).wait();
    const joining = [late, ...big.slice(111, 170)];
    for (const w of joining.slice(1)) await register(contract, w);
    const receipt = await runRound(contract, members, "batched");
    expect(receipt.openings?.length ?? 0, "round 2 opens over several transactions").to.be.greaterThan(0);
    members = [...members.filter((w) => !leaving.includes(w)), ...joining];
    await expectSameAssignment(contract, members, target, "round 2, opened in batches");
    for (const w of leaving) {
      expect(await contract.memberStatus(w.address), `status of ${w.address}, who left`).to.equal(BigInt(MEMBER.None));
      await expectRevert(contract.memberInfo(w.address), contract, "NotMember");
    }
    // one who left may register again: it waits for round 3 and comes back with its own ring id
    await register(contract, leaving[1]);
    expect(await contract.memberStatus(leaving[1].address)).to.equal(BigInt(MEMBER.Joining));

    // round 3: 40 leave and the one comes back; the compaction alone (140 ring entries) takes more than one batch
    const leavingAgain = shuffled(members, 4).slice(0, 40);
    for (const w of leavingAgain) await (await contract.connect(w).leave()).wait();
    const third = await runRound(contract, members, "leaves");
    expect(third.openings?.length ?? 0, "round 3 opens over several transactions").to.be.greaterThan(0);
    members = [...members.filter((w) => !leavingAgain.includes(w)), leaving[1]];
    await expectSameAssignment(contract, members, target, "round 3, mostly leaves");
  });
});
