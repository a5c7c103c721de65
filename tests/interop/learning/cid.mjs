// Prints the CIDv1 (raw codec, sha2-256) that the multiformats reference implementation computes for each file given.
import { readFile } from 'node:fs/promises'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'

for (const path of process.argv.slice(2)) {
  const bytes = await readFile(path)
  const digest = await sha256.digest(bytes)
  console.log(CID.create(1, raw.code, digest).toString())
}
