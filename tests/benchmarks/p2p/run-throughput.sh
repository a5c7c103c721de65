#!/usr/bin/env bash
# Single-stream loopback throughput, two processes each, all measured in one run:
#   swarmfl noise+yamux (C#) vs raw TCP between the same two .NET processes vs js-libp2p <-> js-libp2p.
# Also the median dial-to-first-stream latency (TCP connect + multistream + noise XX + yamux + protocol select).
# Usage: tests/benchmarks/p2p/run-throughput.sh [SIZE_BYTES] [RUNS]     (from anywhere; not run by tests/run)
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
. "$ROOT/devnet/lib/strict.sh"
SIZE="${1:-268435456}"
RUNS="${2:-3}"
DIALS=20
ART="${ART:-/tmp/art-p2p-bench}"
cd "$ROOT"
dotnet build tests/SwarmFL.P2P.Bench -c Release --artifacts-path "$ART" -v q -nologo >/dev/null
BENCH="$ART/bin/SwarmFL.P2P.Bench/release/SwarmFL.P2P.Bench"
NODE=(node --import ./tests/interop/polyfill.mjs)

run_pair() { # $1 = server command, $2.. = client command prefix; prints the client's JSON line
  local server_cmd="$1"; shift
  coproc SERVER { eval "$server_cmd"; }
  local addr
  read -r addr <&"${SERVER[0]}"
  "$@" "$addr"
  eval "exec ${SERVER[1]}>&-"
  wait "$SERVER_PID" 2>/dev/null || true
}

echo "# $(date -u +%FT%TZ) load='$(cut -d" " -f1-3 /proc/loadavg)' size=$SIZE runs=$RUNS dials=$DIALS cores=$(nproc) $(uname -sr)"
for WINDOW in 262144 4194304; do  # the spec's initial 256 KiB stream window, and a 4 MiB one
  run_pair "'$BENCH' serve --mode libp2p --window $WINDOW" bash -c "'$BENCH' client --mode libp2p --window $WINDOW --size $SIZE --runs $RUNS --dials $DIALS --addr \"\$0\""
done
run_pair "'$BENCH' serve --mode tcp" bash -c "'$BENCH' client --mode tcp --size $SIZE --runs $RUNS --addr \"\$0\""
run_pair "${NODE[*]} tests/benchmarks/p2p/js-bench.mjs serve" bash -c "${NODE[*]} tests/benchmarks/p2p/js-bench.mjs client \"\$0\" $SIZE $RUNS $DIALS"
