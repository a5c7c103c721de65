#!/usr/bin/env bash
# Where the CPU of one libp2p stream goes (issue #16: "single-stream throughput >= 1 GiB/s on loopback").
# It starts the throughput bench's server and client (noise + yamux, the default growing window) and
# `perf record -a` samples every core while the client sends SIZE bytes RUNS times. It then prints:
#   - the stream's MiB/s;
#   - the share of the samples per library: libcrypto (ChaCha20-Poly1305), the kernel (TCP copies, syscalls,
#     scheduling), libc (memmove), the .NET runtime and JIT, JIT-compiled code, idle;
#   - the managed frames that call memmove, i.e. the copies our code makes.
# Needs perf (Debian's linux-perf) and the right to sample every CPU (root, or perf_event_paranoid <= 0).
# Usage: tests/benchmarks/p2p/profile.sh [SIZE_BYTES] [RUNS]      (not run by tests/run)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
. "$ROOT/devnet/lib/strict.sh"
SIZE="${1:-2147483648}"
RUNS="${2:-2}"
ART="${ART:-/tmp/art-p2p-bench}"
command -v perf >/dev/null || { echo "profile.sh: perf is missing: apt-get install linux-perf" >&2; exit 3; }
cd "$ROOT"
dotnet build tests/SwarmFL.P2P.Bench -c Release --artifacts-path "$ART" -v q -nologo >/dev/null
BENCH="$ART/bin/SwarmFL.P2P.Bench/release/SwarmFL.P2P.Bench"
OUT="$(mktemp -d "${TMPDIR:-/tmp}/p2p-profile.XXXXXX")"
# Perf maps name the JIT-compiled frames; without W^X the code perf sees is where the map says it is.
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0

echo "# $(date -u +%FT%TZ) load='$(cut -d" " -f1-3 /proc/loadavg)' size=$SIZE runs=$RUNS cores=$(nproc) $(uname -sr)"
mkfifo "$OUT/server.in"
"$BENCH" serve --mode libp2p < "$OUT/server.in" > "$OUT/server.out" 2>&1 &
SERVER_PID=$!
exec {SERVER_FD}>"$OUT/server.in"
until [ -s "$OUT/server.out" ]; do kill -0 "$SERVER_PID" 2>/dev/null || { echo "the bench server exited" >&2; exit 1; }; sleep 0.1; done
"$BENCH" client --mode libp2p --size "$SIZE" --runs "$RUNS" --dials 1 --addr "$(head -n 1 "$OUT/server.out")" > "$OUT/client.out" &
CLIENT_PID=$!
perf record -F 999 -a -g -o "$OUT/perf.data" -- bash -c "while kill -0 $CLIENT_PID 2>/dev/null; do sleep 0.2; done" 2> "$OUT/perf.err"
wait "$CLIENT_PID"
exec {SERVER_FD}>&-
wait "$SERVER_PID" 2>/dev/null || true
cat "$OUT/client.out"

echo "## share of all samples per library (both processes, both cores)"
perf report -i "$OUT/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null \
  | awk '/^ +[0-9.]+%/ { pct=$1; sub(/%/,"",pct); name=$2; for (i=3;i<=NF;i++) name=name" "$i;
           if (name ~ /^\[JIT\]/) name="[JIT] (compiled .NET code)"; share[name]+=pct }
         END { for (n in share) if (share[n] >= 0.1) printf "%6.2f%%  %s\n", share[n], n }' | sort -rn
echo "## the copies: memmove samples by the first .NET frame above them (share of all samples)"
TOTAL="$(perf script -i "$OUT/perf.data" -F comm 2>/dev/null | wc -l)"
perf script -i "$OUT/perf.data" 2>/dev/null | awk -v total="$TOTAL" '
  /^[^ \t]/ { if (inside && first != "") hits[first]++; inside = 0; first = ""; next }
  /__memmove/ { inside = 1; next }
  inside && first == "" && /SwarmFL|System\./ { sub(/^[ \t]*[0-9a-f]+ /, ""); sub(/\[Optimized[^]]*\].*/, ""); first = $0 }
  END { if (inside && first != "") hits[first]++; for (f in hits) printf "%6.2f%%  %s\n", 100 * hits[f] / total, f }' | sort -rn | awk 'NR <= 8'
rm -rf "$OUT"
