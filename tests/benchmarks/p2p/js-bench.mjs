// js-libp2p side of the throughput benchmark (same sink protocol as tests/SwarmFL.P2P.Bench):
//   node --import ./tests/interop/polyfill.mjs tests/benchmarks/p2p/js-bench.mjs serve
//   node --import ./tests/interop/polyfill.mjs tests/benchmarks/p2p/js-bench.mjs client ADDR SIZE RUNS DIALS
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { randomBytes } from 'node:crypto'

const SINK = '/swarmfl/bench-sink/1.0.0'
const CHUNK = 256 * 1024

async function newNode (listen) {
  return createLibp2p({
    privateKey: await generateKeyPair('secp256k1'),
    addresses: { listen: listen ? ['/ip4/127.0.0.1/tcp/0'] : [] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // The default inbound rate limit (5 connections/s per host) would refuse the dial-latency loop.
    connectionManager: { inboundConnectionThreshold: 10000, maxIncomingPendingConnections: 100 }
  })
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const [mode, addr, sizeText, runsText, dialsText] = process.argv.slice(2)
if (mode === 'serve') {
  const node = await newNode(true)
  await node.handle(SINK, async (stream) => {
    let total = 0
    for await (const chunk of stream) total += chunk.byteLength
    const answer = Buffer.alloc(8)
    answer.writeBigInt64BE(BigInt(total))
    stream.send(answer)
    await stream.close()
  })
  process.stdout.write(node.getMultiaddrs()[0].toString() + '\n')
  process.stdin.resume()
  process.stdin.on('end', async () => { await node.stop(); process.exit(0) })
} else {
  const size = Number(sizeText ?? 268435456)
  const runs = Number(runsText ?? 3)
  const dials = Number(dialsText ?? 20)
  const target = multiaddr(addr)
  const latencies = []
  for (let i = 0; i < dials; i++) {
    const fresh = await newNode(false)
    const started = process.hrtime.bigint()
    const stream = await fresh.dialProtocol(target, SINK)
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6)
    await stream.close().catch(() => {})
    await fresh.stop()
  }
  const node = await newNode(false)
  const payload = randomBytes(CHUNK)
  const throughputs = []
  for (let run = 0; run < runs; run++) {
    const started = process.hrtime.bigint()
    const stream = await node.dialProtocol(target, SINK)
    const answer = (async () => { const parts = []; for await (const c of stream) parts.push(Buffer.from(c.subarray())); return Buffer.concat(parts) })()
    for (let sent = 0; sent < size; sent += CHUNK) {
      if (!stream.send(payload.subarray(0, Math.min(CHUNK, size - sent)))) await stream.onDrain()
    }
    await stream.close()
    const count = (await answer).readBigInt64BE(0)
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    if (Number(count) !== size) throw new Error(`server counted ${count}, sent ${size}`)
    throughputs.push(size / seconds / (1 << 20))
  }
  process.stdout.write(JSON.stringify({
    impl: 'js-libp2p 3.3.11 (noise+yamux)',
    size,
    runs,
    bestMiBps: Math.round(Math.max(...throughputs) * 10) / 10,
    medianMiBps: Math.round(median(throughputs) * 10) / 10,
    dialToFirstStreamMedianMs: Math.round(median(latencies) * 100) / 100
  }) + '\n')
  await node.stop()
  process.exit(0)
}
