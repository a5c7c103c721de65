// Reference: ethers' EIP-1559 (and, with "type": 0 in tx, legacy EIP-155) transaction signing. Reads JSON lines {key, tx} on stdin (tx fields as ethers names
// them, integers as decimal strings) and prints, per line, {raw, hash, unsignedHash} from Wallet.signTransaction.
import { Wallet, Transaction } from 'ethers'
import { readFileSync } from 'node:fs'

for (const line of readFileSync(0, 'utf8').split('\n').map(s => s.trim()).filter(Boolean)) {
  const { key, tx } = JSON.parse(line)
  const wallet = new Wallet(key)
  const raw = await wallet.signTransaction({ type: 2, ...tx })
  const parsed = Transaction.from(raw)
  console.log(JSON.stringify({ raw, hash: parsed.hash, unsignedHash: parsed.unsignedHash, from: parsed.from }))
}
