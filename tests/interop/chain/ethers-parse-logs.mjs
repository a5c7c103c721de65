// Reference: ethers' event decoding. Argument: a Hardhat artifact JSON path. Reads JSON lines {topics, data} on stdin
// and prints, per line, {name, signature, args} from Interface.parseLog, with bigints as decimal strings and
// indexed dynamic values as their topic hash.
import { Interface } from 'ethers'
import { readFileSync } from 'node:fs'

const artifact = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const iface = new Interface(artifact.abi)
const plain = v => {
  if (typeof v === 'bigint') return v.toString()
  if (v && typeof v === 'object' && 'hash' in v && v._isIndexed) return v.hash
  if (Array.isArray(v)) return Array.from(v, plain)
  return v
}
for (const line of readFileSync(0, 'utf8').split('\n').map(s => s.trim()).filter(Boolean)) {
  const log = JSON.parse(line)
  const parsed = iface.parseLog(log)
  console.log(JSON.stringify(parsed === null ? { name: null } : { name: parsed.name, signature: parsed.signature, args: plain(parsed.args) }))
}
