// Reference multiaddr codec: prints one JSON line per argument with the binary form (hex) and the canonical text
// that @multiformats/multiaddr produces, or the error it raises.
import { multiaddr } from '@multiformats/multiaddr'

for (const text of process.argv.slice(2)) {
  try {
    const address = multiaddr(text)
    const back = multiaddr(address.bytes)
    process.stdout.write(JSON.stringify({ text, hex: Buffer.from(address.bytes).toString('hex'), canonical: back.toString() }) + '\n')
  } catch (e) {
    process.stdout.write(JSON.stringify({ text, error: e.message }) + '\n')
  }
}
