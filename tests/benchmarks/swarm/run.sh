#!/usr/bin/env bash
# Swarm against in-process simulation, measured in one go (issue #7, Performance):
#   1. devnet/up: a 4-node swarm on a Hardhat devnet, 5 rounds of mnist-2nn on an iid split, FedAvg, E=1, B=10, lr 0.05;
#   2. swarmfl simulate: the same model, partition, rounds and local work (4 clients, all of them every round, 1 thread);
#   3. compare.mjs: per-round wall times, the ratio (with and without round 1), the swarm's time split and the accuracies.
# Extra arguments go to both sides where they mean the same thing: --rounds N, --nodes N (= clients), --epochs, --batch, --lr.
# --objection-window S goes to the swarm only (every round waits it out; the simulation has no objections).
# The machine's load average is printed before and after: timings on a busy machine are not comparable with an idle one.
# Usage: tests/benchmarks/swarm/run.sh [--rounds 5] [--nodes 4]     (prints the report; keeps everything in a temp directory)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
. "$ROOT/devnet/lib/strict.sh"
cd "$ROOT"
NODES=4 ROUNDS=5 EPOCHS=1 BATCH=10 LR=0.05 MODEL=mnist-2nn PARTITION=iid WINDOW=10
while [[ $# -gt 0 ]]; do
  case "$1" in
    --nodes) NODES="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --epochs) EPOCHS="$2"; shift 2 ;;
    --batch) BATCH="$2"; shift 2 ;;
    --lr) LR="$2"; shift 2 ;;
    --objection-window) WINDOW="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
OUT_DIR="$(mktemp -d "${TMPDIR:-/tmp}/swarm-bench.XXXXXX")"
"$ROOT/devnet/bootstrap"   # build first, so no build lands inside a timed part
SWARMFL="$ROOT/node/SwarmFL.Node/bin/Release/net10.0/swarmfl"

# The simulation runs before and after the swarm; the comparison uses the mean of the two, which evens out a load that
# changes while the benchmark runs (on an idle machine the two agree).
simulate() {
  local out="$1" start end
  start=$(date +%s.%N)
  "$SWARMFL" simulate --model "$MODEL" --clients "$NODES" --fraction 1 --epochs "$EPOCHS" --batch "$BATCH" --lr "$LR" \
    --rounds "$ROUNDS" --partition "$PARTITION" --threads 1 | tee "$out"
  end=$(date +%s.%N)
  echo "process wall $start $end" >> "$out"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" | tee "$OUT_DIR/load.txt"
simulate "$OUT_DIR/simulate-before.out"
echo "load after the first simulation: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT_DIR/load.txt"

devnet/up --nodes "$NODES" --rounds "$ROUNDS" --model "$MODEL" --partition "$PARTITION" --strategy fedavg \
  --cluster-size "$NODES" --objection-window "$WINDOW" --epochs "$EPOCHS" --batch "$BATCH" --lr "$LR" --no-baselines --out "$OUT_DIR/runs" \
  | tee "$OUT_DIR/devnet.out"
RUN_DIRS=("$OUT_DIR"/runs/*/); RUN_DIR="${RUN_DIRS[0]}"
echo "load after the swarm: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT_DIR/load.txt"
simulate "$OUT_DIR/simulate-after.out"
echo "load after the second simulation: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT_DIR/load.txt"

node tests/benchmarks/swarm/compare.mjs "$RUN_DIR/rounds.json" "$OUT_DIR/simulate-before.out" "$OUT_DIR/simulate-after.out" \
  | tee "$OUT_DIR/report.md"
echo "run directory: $RUN_DIR; report: $OUT_DIR/report.md"
