// A js-libp2p gossipsub peer (@libp2p/gossipsub, StrictSign) driven by the C# interop tests over stdin/stdout.
// Usage: node --import tests/interop/polyfill.mjs tests/interop/gossipsub/peer.mjs [secp256k1|ed25519]
// Prints {"event":"ready","peerId":…,"addrs":[…]} once listening and {"event":"message",…} for every gossip message
// it receives; each command line ({"id":n,"cmd":…}) is answered by one line with the same id.
import { identify } from '@libp2p/identify'
import { gossipsub } from '@libp2p/gossipsub'
import { multiaddr } from '@multiformats/multiaddr'
import { createPeer, out, serveCommands } from '../p2p/jsonl-peer.mjs'

const node = await createPeer({
  identify: identify(),
  pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, emitSelf: false })
})
const pubsub = node.services.pubsub

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

await serveCommands(node, run)
