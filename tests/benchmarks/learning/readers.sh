#!/usr/bin/env bash
# Reader benchmark of issue #12 (not run by tests/run): SwarmFL's CSV reader on a generated ~100 MB CSV against numpy's
# loadtxt and genfromtxt on the same file, and its image-folder reader on 10 000 generated PNG files. Results:
# RESULTS-readers.md next to this script. Needs Debian's python3-numpy at /usr/bin/python3 (devnet/bootstrap installs it).
. "$(dirname "$0")/../../../devnet/lib/strict.sh"
cd "$(dirname "$0")/../../.."
MB=${MB:-100}
IMAGES=${IMAGES:-10000}
REPEATS=${REPEATS:-3}
WORK=${WORK:-/tmp/swarmfl-reader-bench}
ARTIFACTS=${ARTIFACTS:-/tmp/art-learn-bench}
dotnet build tests/SwarmFL.Learning.Bench -c Release --artifacts-path "$ARTIFACTS" -v quiet >/dev/null
BENCH="$ARTIFACTS/bin/SwarmFL.Learning.Bench/release/SwarmFL.Learning.Bench"
[ -f "$WORK/data.csv" ] || python3 tests/benchmarks/learning/make_reader_data.py "$WORK" --mb "$MB" --images "$IMAGES"
echo "== load average before SwarmFL: $(cut -d' ' -f1-3 /proc/loadavg) =="
"$BENCH" readers "$WORK/data.csv" "$WORK/images" "$REPEATS"
echo "== load average before numpy: $(cut -d' ' -f1-3 /proc/loadavg) =="
/usr/bin/python3 tests/benchmarks/learning/numpy_readers.py "$WORK/data.csv" 1
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg) =="
