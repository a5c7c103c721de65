// Reference: what js-libp2p derives from secp256k1 private keys. Reads hex private keys (one per line) on stdin and
// prints, per key, a JSON line {peerId, publicKeyProtobuf, compressed} computed by @libp2p/crypto and @libp2p/peer-id.
import { privateKeyFromRaw, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { readFileSync } from 'node:fs'

const hex = (bytes) => Buffer.from(bytes).toString('hex')
for (const line of readFileSync(0, 'utf8').split('\n').map(s => s.trim()).filter(Boolean)) {
  const raw = Buffer.from(line.replace(/^0x/, ''), 'hex')
  const key = privateKeyFromRaw(raw)
  if (key.type !== 'secp256k1') throw new Error(`expected a secp256k1 key, got ${key.type}`)
  const peerId = peerIdFromPrivateKey(key)
  console.log(JSON.stringify({
    peerId: peerId.toString(),
    publicKeyProtobuf: hex(publicKeyToProtobuf(key.publicKey)),
    compressed: hex(key.publicKey.raw)
  }))
}
