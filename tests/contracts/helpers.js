// Shared fixtures for the SwarmCoordinator tests: deployment with a config, funded member wallets with real keys,
// and time travel through the Hardhat network's own RPC methods.
const hre = require("hardhat");
const { ethers } = hre;

const PHASE = { Commit: 0, Merge: 1, SemiGlobal: 2, Waiting: 3, Election: 4, Opening: 5 };
const CLUSTER = { None: 0, AwaitingMerge: 1, Merged: 2, Done: 3, Skipped: 4 };
const MEMBER = { None: 0, Joining: 1, Active: 2, Leaving: 3 };

function defaultConfig(overrides = {}) {
  return {
    minPeers: 2,
    commitWindow: 600,
    mergeTimeout: 300,
    targetClusterSize: 4,
    allowlistOnly: false,
    modelSpecHash: ethers.id("mnist-2nn"),
    genesisModel: ethers.sha256(ethers.toUtf8Bytes("genesis model file")),
    aggregation: 0,
    ...overrides,
  };
}

const RULE_KEYS = ["policy", "maxSamples", "leaderCooldown", "objectionWindow"];

/** The AggregationRules of a deployment: the pinned policy text, the per-commit sample cap, the leader cooldown, the
 * objection window (seconds from the start of the SemiGlobal phase; 1 here, so tests that do not object need not wait:
 * every Hardhat block is at least a second after its parent). */
function defaultRules(overrides = {}) {
  const rules = { policy: "fedavg", maxSamples: 1000000n, leaderCooldown: 2, objectionWindow: 1 };
  for (const key of RULE_KEYS) if (key in overrides) rules[key] = overrides[key];
  return rules;
}

/** deploy's overrides may mix Config and AggregationRules keys; this splits them. */
function configOnly(overrides) {
  return Object.fromEntries(Object.entries(overrides).filter(([k]) => !RULE_KEYS.includes(k)));
}

async function deploy(overrides = {}, signer) {
  const [account0] = await ethers.getSigners();
  const factory = await ethers.getContractFactory("SwarmCoordinator", signer ?? account0);
  const contract = await factory.deploy(defaultConfig(configOnly(overrides)), defaultRules(overrides));
  await contract.waitForDeployment();
  return contract;
}

/** Creates funded wallets with real secp256k1 keys (the contract checks the key against the sender). */
async function newWallets(count) {
  const [funder] = await ethers.getSigners();
  const wallets = [];
  for (let i = 0; i < count; i++) wallets.push(ethers.Wallet.createRandom().connect(ethers.provider));
  for (const w of wallets) await funder.sendTransaction({ to: w.address, value: ethers.parseEther("10") });
  return wallets;
}

/** 64-byte x‖y public key of a wallet, as register() expects it. */
function publicKeyOf(wallet) {
  return "0x" + wallet.signingKey.publicKey.slice(4);
}

function multiaddrOf(wallet) {
  return `/ip4/127.0.0.1/tcp/4001/p2p/${wallet.address}`;
}

async function register(contract, wallet) {
  return (await contract.connect(wallet).register(publicKeyOf(wallet), multiaddrOf(wallet))).wait();
}

/**
 * Deploys and registers `count` members. minPeers defaults to `count`, so all of them are members of round 1
 * (round 1 opens in the registration that reaches minPeers).
 */
async function swarmWith(count, overrides = {}) {
  const contract = await deploy({ minPeers: count, ...overrides });
  const wallets = await newWallets(count);
  for (const w of wallets) await register(contract, w);
  await completeOpening(contract);
  const byAddress = new Map(wallets.map((w) => [w.address, w]));
  return { contract, wallets, byAddress };
}

async function increaseTime(seconds) {
  await hre.network.provider.send("evm_increaseTime", [seconds]);
  await hre.network.provider.send("evm_mine", []);
}

function modelId(label) {
  return ethers.sha256(ethers.toUtf8Bytes(String(label)));
}

/** Commits a model for every given member (wallets) in the current round, with the member's own cluster. */
async function commitAll(contract, wallets, label = "m") {
  const round = await contract.currentRound();
  for (const w of wallets) {
    const cluster = await contract.clusterOf(w.address);
    await (await contract.connect(w).commit(round, cluster, modelId(`${label}-${round}-${w.address}`), 100, 900000)).wait();
  }
  return round;
}

/** Events of one name from a receipt, parsed. */
function eventsOf(contract, receipt, name) {
  return receipt.logs
    .map((log) => {
      try {
        return contract.interface.parseLog(log);
      } catch {
        return null;
      }
    })
    .filter((e) => e && e.name === name);
}

module.exports = {
  defaultRules,
  PHASE,
  CLUSTER,
  MEMBER,
  defaultConfig,
  deploy,
  newWallets,
  publicKeyOf,
  multiaddrOf,
  register,
  swarmWith,
  increaseTime,
  modelId,
  commitAll,
  eventsOf,
};

/**
 * Awaits a transaction (or call) that must revert with the contract's custom error `name`; checks its arguments
 * when given. (hardhat-chai-matchers is not installed; this decodes the revert data with the contract's ABI.)
 */
async function expectRevert(promise, contract, name, args) {
  let error;
  try {
    const tx = await promise;
    if (tx && typeof tx.wait === "function") await tx.wait();
  } catch (e) {
    error = e;
  }
  if (!error) throw new Error(`expected a revert with ${name}, but the transaction succeeded`);
  let decoded = error.revert;
  if (!decoded) {
    const data = error.data ?? error.error?.data ?? error.info?.error?.data;
    if (typeof data === "string" && data.length >= 10) decoded = contract.interface.parseError(data);
  }
  if (!decoded) throw new Error(`expected a revert with ${name}, got: ${error.shortMessage ?? error.message}`);
  if (decoded.name !== name) {
    throw new Error(`expected a revert with ${name}, got ${decoded.name}(${[...decoded.args].join(", ")})`);
  }
  if (args !== undefined) {
    const actual = [...decoded.args].map((a) => (typeof a === "bigint" ? a : a));
    const norm = (v) => (typeof v === "string" ? v.toLowerCase() : typeof v === "number" ? BigInt(v) : v);
    const same = actual.length === args.length && actual.every((a, i) => norm(a) === norm(args[i]));
    if (!same) {
      throw new Error(`${name}: expected args (${args.join(", ")}), got (${actual.join(", ")})`);
    }
  }
  return decoded;
}

module.exports.expectRevert = expectRevert;

/**
 * Drives the current round to its end: every wallet in `committers` commits, the round closes (after the deadline
 * and grace window when not everyone committed), every elected leader publishes its merge and then its semi-global model.
 * Returns the receipt of the last transaction (the one that opened the next round) and the published ids.
 */
async function runRound(contract, committers, label = "r") {
  const byAddress = new Map(committers.map((w) => [w.address, w]));
  const round = await commitAll(contract, committers, label);
  const info = await contract.roundInfo(round);
  if (info.commits !== info.memberCount) {
    // past the deadline and the grace window, so the close works whatever the quorum
    const { commitWindow } = await contract.config();
    const block = await ethers.provider.getBlock("latest");
    const wait = Number(info.deadline) + Number(commitWindow) - block.timestamp;
    if (wait > 0) await increaseTime(wait);
  }
  let receipt = await closeAndDraw(contract, round);
  if ((await contract.currentRound()) !== round) return receipt;

  const k = Number(await contract.clusterCount());
  const merged = [];
  for (let c = 0; c < k; c++) {
    const state = await contract.clusterState(round, c);
    if (Number(state.status) !== 1) continue;
    const leader = byAddress.get(state.leader);
    const id = modelId(`${label}-merge-${round}-${c}`);
    receipt = await (await contract.connect(leader).publishMerge(round, c, id, [modelId(`${label}-${round}-${leader.address}`)])).wait();
    merged.push([c, leader, id]);
  }
  if (merged.length > 0) await increaseTime(Number((await contract.aggregationRules()).objectionWindow));
  for (const [c, leader] of merged) {
    receipt = await (await contract.connect(leader).publishSemiGlobal(round, c, modelId(`${label}-semi-${round}-${c}`))).wait();
  }
  return completeOpening(contract, receipt);
}

/**
 * Sends continueOpening while the next round opens over several transactions (phase Opening). Returns the receipt
 * given with the logs of every continueOpening appended (eventsOf works on it), and the continueOpening receipts as
 * `openings`.
 */
async function completeOpening(contract, receipt) {
  const openings = [];
  while (Number(await contract.phase()) === PHASE.Opening) {
    openings.push(await (await contract.continueOpening(await contract.currentRound())).wait());
  }
  if (!receipt) return { openings };
  if (openings.length === 0) return receipt;
  return { ...receipt, logs: [...receipt.logs, ...openings.flatMap((r) => r.logs)], blockNumber: openings.at(-1).blockNumber, openings };
}

module.exports.completeOpening = completeOpening;

module.exports.runRound = runRound;

/**
 * Closes the round and draws its leaders: the close fixes the election block (the next one), one block is mined so
 * that its hash exists, and drawLeaders elects (again, while a large swarm's draw goes on in batches). Returns the
 * receipts' logs together (eventsOf works on it), with the receipts themselves as `close` and `draw` (the first draw)
 * and `draws` (all of them).
 */
async function closeAndDraw(contract, round, signer) {
  const c = signer ? contract.connect(signer) : contract;
  const close = await (await c.close(round)).wait();
  await hre.network.provider.send("evm_mine", []);
  const draws = [];
  do draws.push(await (await c.drawLeaders(round)).wait());
  while ((await contract.currentRound()) === BigInt(round) && Number(await contract.phase()) === PHASE.Election);
  const draw = draws[0];
  return { logs: [close, ...draws].flatMap((r) => r.logs), blockNumber: draws.at(-1).blockNumber, close, draw, draws };
}

module.exports.closeAndDraw = closeAndDraw;

/**
 * The endorsement digest, computed here with ethers (independently of the contract): EIP-191 version 0 data for the
 * contract, 0x19 ‖ 0x00 ‖ contract ‖ abi.encode(keccak256("SwarmFL.endorseMerge"), chainid, round, cluster, leader).
 */
async function endorsementDigest(contract, round, cluster, leader) {
  const { chainId } = await hre.ethers.provider.getNetwork();
  const data = hre.ethers.AbiCoder.defaultAbiCoder().encode(
    ["bytes32", "uint256", "uint64", "uint32", "address"],
    [hre.ethers.id("SwarmFL.endorseMerge"), chainId, round, cluster, leader]);
  return hre.ethers.keccak256(hre.ethers.concat(["0x1900", await contract.getAddress(), data]));
}

/** The signatures of `wallets` over the endorsement of leader's merge, concatenated in ascending signer order, as endorseMerge takes them. */
async function endorsements(contract, round, cluster, leader, wallets) {
  const digest = await endorsementDigest(contract, round, cluster, leader);
  const sorted = [...wallets].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  return hre.ethers.concat(sorted.map((w) => w.signingKey.sign(digest).serialized));
}

module.exports.endorsementDigest = endorsementDigest;
module.exports.endorsements = endorsements;
