#!/usr/bin/env bash
# Where the CPU of a local swarm goes (issue #16: "why do four node processes train at a lower total rate than one
# process alone?"). `perf record -a` samples every core while
#   1. `swarmfl simulate` trains the same clients one after another in one process (the benchmark's baseline), then
#   2. `devnet/up` runs the swarm (its node processes, Hardhat, the launcher),
# and profile-split.py splits the samples by role (node, Hardhat, launcher, simulation, other) and, inside each, by
# library: libtorch (training and evaluation), the .NET runtime and JIT-compiled code, the kernel, the rest.
# Needs perf (Debian's linux-perf) and the right to sample every CPU (root, or perf_event_paranoid <= 0).
# Usage: tests/benchmarks/swarm/profile.sh [--nodes 4] [--cluster-size N (default: the node count, one cluster)]
#        [--rounds 5] [--objection-window 1] [--results FILE]
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
. "$ROOT/devnet/lib/strict.sh"
cd "$ROOT"
NODES=4 CLUSTER_SIZE="" ROUNDS=5 WINDOW=1 RESULTS="$ROOT/tests/benchmarks/swarm/PROFILE-RESULTS.md"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --nodes) NODES="$2"; shift 2 ;;
    --cluster-size) CLUSTER_SIZE="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --objection-window) WINDOW="$2"; shift 2 ;;
    --results) RESULTS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
CLUSTER_SIZE="${CLUSTER_SIZE:-$NODES}"
command -v perf >/dev/null || { echo "profile.sh: perf is missing: apt-get install linux-perf" >&2; exit 3; }
OUT_DIR="$(mktemp -d "${TMPDIR:-/tmp}/swarm-profile.XXXXXX")"
"$ROOT/devnet/bootstrap"   # build first, so no build lands inside the profile
SWARMFL="$ROOT/node/SwarmFL.Node/bin/Release/net10.0/swarmfl"
COMMON=(--model mnist-2nn --partition iid --epochs 1 --batch 10 --lr 0.05 --rounds "$ROUNDS")

# Which process is which: every second, the pid and command line of each process that is new or has exec'd since
# (perf names threads, not roles). Builtins only, so that the sampler does not itself fork hundreds of processes.
sample_processes() { # $1 = output file
  local -A seen=()
  local dir pid cmd args
  while :; do
    for dir in /proc/[0-9]*; do
      pid="${dir#/proc/}"
      args=()
      mapfile -d '' -t args < "$dir/cmdline" 2>/dev/null || continue
      [ "${#args[@]}" -gt 0 ] || continue
      cmd="${args[*]}"
      [ "${seen[$pid]:-}" = "$cmd" ] && continue
      seen[$pid]="$cmd"
      echo "$pid $cmd"
    done >> "$1"
    sleep 1
  done
}

profile() { # $1 = name, rest = command
  local name="$1"; shift
  sample_processes "$OUT_DIR/$name.pids" & local sampler=$!
  local start end
  start=$(date +%s.%N)
  perf record -a -F 250 -o "$OUT_DIR/$name.data" -- "$@" > "$OUT_DIR/$name.out" 2> "$OUT_DIR/$name.perf.log"
  end=$(date +%s.%N)
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  echo "$start $end" > "$OUT_DIR/$name.wall"
  perf script -i "$OUT_DIR/$name.data" -F pid,tid,comm,ip,dso,period 2> /dev/null > "$OUT_DIR/$name.samples"
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "profiling swarmfl simulate (${NODES} clients, one process, 1 thread)…"
profile simulation "$SWARMFL" simulate "${COMMON[@]}" --clients "$NODES" --fraction 1 --threads 1
echo "profiling devnet/up (${NODES} nodes)…"
profile swarm devnet/up --nodes "$NODES" --cluster-size "$CLUSTER_SIZE" --strategy fedavg --objection-window "$WINDOW" \
  "${COMMON[@]}" --no-baselines --no-dashboard --out "$OUT_DIR/runs"
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
RUN_DIRS=("$OUT_DIR"/runs/*/)

{
  echo
  echo "## $(date -u +%Y-%m-%dT%H:%M:%SZ): tests/benchmarks/swarm/profile.sh --nodes $NODES --cluster-size $CLUSTER_SIZE --rounds $ROUNDS --objection-window $WINDOW"
  echo
  echo "$(nproc) cores, $(uname -sr); commit $(git rev-parse --short HEAD); load before $LOAD_BEFORE, after $LOAD_AFTER"
  echo
  python3 tests/benchmarks/swarm/profile-split.py --dir "$OUT_DIR" --run "${RUN_DIRS[0]}" --nodes "$NODES" --rounds "$ROUNDS"
} | tee -a "$RESULTS"
echo "profile data: $OUT_DIR; appended to $RESULTS"
