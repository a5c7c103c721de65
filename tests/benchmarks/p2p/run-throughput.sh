#!/usr/bin/env bash
# Single-stream loopback throughput, two processes each, all measured in one run:
#   swarmfl noise+yamux (C#) vs raw TCP between the same two .NET processes vs js-libp2p <-> js-libp2p.
# Also the median dial-to-first-stream latency (TCP connect + multistream + noise XX + yamux + protocol select).
# Then a long link: the same bench through the project's delaying TCP proxy (DELAY_MS each way, default 25 ms), a
# PROXY_SIZE transfer (default 64 MiB), raw TCP against yamux with growing and with fixed windows.
# Usage: tests/benchmarks/p2p/run-throughput.sh [SIZE_BYTES] [RUNS]     (from anywhere; not run by tests/run)
#        PROXY_SIZE=67108864 PROXY_RUNS=2 DELAY_MS=25 tests/benchmarks/p2p/run-throughput.sh …
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
for WINDOW in 262144 4194304; do  # fixed windows: the spec's initial 256 KiB, and 4 MiB
  run_pair "'$BENCH' serve --mode libp2p --window $WINDOW --max-window $WINDOW" bash -c "'$BENCH' client --mode libp2p --window $WINDOW --max-window $WINDOW --size $SIZE --runs $RUNS --dials $DIALS --addr \"\$0\""
done
# The default: 256 KiB growing toward bandwidth × RTT, up to YamuxOptions.MaxReceiveWindow (16 MiB).
run_pair "'$BENCH' serve --mode libp2p" bash -c "'$BENCH' client --mode libp2p --size $SIZE --runs $RUNS --dials $DIALS --addr \"\$0\""
run_pair "'$BENCH' serve --mode tcp" bash -c "'$BENCH' client --mode tcp --size $SIZE --runs $RUNS --addr \"\$0\""
run_pair "${NODE[*]} tests/benchmarks/p2p/js-bench.mjs serve" bash -c "${NODE[*]} tests/benchmarks/p2p/js-bench.mjs client \"\$0\" $SIZE $RUNS $DIALS"

# ---- through the delaying proxy ---------------------------------------------------------------------------------
PROXY_SIZE="${PROXY_SIZE:-67108864}"
PROXY_RUNS="${PROXY_RUNS:-2}"
DELAY_MS="${DELAY_MS:-25}"
echo "# through the delaying proxy: ${DELAY_MS} ms each way, size=$PROXY_SIZE runs=$PROXY_RUNS load='$(cut -d" " -f1-3 /proc/loadavg)'"
PTMP="$(mktemp -d)"
# Starts "$@" in the background with its stdin on a FIFO this shell holds open (closing it stops the process) and
# waits for the first line it prints (its address). Sets STARTED_FD, STARTED_PID, STARTED_LINE.
start_serving() {
  local name="$1"; shift
  mkfifo "$PTMP/$name.in"
  "$@" < "$PTMP/$name.in" > "$PTMP/$name.out" &
  STARTED_PID=$!
  exec {STARTED_FD}>"$PTMP/$name.in"
  until [ -s "$PTMP/$name.out" ]; do kill -0 "$STARTED_PID" 2>/dev/null || { echo "$name exited before printing its address" >&2; return 1; }; sleep 0.1; done
  STARTED_LINE="$(head -n 1 "$PTMP/$name.out")"
}
run_proxied() { # $1 = server and client arguments; the client dials the proxy, the proxy the server
  local args="$1" server_fd server_pid proxy_fd proxy_pid
  rm -f "$PTMP"/*
  start_serving server "$BENCH" serve $args; server_fd=$STARTED_FD; server_pid=$STARTED_PID
  start_serving proxy "$BENCH" proxy --target "$STARTED_LINE" --delay-ms "$DELAY_MS"; proxy_fd=$STARTED_FD; proxy_pid=$STARTED_PID
  "$BENCH" client $args --size "$PROXY_SIZE" --runs "$PROXY_RUNS" --dials 1 --addr "$STARTED_LINE"
  exec {proxy_fd}>&-; wait "$proxy_pid" 2>/dev/null || true
  exec {server_fd}>&-; wait "$server_pid" 2>/dev/null || true
}
run_proxied "--mode tcp"
run_proxied "--mode libp2p"
run_proxied "--mode libp2p --window 262144 --max-window 262144"
rm -rf "$PTMP"
