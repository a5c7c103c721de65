// The contract's cluster assignment equals docs/clusters.md as implemented independently in clusters-reference.js,
// for many random memberships, cluster sizes and membership changes.
const { expect } = require("chai");
const { deploy, newWallets, register, runRound } = require("./helpers");
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
});
