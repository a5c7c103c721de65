// Reference: ethers' secp256k1 signatures and addresses. Reads JSON lines {key, digest} on stdin and prints, per line,
// {address, r, s, v, publicKey} from ethers.SigningKey (RFC 6979, low-s) and ethers.computeAddress.
import { SigningKey, computeAddress } from 'ethers'
import { readFileSync } from 'node:fs'

for (const line of readFileSync(0, 'utf8').split('\n').map(s => s.trim()).filter(Boolean)) {
  const { key, digest } = JSON.parse(line)
  const signingKey = new SigningKey(key)
  const signature = signingKey.sign(digest)
  console.log(JSON.stringify({
    address: computeAddress(signingKey.publicKey),
    r: signature.r,
    s: signature.s,
    v: signature.yParity,
    publicKey: signingKey.publicKey
  }))
}
