#!/usr/bin/env bash
# secp256k1 before/after (BouncyCastle vs NBitcoin.Secp256k1, interleaved in one process) and gossipsub messages/s
# through one relaying node, built once from BASE (the last commit on BouncyCastle) and once from this tree.
# Usage: tests/benchmarks/crypto/run.sh [BASE_COMMIT] [MESSAGES] [SECONDS_PER_OPERATION]     (not run by tests/run)
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
. "$ROOT/devnet/lib/strict.sh"
BASE="${1:-251dc2f}"
MESSAGES="${2:-2000}"
SECONDS_PER_OP="${3:-5}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"
echo "# $(date -u +%FT%TZ) cores=$(nproc) $(uname -sr) base=$BASE head=$(git rev-parse --short HEAD)"
dotnet build tests/benchmarks/crypto -c Release -nologo -v:q -clp:ErrorsOnly -m:1 >/dev/null
dotnet run -c Release --no-build --project tests/benchmarks/crypto -- "$SECONDS_PER_OP"

# The relay benchmark is newer than BASE: copy it into BASE's tree so both sides run the same driver.
git archive "$BASE" | tar -x -C "$WORK"
mkdir -p "$WORK/tests/benchmarks/p2p"
cp -r tests/benchmarks/p2p/gossip-relay "$WORK/tests/benchmarks/p2p/"
rm -rf "$WORK/tests/benchmarks/p2p/gossip-relay/bin" "$WORK/tests/benchmarks/p2p/gossip-relay/obj"
dotnet build "$WORK/tests/benchmarks/p2p/gossip-relay" -c Release -nologo -v:q -clp:ErrorsOnly -m:1 >/dev/null
dotnet build tests/benchmarks/p2p/gossip-relay -c Release -nologo -v:q -clp:ErrorsOnly -m:1 >/dev/null
for run in 1 2; do  # alternate, so a change in the shared machine's load hits both alike
  echo "before ($BASE, BouncyCastle) run $run: $(dotnet run -c Release --no-build --project "$WORK/tests/benchmarks/p2p/gossip-relay" -- "$MESSAGES")"
  echo "after (HEAD, NBitcoin.Secp256k1) run $run: $(dotnet run -c Release --no-build --project tests/benchmarks/p2p/gossip-relay -- "$MESSAGES")"
done
