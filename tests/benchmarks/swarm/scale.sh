#!/usr/bin/env bash
# More nodes, same total data (issue #16): devnet/up at 4, 8, 16 and 32 nodes in one go, cluster size 4, 5 rounds of
# mnist-2nn on an iid split of the same MNIST training set (each node gets 1/N of it), FedAvg, E=1, B=10, lr 0.05.
# Writes a table per swarm size: start-up, round time, chain time, RPC requests per node per round, peak memory per
# node; prints it and appends it, with the command, the date and the load averages, to the results file.
# Usage: tests/benchmarks/swarm/scale.sh [--sizes "4 8 16 32"] [--rounds 5] [--cluster-size 4] [--objection-window 10] [--results FILE]
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
. "$ROOT/devnet/lib/strict.sh"
cd "$ROOT"
SIZES="4 8 16 32" ROUNDS=5 CLUSTER=4 WINDOW=10 RESULTS="$ROOT/tests/benchmarks/swarm/SCALE-RESULTS.md"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sizes) SIZES="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --cluster-size) CLUSTER="$2"; shift 2 ;;
    --objection-window) WINDOW="$2"; shift 2 ;;
    --results) RESULTS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
OUT_DIR="$(mktemp -d "${TMPDIR:-/tmp}/swarm-scale.XXXXXX")"
"$ROOT/devnet/bootstrap"   # build first, so no build lands inside a timed run

# Peak resident memory of every node process of one run: VmHWM (the kernel's high-water mark) read every 2 s, the
# last reading per process kept. Only processes whose command line names this run's directory are read.
sample_memory() { # $1 = run directory, $2 = output file
  local dir="$1" out="$2" pid cmd hwm
  : > "$out"
  while :; do
    for pid in /proc/[0-9]*; do
      cmd="$( { tr '\0' ' ' < "$pid/cmdline"; } 2>/dev/null || true)"
      [[ "$cmd" == *" node --data-dir $dir"* ]] || continue
      hwm="$(awk '/^VmHWM:/ {print $2}' "$pid/status" 2>/dev/null || true)"
      [ -n "$hwm" ] && echo "${pid#/proc/} $hwm" >> "$out"
    done
    sleep 2
  done
}

for N in $SIZES; do
  RUN="$OUT_DIR/n$N"
  mkdir -p "$RUN"
  echo "load before $N nodes: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$RUN/load.txt"
  sample_memory "$RUN/runs" "$RUN/memory.txt" &
  SAMPLER=$!
  start=$(date +%s.%N)
  status=0
  devnet/up --nodes "$N" --rounds "$ROUNDS" --cluster-size "$CLUSTER" --objection-window "$WINDOW" --model mnist-2nn --partition iid --strategy fedavg \
    --epochs 1 --batch 10 --lr 0.05 --no-baselines --out "$RUN/runs" > "$RUN/devnet.out" 2>&1 || status=$?
  end=$(date +%s.%N)
  kill "$SAMPLER" 2>/dev/null || true
  wait "$SAMPLER" 2>/dev/null || true
  echo "$status $start $end" > "$RUN/exit.txt"
  echo "load after $N nodes: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RUN/load.txt"
  [ "$status" = 0 ] || echo "devnet/up --nodes $N exited with $status (see $RUN/devnet.out)" >&2
done

node tests/benchmarks/swarm/scale-table.mjs "$OUT_DIR" "$ROUNDS" "$CLUSTER" | tee "$OUT_DIR/table.md"
{
  echo
  echo "## $(date -u +%FT%TZ): tests/benchmarks/swarm/scale.sh --sizes \"$SIZES\" --rounds $ROUNDS --cluster-size $CLUSTER --objection-window $WINDOW"
  echo
  echo "$(nproc) cores, $(uname -sr); commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo
  cat "$OUT_DIR/table.md"
} >> "$RESULTS"
echo "runs in $OUT_DIR; table appended to $RESULTS"
