#!/usr/bin/env bash
# SwarmFL.Chain encode/decode before (hand-written RLP/ABI/EIP-1559, kept in Before/) and after (Nethereum 6.1.0),
# interleaved in one process. Usage: tests/benchmarks/chain/run.sh [SECONDS_PER_OPERATION]   (not run by tests/run)
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
. "$ROOT/devnet/lib/strict.sh"
cd "$ROOT"
echo "# $(date -u +%FT%TZ) cores=$(nproc) $(uname -sr) head=$(git rev-parse --short HEAD)"
dotnet build tests/benchmarks/chain -c Release -nologo -v:q -clp:ErrorsOnly -m:1 >/dev/null
dotnet run -c Release --no-build --project tests/benchmarks/chain -- "${1:-3}"
