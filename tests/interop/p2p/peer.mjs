// A js-libp2p reference peer driven over stdin/stdout (one JSON object per line) by the C# interop tests.
// Usage: node --import tests/interop/polyfill.mjs tests/interop/p2p/peer.mjs [secp256k1|ed25519]
// Prints {"event":"ready","peerId":…,"addrs":[…]} once listening, then answers each command line with one JSON line.
// Serves /interop/sink/1.0.0 (read everything, answer the 32-byte SHA-256) and /interop/source/1.0.0 (read an
// 8-byte big-endian size, answer the SHA-256 of the data then the data itself).
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { multiaddr } from '@multiformats/multiaddr'
import { createHash, randomBytes } from 'node:crypto'
import { createPeer, serveCommands } from './jsonl-peer.mjs'

const node = await createPeer({ identify: identify(), ping: ping() })

const CHUNK = 64 * 1024

async function sendAll (stream, data) {
  for (let offset = 0; offset < data.length; offset += CHUNK) {
    if (!stream.send(data.subarray(offset, offset + CHUNK))) await stream.onDrain()
  }
}

async function readAll (stream, onChunk) {
  for await (const chunk of stream) onChunk(chunk.subarray ? chunk.subarray() : chunk)
}

/** Reads exactly n bytes from the stream's async iterator, returning them and the iterator for the rest. */
async function readExactly (iterator, n) {
  const parts = []
  let have = 0
  while (have < n) {
    const { value, done } = await iterator.next()
    if (done) throw new Error(`stream ended after ${have} of ${n} bytes`)
    const bytes = value.subarray ? value.subarray() : value
    parts.push(bytes)
    have += bytes.length
  }
  const all = Buffer.concat(parts)
  return { head: all.subarray(0, n), rest: all.subarray(n) }
}

await node.handle('/interop/sink/1.0.0', async (stream) => {
  const hash = createHash('sha256')
  let total = 0
  await readAll(stream, (bytes) => { hash.update(bytes); total += bytes.length })
  stream.send(hash.digest())
  await stream.close()
  process.stderr.write(`sink received ${total} bytes\n`)
}, { maxInboundStreams: 64 })

await node.handle('/interop/source/1.0.0', async (stream) => {
  const iterator = stream[Symbol.asyncIterator]()
  const { head } = await readExactly(iterator, 8)
  const size = Number(head.readBigUInt64BE(0))
  const data = randomBytes(size)
  stream.send(createHash('sha256').update(data).digest())
  await sendAll(stream, data)
  await stream.close()
}, { maxInboundStreams: 64 })

async function run (command) {
  const target = multiaddr(command.addr)
  switch (command.cmd) {
    case 'dial': {
      const connection = await node.dial(target)
      return { peer: connection.remotePeer.toString(), encryption: connection.encryption, multiplexer: connection.multiplexer }
    }
    case 'ping':
      return { rtt: await node.services.ping.ping(target) }
    case 'identify': {
      const connection = await node.dial(target)
      const result = await node.services.identify.identify(connection)
      return {
        peer: result.peerId.toString(),
        agentVersion: result.agentVersion,
        protocolVersion: result.protocolVersion,
        protocols: result.protocols,
        listenAddrs: result.listenAddrs.map(a => a.toString())
      }
    }
    case 'send': { // send `size` random bytes to the remote sink and compare its digest with ours
      const data = randomBytes(command.size)
      const stream = await node.dialProtocol(target, command.protocol ?? '/interop/sink/1.0.0')
      const reading = (async () => {
        const parts = []
        await readAll(stream, (bytes) => parts.push(Buffer.from(bytes)))
        return Buffer.concat(parts)
      })()
      await sendAll(stream, data)
      await stream.close()
      const answer = await reading
      const expected = createHash('sha256').update(data).digest()
      return { sent: data.length, sha256: expected.toString('hex'), remoteSha256: answer.toString('hex') }
    }
    case 'fetch': { // ask the remote source for `size` bytes and check them against the digest it sent first
      const stream = await node.dialProtocol(target, command.protocol ?? '/interop/source/1.0.0')
      const request = Buffer.alloc(8)
      request.writeBigUInt64BE(BigInt(command.size))
      stream.send(request)
      const iterator = stream[Symbol.asyncIterator]()
      const { head: digest, rest } = await readExactly(iterator, 32)
      const hash = createHash('sha256').update(rest)
      let total = rest.length
      for (;;) {
        const { value, done } = await iterator.next()
        if (done) break
        const bytes = value.subarray ? value.subarray() : value
        hash.update(bytes)
        total += bytes.length
      }
      await stream.close()
      return { received: total, sha256: hash.digest('hex'), announcedSha256: digest.toString('hex') }
    }
    case 'peers':
      return { peers: node.getPeers().map(p => p.toString()) }
    default:
      throw new Error(`unknown command ${command.cmd}`)
  }
}

await serveCommands(node, run)
