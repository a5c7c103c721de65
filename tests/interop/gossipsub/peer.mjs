// A js-libp2p gossipsub peer (@libp2p/gossipsub, StrictSign) driven by the C# interop tests over stdin/stdout.
// Usage: node --import tests/interop/polyfill.mjs tests/interop/gossipsub/peer.mjs [secp256k1|ed25519]
// Prints {"event":"ready","peerId":…,"addrs":[…]} once listening and {"event":"message",…} for every gossip message
// it receives; each command line ({"id":n,"cmd":…}) is answered by one line with the same id.
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub } from '@libp2p/gossipsub'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { createInterface } from 'node:readline'

const keyType = process.argv[2] === 'ed25519' ? 'Ed25519' : 'secp256k1'
const node = await createLibp2p({
  privateKey: await generateKeyPair(keyType),
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: {
    identify: identify(),
    pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, emitSelf: false })
  }
})
const pubsub = node.services.pubsub

function out (object) { process.stdout.write(JSON.stringify(object) + '\n') }

pubsub.addEventListener('gossipsub:message', (event) => {
  const { msg: message, msgId, propagationSource } = event.detail
  out({
    event: 'message',
    type: message.type, // 'signed' only when StrictSign verification passed
    topic: message.topic,
    from: message.from?.toString(),
    seqno: message.sequenceNumber?.toString(),
    data: Buffer.from(message.data).toString('utf8'),
    msgId: Buffer.from(msgId, 'base64').toString('hex'), // js-libp2p's own message id for it
    via: propagationSource.toString()
  })
})

async function run (command) {
  switch (command.cmd) {
    case 'dial': {
      const connection = await node.dial(multiaddr(command.addr))
      return { peer: connection.remotePeer.toString() }
    }
    case 'subscribe':
      pubsub.subscribe(command.topic)
      return {}
    case 'publish': {
      const result = await pubsub.publish(command.topic, Buffer.from(command.data, 'utf8'))
      return { recipients: result.recipients.map(p => p.toString()) }
    }
    case 'mesh':
      return { peers: pubsub.getMeshPeers(command.topic) }
    case 'subscribers':
      return { peers: pubsub.getSubscribers(command.topic).map(p => p.toString()) }
    case 'score':
      return { score: pubsub.getScore(command.peer) }
    default:
      throw new Error(`unknown command ${command.cmd}`)
  }
}

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
