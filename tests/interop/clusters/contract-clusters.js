// The contract's side of the C# ⇄ contract cluster cross-check. Run with `npx hardhat run` (in-process Hardhat network).
// For each case [memberCount, targetSize, seed] in CLUSTER_CASES (JSON), deploys SwarmCoordinator, registers that many
// members with deterministic keys, and prints one JSON line: { target, peerIds: [hex], clusters: [contract clusterOf] }.
// The C# test feeds the same PeerIds to SwarmFL.Ring.ClusterAssignment and compares.
const hre = require("hardhat");
const { ethers } = hre;
const { deploy, register } = require("../../contracts/helpers.js");

async function main() {
  const cases = JSON.parse(process.env.CLUSTER_CASES ?? "[[5,4,1]]");
  const [funder] = await ethers.getSigners();
  for (const [count, target, seed] of cases) {
    const contract = await deploy({ minPeers: count, targetClusterSize: target });
    const wallets = [];
    for (let i = 0; i < count; i++) {
      const key = ethers.keccak256(ethers.toUtf8Bytes(`cluster-cross-check/${seed}/${i}`));
      wallets.push(new ethers.Wallet(key, ethers.provider));
    }
    for (const w of wallets) await (await funder.sendTransaction({ to: w.address, value: ethers.parseEther("1") })).wait();
    for (const w of wallets) await register(contract, w);
    const peerIds = [];
    const clusters = [];
    for (const w of wallets) {
      const [peerId] = await contract.memberInfo(w.address);
      peerIds.push(peerId);
      clusters.push(Number(await contract.clusterOf(w.address)));
    }
    console.log(JSON.stringify({ count, target, peerIds, clusters, clusterCount: Number(await contract.clusterCount()) }));
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
