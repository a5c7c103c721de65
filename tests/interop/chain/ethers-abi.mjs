// Reference: ethers' ABI coder. Reads JSON lines {types: [canonical type strings], values: [...]} on stdin and prints,
// per line, {encoded} from AbiCoder.defaultAbiCoder().encode, or {error} when ethers refuses the input.
import { AbiCoder } from 'ethers'
import { readFileSync } from 'node:fs'

const coder = AbiCoder.defaultAbiCoder()
for (const line of readFileSync(0, 'utf8').split('\n').map(s => s.trim()).filter(Boolean)) {
  const { types, values } = JSON.parse(line)
  try {
    console.log(JSON.stringify({ encoded: coder.encode(types, values) }))
  } catch (e) {
    console.log(JSON.stringify({ error: String(e.shortMessage ?? e.message) }))
  }
}
