// Reference ring positions: reads base58 PeerIds (one per line) on stdin, parses each with @libp2p/peer-id, and prints
// sha256 of its multihash bytes (node:crypto) as 64 hex digits — the ring id docs/clusters.md defines.
import { peerIdFromString } from '@libp2p/peer-id'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'

for (const line of readFileSync(0, 'utf8').split('\n').map(s => s.trim()).filter(Boolean)) {
  const peerId = peerIdFromString(line)
  console.log(createHash('sha256').update(peerId.toMultihash().bytes).digest('hex'))
}
