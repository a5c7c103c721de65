// Reference implementation of docs/clusters.md in plain JavaScript, written from the document (not from the
// contract) so tests can compare the two. Reusable by other cross-checks (e.g. against SwarmFL.Ring):
//
//   const { peerIdFromPublicKey, ringIdOf, assignClusters } = require("./clusters-reference");
//   const { clusterCount, clusters, clusterOf } = assignClusters(members, targetClusterSize);
//
// members: [{ id: any key (e.g. an address), peerId: hex string or Uint8Array }]
const { AbiCoder, SigningKey, getBytes, hexlify, keccak256, sha256 } = require("ethers");

// identity multihash (0x00, length 0x25) of protobuf PublicKey{Type: Secp256k1 (field 1 = 2), Data (field 2): 33 bytes}
const PEER_ID_PREFIX = Uint8Array.from([0x00, 0x25, 0x08, 0x02, 0x12, 0x21]);

/** PeerId bytes (hex) of a secp256k1 public key given in any form ethers accepts (33, 64 with "0x04" added, or 65 bytes). */
function peerIdFromPublicKey(publicKey) {
  let bytes = getBytes(publicKey);
  if (bytes.length === 64) bytes = Uint8Array.from([0x04, ...bytes]);
  const compressed = getBytes(SigningKey.computePublicKey(bytes, true));
  const out = new Uint8Array(PEER_ID_PREFIX.length + compressed.length);
  out.set(PEER_ID_PREFIX, 0);
  out.set(compressed, PEER_ID_PREFIX.length);
  return hexlify(out);
}

/** Ring position: sha256 of the PeerId bytes as a big-endian unsigned integer. */
function ringIdOf(peerId) {
  return BigInt(sha256(getBytes(peerId)));
}

/** Number of clusters for n members and target size t: n / t rounded half up, at least one; none without members. */
function clusterCountFor(n, t) {
  if (!Number.isInteger(t) || t < 1) throw new Error(`target cluster size must be a positive integer, got ${t}`);
  if (n === 0) return 0;
  // round half up of n/t, done in exact integer arithmetic: floor(n/t + 1/2) = floor((2n + t) / 2t)
  return Math.max(1, Math.floor((2 * n + t) / (2 * t)));
}

/**
 * Splits the ring into contiguous balanced arcs. Sizes: the first (n mod k) clusters get one member more.
 * Returns { clusterCount, ring: members sorted by ring id (each with ringId), clusters: arrays of ids per cluster,
 *           clusterOf: Map id -> cluster index }.
 */
function assignClusters(members, targetClusterSize) {
  const ring = members
    .map((m) => ({ ...m, ringId: m.ringId ?? ringIdOf(m.peerId) }))
    .sort((a, b) => (a.ringId < b.ringId ? -1 : a.ringId > b.ringId ? 1 : 0));
  for (let i = 1; i < ring.length; i++) {
    if (ring[i].ringId === ring[i - 1].ringId) throw new Error("duplicate ring id (the same key twice)");
  }
  const k = clusterCountFor(ring.length, targetClusterSize);
  const sizes = [];
  for (let c = 0; c < k; c++) sizes.push(Math.floor(ring.length / k) + (c < ring.length % k ? 1 : 0));

  const clusters = [];
  const clusterOf = new Map();
  let next = 0;
  sizes.forEach((size, c) => {
    const arc = ring.slice(next, next + size).map((m) => m.id);
    arc.forEach((id) => clusterOf.set(id, c));
    clusters.push(arc);
    next += size;
  });
  return { clusterCount: k, ring, clusters, clusterOf };
}

/**
 * The election's draw (docs/contracts-interface.md): randomness = keccak256(abi.encode(hash of the election block,
 * contract address, round, commits)), the election block being the one after the close's; the leader of cluster c is,
 * among its committers that did not opt out in ring order, the one at index keccak256(abi.encode(randomness, c)) mod count.
 */
function closeRandomness({ electionBlockHash, contract, round, commits }) {
  const coder = AbiCoder.defaultAbiCoder();
  return keccak256(coder.encode(["bytes32", "address", "uint64", "uint32"], [electionBlockHash, contract, round, commits]));
}

function leaderIndex(randomness, cluster, eligibleCount) {
  const coder = AbiCoder.defaultAbiCoder();
  return Number(BigInt(keccak256(coder.encode(["bytes32", "uint256"], [randomness, cluster]))) % BigInt(eligibleCount));
}

module.exports = { PEER_ID_PREFIX, peerIdFromPublicKey, ringIdOf, clusterCountFor, assignClusters, closeRandomness, leaderIndex };
