// Shared plumbing of the js-libp2p reference peers that the C# interop tests drive over stdin/stdout
// (tests/interop/p2p/peer.mjs, tests/interop/gossipsub/peer.mjs): a TCP/Noise/Yamux node on a loopback port, and the
// JSON-lines command loop both speak.
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createInterface } from 'node:readline'

/** The identity type the peer was asked for on its command line: `ed25519`, otherwise secp256k1. */
export const keyType = process.argv[2] === 'ed25519' ? 'Ed25519' : 'secp256k1'

/** A libp2p node listening on an ephemeral loopback TCP port, with the given services. */
export async function createPeer (services) {
  return createLibp2p({
    privateKey: await generateKeyPair(keyType),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services
  })
}

/** Writes one JSON object as one line on stdout. */
export function out (object) { process.stdout.write(JSON.stringify(object) + '\n') }

/**
 * Announces {"event":"ready",…}, then answers each stdin line ({"id":n,"cmd":…}) with one line carrying the same id
 * and `run`'s result (or its error); stops the node and exits when stdin closes.
 */
export async function serveCommands (node, run) {
  out({ event: 'ready', peerId: node.peerId.toString(), keyType, addrs: node.getMultiaddrs().map(a => a.toString()) })
  const lines = createInterface({ input: process.stdin })
  for await (const line of lines) {
    if (!line.trim()) continue
    let command
    try { command = JSON.parse(line) } catch (e) { out({ error: `bad json: ${e.message}` }); continue }
    try {
      out({ id: command.id, ok: true, ...(await run(command)) })
    } catch (e) {
      out({ id: command.id, ok: false, error: e.message ?? String(e) })
    }
  }
  await node.stop()
  process.exit(0)
}
